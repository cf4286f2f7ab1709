"""A whole search-index rebuild labels a child agency's restricted datasets
as the per-dataset path does: with its parent agency's member label, read
once per run and never kept past it."""

from __future__ import annotations

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from vn_sharing import call_as, dataset_data

from ckanext.vnopendata.sharing import labels

pytestmark = pytest.mark.ckan_config("ckanext.vnopendata.review.required", "false")


def stored_labels() -> dict[str, list[str]]:
    model.Session.remove()
    rows = model.Session.execute(
        sa.text("SELECT name, permission_labels FROM vnopendata_search_index ORDER BY name")
    )
    return {name: sorted(found) for name, found in rows}


def rebuild_whole() -> dict[str, list[str]]:
    search.clear_all()
    model.Session.remove()
    search.rebuild(defer_commit=True, quiet=True)
    return stored_labels()


def test_a_whole_rebuild_gives_restricted_data_its_parents_label(people, agencies):
    owning, parent, other = agencies["owning"], agencies["parent"], agencies["other"]
    for number in range(3):
        call_as(
            people["editor"],
            "package_create",
            **dataset_data(owning["id"], f"han-che-{number}", "restricted"),
        )
    per_dataset = stored_labels()
    assert len(per_dataset) == 3
    assert all(labels.member(parent["id"]) in found for found in per_dataset.values())
    assert rebuild_whole() == per_dataset

    # The agency moves under another parent: the next rebuild reads it again.
    helpers.call_action(
        "organization_patch",
        context={"user": factories.Sysadmin()["name"]},
        id=owning["id"],
        parent_agency=other["id"],
    )
    rebuilt = rebuild_whole()
    assert all(labels.member(other["id"]) in found for found in rebuilt.values())
    assert not any(labels.member(parent["id"]) in found for found in rebuilt.values())
