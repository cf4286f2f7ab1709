"""A relevance page with more sort keys is exact when many rows tie.

CKAN sorts text results by "score desc, metadata_modified desc". With the
RUM rank index the page takes the best rows in the index's order, then
orders those; rows of equal score beyond the rows taken must still come
first when they were modified later.
"""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.vnopendata.search import package_query, ranking
from search.helpers import make_dataset, make_organization, names, search_as

TIED = 30


@pytest.fixture(scope="module")
def tied(_session_app: Any, reset_database: Any) -> list[str]:
    reset_database()
    ranking.forget()
    org = make_organization("G09", name="bo-thong-tin", title="Bộ Thông tin")
    created = []
    for number in range(TIED):
        # The same words everywhere: every dataset gets the same score.
        dataset = make_dataset(
            name=f"chuyen-doi-so-{number:02d}",
            title="Chuyển đổi số quốc gia",
            notes="Số liệu chuyển đổi số",
            owner_org=org["id"],
        )
        created.append(dataset["name"])
    return created


def test_the_rank_index_serves_this_database(tied: list[str]) -> None:
    # `make test` creates the rum extension: the ties below go through the
    # index's path (`_ranked_page`), not through ts_rank over every match.
    assert ranking.rank_index_available()


@pytest.mark.parametrize("start, rows", [(0, 5), (5, 5), (0, 25), (20, 10), (28, 5)])
def test_tied_rows_come_newest_first_on_every_page(tied: list[str], start: int, rows: int) -> None:
    newest_first = list(reversed(tied))
    result = search_as(None, q="chuyển đổi số", start=start, rows=rows)
    assert result["count"] == TIED
    assert names(result) == newest_first[start : start + rows]


def test_more_ties_than_rows_taken_are_taken_again(
    tied: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no margin the first pass stops inside the tie and must go on.
    monkeypatch.setattr(package_query, "TIE_MARGIN", 1)
    result = search_as(None, q="chuyen doi so", rows=3)
    assert names(result) == list(reversed(tied))[:3]


def test_the_score_alone_keeps_the_index_order(tied: list[str]) -> None:
    result = search_as(None, q="chuyển đổi số", rows=TIED, sort="score desc")
    assert sorted(names(result)) == sorted(tied)
