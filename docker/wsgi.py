"""WSGI entry point of the CKAN container: `gunicorn wsgi:application`.

The config file is the one the entrypoint wrote (CKAN_INI); environment
variables such as CKAN_SQLALCHEMY_URL and CKAN_SOLR_URL override it when
CKAN loads it.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

config_path = os.environ.get("CKAN_INI", "/srv/app/config/ckan.ini")
fileConfig(config_path, disable_existing_loggers=False)
application = make_app(load_config(config_path))
