"""search index (moved to vnopendata_search)

Revision ID: 5e2a9c1d7b01
Revises:

Kept so that databases created before the move keep a valid `vnopendata`
history; the step itself lives in migration/vnopendata_search (see
migration/handover.py for when it runs here).
"""

from ckanext.vnopendata.migration import handover

revision = "5e2a9c1d7b01"
down_revision = None
branch_labels = None
depends_on = None

upgrade, downgrade = handover.legacy_step(revision)
