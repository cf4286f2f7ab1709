"""vnopendata mail outbox: mails kept while the job queue is down

Revision ID: f2b8d4a6c0e1
Revises: d7f3b9e2a615
Create Date: 2026-12-02 00:00:00

A mail that cannot be put on CKAN's job queue (Redis down) is kept here
and queued when Redis answers again.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "f2b8d4a6c0e1"
down_revision = "d7f3b9e2a615"
branch_labels = None
depends_on = None

TABLE = "vnopendata_mail_outbox"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("recipients", JSONB, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
    )


def downgrade():
    op.drop_table(TABLE)
