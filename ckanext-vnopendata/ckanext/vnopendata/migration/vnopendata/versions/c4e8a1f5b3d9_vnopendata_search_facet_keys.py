"""search facet_keys (moved to vnopendata_search)

Revision ID: c4e8a1f5b3d9
Revises: 3d91c7e5a2b8

Kept so that databases created before the move keep a valid `vnopendata`
history; the step itself lives in migration/vnopendata_search (see
migration/handover.py for when it runs here).
"""

from ckanext.vnopendata.migration import handover

revision = "c4e8a1f5b3d9"
down_revision = "3d91c7e5a2b8"
branch_labels = None
depends_on = None

upgrade, downgrade = handover.legacy_step(revision)
