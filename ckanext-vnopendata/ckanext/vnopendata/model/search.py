"""The dataset search index: one row per indexed dataset.

The row is written through ``ckan.model.Session`` in the same transaction as
the dataset itself, so the index and the catalogue can never disagree.
Columns hold what queries filter, sort and facet on; ``doc`` holds every
indexed field flattened the way CKAN flattens a dataset for Solr, so that
``field:value`` works for any field; ``data`` and ``data_dict`` hold the
dataset dicts served back to ``package_search`` and the ``package_show``
cache. The schema itself is created by the alembic migration
``vnopendata_search_index``; this declaration must stay in step with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

TABLE_NAME = "vnopendata_search_index"

# IMMUTABLE wrapper around unaccent() + lower(), created by the migration:
# the stock unaccent() is only STABLE, so it cannot appear in an index.
FOLD_FUNCTION = "vnopendata_fold"


class SearchIndexRow(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = TABLE_NAME

    id: Mapped[str] = mapped_column(sa.UnicodeText, primary_key=True)
    name: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    title: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, default="")
    title_string: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, default="")
    state: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    capacity: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    dataset_type: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    owner_org: Mapped[str | None] = mapped_column(sa.UnicodeText)
    organization: Mapped[str | None] = mapped_column(sa.UnicodeText)
    license_id: Mapped[str | None] = mapped_column(sa.UnicodeText)
    groups: Mapped[list[str]] = mapped_column(ARRAY(sa.UnicodeText), nullable=False)
    tags: Mapped[list[str]] = mapped_column(ARRAY(sa.UnicodeText), nullable=False)
    res_format: Mapped[list[str]] = mapped_column(ARRAY(sa.UnicodeText), nullable=False)
    permission_labels: Mapped[list[str]] = mapped_column(ARRAY(sa.UnicodeText), nullable=False)
    metadata_created: Mapped[datetime | None] = mapped_column(sa.DateTime)
    metadata_modified: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Every indexed field (Solr's document), for `field:value`, `fl` and facets.
    doc: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # The dataset as package_show returns it with the custom (scheming) schema.
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # The dataset with CKAN's default schema; NULL when it equals `data`.
    data_dict: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The short exact-match fields of `doc` (and, under "_long_", the names
    # of the long ones): stored inline so facets and filters stay cheap.
    exact_doc: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    # Weighted (title A, tags B, notes C, rest D) over diacritic-folded text,
    # and the same over the original text so exact matches can rank higher.
    search_vector: Mapped[Any] = mapped_column(TSVECTOR, nullable=False)
    exact_vector: Mapped[Any] = mapped_column(TSVECTOR, nullable=False)


search_index_table: sa.Table = SearchIndexRow.__table__  # type: ignore[assignment]
