"""Following datasets: the follower count and "am I following" that every
dataset page asks, with CKAN's answers, and nothing told of a dataset the
caller may not see."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.logic import NotAuthorized, ValidationError
from ckan.tests import factories, helpers


@pytest.fixture
def follower(catalogue):
    """A user following the open dataset "benh-vien", who stops following
    at the end of the test."""
    user = factories.User()
    dataset = catalogue["datasets"]["hospitals"]
    helpers.call_action("follow_dataset", context={"user": user["name"]}, id=dataset["id"])
    yield user
    helpers.call_action("unfollow_dataset", context={"user": user["name"]}, id=dataset["id"])


def count(user: str, reference: str) -> int:
    return helpers.call_action(
        "dataset_follower_count", context={"user": user, "ignore_auth": False}, id=reference
    )


def test_the_follower_count_is_ckans_by_id_and_by_name(catalogue, follower):
    dataset = catalogue["datasets"]["hospitals"]
    assert count("", dataset["id"]) == 1
    assert count("", dataset["name"]) == 1
    assert count("", dataset["name"]) == model.UserFollowingDataset.follower_count(dataset["id"])
    assert count("", catalogue["datasets"]["clinics"]["name"]) == 0


def test_a_deleted_follower_is_not_counted(catalogue):
    user = factories.User()
    dataset = catalogue["datasets"]["clinics"]
    helpers.call_action("follow_dataset", context={"user": user["name"]}, id=dataset["id"])
    assert count("", dataset["name"]) == 1
    account = model.User.get(user["id"])
    account.state = "deleted"
    model.Session.commit()
    try:
        assert count("", dataset["name"]) == 0
        assert model.UserFollowingDataset.follower_count(dataset["id"]) == 0
    finally:
        account = model.User.get(user["id"])
        account.state = "active"
        model.Session.commit()
        helpers.call_action("unfollow_dataset", context={"user": user["name"]}, id=dataset["id"])


def test_a_dataset_the_caller_may_not_see_is_not_found_like_one_that_does_not_exist(catalogue):
    def refusal(user: str, reference: str) -> dict:
        with pytest.raises(ValidationError) as raised:
            count(user, reference)
        return raised.value.error_dict

    missing = refusal("", "khong-co-bo-du-lieu-nay")
    assert missing == {"id": ["Not found: Dataset"]}
    # The restricted dataset is private: a visitor may not see it, and its
    # name must not be told apart from a name no dataset has.
    restricted = catalogue["datasets"]["restricted"]
    assert refusal("", restricted["name"]) == missing
    assert refusal("", restricted["id"]) == missing
    # Its agency's editor and the sysadmin see it, and get its count.
    assert count(catalogue["editor"]["name"], restricted["name"]) == 0
    assert count(catalogue["sysadmin"]["name"], restricted["id"]) == 0


def test_without_an_id_the_refusal_is_ckans(catalogue):
    with pytest.raises(ValidationError) as raised:
        helpers.call_action("dataset_follower_count", context={"user": ""})
    assert "id" in raised.value.error_dict


def test_an_anonymous_caller_follows_nothing_and_learns_nothing(catalogue):
    for reference in (catalogue["datasets"]["hospitals"]["name"], "khong-co-bo-du-lieu-nay"):
        with pytest.raises(NotAuthorized):
            helpers.call_action(
                "am_following_dataset", context={"user": "", "ignore_auth": False}, id=reference
            )


def test_a_logged_in_user_is_told_whether_they_follow(catalogue, follower):
    dataset = catalogue["datasets"]["hospitals"]
    assert helpers.call_action(
        "am_following_dataset", context={"user": follower["name"]}, id=dataset["name"]
    )
    assert not helpers.call_action(
        "am_following_dataset", context={"user": catalogue["editor"]["name"]}, id=dataset["name"]
    )


def test_the_dataset_page_shows_the_followers_to_a_visitor(app, catalogue, follower):
    page = app.get("/dataset/benh-vien").get_data(as_text=True)
    followers = page.split("<dt>Người theo dõi</dt>")[1].split("</dd>")[0]
    assert ">1<" in followers
    # The API answers anonymous callers as the actions do.
    assert app.get("/api/3/action/dataset_follower_count?id=benh-vien").json["result"] == 1
    refused = app.get("/api/3/action/am_following_dataset?id=benh-vien", status=403)
    assert refused.json["success"] is False
    assert (
        app.get("/api/3/action/dataset_follower_count?id=ho-so-benh-an", status=409).json["error"]
        == app.get("/api/3/action/dataset_follower_count?id=khong-co", status=409).json["error"]
    )
