"""Tag look-ups never reveal the tags of a dataset the user may not see."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from search.helpers import make_dataset, make_organization

TAG_ACTIONS = ("tag_autocomplete", "tag_list", "tag_search")


@pytest.fixture
def tagged(clean_db: Any) -> dict[str, Any]:
    member = factories.User(name="can-bo-so-y-te")
    outsider = factories.User(name="can-bo-so-khac")
    agency = make_organization(
        "H26.01",
        name="so-y-te",
        title="Sở Y tế",
        users=[{"name": member["name"], "capacity": "member"}],
    )
    make_organization("H26.02", name="so-khac", title="Sở khác")
    make_dataset(
        name="co-so-y-te",
        title="Cơ sở y tế",
        owner_org=agency["id"],
        tags=[{"name": "công khai"}, {"name": "bệnh viện"}],
    )
    make_dataset(
        name="ho-so-benh-an",
        title="Hồ sơ bệnh án",
        owner_org=agency["id"],
        private=True,
        tags=[{"name": "bí mật"}, {"name": "bệnh án"}],
    )
    return {"member": member["name"], "outsider": outsider["name"]}


def _tags(action: str, user: str | None, query: str) -> list[str]:
    context = {"user": user or "", "ignore_auth": False}
    if action == "tag_list":
        return test_helpers.call_action(action, context=context, query=query)
    if action == "tag_search":
        result = test_helpers.call_action(action, context=context, query=query)
        assert result["count"] == len(result["results"])
        return [tag["name"] for tag in result["results"]]
    return test_helpers.call_action(action, context=context, q=query)


@pytest.mark.parametrize("action", TAG_ACTIONS)
def test_a_visitor_and_another_agency_see_only_public_tags(tagged, action):
    for user in (None, tagged["outsider"]):
        assert _tags(action, user, "bi mat") == []
        assert _tags(action, user, "bí mật") == []
        assert _tags(action, user, "benh") == ["bệnh viện"]


@pytest.mark.parametrize("action", TAG_ACTIONS)
def test_the_owning_agency_sees_its_private_tags(tagged, action):
    assert _tags(action, tagged["member"], "bi mat") == ["bí mật"]
    assert _tags(action, tagged["member"], "benh") == ["bệnh viện", "bệnh án"]


def test_tag_list_without_a_query_lists_visible_tags_only(tagged):
    assert test_helpers.call_action("tag_list", context={"user": ""}) == [
        "bệnh viện",
        "công khai",
    ]


def test_tag_list_all_fields_gives_tag_dictionaries(tagged):
    tags = test_helpers.call_action(
        "tag_list", context={"user": tagged["member"]}, query="bi", all_fields=True
    )
    assert [(tag["name"], tag["vocabulary_id"]) for tag in tags] == [("bí mật", None)]
    assert tags[0]["id"]


def test_a_deleted_dataset_no_longer_lends_its_tags(tagged):
    admin = factories.Sysadmin()
    test_helpers.call_action("package_delete", context={"user": admin["name"]}, id="co-so-y-te")
    assert _tags("tag_autocomplete", None, "cong") == []


def test_a_bad_limit_is_a_validation_error_not_a_500(app, tagged):
    response = app.get(
        "/api/3/action/tag_autocomplete", query_string={"q": "benh", "limit": "mười"}
    )
    assert response.status_code == 409
    assert "limit" in response.json["error"]
