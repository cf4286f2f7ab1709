"""The text index's narrow copy (`vnopendata_search_text`, migration
f3c6a9d2e5b7): what a count of free-text matches reads.

- triggers on the index table keep it an exact copy of the index table's
  id, state, capacity, labels and folded vector, in the same transaction,
  whatever writes: the per-dataset writer, a raw statement, a rollback, a
  TRUNCATE, the bulk rebuild (tests/search/test_lifecycle.py and
  test_bulk_rebuild.py check it after each of their steps too);
- a search of free text alone, filtered only on its columns, counts there,
  and counts exactly what the index table counts, for every kind of reader;
  any other search counts in the index table;
- its text index is the index table's text index, expression for expression
  (the condition beside free text is written once, for both).
"""

from __future__ import annotations

import re
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.lib import search
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from ckanext.vnopendata.model.search import TABLE_NAME, TEXT_TABLE_COLUMNS, TEXT_TABLE_NAME
from search.helpers import (
    make_dataset,
    make_organization,
    search_as,
    statements_run,
    text_table_differences,
    title_fields,
)


def text_rows() -> int:
    return model.Session.execute(sa.text(f"SELECT count(*) FROM {TEXT_TABLE_NAME}")).scalar_one()


def count_tables(statements: list[str]) -> list[str]:
    """The tables the statements counted matches in."""
    return [
        match.group(1)
        for statement in statements
        for match in [re.match(r"\s*SELECT count\(\*\) FROM (\w+) AS i WHERE", statement)]
        if match
    ]


@pytest.mark.usefixtures("clean_db")
class TestTheCopyFollowsEveryWrite:
    def test_create_update_delete_purge(self) -> None:
        org = make_organization("G07", name="so-giao-duc", title="Sở Giáo dục")
        dataset = make_dataset(
            name="du-lieu-tinh", title="Trường học Huế", notes="Danh sách", owner_org=org["id"]
        )
        assert text_rows() == 1 and text_table_differences() == []
        admin = {"user": factories.Sysadmin()["name"]}
        test_helpers.call_action(
            "package_patch", context=dict(admin), id=dataset["id"], **title_fields("Bệnh viện Huế")
        )
        assert text_table_differences() == []
        vector = model.Session.execute(
            sa.text(f"SELECT search_vector::text FROM {TEXT_TABLE_NAME}")
        ).scalar_one()
        assert "'benh'" in vector and "'truong'" not in vector
        test_helpers.call_action("package_delete", context=dict(admin), id=dataset["id"])
        assert text_table_differences() == []
        test_helpers.call_action("dataset_purge", context=dict(admin), id=dataset["id"])
        assert text_rows() == 0 and text_table_differences() == []

    def test_raw_statements_a_rollback_and_a_truncate(self) -> None:
        org = make_organization("G08", name="so-y-te", title="Sở Y tế")
        for number in range(3):
            make_dataset(name=f"y-te-{number}", title=f"Y tế {number}", owner_org=org["id"])
        assert text_rows() == 3
        # An id changed by hand (the portal's writers never do): the copy
        # follows, the old id is gone from it.
        model.Session.execute(
            sa.text(f"UPDATE {TABLE_NAME} SET id = 'renamed' WHERE name = 'y-te-0'")
        )
        assert text_table_differences() == []
        model.Session.rollback()
        assert text_table_differences() == [] and text_rows() == 3
        model.Session.execute(
            sa.text(f"UPDATE {TABLE_NAME} SET state = 'draft', capacity = 'private'")
        )
        model.Session.execute(sa.text(f"DELETE FROM {TABLE_NAME} WHERE name = 'y-te-1'"))
        model.Session.commit()
        assert text_table_differences() == [] and text_rows() == 2
        assert model.Session.execute(
            sa.text(f"SELECT DISTINCT state, capacity FROM {TEXT_TABLE_NAME}")
        ).all() == [("draft", "private")]
        search.clear_all()
        assert text_rows() == 0
        search.rebuild(defer_commit=True, quiet=True)
        assert text_rows() == 3 and text_table_differences() == []


@pytest.mark.usefixtures("catalog")
class TestCountsOfFreeText:
    @pytest.mark.parametrize(
        ("params", "table"),
        [
            ({"q": "dân số"}, TEXT_TABLE_NAME),
            ({"q": "ha noi", "fq": "+capacity:public"}, TEXT_TABLE_NAME),
            ({"q": "nông*", "fq": "+state:(active OR draft)"}, TEXT_TABLE_NAME),
            ({"q": "thống kê", "fq": 'tags:"dân số"'}, TABLE_NAME),
            ({"q": "thống kê", "fq": "organization:bo-tai-chinh"}, TABLE_NAME),
            ({"q": "thống kê", "fq": "ngân"}, TABLE_NAME),
            ({"q": "title:thống"}, TABLE_NAME),
            ({"q": "thống kê -ngân"}, TABLE_NAME),
            ({"q": "*:*"}, TABLE_NAME),
        ],
    )
    def test_which_table_a_query_counts_in(self, params: dict[str, Any], table: str) -> None:
        from ckanext.vnopendata.search.package_query import compile_query

        assert compile_query(params, ["public"]).count_table == table
        # Written on the rank index's expression, a query names a column the
        # copy does not have: never counted there.
        assert compile_query(params, ["public"], True).count_table == TABLE_NAME

    @pytest.mark.parametrize("user", [None, "can-bo-tai-chinh", "can-bo-ha-noi", "quan-tri"])
    @pytest.mark.parametrize("q", ["thống kê", "ha noi", "Hà Nội", "nông*", "dân số"])
    def test_the_copy_counts_what_the_index_table_counts(self, user: str | None, q: str) -> None:
        with statements_run() as statements:
            counted = search_as(user, q=q, rows=1, include_private=True)
        assert count_tables(statements) == [TEXT_TABLE_NAME]
        every = search_as(user, q=q, rows=100, include_private=True, sort="name asc")
        assert counted["count"] == every["count"] == len(every["results"])

    def test_facets_and_filters_count_in_the_index_table(self) -> None:
        with statements_run() as statements:
            faceted = search_as(None, q="thống kê", rows=1, **{"facet.field": '["tags"]'})
            filtered = search_as(None, q="thống kê", fq="res_format:JSON", rows=1)
        assert TEXT_TABLE_NAME not in " ".join(statements)
        assert faceted["count"] == 2 and filtered["count"] == 1


def test_the_copys_text_index_is_the_index_tables(catalog: Any) -> None:
    definitions = dict(
        model.Session.execute(
            sa.text(
                "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class c "
                "WHERE c.relname IN (:index, :copy)"
            ),
            {"index": f"{TABLE_NAME}_vector_idx", "copy": f"{TEXT_TABLE_NAME}_vector_idx"},
        ).all()
    )
    index = definitions[f"{TABLE_NAME}_vector_idx"]
    copy = definitions[f"{TEXT_TABLE_NAME}_vector_idx"]
    assert copy.replace(TEXT_TABLE_NAME, TABLE_NAME) == index
    columns = model.Session.execute(
        sa.text(
            "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:table AS regclass) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ),
        {"table": TEXT_TABLE_NAME},
    ).scalars()
    assert tuple(columns) == TEXT_TABLE_COLUMNS
    assert text_table_differences() == []
