"""Writes that must be refused: other agencies, self-approval, forged
fields, and the organisation page's bulk visibility actions."""

from __future__ import annotations

import ckan.logic as logic
import pytest
from ckan import model
from conftest import REVIEW_REQUIRED, call_as, dataset_data

pytestmark = REVIEW_REQUIRED


@pytest.fixture
def published(people, agencies, ckan_config):
    dataset = call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], "du-lieu-chung", "inter_agency"),
    )
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    return call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])


@pytest.mark.parametrize("role", ["other_agency", "parent_admin", "citizen", "member"])
def test_only_the_agency_editors_write(people, published, role):
    person = people[role]
    attempts = [
        ("package_patch", {"id": published["id"], "notes": "sửa"}),
        ("package_patch", {"id": published["id"], "sharing_class": "open"}),
        ("resource_create", {"package_id": published["id"], "url": "https://x.vn/a.csv"}),
        ("vnopendata_dataset_submit", {"id": published["id"]}),
        ("vnopendata_dataset_approve", {"id": published["id"]}),
        ("package_delete", {"id": published["id"]}),
    ]
    for action, data in attempts:
        with pytest.raises(logic.NotAuthorized):
            call_as(person, action, **data)
    stored = model.Package.get(published["id"])
    assert stored.extras["sharing_class"] == "inter_agency"
    assert len(stored.resources) == 2
    assert stored.state == "active"


def test_an_editor_cannot_approve_their_own_submission(people, agencies):
    dataset = call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], "cua-toi", "open"),
    )
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    with pytest.raises(logic.NotAuthorized):
        call_as(people["editor"], "vnopendata_dataset_approve", id=dataset["id"])
    assert model.Package.get(dataset["id"]).extras["review_state"] == "submitted"


def test_a_forged_class_value_is_refused(people, published):
    with pytest.raises(logic.ValidationError) as refused:
        call_as(people["admin"], "package_patch", id=published["id"], sharing_class="public")
    assert "sharing_class" in refused.value.error_dict


def test_bulk_visibility_follows_the_class(people, agencies, published):
    open_data = call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], "du-lieu-mo", "open"),
    )
    call_as(people["editor"], "vnopendata_dataset_submit", id=open_data["id"])
    call_as(people["admin"], "vnopendata_dataset_approve", id=open_data["id"])
    org = agencies["owning"]["id"]
    with pytest.raises(logic.ValidationError, match="du-lieu-chung"):
        call_as(people["admin"], "bulk_update_public", datasets=[published["id"]], org_id=org)
    assert model.Package.get(published["id"]).private is True
    with pytest.raises(logic.ValidationError, match="du-lieu-mo"):
        call_as(people["admin"], "bulk_update_private", datasets=[open_data["id"]], org_id=org)
    assert model.Package.get(open_data["id"]).private is False
