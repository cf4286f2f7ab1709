"""The Solr document of a dataset: scheming's multi-valued fields as lists.

CKAN keeps scheming's multi-valued fields (provinces, languages, sharing
methods) as JSON strings in the dataset's extras, and its stock Solr indexer
sends them as one string: a province facet would then count whole lists
instead of province codes. Turning them back into lists here makes Solr and
the PostgreSQL index agree. (The PostgreSQL document already takes these
lists from the validated dict, `index_writer.build_document`, so there this
hook finds nothing to change; it serves the Solr backend.)
"""

from __future__ import annotations

import json
from typing import Any

from ckanext.scheming.helpers import scheming_get_dataset_schema


def multi_valued_fields(dataset_type: str) -> list[str]:
    schema = scheming_get_dataset_schema(dataset_type) or {}
    return [
        field["field_name"]
        for field in schema.get("dataset_fields", [])
        if field.get("preset") == "vn_multiple_select"
    ]


def before_dataset_index(doc: dict[str, Any]) -> dict[str, Any]:
    created = doc.get("metadata_created")
    if created:
        # The month the dataset entered the catalogue, a facet of the
        # statistics page ("2026-11").
        doc["catalogue_month"] = str(created)[:7]
    for field_name in multi_valued_fields(doc.get("type") or "dataset"):
        value = doc.get(field_name)
        if isinstance(value, str) and value.startswith("["):
            try:
                parsed = json.loads(value)
            except ValueError:
                continue
            if isinstance(parsed, list):
                doc[field_name] = [str(item) for item in parsed]
    return doc
