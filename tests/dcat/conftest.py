"""The demo catalogue, loaded once per module, and the callers of the feed:
anonymous, an agency official (API token) and a sysadmin."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

from ckanext.vnopendata import demo


@pytest.fixture(scope="module")
def demo_catalog(_session_app: Any, reset_database: Any) -> dict[str, Any]:
    reset_database()
    with _session_app.flask_app.test_request_context():
        demo.load(echo=lambda _: None)
        # An official of the agency that owns the most non-open datasets.
        found = helpers.call_action(
            "package_search",
            context={"ignore_auth": True},
            q="*:*",
            rows=1000,
            include_private=True,
            include_drafts=True,
        )["results"]
        # Whole datasets (search results of non-open data come without
        # resources unless the reader has full access).
        datasets = [
            helpers.call_action("package_show", context={"ignore_auth": True}, id=d["id"])
            for d in found
        ]
        owners: dict[str, int] = {}
        for dataset in datasets:
            if dataset["sharing_class"] != "open":
                owners[dataset["owner_org"]] = owners.get(dataset["owner_org"], 0) + 1
        agency_id = max(owners, key=lambda org: owners[org])
        official = factories.User(name="can-bo-co-quan")
        helpers.call_action(
            "organization_member_create",
            context={"ignore_auth": True},
            id=agency_id,
            username=official["name"],
            role="member",
        )
        token = helpers.call_action(
            "api_token_create",
            context={"ignore_auth": True, "user": official["name"]},
            user=official["name"],
            name="harvester",
        )["token"]
        sysadmin = factories.Sysadmin(name="quan-tri-dcat")
        model.Session.commit()
    return {
        "datasets": datasets,
        "agency_id": agency_id,
        "official": official,
        "token": token,
        "sysadmin": sysadmin,
    }
