"""`ckan vnopendata demo`: loads the demo once, every record valid."""

from __future__ import annotations

import ckan.model as model
import ckan.tests.helpers as helpers
import pytest

from ckanext.vnopendata import codelists, demo
from ckanext.vnopendata.sharing import classes

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "with_request_context")


def test_the_demo_loads_once_and_a_second_run_loads_nothing(cli, ckan_config):
    from ckanext.vnopendata.cli import vnopendata

    result = cli.invoke(vnopendata, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded 7 agencies and 36 datasets." in result.output

    again = cli.invoke(vnopendata, ["demo"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert model.Session.query(model.Package).count() == 36


# Under review every workflow field is used (returned, waiting changes).
@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_the_demo_covers_the_issue_and_uses_every_field():
    demo.load(echo=lambda _: None)
    agencies = helpers.call_action("organization_list", all_fields=True, include_extras=True)
    types = {a["agency_type"] for a in agencies}
    assert {"ministry", "provincial_committee", "department"} <= types
    department = helpers.call_action("organization_show", id="so-y-te-ha-noi")
    parent = helpers.call_action("organization_show", id="uy-ban-nhan-dan-thanh-pho-ha-noi")
    assert department["parent_agency"] == parent["id"]

    found = helpers.call_action(
        "package_search", context={"ignore_auth": True}, q="*:*", rows=100, include_private=True
    )
    datasets = found["results"]
    assert len(datasets) >= 30
    assert all(d["title_translated"].get("en") for d in datasets)
    assert {d["sector"] for d in datasets} == set(codelists.get("sectors").codes)
    assert len({p for d in datasets for p in d.get("provinces", [])}) >= 10
    assert {d["sharing_class"] for d in datasets} == set(classes.KEYS)
    formats = {r["format"] for d in datasets for r in d["resources"]}
    assert {"CSV", "JSON", "API"} <= formats
    assert all(d["private"] for d in datasets if d["sharing_class"] != "open")

    schema = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    used = {key for d in datasets for key, value in d.items() if value not in (None, "", [])}
    unused = {f["field_name"] for f in schema["dataset_fields"]} - used
    # tag_string is shown as `tags`.
    assert unused <= {"tag_string"}, unused
    resource_used = {key for d in datasets for r in d["resources"] for key in r}
    assert {f["field_name"] for f in schema["resource_fields"]} <= resource_used


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_the_demo_shows_every_class_and_review_state():
    demo.load(echo=lambda _: None)
    datasets = helpers.call_action(
        "package_search", context={"ignore_auth": True}, q="*:*", rows=100, include_private=True
    )["results"]
    kinds = {
        (d["sharing_class"], d["metadata_visible"])
        for d in datasets
        if d["review_state"] == "published"
    }
    assert {
        ("open", False),
        ("inter_agency", False),
        ("inter_agency", True),
        ("restricted", False),
        ("restricted", True),
    } <= kinds
    states = {d["review_state"] for d in datasets}
    assert states == {"draft", "submitted", "returned", "published"}
    returned = [d for d in datasets if d["review_state"] == "returned"]
    assert all(d["review_return_reason"] for d in returned)
    pending = [d for d in datasets if d["pending_sharing_class"]]
    assert [(d["sharing_class"], d["pending_sharing_class"]) for d in pending] == [
        ("restricted", "inter_agency")
    ]
    queue = helpers.call_action("vnopendata_review_queue", context={"user": _sysadmin()})
    assert queue["count"] == 2
    # Only published open data is public.
    for dataset in datasets:
        public = dataset["sharing_class"] == "open" and dataset["review_state"] == "published"
        assert dataset["private"] is not public, dataset["name"]


def _sysadmin() -> str:
    return helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
