"""The facets (or the count) of a ranked text page, read on a connection of
their own while the page is read: the same answer as on the request's own
connection, and never used where that connection would see other rows."""

from __future__ import annotations

import threading
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.vnopendata.model.search import TABLE_NAME
from ckanext.vnopendata.search import package_query, ranking
from search.helpers import names, search_as

FACETS = '["organization","tags","res_format","license_id"]'


@pytest.fixture
def threads_of_statements() -> Any:
    """The names of the threads that ran statements during the test."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(threading.current_thread().name)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(model.meta.engine, "before_cursor_execute", record)


@pytest.mark.usefixtures("catalog")
class TestBesideThePage:
    def test_the_rank_index_serves_this_database(self) -> None:
        assert ranking.rank_index_available()

    @pytest.mark.parametrize("q", ["hà nội", "ha noi", "dân số", '"ngân sách nhà nước"'])
    def test_facets_and_count_as_on_the_requests_connection(
        self, q: str, threads_of_statements: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        beside = search_as(None, q=q, rows=1, **{"facet.field": FACETS})
        assert any(name.startswith("vnopendata-search") for name in threads_of_statements)
        counted_beside = search_as(None, q=q, rows=1)

        monkeypatch.setattr(
            package_query.PostgresPackageSearchQuery, "_beside_the_page", lambda *args: None
        )
        threads_of_statements.clear()
        inline = search_as(None, q=q, rows=1, **{"facet.field": FACETS})
        assert not any(name.startswith("vnopendata-search") for name in threads_of_statements)
        assert beside["count"] == inline["count"] == counted_beside["count"] > 0
        assert beside["search_facets"] == inline["search_facets"]
        assert names(beside) == names(inline) == names(counted_beside)

    def test_not_beside_the_page_after_this_transaction_wrote(
        self, threads_of_statements: list[str]
    ) -> None:
        # A copy of an indexed dataset, written and not committed: another
        # connection would not see it, so the count and the facets are
        # read on the request's own.
        stored = ", ".join(
            model.Session.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = :table AND is_generated = 'NEVER' ORDER BY ordinal_position"
                ),
                {"table": TABLE_NAME},
            ).scalars()
        )
        for statement in (
            f"CREATE TEMP TABLE unsaved ON COMMIT DROP AS "
            f"SELECT {stored} FROM {TABLE_NAME} WHERE name = 'dan-so-ha-noi'",
            "UPDATE unsaved SET id = 'chua-luu-' || id, name = 'chua-luu-' || name",
            f"INSERT INTO {TABLE_NAME} ({stored}) SELECT {stored} FROM unsaved",
        ):
            model.Session.execute(sa.text(statement))
        try:
            written = search_as(None, q="dân số", rows=1, **{"facet.field": FACETS})
            assert not any(name.startswith("vnopendata-search") for name in threads_of_statements)
            assert written["count"] == 2
            counts = {
                item["name"]: item["count"]
                for item in written["search_facets"]["organization"]["items"]
            }
            assert sum(counts.values()) == 2
        finally:
            model.Session.rollback()
        assert search_as(None, q="dân số", rows=1)["count"] == 1
