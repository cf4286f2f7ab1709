"""vnopendata review: datasets from before the review workflow are published

Revision ID: e7a2b4c9d1f0
Revises: c4e8a1f5b3d9
Create Date: 2026-11-30 00:00:00

The review workflow (sharing/review.py) shows a dataset beyond its agency
only once it is published. Datasets written before the workflow existed
were already in use; they become `published` as they are, so that an
upgrade hides nothing that was visible. Their permission labels change with
this (inter-agency data now reaches every agency): rebuild the search index
after upgrading (`ckan search-index rebuild`).
"""

from alembic import op

revision = "e7a2b4c9d1f0"
down_revision = "c4e8a1f5b3d9"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE package
        SET extras = extras || jsonb_build_object(
            'review_state', 'published',
            'review_published_at',
            to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
        WHERE type = 'dataset' AND NOT extras ? 'review_state'
        """
    )


def downgrade():
    # The review fields are plain dataset fields; older code ignores them.
    pass
