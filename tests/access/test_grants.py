"""Grants open exactly one dataset, to its holder, until expiry or
revocation; expiry is decided at read time (frozen clock)."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from freezegun import freeze_time

from access.helpers import REQUEST_FIELDS, as_user
from ckanext.vnopendata.sharing import deadlines, grants, labels


def _approved_grant(world, user, dataset, days=10, **fields):
    request = as_user(
        user,
        "vnopendata_access_request_create",
        package_id=dataset["id"],
        **REQUEST_FIELDS,
        **fields,
    )
    expires = deadlines.vietnam_today() + datetime.timedelta(days=days)
    return as_user(
        world.admin,
        "vnopendata_access_request_approve",
        id=request["id"],
        expires=expires.isoformat(),
    )["grant"]


def _reads(user, dataset) -> dict[str, bool]:
    """What the user gets through the read paths of the API."""
    outcome = {}
    try:
        shown = as_user(user, "package_show", id=dataset["id"])
        outcome["show"] = True
        outcome["resources"] = bool(shown.get("resources"))
    except tk.NotAuthorized:
        outcome["show"] = False
        outcome["resources"] = False
    try:
        as_user(user, "resource_show", id=dataset["resources"][0]["id"])
        outcome["resource_show"] = True
    except tk.NotAuthorized:
        outcome["resource_show"] = False
    found = as_user(user, "package_search", q="*:*", include_private=True, rows=100)
    outcome["search"] = dataset["id"] in {d["id"] for d in found["results"]}
    return outcome


FULL = {"show": True, "resources": True, "resource_show": True, "search": True}
NOTHING = {"show": False, "resources": False, "resource_show": False, "search": False}


def test_a_live_grant_opens_its_dataset_and_nothing_else(world):
    assert _reads(world.official, world.restricted) == NOTHING
    _approved_grant(world, world.official, world.restricted)
    assert _reads(world.official, world.restricted) == FULL
    # Another restricted dataset of the same agency stays closed.
    assert _reads(world.official, world.restricted2) == NOTHING
    # No write.
    with pytest.raises(tk.NotAuthorized):
        as_user(world.official, "package_patch", id=world.restricted["id"], notes="sửa")


def test_a_citizen_grant_opens_inter_agency_data(world):
    assert _reads(world.citizen, world.inter_agency)["resources"] is False
    _approved_grant(world, world.citizen, world.inter_agency, requester_type="individual")
    assert _reads(world.citizen, world.inter_agency) == FULL


def test_expiry_is_enforced_at_read_time(world):
    grant = _approved_grant(world, world.official, world.restricted, days=3)
    expires_at = datetime.datetime.fromisoformat(grant["expires_at"])
    grant_label = grants.grant_label(world.restricted["id"])
    with freeze_time(expires_at - datetime.timedelta(seconds=1)):
        assert grant_label in labels.user_labels(model.User.get(world.official["name"]))
        assert _reads(world.official, world.restricted) == FULL
    with freeze_time(expires_at + datetime.timedelta(seconds=1)):
        assert grant_label not in labels.user_labels(model.User.get(world.official["name"]))
        assert _reads(world.official, world.restricted) == NOTHING
        mine = as_user(world.official, "vnopendata_access_grant_list")
        assert [g["state"] for g in mine] == ["expired"]


def test_expiry_instant_is_midnight_in_vietnam_after_the_last_day(world):
    grant = _approved_grant(world, world.official, world.restricted, days=5)
    last_day = datetime.date.fromisoformat(grant["expires"])
    # Midnight at UTC+7 is 17:00 UTC on the last day.
    assert grant["expires_at"] == f"{last_day.isoformat()}T17:00:00"


def test_a_revoked_grant_gives_nothing(world):
    grant = _approved_grant(world, world.official, world.restricted)
    assert _reads(world.official, world.restricted) == FULL
    as_user(world.admin, "vnopendata_access_grant_revoke", id=grant["id"], reason="Vi phạm")
    assert _reads(world.official, world.restricted) == NOTHING
    with pytest.raises(tk.ValidationError, match="Only a live grant"):
        as_user(world.admin, "vnopendata_access_grant_revoke", id=grant["id"], reason="lại")
