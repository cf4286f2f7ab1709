"""WSGI application of the production server: `gunicorn
ckanext.vnopendata.ops.wsgi:application`, configured by CKAN_INI.

Environment variables such as CKAN_SQLALCHEMY_URL override the file when
CKAN loads it. The file's logging sections (structured JSON logs in the
production configuration) are applied before the app is built.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

config_path = os.environ.get("CKAN_INI", "/srv/app/config/ckan.ini")
fileConfig(config_path, disable_existing_loggers=False)
application = make_app(load_config(config_path))
