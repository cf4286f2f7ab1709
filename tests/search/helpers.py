"""Helpers shared by the search tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests import helpers as test_helpers


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL statements run inside the block, on any connection."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)


def search_as(user: str | None, **params: Any) -> dict[str, Any]:
    """package_search as an anonymous visitor (None) or as a named user."""
    context = {"user": user or "", "ignore_auth": False}
    return test_helpers.call_action("package_search", context=context, **params)


def names(result: dict[str, Any]) -> list[str]:
    return [dataset["name"] for dataset in result["results"]]


def _schema_fields(kind: str) -> list[dict[str, Any]]:
    """The active scheming fields of `kind` (dataset or organization), or []."""
    try:
        from ckanext.scheming import helpers as scheming
    except ImportError:
        return []
    try:
        if kind == "dataset":
            schema = scheming.scheming_get_dataset_schema("dataset")
            return list(schema.get("dataset_fields", [])) if schema else []
        schema = scheming.scheming_get_organization_schema("organization")
        return list(schema.get("fields", [])) if schema else []
    except (KeyError, TypeError, AttributeError):
        return []


def _choices(field: dict[str, Any]) -> list[str]:
    from ckanext.scheming.helpers import scheming_field_choices

    return [choice["value"] for choice in scheming_field_choices(field) or []]


# Stock CKAN licence ids and their counterparts in the project's code list.
PROJECT_LICENCES = {
    "cc-by": "CC-BY-4.0",
    "odc-odbl": "ODbL-1.0",
    "other-closed": "vn-restricted-terms",
}
# Values the project's cross-field rules accept for both open and other data.
PROJECT_DEFAULTS = {
    "importance": "other",
    "personal_data": "none",
    "legal_basis_number": "60/2024/QH15",
    "legal_basis_article": "khoản 2 Điều 21",
    "no_state_secret": True,
    "exploitation_regulation_number": "01/2025/QĐ-UBND",
}


def _fill_required(fields: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """Plain valid values for required fields; refused choices replaced."""
    for field in fields:
        name = field["field_name"]
        preset = field.get("preset", "") or ""
        choices = _choices(field)
        if name in PROJECT_DEFAULTS and name not in data:
            data[name] = PROJECT_DEFAULTS[name]
        if name in data and choices and isinstance(data[name], str) and data[name] not in choices:
            mapped = PROJECT_LICENCES.get(data[name])
            data[name] = mapped if mapped in choices else choices[0]
        if not field.get("required") or name in data:
            continue
        if choices:
            data[name] = [choices[0]] if "multiple" in preset else choices[0]
        elif "date" in preset:
            data[name] = "2024-01-01"
        elif "email" in preset:
            data[name] = "lienhe@example.vn"
        else:
            data[name] = "Nguyễn Văn An"
    return data


def _translated(fields: list[dict[str, Any]], data: dict[str, Any], source: str) -> None:
    if any(field["field_name"] == f"{source}_translated" for field in fields):
        text = data.get(source, "")
        data[f"{source}_translated"] = {"vi": text, "en": text}


def title_fields(title: str) -> dict[str, Any]:
    """A new title for package_patch, in the translated field if it exists."""
    fields = _schema_fields("dataset")
    data: dict[str, Any] = {"title": title}
    _translated(fields, data, "title")
    return data


def make_dataset(**values: Any) -> dict[str, Any]:
    """A dataset through package_create, valid under whatever schema is on.

    Search must work for stock CKAN datasets and for the project's scheming
    schema alike; required project fields get plain valid values.
    """
    fields = _schema_fields("dataset")
    data = dict(values)
    if fields:
        data.setdefault("notes", "Mô tả bộ dữ liệu")
        data.setdefault("license_id", "cc-by")
        _translated(fields, data, "title")
        _translated(fields, data, "notes")
        if any(field["field_name"] == "sharing_class" for field in fields):
            data["sharing_class"] = "restricted" if values.get("private") else "open"
        _fill_required(fields, data)
    return factories.Dataset(**data)


def make_organization(agency_code: str, **values: Any) -> dict[str, Any]:
    fields = _schema_fields("organization")
    data = dict(values)
    if fields:
        _translated(fields, data, "title")
        data["agency_code"] = agency_code
        _fill_required(fields, data)
    return factories.Organization(**data)


def text_table_differences_sql() -> str:
    """SQL for the rows in which the index table and its narrow text copy
    differ, each with the side it is on: none when the copy is exact."""
    from ckanext.vnopendata.model.search import TABLE_NAME, TEXT_TABLE_COLUMNS, TEXT_TABLE_NAME

    columns = ", ".join(TEXT_TABLE_COLUMNS)
    return (
        f"(SELECT 'index' AS side, {columns} FROM {TABLE_NAME} "
        f"EXCEPT ALL SELECT 'index', {columns} FROM {TEXT_TABLE_NAME}) "
        f"UNION ALL (SELECT 'text', {columns} FROM {TEXT_TABLE_NAME} "
        f"EXCEPT ALL SELECT 'text', {columns} FROM {TABLE_NAME})"
    )


def text_table_differences() -> list[tuple[Any, ...]]:
    """`text_table_differences_sql` in the test database: [] when the copy is exact."""
    return list(model.Session.execute(sa.text(text_table_differences_sql())).all())
