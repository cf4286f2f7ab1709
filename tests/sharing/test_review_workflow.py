"""Review before publication, through the action API.

draft -> submitted -> published, or back to returned with a reason; a
change that opens a published dataset further waits for approval while the
published version stays; a change that closes it applies at once.
"""

from __future__ import annotations

import ckan.logic as logic
import pytest
from ckan import model
from vn_sharing import REVIEW_REQUIRED, call_as, dataset_data

pytestmark = REVIEW_REQUIRED


def create(people, agencies, name="so-lieu", sharing_class="inter_agency", **extra):
    return call_as(
        people["editor"],
        "package_create",
        **dataset_data(agencies["owning"]["id"], name, sharing_class, **extra),
    )


def visible_to(person, dataset_id) -> bool:
    try:
        call_as(person, "package_show", id=dataset_id)
    except (logic.NotAuthorized, logic.NotFound):
        return False
    return True


def test_a_new_dataset_is_a_draft_seen_only_by_its_agency(people, agencies):
    dataset = create(people, agencies, sharing_class="open", private=True)
    assert dataset["review_state"] == "draft"
    assert dataset["private"] is True
    assert visible_to(people["member"], dataset["id"])
    for role in ("anonymous", "citizen", "other_agency", "parent_admin"):
        assert not visible_to(people[role], dataset["id"]), role


def test_submit_approve_publishes_and_applies_the_class(people, agencies):
    dataset = create(people, agencies, sharing_class="open")
    submitted = call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    assert submitted["review_state"] == "submitted"
    assert submitted["review_submitted_by"] == people["editor"]["id"]
    assert not visible_to(people["anonymous"], dataset["id"])

    published = call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    assert published["review_state"] == "published"
    assert published["private"] is False
    assert published["review_decided_by"] == people["admin"]["id"]
    assert visible_to(people["anonymous"], dataset["id"])
    found = call_as(people["anonymous"], "package_search", q="name:so-lieu")
    assert [d["name"] for d in found["results"]] == ["so-lieu"]
    assert found["results"][0]["review_state"] == "published"
    assert found["results"][0]["metadata_visible"] is False


def test_return_needs_a_reason_and_the_submitter_sees_it(people, agencies):
    dataset = create(people, agencies)
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    with pytest.raises(logic.ValidationError) as refused:
        call_as(people["admin"], "vnopendata_dataset_return", id=dataset["id"], reason="  ")
    assert "reason" in refused.value.error_dict

    returned = call_as(
        people["admin"],
        "vnopendata_dataset_return",
        id=dataset["id"],
        reason="Thiếu căn cứ pháp lý cụ thể",
    )
    assert returned["review_state"] == "returned"
    assert returned["review_return_reason"] == "Thiếu căn cứ pháp lý cụ thể"
    shown = call_as(people["editor"], "package_show", id=dataset["id"])
    assert shown["review_return_reason"] == "Thiếu căn cứ pháp lý cụ thể"
    assert not visible_to(people["other_agency"], dataset["id"])

    again = call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    assert again["review_state"] == "submitted"


def test_transitions_only_from_their_states(people, agencies):
    dataset = create(people, agencies)
    for action in ("vnopendata_dataset_approve", "vnopendata_dataset_return"):
        with pytest.raises(logic.ValidationError) as refused:
            call_as(people["admin"], action, id=dataset["id"], reason="x")
        assert "review_state" in refused.value.error_dict
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    with pytest.raises(logic.ValidationError, match="already waiting"):
        call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    with pytest.raises(logic.ValidationError, match="nothing to submit"):
        call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])


@pytest.mark.parametrize("role", ["editor", "member", "other_agency", "parent_admin", "citizen"])
def test_only_an_admin_of_the_agency_approves(people, agencies, role):
    dataset = create(people, agencies)
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    with pytest.raises(logic.NotAuthorized):
        call_as(people[role], "vnopendata_dataset_approve", id=dataset["id"])
    with pytest.raises(logic.NotAuthorized):
        call_as(people[role], "vnopendata_dataset_return", id=dataset["id"], reason="Không")
    approved = call_as(people["sysadmin"], "vnopendata_dataset_approve", id=dataset["id"])
    assert approved["review_state"] == "published"


