"""WSGI application of the production server: `gunicorn
ckanext.vnopendata.ops.wsgi:application`, configured by CKAN_INI.

Environment variables such as CKAN_SQLALCHEMY_URL override the file when
CKAN loads it. The file's logging sections (structured JSON logs in the
production configuration) are applied before the app is built. Compiled
assets are served as built (`startup.freeze_assets`).
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.lib import webassets_tools

from ckanext.vnopendata.ops.startup import freeze_assets

config_path = os.environ.get("CKAN_INI", "/srv/app/config/ckan.ini")
fileConfig(config_path, disable_existing_loggers=False)
application = make_app(load_config(config_path))
# The unit compiled the assets before starting the server (serve.py).
freeze_assets(webassets_tools.env)
