"""vnopendata search index: lz4 compression for the documents and vectors

Revision ID: 3d91c7e5a2b8
Revises: 8b3f6a2d4c17
Create Date: 2025-01-03 00:00:00

Ranking a text query decompresses both vectors of every matching row, a
page decompresses its documents, and a rebuild compresses five values a
dataset; lz4 does both several times faster than the default pglz. Only
values written from now on use it (a `ckan search-index rebuild` rewrites
them all); older ones stay readable.
"""

from alembic import op

revision = "3d91c7e5a2b8"
down_revision = "8b3f6a2d4c17"
branch_labels = None
depends_on = None

TABLE = "vnopendata_search_index"
COLUMNS = ("doc", "data", "data_dict", "exact_doc", "search_vector", "exact_vector")


def upgrade():
    for column in COLUMNS:
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade():
    for column in COLUMNS:
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET COMPRESSION default")
