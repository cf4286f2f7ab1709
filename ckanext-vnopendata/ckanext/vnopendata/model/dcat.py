"""Stored DCAT pieces: one row per dataset (migration vnopendata_dcat_pieces).

Written in the dataset's own transaction by `dcat.pieces.store`, as the
search index row is, so a feed entry can never disagree with its dataset.
"""

from __future__ import annotations

from datetime import datetime

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

TABLE_NAME = "vnopendata_dcat_piece"
FORMATS = ("nt", "ttl", "xml", "jsonld")
VARIANTS = ("full", "meta")


class DcatPiece(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = TABLE_NAME

    package_id: Mapped[str] = mapped_column(sa.UnicodeText, primary_key=True)
    metadata_modified: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # With distributions (callers with full access).
    full_nt: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    full_ttl: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    full_xml: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    full_jsonld: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    # Metadata only: no distributions, no access or download URLs.
    meta_nt: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    meta_ttl: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    meta_xml: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    meta_jsonld: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)


dcat_piece_table: sa.Table = DcatPiece.__table__  # type: ignore[assignment]
