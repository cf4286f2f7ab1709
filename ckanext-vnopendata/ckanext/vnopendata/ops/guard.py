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
