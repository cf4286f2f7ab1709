"""The bulk rebuild writes exactly the rows CKAN's per-dataset path writes.

`ckan search-index rebuild` (``ckan.lib.search.rebuild``, swapped by the
backend) indexes the whole catalogue in batches; one dataset, or a given
list, still goes through package_show. Every stored column is compared,
vectors included, over a mix of open, inter-agency, restricted, private,
draft and deleted datasets with groups, resources, tags, multi-valued and
bilingual scheming fields.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.common import config
from ckan.lib import search
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from search.helpers import make_dataset, make_organization, text_table_differences

COLUMNS = (
    "id, name, title, title_string, state, capacity, dataset_type, owner_org, "
    "organization, license_id, groups, tags, res_format, permission_labels, "
    "metadata_created, metadata_modified, doc, data, data_dict, "
    "search_vector::text AS search_vector, exact_vector::text AS exact_vector"
)


def index_rows() -> list[dict[str, Any]]:
    model.Session.remove()
    rows = model.Session.execute(
        sa.text(f"SELECT {COLUMNS} FROM vnopendata_search_index ORDER BY id")
    )
    return [dict(row._mapping) for row in rows]


def indexable_ids() -> list[str]:
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    return sorted(row[0] for row in query.all())


def build_mix() -> dict[str, dict[str, Any]]:
    """A small catalogue with every shape the index has to store."""
    admin = {"user": factories.Sysadmin()["name"], "ignore_auth": True}
    finance = make_organization("G01", name="bo-tai-chinh", title="Bộ Tài chính")
    hanoi = make_organization("H01", name="ubnd-ha-noi", title="UBND thành phố Hà Nội")
    economy = factories.Group(name="kinh-te", title="Kinh tế")
    society = factories.Group(name="xa-hoi", title="Xã hội")
    datasets = {
        "open": make_dataset(
            name="dan-so-ha-noi",
            title="Dân số Hà Nội 2023",
            notes="Thống kê dân số theo quận, huyện",
            owner_org=hanoi["id"],
            tags=[{"name": "dân số"}, {"name": "thống kê"}],
            groups=[{"name": society["name"]}, {"name": economy["name"]}],
            provinces=["01", "79"],
            resources=[
                # Lower-case formats: the default show schema normalises them.
                {"url": "http://example.vn/ds.csv", "format": "csv", "name": "Bảng dân số"},
                {"url": "http://example.vn/ds.json", "format": "JSON", "description": "Mô tả"},
            ],
        ),
        "bilingual": make_dataset(
            name="ngan-sach-2024",
            title="Ngân sách nhà nước 2024",
            owner_org=finance["id"],
            tags=[{"name": "ngân sách"}],
            groups=[{"name": economy["name"]}],
            resources=[{"url": "http://example.vn/ns.xlsx", "format": "XLSX"}],
        ),
        "private": make_dataset(
            name="noi-bo-tai-chinh",
            title="Dữ liệu nội bộ",
            owner_org=finance["id"],
            private=True,
            license_id="other-closed",
            tags=[{"name": "nội bộ"}],
        ),
        "bare": make_dataset(
            name="khong-co-gi", title="  Không có tài nguyên  ", owner_org=hanoi["id"]
        ),
        "draft": make_dataset(
            name="ban-nhap",
            title="Bản nháp",
            owner_org=hanoi["id"],
            state="draft",
            resources=[{"url": "http://example.vn/bn.csv", "format": "CSV"}],
        ),
        "deleted": make_dataset(name="da-xoa", title="Đã xoá", owner_org=finance["id"]),
    }
    # Two languages (make_dataset fills both with the Vietnamese).
    test_helpers.call_action(
        "package_patch",
        context=dict(admin),
        id=datasets["bilingual"]["id"],
        title_translated={"vi": "Ngân sách nhà nước 2024", "en": "State budget 2024"},
        notes_translated={"vi": "Dự toán ngân sách", "en": "Budget estimate"},
    )
    test_helpers.call_action("package_delete", context=dict(admin), id=datasets["deleted"]["id"])
    # A resource deleted from a dataset that stays.
    test_helpers.call_action(
        "resource_delete", context=dict(admin), id=datasets["open"]["resources"][1]["id"]
    )
    return datasets


def per_dataset_then_bulk() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ids = indexable_ids()
    search.clear_all()
    # Both paths read the datasets from the database, as a `ckan` command
    # does: objects left in the session by the actions that created them
    # hold their extras in creation order, the database in JSONB order.
    model.Session.remove()
    # An explicit list goes through CKAN's path: package_show per dataset.
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    per_dataset = index_rows()
    assert text_table_differences() == []
    search.clear_all()
    search.rebuild(defer_commit=True, quiet=True)
    bulk = index_rows()
    assert text_table_differences() == []
    assert [row["id"] for row in per_dataset] == ids
    return per_dataset, bulk


def assert_same_rows(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected)
    for want, got in zip(expected, actual, strict=True):
        for column in want:
            assert got[column] == want[column], (want["name"], column)


@pytest.mark.usefixtures("clean_db")
class TestBulkRebuild:
    def test_rebuild_is_the_bulk_one(self) -> None:
        # `ckan search-index rebuild` looks `rebuild` up at call time.
        assert getattr(search.rebuild, "ckan_rebuild", None) is not None

    def test_same_rows_as_package_show_path(self) -> None:
        datasets = build_mix()
        per_dataset, bulk = per_dataset_then_bulk()
        names = {row["name"] for row in bulk}
        assert names == {d["name"] for key, d in datasets.items() if key != "deleted"}
        assert_same_rows(per_dataset, bulk)
        by_name = {row["name"]: row for row in bulk}
        # The mix really covers what it claims.
        assert by_name["dan-so-ha-noi"]["groups"] == ["kinh-te", "xa-hoi"]
        assert by_name["dan-so-ha-noi"]["res_format"] == ["CSV"]
        assert by_name["dan-so-ha-noi"]["doc"]["provinces"] == ["01", "79"]
        assert by_name["ngan-sach-2024"]["data"]["title_translated"]["en"] == "State budget 2024"
        assert by_name["noi-bo-tai-chinh"]["capacity"] == "private"
        assert by_name["ban-nhap"]["state"] == "draft"

    @pytest.mark.ckan_config("ckan.search.remove_deleted_packages", False)
    def test_same_rows_with_deleted_datasets_kept(self) -> None:
        build_mix()
        per_dataset, bulk = per_dataset_then_bulk()
        assert "deleted" in {row["state"] for row in bulk}
        assert_same_rows(per_dataset, bulk)

    def test_the_shortcut_is_taken_and_equals_navl(self) -> None:
        """The show schemas are applied without navl, with navl's result."""
        from ckanext.vnopendata.search import bulk

        build_mix()
        ids = indexable_ids()
        schemas = bulk._Schemas()
        batch = bulk._Batch(ids, bulk._show_context(), {})
        for pkg in batch.packages:
            fast = bulk._fast_pair(schemas, batch.context, batch.dictize(pkg))
            expected = logic.package_show_default_and_custom_schemas({"ignore_auth": True}, pkg.id)
            assert bulk._json_equal(fast[0], expected[0]), pkg.name
            assert bulk._json_equal(fast[1], expected[1]), pkg.name
        model.Session.rollback()

    def test_only_missing_and_one_dataset(self) -> None:
        datasets = build_mix()
        open_id, bare_id = datasets["open"]["id"], datasets["bare"]["id"]
        # Mark one row, drop another: only the missing one is written.
        model.Session.execute(
            sa.text("UPDATE vnopendata_search_index SET title_string = 'marked' WHERE id = :id"),
            {"id": open_id},
        )
        model.Session.execute(
            sa.text("DELETE FROM vnopendata_search_index WHERE id = :id"), {"id": bare_id}
        )
        model.Session.commit()
        search.rebuild(only_missing=True, defer_commit=True, quiet=True)
        rows = {row["id"]: row for row in index_rows()}
        assert rows[open_id]["title_string"] == "marked"
        assert bare_id in rows
        # One dataset by name: CKAN's path rewrites just that row.
        search.rebuild(datasets["open"]["name"])
        assert {row["id"]: row for row in index_rows()}[open_id]["title_string"] != "marked"
        assert text_table_differences() == []

    def test_clear_then_rebuild(self) -> None:
        build_mix()
        # A row of no dataset: `clear` empties the index first.
        model.Session.execute(
            sa.text(
                "INSERT INTO vnopendata_search_index SELECT 'orphan', 'orphan', title, "
                "title_string, state, capacity, dataset_type, owner_org, organization, "
                "license_id, groups, tags, res_format, permission_labels, metadata_created, "
                "metadata_modified, doc, data, data_dict, search_vector, exact_vector "
                "FROM vnopendata_search_index LIMIT 1"
            )
        )
        model.Session.commit()
        search.rebuild(clear=True, defer_commit=True, quiet=True)
        assert [row["id"] for row in index_rows()] == indexable_ids()
        assert text_table_differences() == []


