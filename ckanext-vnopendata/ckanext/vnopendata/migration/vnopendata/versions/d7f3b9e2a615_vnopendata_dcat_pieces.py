"""vnopendata DCAT pieces: each dataset's RDF, stored when it is written

Revision ID: d7f3b9e2a615
Revises: e7a4b2c9d1f3
Create Date: 2025-01-05 00:00:00

One row per dataset with its DCAT description in every served format, twice:
`full_*` with distributions, `meta_*` without (what a caller who shares only
a `meta-` label with the dataset may see). Feeds and dumps concatenate them.
"""

import sqlalchemy as sa
from alembic import op

revision = "d7f3b9e2a615"
down_revision = "e7a4b2c9d1f3"
branch_labels = None
depends_on = None

TABLE = "vnopendata_dcat_piece"
FORMATS = ("nt", "ttl", "xml", "jsonld")


def upgrade():
    columns = [
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("metadata_modified", sa.DateTime),
    ]
    for variant in ("full", "meta"):
        for fmt in FORMATS:
            columns.append(sa.Column(f"{variant}_{fmt}", sa.UnicodeText, nullable=False))
    op.create_table(TABLE, *columns)
    for variant in ("full", "meta"):
        for fmt in FORMATS:
            op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {variant}_{fmt} SET COMPRESSION lz4")


def downgrade():
    op.drop_table(TABLE)