@pytest.mark.parametrize("role", ["member", "other_agency", "parent_admin", "citizen", "anonymous"])
def test_only_the_agency_editors_submit(people, agencies, role):
    dataset = create(people, agencies)
    with pytest.raises(logic.NotAuthorized):
        call_as(people[role], "vnopendata_dataset_submit", id=dataset["id"])


def test_an_unknown_dataset_is_not_found(people):
    with pytest.raises(logic.NotFound):
        call_as(people["admin"], "vnopendata_dataset_submit", id="khong-co")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("review_state", "published", "submitting, approving or returning"),
        ("review_state", "approved", "Unknown review state"),
        ("review_published_at", "2025-01-01T00:00:00", "submitting, approving or returning"),
        ("pending_sharing_class", "open", "submitting, approving or returning"),
    ],
)
def test_forged_review_fields_are_refused(people, agencies, field, value, message):
    dataset = create(people, agencies)
    with pytest.raises(logic.ValidationError) as refused:
        call_as(people["admin"], "package_patch", id=dataset["id"], **{field: value})
    assert message in " ".join(refused.value.error_dict[field])
    with pytest.raises(logic.ValidationError):
        create(people, agencies, name="gia-mao", **{field: value})


def test_a_round_trip_of_the_dataset_is_accepted(people, agencies):
    dataset = create(people, agencies)
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    shown = call_as(people["editor"], "package_show", id=dataset["id"])
    shown["notes_translated"] = {"vi": "Mô tả mới", "en": "New description"}
    updated = call_as(people["editor"], "package_update", **shown)
    assert updated["review_state"] == "submitted"
    assert updated["notes"] == "Mô tả mới"


@pytest.mark.parametrize("sharing_class", ["inter_agency", "restricted"])
def test_non_open_data_cannot_be_made_public_directly(people, agencies, sharing_class):
    dataset = create(people, agencies, sharing_class=sharing_class)
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    with pytest.raises(logic.ValidationError) as refused:
        call_as(people["admin"], "package_patch", id=dataset["id"], private=False)
    assert "Only published open data can be public" in refused.value.error_dict["private"][0]
    assert model.Package.get(dataset["id"]).private is True
    with pytest.raises(logic.ValidationError) as refused:
        create(people, agencies, name="cong-khai", sharing_class=sharing_class, private=False)
    assert "private" in refused.value.error_dict


def publish(people, dataset_id):
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset_id)
    return call_as(people["admin"], "vnopendata_dataset_approve", id=dataset_id)


def test_opening_a_published_dataset_waits_for_approval(people, agencies):
    dataset = create(people, agencies, sharing_class="restricted")
    publish(people, dataset["id"])
    assert not visible_to(people["other_agency"], dataset["id"])

    changed = call_as(
        people["editor"], "package_patch", id=dataset["id"], sharing_class="inter_agency"
    )
    # The published version stays until approval.
    assert changed["sharing_class"] == "restricted"
    assert changed["pending_sharing_class"] == "inter_agency"
    assert changed["review_state"] == "submitted"
    assert not visible_to(people["other_agency"], dataset["id"])
    assert visible_to(people["member"], dataset["id"])
    queue = call_as(people["admin"], "vnopendata_review_queue")
    assert [item["name"] for item in queue["results"]] == ["so-lieu"]
    assert queue["results"][0]["pending_sharing_class"] == "inter_agency"

    # An edit of other fields keeps the change waiting.
    edited = call_as(people["editor"], "package_patch", id=dataset["id"], contact_name="Lê Thị B")
    assert edited["pending_sharing_class"] == "inter_agency"

    approved = call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    assert approved["sharing_class"] == "inter_agency"
    assert approved["pending_sharing_class"] == ""
    assert approved["review_state"] == "published"
    assert visible_to(people["other_agency"], dataset["id"])


