"""search speed (moved to vnopendata_search)

Revision ID: 8b3f6a2d4c17
Revises: 5e2a9c1d7b01

Kept so that databases created before the move keep a valid `vnopendata`
history; the step itself lives in migration/vnopendata_search (see
migration/handover.py for when it runs here).
"""

from ckanext.vnopendata.migration import handover

revision = "8b3f6a2d4c17"
down_revision = "5e2a9c1d7b01"
branch_labels = None
depends_on = None

upgrade, downgrade = handover.legacy_step(revision)
