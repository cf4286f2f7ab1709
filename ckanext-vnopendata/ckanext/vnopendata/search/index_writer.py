"""Writing datasets into the PostgreSQL search index.

`PostgresPackageSearchIndex` stands in for CKAN's ``PackageSearchIndex``.
CKAN calls it from package_create/update/delete/purge before it commits, so
the row is written in the dataset's own transaction. The document is
flattened the way CKAN flattens a dataset for Solr (extras promoted, tags,
groups and organisation by name, resource fields as lists, capacity,
``IPackageController.before_dataset_index``, permission labels), so that
every field a Solr client can query has the same name here.
"""

from __future__ import annotations

import collections
import json
import logging
import re
from datetime import datetime, timezone
from typing import Any

import ckan.lib.navl.dictization_functions as df
import ckan.lib.plugins as lib_plugins
import ckan.logic as logic
import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.index import KEY_CHARS, SearchIndex
from ckan.plugins import IPackageController, PluginImplementations
from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date
from sqlalchemy.dialects.postgresql import insert

from ckanext.vnopendata.model.search import LONG_KEY, search_index_table
from ckanext.vnopendata.search import sql as sql_fragments
from ckanext.vnopendata.search.datemath import solr_date_string
from ckanext.vnopendata.search.fields import Kind, kind_of

log = logging.getLogger(__name__)

# Which text goes into which weight of the full-text vector: a match in the
# title outranks one in the tags, which outranks the description, which
# outranks everything else (resources, extras, people, licence).
WEIGHT_A_FIELDS = ("title", "name")
WEIGHT_B_FIELDS = ("tags", "groups", "organization")
WEIGHT_C_FIELDS = ("notes",)
WEIGHT_D_FIELDS = (
    "res_name",
    "res_description",
    "author",
    "maintainer",
    "license_id",
    "url",
    "version",
)

# YYYY-MM-DD, optionally THH:MM[:SS[.ffffff]]: read alike by
# datetime.fromisoformat and dateutil (no time zone, no week dates).
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$")

# Longest string copied into `exact_doc`: codes, names, short identifiers.
EXACT_VALUE_LIMIT = 64

RESOURCE_FIELDS = (
    ("name", "res_name"),
    ("description", "res_description"),
    ("format", "res_format"),
    ("url", "res_url"),
    ("resource_type", "res_type"),
)


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text_of(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_text_of(v) for v in value.values())
    return str(value)


def _parse_date(value: Any) -> datetime:
    # Plain ISO 8601 (what CKAN and the schema store) parses the same with
    # the standard library, ten times faster than dateutil.
    if isinstance(value, str) and _ISO_DATE.match(value):
        return datetime.fromisoformat(value)
    return parse_date(value)


def _iso_or_none(value: Any) -> str | None:
    """A `*_date` value as sortable UTC text (ranges compare it), or None."""
    try:
        date = _parse_date(value)
    except (ParserError, TypeError, ValueError, OverflowError):
        return None
    if date.tzinfo:
        date = date.astimezone(timezone.utc).replace(tzinfo=None)
    return solr_date_string(date)


def build_document(
    pkg_dict: dict[str, Any],
    validated: dict[str, Any],
    labels: list[str] | None = None,
) -> dict[str, Any]:
    """Flatten a dataset into the field -> value(s) document that is searched.

    Mirrors ``ckan.lib.search.index.PackageSearchIndex.index_package`` so that
    field names are those of CKAN's Solr schema; then adds the top-level
    list values of the validated (scheming) dict, because CKAN stores
    multi-valued custom fields as JSON strings in the default-schema extras.
    ``labels``: the dataset's permission labels when the caller already has
    them (the bulk rebuild computes them for a whole batch at once).
    """
    doc = dict(pkg_dict)

    for extra in doc.pop("extras", None) or []:
        key, value = extra["key"], extra["value"]
        if isinstance(value, (tuple, list)):
            value = " ".join(map(str, value))
        key = "".join(c for c in key if c in KEY_CHARS)
        doc["extras_" + key] = value
        doc.setdefault(key, value)

    tag_names = []
    for tag in doc.pop("tags", None) or []:
        if tag.get("vocabulary_id"):
            vocab = logic.get_action("vocabulary_show")({}, {"id": tag["vocabulary_id"]})
            doc.setdefault("vocab_" + vocab["name"], []).append(tag["name"])
        else:
            tag_names.append(tag["name"])
    doc["tags"] = tag_names
    doc["groups"] = [group["name"] for group in doc.pop("groups", None) or []]
    doc["capacity"] = "private" if doc.get("private") else "public"
    organization = doc.get("organization")
    doc["organization"] = organization["name"] if organization else None

    resource_extras = [(e, "res_extras_" + e) for e in model.Resource.get_extra_columns()]
    for resource in doc.pop("resources", None) or []:
        for key, index_key in RESOURCE_FIELDS + tuple(resource_extras):
            doc.setdefault(index_key, []).append(resource.get(key) or "")

    relationships: dict[str, list[str]] = collections.defaultdict(list)
    for rel in doc.pop("relationships_as_object", None) or []:
        rel_type = model.PackageRelationship.forward_to_reverse_type(rel["type"])
        subject = model.Package.get(rel["subject_package_id"])
        if subject:
            relationships[rel_type].append(subject.name)
    for rel in doc.pop("relationships_as_subject", None) or []:
        target = model.Package.get(rel["object_package_id"])
        if target:
            relationships[rel["type"]].append(target.name)
    for key, names in relationships.items():
        doc.setdefault(key, names)

    # Multi-valued scheming fields (e.g. provinces) are lists only in the
    # validated dict; index every element so `provinces:ha-noi` matches.
    for key, value in validated.items():
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, (str, int, float)) for v in value)
            and key not in ("tags", "groups")
        ):
            doc[key] = value

    doc["entity_type"] = "package"
    doc["dataset_type"] = doc.get("type")
    doc["site_id"] = config.get("ckan.site_id")
    if doc.get("title"):
        doc["title"] = doc["title"].lstrip()
        doc["title_string"] = doc["title"]

    for key in list(doc):
        if key.endswith("_date") and key not in ("metadata_created", "metadata_modified"):
            iso = _iso_or_none(doc[key]) if doc[key] else None
            if iso is None:
                del doc[key]
            else:
                doc[key] = iso

    for plugin in PluginImplementations(IPackageController):
        doc = plugin.before_dataset_index(doc)
    assert doc, "Plugin must return non empty package dict on index"

    # Labels decide visibility; they are computed last so that neither the
    # dataset nor a before_dataset_index plugin can set them.
    if labels is None:
        dataset = model.Package.get(doc["id"])
        labeller = lib_plugins.get_permission_labels()
        labels = labeller.get_dataset_labels(dataset) if dataset else []
    doc["permission_labels"] = labels
    return doc


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and v != ""]
    return [str(value)] if value != "" else []


