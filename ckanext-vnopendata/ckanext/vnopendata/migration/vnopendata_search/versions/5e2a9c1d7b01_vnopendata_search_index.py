"""vnopendata search index: the PostgreSQL replacement for Solr

Revision ID: 5e2a9c1d7b01
Revises:
Create Date: 2025-01-01 00:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

revision = "5e2a9c1d7b01"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "vnopendata_search_index"


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # unaccent() is STABLE (its dictionary could be reloaded); pinning the
    # dictionary makes the result depend on the argument only, which indexes
    # and generated columns require. "OR REPLACE": CKAN's test reset drops
    # tables but not functions.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION vnopendata_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
        """
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("title", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("title_string", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("capacity", sa.UnicodeText, nullable=False),
        sa.Column("dataset_type", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("organization", sa.UnicodeText),
        sa.Column("license_id", sa.UnicodeText),
        sa.Column("groups", ARRAY(sa.UnicodeText), nullable=False),
        sa.Column("tags", ARRAY(sa.UnicodeText), nullable=False),
        sa.Column("res_format", ARRAY(sa.UnicodeText), nullable=False),
        sa.Column("permission_labels", ARRAY(sa.UnicodeText), nullable=False),
        sa.Column("metadata_created", sa.DateTime),
        sa.Column("metadata_modified", sa.DateTime),
        sa.Column("doc", JSONB, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("data_dict", JSONB),
        sa.Column("search_vector", TSVECTOR, nullable=False),
        sa.Column("exact_vector", TSVECTOR, nullable=False),
    )
    op.create_index(f"{TABLE}_name_idx", TABLE, ["name"])
    op.create_index(f"{TABLE}_modified_idx", TABLE, ["metadata_modified"])
    op.create_index(f"{TABLE}_created_idx", TABLE, ["metadata_created"])
    op.create_index(f"{TABLE}_title_string_idx", TABLE, ["title_string"])
    op.create_index(f"{TABLE}_owner_org_idx", TABLE, ["owner_org"])
    op.create_index(f"{TABLE}_organization_idx", TABLE, ["organization"])
    for column in ("permission_labels", "groups", "tags", "res_format"):
        op.create_index(f"{TABLE}_{column}_idx", TABLE, [column], postgresql_using="gin")
    op.execute(f"CREATE INDEX {TABLE}_doc_idx ON {TABLE} USING gin (doc jsonb_path_ops)")
    op.execute(f"CREATE INDEX {TABLE}_vector_idx ON {TABLE} USING gin (search_vector)")
    # Autocomplete matches folded substrings of names and titles.
    op.execute(
        f"CREATE INDEX {TABLE}_title_trgm_idx ON {TABLE} "
        "USING gin (vnopendata_fold(title) gin_trgm_ops)"
    )
    op.execute(f"CREATE INDEX {TABLE}_name_trgm_idx ON {TABLE} USING gin (name gin_trgm_ops)")


def downgrade():
    op.drop_table(TABLE)
    op.execute("DROP FUNCTION IF EXISTS vnopendata_fold(text)")
