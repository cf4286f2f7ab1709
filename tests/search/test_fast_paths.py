"""The fast paths of the backend give what the general ones give.

- dismax text folded into one `@@` still applies `mm` (at least k of n
  words) and ranks as before;
- a text query plans without sequential scans for its own statements only,
  and its ranked page carries the count;
- the portal's facet fields counted from `facet_keys` equal the
  grouping-sets count of the same fields (any other field's path), and the
  migration's `vnopendata_facet_keys` yields exactly the one list of them.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.vnopendata.model.search import FACET_KEY_SEPARATOR, TABLE_NAME
from ckanext.vnopendata.search import facet_counts, facet_fields
from search.helpers import names, search_as, statements_run


def anon(**params: Any) -> set[str]:
    return set(names(search_as(None, rows=100, **params)))


@pytest.mark.usefixtures("catalog")
class TestDismaxInOneTextQuery:
    def test_two_of_three_words_are_enough(self) -> None:
        # mm "2<-1 5<80%": three optional words, two must match.
        assert anon(q="dân số khôngcótừnày") == {"dan-so-ha-noi"}
        assert anon(q="dan so khongcotunay") == {"dan-so-ha-noi"}

    def test_one_of_three_words_is_not(self) -> None:
        assert anon(q="dân khôngcótừnày khôngcótừkhác") == set()

    def test_all_of_two_words_with_a_prefix(self) -> None:
        assert anon(q="nông* cửu") == {"nong-nghiep-cuu-long"}
        assert anon(q="nông* khôngcótừnày") == set()

    def test_required_and_prohibited_words_with_optional_ones(self) -> None:
        assert anon(q="+dân số -khôngcótừnày") == {"dan-so-ha-noi"}
        assert anon(q="dân số -hà") == set()

    def test_count_of_a_ranked_page_and_of_a_page_past_the_end(self) -> None:
        everything = search_as(None, q="hà nội", rows=100)
        assert everything["count"] == len(everything["results"]) == 2
        first = search_as(None, q="hà nội", rows=1)
        assert first["count"] == 2 and len(first["results"]) == 1
        past = search_as(None, q="hà nội", rows=10, start=5)
        assert past["count"] == 2 and past["results"] == []
        by_name = search_as(None, q="hà nội", rows=1, sort="name asc")
        assert by_name["count"] == 2

    def test_a_ranked_page_of_every_match_is_its_own_count(self) -> None:
        from ckanext.vnopendata.search import ranking

        assert ranking.rank_index_available()
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            # The request's own statements (a count beside the page, on a
            # connection of its own, is started before the page is read).
            if threading.current_thread() is caller:
                statements.append(statement)

        caller = threading.current_thread()

        def counts() -> int:
            found = [s for s in statements if s.lstrip().startswith("SELECT count(*) FROM")]
            statements.clear()
            return len(found)

        engine = model.meta.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            # Without diacritics, one tier: fewer matches than the page
            # takes from the rank index, so their number is the count.
            narrow = search_as(None, q="ha noi", rows=1)
            narrow_counts = counts()
            member = search_as("can-bo-tai-chinh", q="ha noi", rows=1, include_private=True)
            member_counts = counts()
            # With diacritics, two tiers (as typed, then folded only): a
            # page that ends in the first is counted beside the page, on a
            # connection of its own...
            typed = search_as(None, q="hà nội", rows=1)
            typed_counts = counts()
            # ...and a page past the last match read both tiers whole.
            past = search_as(None, q="hà nội", rows=10, start=5)
            past_counts = counts()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert (narrow["count"], len(narrow["results"]), narrow_counts) == (2, 1, 0)
        # The private dataset of the member's agency is counted for them.
        assert (member["count"], len(member["results"]), member_counts) == (3, 1, 0)
        assert (typed["count"], len(typed["results"]), typed_counts) == (2, 1, 0)
        assert (past["count"], past["results"], past_counts) == (2, [], 0)

    def test_scores_of_a_page_sorted_by_something_else(self) -> None:
        from ckanext.vnopendata.search.package_query import PostgresPackageSearchQuery

        def run(sort: str) -> dict[str, float]:
            query = PostgresPackageSearchQuery()
            params = {"q": "hà nội", "sort": sort, "fl": "name score", "rows": 10}
            result = query.run(params, permission_labels=["public"])
            assert result["count"] == 2
            return {row["name"]: row["score"] for row in result["results"]}

        by_name = run("name asc")
        assert list(by_name) == sorted(by_name)
        assert by_name == run("score desc")
        assert all(score > 0 for score in by_name.values())

    def test_a_ranked_page_computes_scores_only_when_asked(self) -> None:
        # Scores cost each page row's vectors detoasted: only for `fl`
        # with "score" (CKAN's package_search asks for none by default).
        with statements_run() as statements:
            plain = search_as(None, q="hà nội", rows=10)
        plain_scores = [s for s in statements if "ts_rank(" in s]
        with statements_run() as statements:
            scored = search_as(None, q="hà nội", rows=10, fl="name score")
        asked_scores = [s for s in statements if "ts_rank(" in s]
        assert plain["count"] == scored["count"] == 2
        assert plain_scores == [] and len(asked_scores) == 1
        assert all(row["score"] > 0 for row in scored["results"])

    def test_a_text_page_in_another_order_takes_no_walk_of_a_sort_index(self) -> None:
        # Such a page counts every match (a window), so the planner must not
        # walk a sort index testing the text on each row's stored vectors
        # (seconds at 300,000 datasets): plain index scans are off for it,
        # and back on afterwards.
        in_force: list[tuple[str, str]] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if "count(*) OVER ()" in statement or "d.id = ANY" in statement:
                with cursor.connection.cursor() as probe:
                    probe.execute("SHOW enable_indexscan")
                    in_force.append((statement.split()[1], probe.fetchone()[0]))

        engine = model.meta.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            result = search_as(None, q="hà nội", sort="metadata_modified desc", rows=5)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert result["count"] == 2 and len(result["results"]) == 2
        # The page (i.id ...) without; its documents' statement puts the
        # settings back first, in the same round trip.
        assert in_force == [("i.id,", "off"), ("set_config(s.name,", "off")]
        setting = model.Session.execute(sa.text("SHOW enable_indexscan")).scalar_one()
        assert setting == "on"

    @pytest.mark.parametrize("q", ["ha noi", "hà nội"])
    def test_a_ranked_page_takes_four_round_trips(self, q: str) -> None:
        # On the request's connection: the planner settings (with the
        # "written yet?" check), the cursor's first rows, the page's
        # order, the documents (with the settings put back).
        caller = threading.current_thread()
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if threading.current_thread() is caller and (
                TABLE_NAME in statement or "set_config" in statement
            ):
                statements.append(statement)

        engine = model.meta.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            result = search_as(None, q=q, rows=1)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        assert result["count"] == 2 and len(result["results"]) == 1
        assert len(statements) == 4, statements
        assert "txid_current_if_assigned()" in statements[0]
        assert statements[1].startswith("DECLARE ")
        assert statements[2].startswith("CLOSE ")
        assert statements[3].startswith("SELECT set_config(") and "d.id = ANY" in statements[3]
        settings = model.Session.execute(
            sa.text(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan')"
            )
        ).one()
        assert tuple(settings) == ("on", "on")

    def test_sequential_scans_are_restored_after_a_text_query(self) -> None:
        search_as(None, q="dân số")
        setting = model.Session.execute(sa.text("SHOW enable_seqscan")).scalar_one()
        assert setting == "on"


def _settings(*names: str) -> list[str]:
    return [model.Session.execute(sa.text(f"SHOW {name}")).scalar_one() for name in names]


def test_planner_settings_hold_inside_and_are_restored_after(catalog) -> None:
    from ckanext.vnopendata.search.package_query import _planner

    names = ("enable_seqscan", "enable_indexscan", "enable_bitmapscan")
    assert _settings(*names) == ["on", "on", "on"]
    with _planner(enable_seqscan="off", enable_indexscan="off"):
        assert _settings(*names) == ["off", "off", "on"]
        with _planner(enable_bitmapscan="off", enable_seqscan="on"):
            assert _settings(*names) == ["on", "off", "off"]
        assert _settings(*names) == ["off", "off", "on"]
    assert _settings(*names) == ["on", "on", "on"]
    model.Session.rollback()


@pytest.mark.usefixtures("catalog")
class TestFacetKeys:
    FIELDS = sorted(facet_counts.KEYED_FIELDS)

    def _both(self, where: str, params: dict[str, Any]) -> tuple[Any, Any]:
        keyed: dict[str, list[tuple[str, int]]] = {field: [] for field in self.FIELDS}
        general: dict[str, list[tuple[str, int]]] = {field: [] for field in self.FIELDS}
        facet_counts._count_keyed(self.FIELDS, where, params, 1, keyed)
        facet_counts._count_grouping_sets(
            self.FIELDS, where, params, "HAVING count(*) >= 1", general
        )
        return (
            {field: sorted(values) for field, values in keyed.items()},
            {field: sorted(values) for field, values in general.items()},
        )

    def test_keyed_counts_equal_the_general_path(self) -> None:
        keyed, general = self._both("true", {})
        assert keyed == general
        # The catalogue fills these, so the comparison is not of empty lists.
        for field in ("organization", "tags", "res_format", "license_id"):
            assert keyed[field], field

    def test_keyed_counts_follow_the_label_filter(self) -> None:
        where = "i.permission_labels && CAST(:labels AS text[])"
        keyed, general = self._both(where, {"labels": ["public"]})
        assert keyed == general


@pytest.mark.parametrize("q", ["*:*", "dân số", "name:nothing-matches-this", "tags:economy"])
@pytest.mark.parametrize("user", [None, "quan-tri"])
def test_the_count_the_facets_pass_gives_is_the_count(catalog, q, user):
    """With the portal's facet fields asked, the count comes from the
    facets' statement: the same number as counted on its own, whatever
    facet.mincount hides."""
    alone = search_as(user, q=q, rows=0, include_private=True)["count"]
    for mincount in (1, 1000):
        faceted = search_as(
            user, q=q, rows=0, include_private=True, **{"facet.field": '["organization"]',
            "facet.mincount": mincount},
        )  # fmt: skip
        assert faceted["count"] == alone, (q, mincount)
    # One field the facets' own pass does not count: a count of its own.
    other = search_as(user, q=q, rows=0, include_private=True, **{"facet.field": '["author"]'})
    assert other["count"] == alone


def test_the_migrations_facet_keys_function_holds_the_one_list_of_facet_fields(catalog):
    # Every field of the document a facet could come from, plus one that
    # is not a facet field: the function must yield exactly KEYED_FIELDS.
    document = {field: f"v-{field}" for field in facet_fields.KEYED_DOCUMENT_FIELDS}
    document["not_a_facet"] = "x"
    keys = model.Session.execute(
        sa.text(
            "SELECT vnopendata_facet_keys('org', 'lic', ARRAY['grp'], ARRAY['tag'], "
            "ARRAY['CSV'], CAST(:doc AS jsonb), '{}'::jsonb)"
        ),
        {"doc": json.dumps(document)},
    ).scalar_one()
    fields = {key.partition(FACET_KEY_SEPARATOR)[0] for key in keys}
    assert fields == set(facet_fields.KEYED_FIELDS)
    assert set(facet_fields.PAGE_FACETS) <= fields


def _plan_nodes(statement: str, params: dict[str, Any], **settings: str) -> list[dict[str, Any]]:
    from ckanext.vnopendata.search.package_query import _planner

    with _planner(**settings):
        plan = model.Session.execute(sa.text(f"EXPLAIN (FORMAT JSON) {statement}"), params)
        root = plan.scalar_one()[0]["Plan"]
    model.Session.rollback()
    nodes: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(root)
    return nodes


@pytest.mark.usefixtures("catalog")
class TestTextBesideVisibilityFilters:
    """`state:active`, and `capacity:public` for a reader without private
    access, hold for nearly every row: beside free text the rows must come
    from the text index, not from the index of those columns (whose rows
    would each have their stored vector read to test the text)."""

    def _indexes_of_plan(self, q: str) -> set[str]:
        from ckanext.vnopendata.model.search import TABLE_NAME
        from ckanext.vnopendata.search.package_query import TEXT_PLAN, compile_query

        compiled = compile_query({"q": q, "fq": "+capacity:public"}, ["public"])
        nodes = _plan_nodes(
            f"SELECT count(*) FROM {TABLE_NAME} AS i WHERE {compiled.where}",
            compiled.sql.params,
            **TEXT_PLAN,
        )
        return {node["Index Name"] for node in nodes if "Index Name" in node}

    def test_the_text_index_finds_the_rows(self) -> None:
        assert self._indexes_of_plan("dân số") == {"vnopendata_search_index_vector_idx"}

    def test_the_same_filters_alone_use_their_index(self) -> None:
        assert "vnopendata_search_index_vector_idx" not in self._indexes_of_plan("*:*")

    def test_the_filters_still_apply(self) -> None:
        public = search_as(None, q="dân số", rows=100)
        assert names(public) == ["dan-so-ha-noi"]
        assert search_as(None, q="dân số", fq="+state:deleted", rows=100)["count"] == 0


@pytest.mark.usefixtures("catalog")
class TestLabelsInTheTextIndex:
    """Beside free text the caller's permission labels are a condition of
    the GIN text index's scan (its second column), so the count does not
    read the rows the caller may not see; the ranked page still comes from
    the rank index in its order."""

    LABELS = ["public"]

    def _compiled(self, rank_by_index: bool) -> Any:
        from ckanext.vnopendata.search.package_query import compile_query

        return compile_query({"q": "dân số"}, self.LABELS, rank_by_index)

    def test_the_count_scans_the_labels_in_the_text_index(self) -> None:
        from ckanext.vnopendata.model.search import TABLE_NAME
        from ckanext.vnopendata.search.package_query import TEXT_PLAN

        compiled = self._compiled(False)
        nodes = _plan_nodes(
            f"SELECT count(*) FROM {TABLE_NAME} AS i WHERE {compiled.where}",
            compiled.sql.params,
            **TEXT_PLAN,
        )
        scans = [node for node in nodes if node.get("Index Name", "").endswith("_vector_idx")]
        assert scans, nodes
        assert "permission_labels" in scans[0]["Index Cond"]
        assert not any("permission_labels" in node.get("Filter", "") for node in nodes)

    def test_the_ranked_page_comes_from_the_rank_index(self) -> None:
        from ckanext.vnopendata.model.search import TABLE_NAME
        from ckanext.vnopendata.search import ranking
        from ckanext.vnopendata.search.package_query import RANK_INDEX_PLAN, TEXT_PLAN

        # make test installs the rum extension (scripts/system.sh): the
        # fast path is the one under test.
        assert ranking.rank_index_available()
        compiled = self._compiled(True)
        nodes = _plan_nodes(
            f"SELECT i.id FROM {TABLE_NAME} AS i WHERE {compiled.where} "
            f"ORDER BY {compiled.rank_distance} LIMIT 20",
            compiled.sql.params,
            **TEXT_PLAN,
            **RANK_INDEX_PLAN,
        )
        scans = [node for node in nodes if node.get("Index Name") == ranking.RANK_INDEX]
        assert scans, nodes
        # In the index's order; the labels tested on the rows it returns.
        assert "Order By" in scans[0]
        assert "permission_labels" in scans[0]["Filter"]

    def test_only_visible_rows_are_found_and_counted(self) -> None:
        # "Hà Nội" is also in the title of a private dataset of Bộ Tài chính.
        for q in ("Hà Nội", "ha noi"):
            public = search_as(None, q=q, rows=100, include_private=True)
            assert "noi-bo-tai-chinh" not in names(public)
            assert public["count"] == len(public["results"])
            member = search_as("can-bo-tai-chinh", q=q, rows=100, include_private=True)
            assert "noi-bo-tai-chinh" in names(member)
            assert member["count"] == len(member["results"]) == public["count"] + 1
