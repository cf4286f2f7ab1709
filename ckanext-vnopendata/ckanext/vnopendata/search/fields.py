"""How each indexed field is matched, following CKAN's Solr schema.

Solr ``string`` fields match exactly (case-sensitive), ``text`` fields match
words (here: diacritic-folded words), dates and numbers take ranges. A field
that is none of the named ones is a ``string`` field read from the indexed
document, like Solr's ``*`` dynamic field.
"""

from __future__ import annotations

import re
from enum import Enum

from ckan.lib.search.common import SearchQueryError


class Kind(Enum):
    COLUMN = "column"  # exact match on a scalar column
    ARRAY = "array"  # exact match on an element of a text[] column
    DATE_COLUMN = "date_column"  # timestamp column
    DEFAULT_TEXT = "default_text"  # the whole weighted vector (Solr's `text`)
    TEXT = "text"  # words of one field
    NGRAM = "ngram"  # folded substring (Solr's *_ngram, used by autocomplete)
    DOCUMENT = "document"  # exact match on the value(s) in `doc`


SCALAR_COLUMNS = frozenset(
    {
        "id",
        "name",
        "state",
        "capacity",
        "dataset_type",
        "owner_org",
        "organization",
        "license_id",
        "title_string",
    }
)
ARRAY_COLUMNS = frozenset({"groups", "tags", "res_format", "permission_labels"})
DATE_COLUMNS = frozenset({"metadata_created", "metadata_modified"})
TEXT_FIELDS = frozenset(
    {
        "title",
        "notes",
        "res_name",
        "res_description",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "urls",
    }
)
TEXT_PREFIXES = ("extras_", "res_extras_")
NGRAM_FIELDS = {"name_ngram": "name", "title_ngram": "title"}

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def kind_of(field: str) -> Kind:
    if field == "text":
        return Kind.DEFAULT_TEXT
    if field in SCALAR_COLUMNS:
        return Kind.COLUMN
    if field in ARRAY_COLUMNS:
        return Kind.ARRAY
    if field in DATE_COLUMNS:
        return Kind.DATE_COLUMN
    if field in NGRAM_FIELDS:
        return Kind.NGRAM
    if field in TEXT_FIELDS or field.startswith(TEXT_PREFIXES):
        return Kind.TEXT
    return Kind.DOCUMENT


def check_field_name(field: str) -> str:
    # Solr's magic fields (_query_, _val_) run nested queries and functions.
    if field.startswith("_") and field.endswith("_"):
        raise SearchQueryError(f"Magic fields are not supported: {field!r}")
    if not _FIELD_NAME.match(field):
        raise SearchQueryError(f"Invalid field name: {field!r}")
    return field


def is_date_field(field: str) -> bool:
    return field in DATE_COLUMNS or field.endswith("_date")
