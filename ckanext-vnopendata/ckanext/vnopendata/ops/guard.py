"""Refuse hostile values before any action or form sees them.

PostgreSQL cannot store a NUL character and the driver cannot encode a
lone surrogate (both were answered with a 500 and a half-run action);
a 1 MB value or JSON nested hundreds deep costs every reader and, deep
enough, overflows Python's recursion. Every request's query string, form
and JSON body is walked once; the first bad value is refused with the
name of its field:

- API (`/api/`): 409 and CKAN's validation-error body,
  ``{"success": false, "error": {"__type": "Validation Error", field: [message]}}``;
- pages: 400 with the message.

Applies to every action and form, those other plugins add later too.

JSON bodies of CKAN's dataset and resource writes are also checked for
the shape CKAN assumes before it validates anything: its uploader, its
resource bookkeeping and its database look-ups read `url`, `id`,
`owner_org`, `resources` and a few more raw, and answered a number, a
list or an object there with a 500. Those fields must be text, the
lists lists of objects, a size a whole number PostgreSQL can hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.common import config
from flask import Response, jsonify, request

MAX_DEPTH = 32
DEFAULT_MAX_LENGTH = 100_000
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def max_length() -> int:
    return config.get("ckanext.vnopendata.max_field_length") or DEFAULT_MAX_LENGTH


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any, int]]:
    """Every (path, value, depth) below value, without recursion."""
    stack = [(path, value, 0)]
    while stack:
        where, item, depth = stack.pop()
        yield where, item, depth
        if isinstance(item, dict):
            for key, child in item.items():
                yield f"{where}.{key}" if where else str(key), key, depth + 1
                stack.append((f"{where}.{key}" if where else str(key), child, depth + 1))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((f"{where}[{index}]", child, depth + 1))


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0] or "__body__"


def check_value(value: Any, path: str = "") -> None:
    limit = max_length()
    for where, item, depth in _walk(value, path):
        if depth > MAX_DEPTH:
            raise Refused(
                _top(where),
                tk._("{field}: nested more than {depth} levels deep").format(
                    field=where, depth=MAX_DEPTH
                ),
            )
        if isinstance(item, str):
            if "\x00" in item:
                raise Refused(
                    _top(where),
                    tk._("{field}: contains a NUL character").format(field=where),
                )
            if _SURROGATE.search(item):
                raise Refused(
                    _top(where),
                    tk._("{field}: contains an invalid Unicode character").format(field=where),
                )
            if len(item) > limit:
                raise Refused(
                    _top(where),
                    tk._("{field}: longer than {limit} characters").format(
                        field=where, limit=limit
                    ),
                )


# Fields CKAN reads raw before validation, per kind of object.
_DATASET_TEXT = (
    "id",
    "name",
    "title",
    "notes",
    "url",
    "owner_org",
    "state",
    "type",
    "license_id",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "tag_string",
)
_RESOURCE_TEXT = (
    "id",
    "package_id",
    "url",
    "url_type",
    "name",
    "description",
    "format",
    "mimetype",
    "mimetype_inner",
    "hash",
    "resource_type",
)
_DATASET_LISTS = {
    "resources": _RESOURCE_TEXT,
    "tags": ("id", "name", "vocabulary_id"),
    "groups": ("id", "name"),
    "extras": ("key",),
}
_DATASET_ACTIONS = ("package_create", "package_update", "package_patch")
_RESOURCE_ACTIONS = ("resource_create", "resource_update", "resource_patch")
_BIGINT = 2**63 - 1
_API_ACTION = re.compile(r"^/api/(?:\d+/)?action/([^/]+)$")


def _must_be_text(data: dict[str, Any], fields: tuple[str, ...], where: str, top: str) -> None:
    for field in fields:
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            raise Refused(
                top or field,
                tk._("{field}: must be text").format(field=f"{where}{field}"),
            )


def _check_resource(resource: Any, where: str, top: str) -> None:
    if not isinstance(resource, dict):
        raise Refused(top, tk._("{field}: must be an object").format(field=where.rstrip(".")))
    _must_be_text(resource, _RESOURCE_TEXT, where, top)
    if "url" in resource and resource["url"] is None:
        # CKAN's resource bookkeeping loses count of a resource without one.
        raise Refused(top or "url", tk._("{field}: must be text").format(field=f"{where}url"))
    size = resource.get("size")
    if isinstance(size, str) and size.strip().lstrip("+-").isdigit():
        size = int(size)
    if isinstance(size, bool) or (isinstance(size, int) and not -_BIGINT <= size <= _BIGINT):
        raise Refused(
            top or "size",
            tk._("{field}: must be a whole number of bytes").format(field=f"{where}size"),
        )


def check_shape(action: str, body: Any) -> None:
    """Refuse a dataset or resource write whose fields have a type CKAN
    does not check before using them."""
    if not isinstance(body, dict):
        return
    if action in _RESOURCE_ACTIONS:
        _check_resource(body, "", "")
        return
    if action not in _DATASET_ACTIONS:
        return
    _must_be_text(body, _DATASET_TEXT, "", "")
    for field, item_text in _DATASET_LISTS.items():
        if field not in body:
            continue
        items = body[field]
        if not isinstance(items, list):
            raise Refused(field, tk._("{field}: must be a list").format(field=field))
        for index, item in enumerate(items):
            where = f"{field}[{index}]."
            if field == "resources":
                _check_resource(item, where, field)
            elif not isinstance(item, dict):
                raise Refused(field, tk._("{field}: must be an object").format(field=where[:-1]))
            else:
                _must_be_text(item, item_text, where, field)


def _json_body() -> Any:
    if not request.is_json:
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except RecursionError:
        raise Refused(
            "__body__",
            tk._("{field}: nested more than {depth} levels deep").format(
                field="JSON", depth=MAX_DEPTH
            ),
        ) from None
    except ValueError:
        return None  # CKAN answers a body that is not JSON itself


def check_request() -> Response | None:
    try:
        for key, values in request.args.lists():
            check_value({key: values if len(values) > 1 else values[0]})
        if request.method in ("POST", "PUT", "PATCH"):
            if request.form:
                for key, values in request.form.lists():
                    check_value({key: values if len(values) > 1 else values[0]})
            body = _json_body()
            if body is not None:
                check_value(body)
                action = _API_ACTION.match(request.path)
                if action:
                    check_shape(action.group(1), body)
    except Refused as refusal:
        return _refuse(refusal)
    return None


def _refuse(refusal: Refused) -> Response:
    if request.path.startswith("/api/"):
        response = jsonify(
            {
                "success": False,
                "error": {"__type": "Validation Error", refusal.field: [refusal.message]},
                "help": request.base_url,
            }
        )
        response.status_code = 409
        return response
    response = Response(
        "<!doctype html><html lang=vi><meta charset=utf-8><title>400</title><h1>400</h1><p>"
        + _html_escape(refusal.message)
        + "</p></html>",
        content_type="text/html; charset=utf-8",
    )
    response.status_code = 400
    return response


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
