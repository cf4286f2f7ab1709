"""search lz4 (moved to vnopendata_search)

Revision ID: 3d91c7e5a2b8
Revises: 8b3f6a2d4c17

Kept so that databases created before the move keep a valid `vnopendata`
history; the step itself lives in migration/vnopendata_search (see
migration/handover.py for when it runs here).
"""

from ckanext.vnopendata.migration import handover

revision = "3d91c7e5a2b8"
down_revision = "8b3f6a2d4c17"
branch_labels = None
depends_on = None

upgrade, downgrade = handover.legacy_step(revision)
