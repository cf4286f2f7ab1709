"""WSGI entry point for `gunicorn wsgi:application` in the image's working
folder: the portal's own (ckanext.vnopendata.ops.wsgi), which the image's
command and `make serve-prod` use."""

from __future__ import annotations

from ckanext.vnopendata.ops.wsgi import application

__all__ = ["application"]