def _timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = _parse_date(value)
    except (ParserError, TypeError, ValueError, OverflowError):
        return None
    return parsed.replace(tzinfo=None)


class _Encoder(json.JSONEncoder):
    """navl's `missing` as null (as CKAN's MissingNullEncoder), anything else
    that is not JSON as its text; ``default=str`` would call str(missing),
    which raises."""

    def default(self, o: Any) -> Any:
        return None if isinstance(o, df.Missing) else str(o)


def encode_json(value: Any) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> Any:
    # Round-trip through the encoder: validated dicts can hold `missing`.
    return json.loads(encode_json(value))


def _weighted_vector(parts: dict[str, str], folded: bool) -> sa.TextClause:
    # The bulk rebuild's vector (sql.weighted_vector), the texts bound.
    prefix = "folded_w" if folded else "exact_w"
    texts = {weight: f":{prefix}{weight}" for weight in parts}
    return sa.text(sql_fragments.weighted_vector(texts, folded)).bindparams(
        *(
            sa.bindparam(f"{prefix}{weight}", text, type_=sa.UnicodeText)
            for weight, text in parts.items()
        )
    )


def row_parts(
    pkg_dict: dict[str, Any], labels: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """What is stored for one dataset: scalar and array columns, the text
    of each vector weight, and the three JSON documents (not yet encoded).

    Shared by the per-dataset path (`row_values`) and the bulk rebuild
    (`search.bulk`), so both store exactly the same thing; the vectors are
    computed from the weight texts by the same SQL in both.
    """
    pkg_dict = dict(pkg_dict)
    validated = pkg_dict.pop("with_custom_schema")
    doc = build_document(pkg_dict, validated, labels)

    def weight_text(fields: tuple[str, ...]) -> str:
        return " ".join(_text_of(doc.get(field)) for field in fields)

    # Sorted by field name: the vector must not depend on the order in which
    # a dict happened to be built (navl and the bulk path build it
    # differently), only on its content.
    rest = " ".join(
        _text_of(doc[key])
        for key in sorted(doc)
        if key.startswith(("extras_", "res_extras_")) or key in WEIGHT_D_FIELDS
    )
    parts = {
        "A": weight_text(WEIGHT_A_FIELDS),
        "B": weight_text(WEIGHT_B_FIELDS),
        "C": weight_text(WEIGHT_C_FIELDS),
        "D": rest,
    }
    values = {
        "id": doc["id"],
        "name": doc["name"],
        "title": doc.get("title") or "",
        "title_string": doc.get("title_string") or "",
        "state": doc.get("state") or "active",
        "capacity": doc["capacity"],
        "dataset_type": doc.get("dataset_type") or "dataset",
        "owner_org": doc.get("owner_org"),
        "organization": doc.get("organization"),
        "license_id": doc.get("license_id"),
        # Each value once: facets count datasets, and `@>` does not care.
        "groups": _distinct(_as_list(doc.get("groups"))),
        "tags": _distinct(_as_list(doc.get("tags"))),
        "res_format": _distinct(_as_list(doc.get("res_format"))),
        "permission_labels": _as_list(doc.get("permission_labels")),
        "metadata_created": _timestamp(doc.get("metadata_created")),
        "metadata_modified": _timestamp(doc.get("metadata_modified")),
        "exact_doc": exact_document(doc),
    }
    documents = {"doc": doc, "data": validated, "data_dict": pkg_dict}
    return values, parts, documents


def _distinct(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for value in values:
        marker = json.dumps(value, sort_keys=True, default=str)
        if marker not in seen:
            seen.add(marker)
            kept.append(value)
    return kept


def _short(value: Any, nested: bool = False) -> bool:
    if isinstance(value, str):
        return len(value) <= EXACT_VALUE_LIMIT
    if isinstance(value, list):
        return not nested and all(_short(item, nested=True) for item in value)
    return not isinstance(value, dict)


def exact_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The exact-match (Solr `string`) fields of `doc` that are short.

    Kept inline in the row so that facets and filters on them read a few
    hundred bytes instead of detoasting the whole document; the names of
    the longer ones are listed under LONG_KEY and read from `doc`.
    """
    candidates = _json(
        {
            key: value
            for key, value in doc.items()
            if key != LONG_KEY and kind_of(key) is Kind.DOCUMENT
        }
    )
    # Lists keep each value once (first occurrence first): containment,
    # ranges, sorting on the first value and `*` do not change, and facets
    # can count datasets without a DISTINCT per row.
    exact = {
        key: _distinct(value) if isinstance(value, list) else value
        for key, value in candidates.items()
        if _short(value)
    }
    long = sorted(key for key in candidates if key not in exact)
    if long:
        exact[LONG_KEY] = long
    return exact


def same_documents(default_data: Any, data: Any) -> bool:
    """Whether the default-schema dict equals the validated one once stored
    (then `data_dict` is NULL). Different key sets settle it without
    encoding: the scheming case, i.e. nearly always."""
    if (
        isinstance(default_data, dict)
        and isinstance(data, dict)
        and default_data.keys() != data.keys()
    ):
        return False
    return bool(_json(default_data) == _json(data))


def row_fields(
    pkg_dict: dict[str, Any], labels: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored values of one dataset (JSON as Python), and the weight texts."""
    values, parts, documents = row_parts(pkg_dict, labels)
    values["doc"] = _json(documents["doc"])
    values["data"] = _json(documents["data"])
    values["data_dict"] = (
        None
        if same_documents(documents["data_dict"], documents["data"])
        else _json(documents["data_dict"])
    )
    return values, parts


def row_values(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Everything stored for one dataset, from CKAN's pair of dataset dicts."""
    values, parts = row_fields(pkg_dict)
    if values["data_dict"] is None:
        # SQL NULL, not the JSON `null` SQLAlchemy writes for None, so that
        # COALESCE(data_dict, data) serves `data`.
        values["data_dict"] = sa.null()
    values["search_vector"] = _weighted_vector(parts, folded=True)
    values["exact_vector"] = _weighted_vector(parts, folded=False)
    return values


def upsert_rows(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    for row in rows:
        statement = insert(search_index_table).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[search_index_table.c.id],
            set_={key: statement.excluded[key] for key in row if key != "id"},
        )
        model.Session.execute(statement)


def delete_row(reference: str) -> None:
    table = search_index_table
    model.Session.execute(
        sa.delete(table).where(sa.or_(table.c.id == reference, table.c.name == reference))
    )


class PostgresPackageSearchIndex(SearchIndex):
    """CKAN's package index, kept in a table of CKAN's own database."""

    def insert_dict(self, data: dict[str, Any]) -> None:
        self.update_dict(data)

    def update_dict(self, data: dict[str, Any], defer_commit: bool = False) -> None:
        # No commit here: the caller's transaction carries the dataset and
        # its index row together (defer_commit only mattered to Solr).
        if config.get("ckan.search.remove_deleted_packages") and data.get("state") in (
            None,
            "deleted",
        ):
            delete_row(data["id"])
            return
        upsert_rows([row_values(data)])

    def index_package(self, pkg_dict: dict[str, Any] | None, defer_commit: bool = False) -> None:
        if pkg_dict is not None:
            self.update_dict(pkg_dict, defer_commit)

    def remove_dict(self, data: dict[str, Any]) -> None:
        delete_row(data["id"])

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        # Only `ckan search-index clear <dataset>` calls this directly, and
        # nothing commits after it, so the removal is committed here.
        delete_row(pkg_dict["id"])
        model.Session.commit()

    def clear(self) -> None:
        # TRUNCATE, not DELETE: a whole-index rebuild follows, and 100,000
        # dead rows would double what every count and facet reads until
        # autovacuum. (It is transactional, and committed at once.)
        # `ckan db clean` clears the index after dropping every table: with
        # no table there is nothing to clear.
        if (
            model.Session.execute(
                sa.text("SELECT to_regclass(:name)"), {"name": search_index_table.name}
            ).scalar()
            is None
        ):
            return
        model.Session.execute(sa.text(f"TRUNCATE {search_index_table.name}"))
        model.Session.commit()

    def commit(self) -> None:
        """Nothing to do: rows become visible when CKAN commits the dataset."""
