"""A dataset's whole life shows in search at once, with no Solr anywhere."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.logic import ValidationError
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from search.helpers import (
    make_dataset,
    make_organization,
    names,
    search_as,
    text_table_differences,
    title_fields,
)


def index_row_count() -> int:
    return model.Session.execute(
        sa.text("SELECT count(*) FROM vnopendata_search_index")
    ).scalar_one()


@pytest.mark.usefixtures("clean_db")
class TestDatasetLife:
    def test_create_update_delete_purge(self) -> None:
        org = make_organization("G05", name="so-tai-nguyen", title="Sở Tài nguyên")
        dataset = make_dataset(
            name="chat-luong-nuoc",
            title="Chất lượng nước sông Hồng",
            notes="Quan trắc nước mặt",
            owner_org=org["id"],
        )
        assert names(search_as(None, q="song hong")) == ["chat-luong-nuoc"]
        assert search_as(None, fq="organization:so-tai-nguyen")["count"] == 1

        admin = {"user": factories.Sysadmin()["name"]}
        test_helpers.call_action(
            "package_patch",
            context=admin,
            id=dataset["id"],
            **title_fields("Chất lượng không khí Hà Nội"),
        )
        assert names(search_as(None, q="song hong")) == []
        assert names(search_as(None, q="khong khi")) == ["chat-luong-nuoc"]

        test_helpers.call_action("package_delete", context=dict(admin), id=dataset["id"])
        assert search_as(None, q="khong khi")["count"] == 0
        assert search_as(None, q="*:*", include_deleted=True)["count"] == 0

        test_helpers.call_action("dataset_purge", context=dict(admin), id=dataset["id"])
        assert index_row_count() == 0
        assert text_table_differences() == []
        with pytest.raises(search.SearchError):
            search.show(dataset["id"])

    def test_index_row_commits_with_the_dataset(self) -> None:
        org = make_organization("G06", name="so-xay-dung", title="Sở Xây dựng")
        make_dataset(name="quy-hoach", title="Quy hoạch đô thị", owner_org=org["id"])
        # A failed update rolls back the dataset and its index row together.
        admin = {"user": factories.Sysadmin()["name"]}
        with pytest.raises(ValidationError):
            test_helpers.call_action(
                "package_patch",
                context=admin,
                id="quy-hoach",
                owner_org="khong-co",
                **title_fields("Mới"),
            )
        model.Session.rollback()
        assert names(search_as(None, q="moi")) == []
        assert names(search_as(None, q="quy hoach")) == ["quy-hoach"]

    def test_package_show_is_served_from_the_index(self) -> None:
        org = make_organization("G07", name="so-y-te", title="Sở Y tế")
        dataset = make_dataset(name="benh-vien", title="Danh sách bệnh viện", owner_org=org["id"])
        indexed = search.show("benh-vien")
        assert json.loads(indexed["validated_data_dict"])["title"] == "Danh sách bệnh viện"
        # package_show trusts the index only when it is as fresh as the row.
        assert indexed["metadata_modified"][:22] == dataset["metadata_modified"][:22]
        shown = test_helpers.call_action("package_show", id="benh-vien")
        assert shown["title"] == "Danh sách bệnh viện"

    def test_drafts_and_private_follow_include_flags(self) -> None:
        org = make_organization("G08", name="so-giao-duc", title="Sở Giáo dục")
        make_dataset(name="truong-hoc", title="Trường học", owner_org=org["id"], state="draft")
        make_dataset(name="hoc-phi", title="Học phí", owner_org=org["id"], private=True)
        everything = {"ignore_auth": True}
        found = test_helpers.call_action(
            "package_search", context=everything, include_drafts=True, include_private=True
        )
        assert set(names(found)) == {"truong-hoc", "hoc-phi"}
        found = test_helpers.call_action("package_search", context=everything)
        assert names(found) == []
        found = test_helpers.call_action("package_search", context=everything, include_private=True)
        assert names(found) == ["hoc-phi"]
