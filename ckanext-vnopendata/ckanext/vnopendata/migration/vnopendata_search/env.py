"""Alembic environment of the `vnopendata_search` history
(migration/alembic_env.py). Databases whose search tables were created
under the `vnopendata` history continue from there (migration/handover.py).
"""

import os

from ckanext.vnopendata.migration import alembic_env, handover

alembic_env.run(os.path.basename(os.path.dirname(__file__)), before_migrations=handover.adopt)
