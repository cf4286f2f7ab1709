"""Requests and decisions through the API: who may ask, what is recorded,
approval with expiry, written refusal, withdrawal, and the agency queue."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from access.helpers import REQUEST_FIELDS, as_user
from ckanext.vnopendata.sharing import deadlines


def file_request(world, user=None, dataset=None, **fields):
    data = {**REQUEST_FIELDS, **fields}
    return as_user(
        user or world.official,
        "vnopendata_access_request_create",
        package_id=(dataset or world.restricted)["name"],
        **data,
    )


def test_official_of_another_agency_requests_restricted_data(world):
    request = file_request(world)
    assert request["state"] == "pending"
    assert request["package_id"] == world.restricted["id"]
    assert request["requester_type"] == "state_body"
    assert request["requester_org_id"] == world.other["id"]
    assert request["requester_agency_code"] == "000.00.00.G10"
    assert request["items"] == REQUEST_FIELDS["items"]
    assert request["purpose"] == REQUEST_FIELDS["purpose"]
    assert request["duration_days"] == 90
    received = datetime.datetime.fromisoformat(request["created"])
    assert request["due"] == deadlines.due_date(received, 2).isoformat()
    assert request["overdue"] is False


def test_citizen_requests_inter_agency_data_with_a_requester_type(world):
    with pytest.raises(tk.ValidationError) as error:
        file_request(world, world.citizen, world.inter_agency)
    assert "requester_type" in error.value.error_dict
    request = file_request(world, world.citizen, world.inter_agency, requester_type="individual")
    assert request["requester_type"] == "individual"
    assert request["requester_org_id"] is None


@pytest.mark.parametrize(
    ("who", "dataset", "message"),
    [
        # Members of the owning agency already read it.
        ("owner_member", "restricted", "Your agency owns this dataset"),
        # A citizen cannot see restricted metadata: told nothing about it.
        ("citizen", "restricted", "No dataset with this identifier can be requested"),
        # Agency members read inter-agency data already.
        ("official", "inter_agency", "only users of no agency need to request it"),
        ("official", "open", "Open data needs no request"),
    ],
)
def test_who_may_not_ask(world, who, dataset, message):
    with pytest.raises(tk.ValidationError) as error:
        file_request(
            world, getattr(world, who), getattr(world, dataset), requester_type="individual"
        )
    assert message in str(error.value.error_dict["package_id"])


def test_unknown_and_unrequestable_identifiers_get_the_same_answer(world):
    answers = []
    for identifier in ("khong-ton-tai", world.restricted["id"]):
        with pytest.raises(tk.ValidationError) as error:
            as_user(
                world.citizen,
                "vnopendata_access_request_create",
                package_id=identifier,
                requester_type="individual",
                **REQUEST_FIELDS,
            )
        answers.append(error.value.error_dict)
    assert answers[0] == answers[1]


def test_anonymous_cannot_ask(world):
    with pytest.raises(tk.NotAuthorized):
        as_user(
            None,
            "vnopendata_access_request_create",
            package_id=world.restricted["id"],
            **REQUEST_FIELDS,
        )


def test_missing_fields_are_named(world):
    with pytest.raises(tk.ValidationError) as error:
        as_user(
            world.official,
            "vnopendata_access_request_create",
            package_id=world.restricted["name"],
            items=[],
            duration_days="ba tháng",
        )
    assert set(error.value.error_dict) >= {
        "purpose",
        "legal_basis",
        "items",
        "duration_days",
        "contact",
    }


def test_one_pending_request_per_dataset(world):
    file_request(world)
    with pytest.raises(tk.ValidationError, match="pending request"):
        file_request(world)


def test_requester_withdraws_only_their_own_pending_request(world):
    request = file_request(world)
    with pytest.raises(tk.NotAuthorized):
        as_user(world.admin, "vnopendata_access_request_withdraw", id=request["id"])
    withdrawn = as_user(world.official, "vnopendata_access_request_withdraw", id=request["id"])
    assert withdrawn["state"] == "withdrawn"
    with pytest.raises(tk.ValidationError, match="Only a pending request"):
        as_user(world.official, "vnopendata_access_request_withdraw", id=request["id"])


def test_show_is_for_the_requester_and_the_owning_agency_admins(world):
    request = file_request(world)
    for user in (world.official, world.admin, world.sysadmin):
        assert as_user(user, "vnopendata_access_request_show", id=request["id"])["id"]
    for user in (world.citizen, world.other_admin, world.owner_member):
        with pytest.raises(tk.NotAuthorized):
            as_user(user, "vnopendata_access_request_show", id=request["id"])


def test_agency_queue_oldest_first_for_its_admins_only(world):
    first = file_request(world)
    second = file_request(world, dataset=world.restricted2)
    third = file_request(world, world.citizen, world.inter_agency, requester_type="organisation")
    queue = as_user(world.admin, "vnopendata_access_request_list", owner_org=world.owner["name"])
    assert [r["id"] for r in queue] == [first["id"], second["id"], third["id"]]
    for user in (world.owner_member, world.official, world.other_admin):
        with pytest.raises(tk.NotAuthorized):
            as_user(user, "vnopendata_access_request_list", owner_org=world.owner["name"])
    own = as_user(world.official, "vnopendata_access_request_list")
    assert {r["id"] for r in own} == {first["id"], second["id"]}
    as_user(
        world.admin,
        "vnopendata_access_request_refuse",
        id=first["id"],
        reason="x",
        legal_basis_number="13/2023/NĐ-CP",
        legal_basis_article="Điều 2",
    )
    pending = as_user(
        world.admin, "vnopendata_access_request_list", owner_org=world.owner["id"], state="pending"
    )
    assert [r["id"] for r in pending] == [second["id"], third["id"]]


def test_overdue_requests_are_flagged(world):
    request = file_request(world)
    row = model.Session.get(_request_model(), request["id"])
    row.due = deadlines.vietnam_today() - datetime.timedelta(days=1)
    model.repo.commit()
    queue = as_user(world.admin, "vnopendata_access_request_list", owner_org=world.owner["id"])
    assert queue[0]["overdue"] is True
    assert as_user(world.official, "vnopendata_access_request_show", id=request["id"])["overdue"]


def _request_model():
    from ckanext.vnopendata.model.access import AccessRequest

    return AccessRequest


def test_approve_creates_a_grant_with_the_given_expiry(world):
    request = file_request(world)
    expires = deadlines.vietnam_today() + datetime.timedelta(days=30)
    approved = as_user(
        world.admin,
        "vnopendata_access_request_approve",
        id=request["id"],
        expires=expires.isoformat(),
        conditions="Chỉ dùng nội bộ",
    )
    assert approved["state"] == "approved"
    grant = approved["grant"]
    assert grant["expires"] == expires.isoformat()
    assert grant["state"] == "active"
    assert grant["user_id"] == world.official["id"]
    assert grant["package_id"] == world.restricted["id"]
    assert grant["conditions"] == "Chỉ dùng nội bộ"
    grants = as_user(world.official, "vnopendata_access_grant_list")
    assert [(g["id"], g["state"]) for g in grants] == [(grant["id"], "active")]
    assert set(grants[0]) >= {"id", "package_id", "user_id", "expires", "state"}


@pytest.mark.ckan_config("ckanext.vnopendata.grants.default_days", "30")
@pytest.mark.ckan_config("ckanext.vnopendata.grants.max_days", "60")
def test_expiry_defaults_from_settings_and_never_passes_the_maximum(world):
    today = deadlines.vietnam_today()
    request = file_request(world)
    with pytest.raises(tk.ValidationError, match="at most 60 days"):
        as_user(
            world.admin,
            "vnopendata_access_request_approve",
            id=request["id"],
            expires=(today + datetime.timedelta(days=61)).isoformat(),
        )
    with pytest.raises(tk.ValidationError, match="after today"):
        as_user(
            world.admin,
            "vnopendata_access_request_approve",
            id=request["id"],
            expires=today.isoformat(),
        )
    with pytest.raises(tk.ValidationError, match="YYYY-MM-DD"):
        as_user(world.admin, "vnopendata_access_request_approve", id=request["id"], expires="mai")
    approved = as_user(world.admin, "vnopendata_access_request_approve", id=request["id"])
    assert approved["grant"]["expires"] == (today + datetime.timedelta(days=30)).isoformat()


def test_only_the_owning_agency_admins_decide(world):
    request = file_request(world)
    for user in (world.owner_member, world.official, world.other_admin, world.citizen):
        with pytest.raises(tk.NotAuthorized):
            as_user(user, "vnopendata_access_request_approve", id=request["id"])
        with pytest.raises(tk.NotAuthorized):
            as_user(
                user,
                "vnopendata_access_request_refuse",
                id=request["id"],
                reason="x",
                legal_basis_number="1",
                legal_basis_article="2",
            )
    assert as_user(world.sysadmin, "vnopendata_access_request_approve", id=request["id"])


def test_refusal_is_written_with_its_legal_basis_and_shown_in_full(world):
    request = file_request(world)
    refused = as_user(
        world.admin,
        "vnopendata_access_request_refuse",
        id=request["id"],
        reason="Dữ liệu chứa thông tin cá nhân nhạy cảm",
        legal_basis_number="13/2023/NĐ-CP",
        legal_basis_article="Điều 2 khoản 4",
        items=["trường số định danh"],
        complaint_route="Thanh tra Bảo hiểm xã hội Việt Nam, 7 Tràng Thi, Hà Nội",
    )
    assert refused["state"] == "refused"
    seen = as_user(world.official, "vnopendata_access_request_show", id=request["id"])
    assert seen["refusal_reason"] == "Dữ liệu chứa thông tin cá nhân nhạy cảm"
    assert seen["legal_basis_number"] == "13/2023/NĐ-CP"
    assert seen["legal_basis_article"] == "Điều 2 khoản 4"
    assert seen["refused_items"] == ["trường số định danh"]
    assert seen["complaint_route"].startswith("Thanh tra")
    assert as_user(world.official, "vnopendata_access_grant_list") == []


@pytest.mark.parametrize("missing", ["legal_basis_number", "legal_basis_article", "reason"])
def test_refusal_without_legal_basis_is_a_validation_error(world, missing):
    request = file_request(world)
    fields = {"reason": "Lý do", "legal_basis_number": "13/2023/NĐ-CP", "legal_basis_article": "2"}
    fields[missing] = "  "
    with pytest.raises(tk.ValidationError) as error:
        as_user(world.admin, "vnopendata_access_request_refuse", id=request["id"], **fields)
    assert list(error.value.error_dict) == [missing]
    assert as_user(world.admin, "vnopendata_access_request_show", id=request["id"])["state"] == (
        "pending"
    )


@pytest.mark.parametrize(("lang", "message"), [("vi", "Giá trị bị mất"), ("en", "Missing value")])
def test_refusal_without_legal_basis_over_http_is_409_in_the_users_language(
    app, world, lang, message
):
    request = file_request(world)
    token = _token(world.admin)
    response = app.post(
        f"/{lang}/api/action/vnopendata_access_request_refuse"
        if lang != "vi"
        else "/api/action/vnopendata_access_request_refuse",
        json={"id": request["id"], "reason": "Lý do", "legal_basis_article": "Điều 2"},
        headers={"Authorization": token},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["__type"] == "Validation Error"
    assert body["error"]["legal_basis_number"] == [message]


def _token(user):
    return tk.get_action("api_token_create")(
        {"user": user["name"], "ignore_auth": True}, {"user": user["name"], "name": "t"}
    )["token"]


def test_a_decided_request_cannot_be_decided_again(world):
    request = file_request(world)
    as_user(world.admin, "vnopendata_access_request_approve", id=request["id"])
    with pytest.raises(tk.ValidationError, match="already been decided"):
        as_user(
            world.admin2,
            "vnopendata_access_request_refuse",
            id=request["id"],
            reason="x",
            legal_basis_number="1",
            legal_basis_article="2",
        )


def test_revoke_needs_a_reason_and_an_owning_agency_admin(world):
    request = file_request(world)
    grant = as_user(world.admin, "vnopendata_access_request_approve", id=request["id"])["grant"]
    with pytest.raises(tk.NotAuthorized):
        as_user(world.official, "vnopendata_access_grant_revoke", id=grant["id"], reason="x")
    with pytest.raises(tk.ValidationError) as error:
        as_user(world.admin, "vnopendata_access_grant_revoke", id=grant["id"], reason=" ")
    assert list(error.value.error_dict) == ["reason"]
    revoked = as_user(
        world.admin2, "vnopendata_access_grant_revoke", id=grant["id"], reason="Hết nhu cầu"
    )
    assert revoked["state"] == "revoked"
    assert revoked["revoke_reason"] == "Hết nhu cầu"
    mine = as_user(world.official, "vnopendata_access_grant_list")
    assert [(g["id"], g["state"]) for g in mine] == [(grant["id"], "revoked")]
    agency = as_user(world.admin, "vnopendata_access_grant_list", owner_org=world.owner["name"])
    assert [g["id"] for g in agency] == [grant["id"]]
    with pytest.raises(tk.NotAuthorized):
        as_user(world.official, "vnopendata_access_grant_list", owner_org=world.owner["name"])