@pytest.mark.usefixtures("clean_db", "with_request_context")
class TestCopiesOfCkanCode:
    """The bulk path copies parts of CKAN 2.12.0's package_dictize and of
    ckanext-scheming 3.1.0's navl handling: on every run, every demo dataset
    is indexed by both paths and every stored column compared, so a CKAN or
    scheming upgrade that changes their output fails here."""

    def test_every_demo_dataset_is_stored_as_ckans_own_path_stores_it(self) -> None:
        from ckanext.vnopendata import demo

        demo.load(echo=lambda _: None)
        per_dataset, bulk = per_dataset_then_bulk()
        assert len(bulk) >= 36
        assert_same_rows(per_dataset, bulk)

    @pytest.mark.ckan_config("ckanext.vnopendata.search.bulk_shortcuts", False)
    def test_without_the_shortcuts_the_rebuild_is_ckans(self, caplog: Any) -> None:
        build_mix()
        caplog.set_level("INFO")
        search.clear_all()
        search.rebuild(defer_commit=True, quiet=True)
        assert "in batches" not in caplog.text
        assert [row["id"] for row in index_rows()] == indexable_ids()


@pytest.mark.usefixtures("clean_db", "with_request_context")
def test_result_columns_give_the_stored_documents_values() -> None:
    """Result fields read from columns (`RESULT_COLUMNS`) equal the stored
    document's, for every demo dataset, as written one by one and in bulk."""
    from ckanext.vnopendata import demo
    from ckanext.vnopendata.search.package_query import RESULT_COLUMNS

    demo.load(echo=lambda _: None)
    for written in per_dataset_then_bulk():
        assert len(written) >= 36
        for row in written:
            for column, convert in RESULT_COLUMNS.items():
                value = row[column]
                read = convert(value) if value is not None else None
                assert read == row["doc"].get(column), (row["name"], column)
