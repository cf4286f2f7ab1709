"""Requests and decisions through the API."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from access.helpers import REQUEST_FIELDS, as_user


def test_official_of_another_agency_requests_restricted_data(world):
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["name"],
        **REQUEST_FIELDS,
    )
    assert request["state"] == "pending"
    assert request["package_id"] == world.restricted["id"]
    assert request["requester_type"] == "state_body"
    assert request["requester_org_id"] == world.other["id"]
    assert request["requester_agency_code"] == "000.00.00.G10"
    assert request["items"] == REQUEST_FIELDS["items"]
    assert request["due"] >= request["created"][:10]
