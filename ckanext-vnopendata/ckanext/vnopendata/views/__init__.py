"""Flask blueprints of the portal."""

from __future__ import annotations

from flask import Blueprint


def get_blueprints() -> list[Blueprint]:
    from ckanext.vnopendata.views import access, review

    return [review.bp, access.blueprint]
