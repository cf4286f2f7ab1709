"""A user's agencies, read for their labels on every signed-in request,
are exactly those CKAN's `organization_list_for_user` gives for "read"."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
from ckan import model
from vn_sharing import make_agency

from ckanext.vnopendata.sharing import grants, labels


def ckans_agency_ids(user: dict) -> list[str]:
    found = helpers.call_action(
        "organization_list_for_user",
        context={"user": user["name"], "ignore_auth": True},
        permission="read",
    )
    return sorted(agency["id"] for agency in found)


def test_member_agencies_are_those_of_ckans_action(people, agencies):
    owning, parent, other = agencies["owning"], agencies["parent"], agencies["other"]
    # CKAN's own hierarchy (a member row from the parent agency to the
    # child): an admin's role cascades to the agencies below.
    below = make_agency("chi-cuc-y-te", "000.01.01.G10")
    model.Session.add(
        model.Member(
            table_name="group",
            table_id=parent["id"],
            group=model.Group.get(below["id"]),
            capacity="parent",
            state="active",
        )
    )
    model.Session.commit()
    # A deleted agency and a deleted membership give nothing.
    gone = make_agency("cuc-da-giai-the", "000.02.00.G10")
    leaver = factories.User(name="nguoi-da-roi")
    for agency in (gone, other):
        helpers.call_action(
            "organization_member_create", id=agency["id"], username=leaver["name"], role="editor"
        )
    helpers.call_action(
        "organization_member_delete",
        context={"user": people["sysadmin"]["name"]},
        id=other["id"],
        username=leaver["name"],
    )
    helpers.call_action(
        "organization_delete", context={"user": people["sysadmin"]["name"]}, id=gone["id"]
    )
    model.Session.commit()

    users = [person for person in people.values() if person] + [leaver, factories.User()]
    for user in users:
        user_obj = model.User.get(user["name"])
        assert labels.member_agency_ids(user_obj) == ckans_agency_ids(user), user["name"]
        # The one statement a user's labels are read with gives the same
        # agencies (an admin's cascade, a deleted agency or membership
        # included), and the live grants.
        agencies, granted = labels._agencies_and_grants(user_obj)
        assert agencies == ckans_agency_ids(user), user["name"]
        assert granted == grants.live_grant_dataset_ids(user_obj.id)

    parent_admin = model.User.get(people["parent_admin"]["name"])
    assert set(labels.member_agency_ids(parent_admin)) == {parent["id"], below["id"]}
    assert labels.member_agency_ids(model.User.get(leaver["name"])) == []
    sysadmin = model.User.get(people["sysadmin"]["name"])
    assert len(labels.member_agency_ids(sysadmin)) == 4
    assert owning["id"] in labels.member_agency_ids(model.User.get(people["member"]["name"]))
