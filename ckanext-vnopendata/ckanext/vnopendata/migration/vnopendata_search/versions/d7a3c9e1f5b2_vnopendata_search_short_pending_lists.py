"""vnopendata search index: short pending lists for its GIN indexes

Revision ID: d7a3c9e1f5b2
Revises: b6d8f0a2c4e7
Create Date: 2026-12-02 00:00:00

A GIN index adds the entries of each written row to a pending list, merged
into the index only when the list outgrows `gin_pending_list_limit` (4 MB
by default) or at the next VACUUM; every search through the index reads the
whole list. On a live portal editors keep writing, so the lists stay long:
at 100,000 datasets, 1,000 datasets edited after a rebuild left 207 pages in
the text index's list, and the search benchmark's text p50 went from 22 to
28 ms for an anonymous reader (p95 from 35 to 45 ms); merging that list
alone gave back 22 and 38 ms. At 256 kB (32 pages) the list is merged by
the write that fills it, a few milliseconds every few dozen edits, and a
search reads at most 32 pages of it.

The setting is each index's own (a storage parameter), so it applies to
every connection and to the indexes a migration creates later only if that
migration sets it too (`model.search.GIN_PENDING_LIST_KB`).
"""

from alembic import op
from sqlalchemy import text

from ckanext.vnopendata.model.search import GIN_PENDING_LIST_KB

revision = "d7a3c9e1f5b2"
down_revision = "b6d8f0a2c4e7"
branch_labels = None
depends_on = None

TABLE = "vnopendata_search_index"


def _gin_indexes() -> list[str]:
    return list(
        op.get_bind()
        .execute(
            text(
                "SELECT i.relname FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_am a ON a.oid = i.relam "
                "WHERE x.indrelid = CAST(:table AS regclass) AND a.amname = 'gin' "
                "ORDER BY i.relname"
            ),
            {"table": TABLE},
        )
        .scalars()
    )


def upgrade():
    for index in _gin_indexes():
        op.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {GIN_PENDING_LIST_KB})")


def downgrade():
    for index in _gin_indexes():
        op.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