def test_a_returned_change_leaves_the_published_version(people, agencies):
    dataset = create(people, agencies, sharing_class="inter_agency")
    publish(people, dataset["id"])
    call_as(people["editor"], "package_patch", id=dataset["id"], metadata_visible=True)
    returned = call_as(
        people["admin"], "vnopendata_dataset_return", id=dataset["id"], reason="Chưa được phép"
    )
    assert returned["review_state"] == "published"
    assert returned["metadata_visible"] is False
    assert returned["review_return_reason"] == "Chưa được phép"
    assert not visible_to(people["anonymous"], dataset["id"])
    assert visible_to(people["other_agency"], dataset["id"])


def test_closing_a_published_dataset_applies_at_once(people, agencies):
    dataset = create(people, agencies, sharing_class="open")
    publish(people, dataset["id"])
    assert visible_to(people["anonymous"], dataset["id"])
    closed = call_as(
        people["editor"], "package_patch", id=dataset["id"], sharing_class="restricted"
    )
    assert closed["sharing_class"] == "restricted"
    assert closed["review_state"] == "published"
    assert closed["private"] is True
    assert not visible_to(people["anonymous"], dataset["id"])
    assert not visible_to(people["other_agency"], dataset["id"])
    assert call_as(people["anonymous"], "package_search", q="*:*")["count"] == 0


def test_without_review_datasets_are_published_when_created(
    people, agencies, ckan_config, monkeypatch
):
    monkeypatch.setitem(ckan_config, "ckanext.vnopendata.review.required", "false")
    dataset = create(people, agencies, sharing_class="open")
    assert dataset["review_state"] == "published"
    assert dataset["private"] is False
    assert visible_to(people["anonymous"], dataset["id"])
    opened = call_as(
        people["editor"], "package_patch", id=dataset["id"], sharing_class="inter_agency"
    )
    assert opened["sharing_class"] == "inter_agency"
    reopened = call_as(people["editor"], "package_patch", id=dataset["id"], sharing_class="open")
    assert reopened["sharing_class"] == "open"
    assert reopened["pending_sharing_class"] == ""


def test_the_queue_lists_the_callers_agencies_oldest_first(people, agencies):
    first = create(people, agencies, name="thu-nhat")
    second = create(people, agencies, name="thu-hai")
    call_as(people["editor"], "vnopendata_dataset_submit", id=first["id"])
    call_as(people["editor"], "vnopendata_dataset_submit", id=second["id"])
    queue = call_as(people["admin"], "vnopendata_review_queue")
    assert [item["name"] for item in queue["results"]] == ["thu-nhat", "thu-hai"]
    assert queue["agencies"][agencies["owning"]["id"]] == 2
    assert all(item["can_review"] for item in queue["results"])
    assert [
        i["can_review"] for i in call_as(people["editor"], "vnopendata_review_queue")["results"]
    ] == [False, False]
    assert call_as(people["other_agency"], "vnopendata_review_queue")["count"] == 0
    assert call_as(people["citizen"], "vnopendata_review_queue")["count"] == 0
    with pytest.raises(logic.NotAuthorized):
        call_as(people["anonymous"], "vnopendata_review_queue")
    only = call_as(
        people["sysadmin"], "vnopendata_review_queue", organization_id=agencies["other"]["id"]
    )
    assert only["count"] == 0


def test_every_transition_shows_in_the_activity_stream(people, agencies):
    dataset = create(people, agencies)
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    call_as(people["admin"], "vnopendata_dataset_return", id=dataset["id"], reason="Sửa mô tả")
    call_as(people["editor"], "vnopendata_dataset_submit", id=dataset["id"])
    call_as(people["admin"], "vnopendata_dataset_approve", id=dataset["id"])
    activities = call_as(people["sysadmin"], "package_activity_list", id=dataset["id"])
    states = [a["data"]["package"]["review_state"] for a in reversed(activities)]
    assert states == ["draft", "submitted", "returned", "submitted", "published"]
    actors = [a["user_id"] for a in reversed(activities)]
    assert actors[1:] == [
        people["editor"]["id"],
        people["admin"]["id"],
        people["editor"]["id"],
        people["admin"]["id"],
    ]
