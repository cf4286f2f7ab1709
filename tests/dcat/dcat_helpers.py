"""Shared checks of the DCAT tests: what search shows a user, the field-by-
field comparison of a dataset with its parsed DCAT, SHACL validation."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.tests.helpers as helpers
import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

from ckanext.vnopendata.dcat.profile import WORKFLOW_FIELDS

# The DCAT-AP 3.0.0 shapes (SEMIC), kept next to the tests; the project's
# shared copy is the reference they are checked against.
SHAPES = Path(__file__).parent / "dcat-ap_3_shacl_shapes.ttl"
SHARED_SHAPES = Path(__file__).resolve().parents[3] / "shared/shacl/dcat-ap_3_shacl_shapes.ttl"

# Fields whose codes RDF holds as a set: parsed back in code-list order.
SET_FIELDS = {
    "language",
    "provinces",
    "sharing_method",
    "personal_data_categories",
    "personal_data_safeguards",
}
# Accepted SHACL warnings, by shape message, with the reason. None today.
ACCEPTED_WARNINGS: dict[str, str] = {}


def visible_names(user: str | None) -> set[str]:
    """What package_search shows this user: the feed must show the same."""
    context = {"user": user or "", "ignore_auth": False}
    found = helpers.call_action(
        "package_search", context=context, q="*:*", rows=1000, include_private=True
    )
    return {d["name"] for d in found["results"]}


def field_differences(
    original: dict[str, Any], parsed: dict[str, Any], schema: dict[str, Any]
) -> list[str]:
    """Every schema field (dataset and resource) whose value did not survive."""
    differences = []

    def same(key: str, a: Any, b: Any) -> bool:
        if key in SET_FIELDS:
            return sorted(a or []) == sorted(b or [])
        return (a if a not in ("", [], {}) else None) == (b if b not in ("", [], {}) else None)

    for field in schema["dataset_fields"]:
        key = field["field_name"]
        if key in WORKFLOW_FIELDS:
            continue  # the review workflow's own fields: not published metadata
        if key == "tag_string":
            a = sorted(t["name"] for t in original.get("tags", []))
            b = sorted(t["name"] for t in parsed.get("tags", []))
        else:
            a, b = original.get(key), parsed.get(key)
        if not same(key, a, b):
            differences.append(f"{original['name']}: {key}: {a!r} != {b!r}")
    if len(original["resources"]) != len(parsed.get("resources", [])):
        differences.append(f"{original['name']}: {len(original['resources'])} resources")
        return differences
    for resource, parsed_resource in zip(original["resources"], parsed["resources"], strict=True):
        for field in schema["resource_fields"]:
            key = field["field_name"]
            if not same(key, resource.get(key), parsed_resource.get(key)):
                differences.append(
                    f"{original['name']}: resource {key}: "
                    f"{resource.get(key)!r} != {parsed_resource.get(key)!r}"
                )
    return differences


@functools.cache
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def shacl_results(data: Graph) -> dict[str, list[str]]:
    """SHACL results of `data` by severity name: Violation, Warning, Info."""
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    results: dict[str, list[str]] = {}
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = report.value(result, SH.resultMessage)
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        results.setdefault(severity, []).append(f"{focus} {path}: {message}")
    return results
