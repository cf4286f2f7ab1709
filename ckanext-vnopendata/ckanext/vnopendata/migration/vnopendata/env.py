"""Alembic environment of the `vnopendata` history (migration/alembic_env.py)."""

import os

from ckanext.vnopendata.migration import alembic_env

alembic_env.run(os.path.basename(os.path.dirname(__file__)))
