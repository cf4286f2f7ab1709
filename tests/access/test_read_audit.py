"""Reads of non-open data leave an audit entry: API reads of a dataset or a
resource and downloads, by whom and of what. Reads of open data, and reads
that were refused, leave none; a body that is not an object is answered
with an error, never a 500."""

from __future__ import annotations

import json
from typing import Any

import ckan.tests.helpers as test_helpers

from access.helpers import as_user


def _token(user: dict[str, Any]) -> str:
    return test_helpers.call_action(
        "api_token_create",
        context={"ignore_auth": True, "user": user["name"]},
        user=user["name"],
        name="he-thong-co-quan",
    )["token"]


def _reads(world) -> list[tuple[str, str, str | None, str | None]]:
    entries = as_user(world.sysadmin, "vnopendata_audit_list", limit=100)["results"]
    return [
        (e["action"], e["object_id"], e["user_name"], e["package_id"])
        for e in reversed(entries)
        if e["action"] in ("api_read", "resource_download")
    ]


def test_api_reads_and_downloads_of_non_open_data_are_recorded(app, world):
    token = _token(world.owner_member)
    restricted = world.restricted
    resource = restricted["resources"][0]

    by_query = app.get(
        "/api/3/action/package_show",
        query_string={"id": restricted["name"]},
        headers={"Authorization": token},
    )
    assert by_query.status_code == 200
    by_body = app.post(
        "/api/3/action/resource_show",
        data=json.dumps({"id": resource["id"]}),
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    assert by_body.status_code == 200
    download = app.get(
        f"/dataset/{restricted['id']}/resource/{resource['id']}/download",
        headers={"Authorization": token},
        follow_redirects=False,
    )
    assert download.status_code in (200, 302)

    assert _reads(world) == [
        ("api_read", restricted["id"], "owner_member", restricted["id"]),
        ("api_read", resource["id"], "owner_member", restricted["id"]),
        ("resource_download", resource["id"], "owner_member", restricted["id"]),
    ]


def test_open_data_and_refused_reads_leave_no_entry(app, world):
    open_resource = world.open["resources"][0]
    assert (
        app.get("/api/3/action/package_show", query_string={"id": world.open["id"]}).status_code
        == 200
    )
    assert (
        app.get("/api/3/action/resource_show", query_string={"id": open_resource["id"]}).status_code
        == 200
    )
    # Anonymous and another agency's member cannot read the restricted data.
    refused = app.get("/api/3/action/package_show", query_string={"id": world.restricted["id"]})
    assert refused.status_code in (403, 404)
    other = app.get(
        "/api/3/action/resource_show",
        query_string={"id": world.restricted["resources"][0]["id"]},
        headers={"Authorization": _token(world.official)},
    )
    assert other.status_code in (403, 404)
    assert _reads(world) == []


def test_a_read_whose_body_is_not_an_object_is_an_error_not_a_500(app, world):
    for body in ('"a"', "[1, 2]", "7", "null"):
        response = app.post(
            "/api/3/action/package_show",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
    assert _reads(world) == []
