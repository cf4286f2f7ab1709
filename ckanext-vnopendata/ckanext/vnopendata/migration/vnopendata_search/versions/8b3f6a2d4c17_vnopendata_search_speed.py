"""vnopendata search index: a narrow heap, exact_doc, indexes for sorted pages

Revision ID: 8b3f6a2d4c17
Revises: 5e2a9c1d7b01
Create Date: 2025-01-02 00:00:00

At 100,000 datasets the row (three JSON documents, two vectors) made the
heap ~3 KB a dataset, so every count, facet and filter read ~300 MB. Now:

- `exact_doc`: the short exact-match fields, kept inline (STORAGE MAIN)
  and GIN-indexed, read by facets and `field:value` instead of `doc`;
- the documents and vectors are moved out of line (toast_tuple_target), so
  the heap holds only what filters, counts and facets read;
- btree indexes in the exact ORDER BY of the common sorts (newest first,
  name and title in code-point order, ties by name), so a page is read in
  index order instead of sorting every match;
- (state, capacity) INCLUDE (permission_labels): counts without the heap.

Existing rows get an `exact_doc` that lists every field as long, which
queries read from `doc` as before (correct, not fast); `ckan search-index
rebuild` fills it.
"""

from alembic import op

revision = "8b3f6a2d4c17"
down_revision = "5e2a9c1d7b01"
branch_labels = None
depends_on = None

TABLE = "vnopendata_search_index"

# Fields that are not exact-match document fields (columns, dates, text),
# as in search/fields.py when this migration was written.
NOT_DOCUMENT = [
    "id",
    "name",
    "state",
    "capacity",
    "dataset_type",
    "owner_org",
    "organization",
    "license_id",
    "title_string",
    "groups",
    "tags",
    "res_format",
    "permission_labels",
    "metadata_created",
    "metadata_modified",
    "text",
    "title",
    "notes",
    "res_name",
    "res_description",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "urls",
    "name_ngram",
    "title_ngram",
]


def upgrade():
    op.execute(f"ALTER TABLE {TABLE} ADD COLUMN exact_doc jsonb NOT NULL DEFAULT '{{}}'")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN exact_doc SET STORAGE MAIN")
    for column in ("groups", "tags", "res_format", "permission_labels"):
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 1024)")
    excluded = ", ".join(f"'{name}'" for name in NOT_DOCUMENT)
    op.execute(
        f"""
        UPDATE {TABLE} SET exact_doc = jsonb_build_object('_long_', COALESCE((
            SELECT jsonb_agg(key ORDER BY key) FROM jsonb_each(doc)
            WHERE key NOT IN ({excluded}) AND key NOT LIKE 'extras\\_%'
              AND key NOT LIKE 'res\\_extras\\_%' AND key <> '_long_'
        ), '[]'::jsonb))
        """
    )
    # Facets count each value once per dataset without a DISTINCT per row.
    for column in ("groups", "tags", "res_format"):
        op.execute(
            f"UPDATE {TABLE} SET {column} = ARRAY(SELECT x FROM unnest({column}) "
            "WITH ORDINALITY AS u(x, n) GROUP BY x ORDER BY min(n)) "
            f"WHERE cardinality({column}) > 1"
        )
    op.execute(f"DROP INDEX IF EXISTS {TABLE}_doc_idx")
    op.execute(
        f"CREATE INDEX {TABLE}_exact_doc_idx ON {TABLE} USING gin (exact_doc jsonb_path_ops)"
    )
    for old in ("modified", "created", "title_string"):
        op.execute(f"DROP INDEX IF EXISTS {TABLE}_{old}_idx")
    op.execute(
        f"CREATE INDEX {TABLE}_modified_desc_idx ON {TABLE} "
        '(metadata_modified DESC NULLS LAST, name COLLATE "C")'
    )
    op.execute(
        f"CREATE INDEX {TABLE}_created_desc_idx ON {TABLE} "
        '(metadata_created DESC NULLS LAST, name COLLATE "C")'
    )
    op.execute(f'CREATE INDEX {TABLE}_name_c_idx ON {TABLE} (name COLLATE "C")')
    op.execute(
        f'CREATE INDEX {TABLE}_title_c_idx ON {TABLE} (title_string COLLATE "C", name COLLATE "C")'
    )
    op.execute(
        f"CREATE INDEX {TABLE}_visible_idx ON {TABLE} (state, capacity) INCLUDE (permission_labels)"
    )


def downgrade():
    for name in ("visible", "title_c", "name_c", "created_desc", "modified_desc", "exact_doc"):
        op.execute(f"DROP INDEX IF EXISTS {TABLE}_{name}_idx")
    op.execute(f"CREATE INDEX {TABLE}_modified_idx ON {TABLE} (metadata_modified)")
    op.execute(f"CREATE INDEX {TABLE}_created_idx ON {TABLE} (metadata_created)")
    op.execute(f"CREATE INDEX {TABLE}_title_string_idx ON {TABLE} (title_string)")
    op.execute(f"CREATE INDEX {TABLE}_doc_idx ON {TABLE} USING gin (doc jsonb_path_ops)")
    op.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
    for column in ("groups", "tags", "res_format", "permission_labels"):
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTENDED")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN exact_doc")
