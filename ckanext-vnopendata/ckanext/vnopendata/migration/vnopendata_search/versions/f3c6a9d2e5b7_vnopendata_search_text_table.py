"""vnopendata search index: a narrow table of the text index, for counting

Revision ID: f3c6a9d2e5b7
Revises: d7a3c9e1f5b2
Create Date: 2026-12-03 00:00:00

Counting the matches of free text reads, after the GIN bitmap, every
matching row's page of the table for its visibility (measured on
PostgreSQL 15.19, with the visibility map set). The index table's rows
are about 1.5 kB (the short document and the facet keys stay inline, for
filters and facets), about five to a page: at 100,000 datasets an agency user's "chuyển đổi số"
(28,637 matches) visits 16,452 pages, 50 ms of a 66 ms search, where the
ranked page beside it takes 25 ms.

`vnopendata_search_text` holds only what such a count reads: id, state,
capacity, the labels and the folded vector (moved out of line:
`toast_tuple_target` 128), about 45 rows to a page, with the same GIN
index as the index table's text index. The same count there took 17 ms
instead of 50 (pgbench, 40 runs). A search of free text alone (filtered
only on state or capacity) counts there (`search.package_query`); every
other search reads the index table as before.

Triggers on the index table keep it in step, in the same transaction as
every write, whoever writes (the per-dataset writer, the bulk rebuild, a
migration): a statement's inserted, updated and deleted rows, and a
TRUNCATE. The portal's code writes the index table only.
"""

from alembic import op

from ckanext.vnopendata.model.search import (
    GIN_PENDING_LIST_KB,
    TABLE_NAME,
    TEXT_TABLE_COLUMNS,
    TEXT_TABLE_NAME,
)

revision = "f3c6a9d2e5b7"
down_revision = "d7a3c9e1f5b2"
branch_labels = None
depends_on = None

FUNCTION = "vnopendata_search_text_write"
TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def upgrade():
    columns = ", ".join(TEXT_TABLE_COLUMNS)
    changed = ", ".join(f"{column} = EXCLUDED.{column}" for column in TEXT_TABLE_COLUMNS[1:])
    differs = (
        f"({', '.join(f't.{c}' for c in TEXT_TABLE_COLUMNS[1:])}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{c}' for c in TEXT_TABLE_COLUMNS[1:])})"
    )
    op.execute(
        f"""
        CREATE TABLE {TEXT_TABLE_NAME} (
            id text PRIMARY KEY,
            state text NOT NULL,
            capacity text NOT NULL,
            permission_labels text[] NOT NULL,
            search_vector tsvector COMPRESSION lz4 NOT NULL
        ) WITH (toast_tuple_target = 128)
        """
    )
    op.execute(f"INSERT INTO {TEXT_TABLE_NAME} ({columns}) SELECT {columns} FROM {TABLE_NAME}")
    # The expression of the index table's text index (search.ranking.text_labels).
    op.execute(
        f"CREATE INDEX {TEXT_TABLE_NAME}_vector_idx ON {TEXT_TABLE_NAME} "
        "USING gin (search_vector, (permission_labels || CAST(ARRAY[] AS text[]))) "
        f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KB})"
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                TRUNCATE {TEXT_TABLE_NAME};
                RETURN NULL;
            END IF;
            -- Each statement is planned when first run: a branch names
            -- only the transition tables of the events that reach it.
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {TEXT_TABLE_NAME} AS t USING old_rows AS o WHERE t.id = o.id;
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' THEN
                -- A row whose id changed (the portal's writers never do).
                DELETE FROM {TEXT_TABLE_NAME} AS t USING old_rows AS o
                WHERE t.id = o.id
                  AND NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE n.id = o.id);
            END IF;
            INSERT INTO {TEXT_TABLE_NAME} AS t ({columns})
            SELECT {columns} FROM new_rows
            ON CONFLICT (id) DO UPDATE SET {changed}
            WHERE {differs};
            RETURN NULL;
        END
        $$
        """
    )
    for event, transition in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {TEXT_TABLE_NAME}_{event.lower()} AFTER {event} ON {TABLE_NAME} "
            f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    op.execute(
        f"CREATE TRIGGER {TEXT_TABLE_NAME}_truncate AFTER TRUNCATE ON {TABLE_NAME} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )
    op.execute(f"ANALYZE {TEXT_TABLE_NAME}")


def downgrade():
    for event in [*TRIGGERS, "TRUNCATE"]:
        op.execute(f"DROP TRIGGER IF EXISTS {TEXT_TABLE_NAME}_{event.lower()} ON {TABLE_NAME}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.execute(f"DROP TABLE IF EXISTS {TEXT_TABLE_NAME}")
