"""A ranked page of free text typed with diacritics: the matches as typed
first, then those that match only once folded.

"dân số" (population) folds to "dan so", as do "dẫn" and "sổ" ("Hướng dẫn
sổ tay"): both are matches, and the visitor who typed the diacritics meant
the first. The page is read tier by tier from the rank index; across the
tier boundary it must still be one exact order with one count.
"""

from __future__ import annotations

from typing import Any

import pytest

from ckanext.vnopendata.search import ranking
from search.helpers import make_dataset, make_organization, names, search_as, statements_run

# name: (title, notes, agency), created in this order (later = newer).
DATASETS = {
    "dan-so-1": ("Dân số tỉnh", "Số liệu thống kê", "a"),
    "dan-so-2": ("Dân số tỉnh", "Số liệu thống kê", "a"),
    "dan-so-3": ("Dân số tỉnh", "Số liệu thống kê", "b"),
    "bao-cao-dan-so": ("Báo cáo năm", "Thống kê dân số các huyện", "a"),
    "huong-dan-1": ("Hướng dẫn sổ tay", "Tài liệu nội bộ", "a"),
    "huong-dan-2": ("Hướng dẫn sổ tay", "Tài liệu nội bộ", "b"),
    "huong-dan-3": ("Hướng dẫn sổ tay", "Tài liệu nội bộ", "a"),
    "khac": ("Giao thông", "Không liên quan", "a"),
}
TYPED = ["dan-so-3", "dan-so-2", "dan-so-1", "bao-cao-dan-so"]
FOLDED_ONLY = ["huong-dan-3", "huong-dan-2", "huong-dan-1"]


@pytest.fixture(scope="module")
def catalogue(_session_app: Any, reset_database: Any) -> dict[str, str]:
    reset_database()
    ranking.forget()
    agencies = {
        "a": make_organization("G10", name="bo-a", title="Bộ A"),
        "b": make_organization("G11", name="bo-b", title="Bộ B"),
    }
    for name, (title, notes, agency) in DATASETS.items():
        make_dataset(name=name, title=title, notes=notes, owner_org=agencies[agency]["id"])
    return {key: agency["name"] for key, agency in agencies.items()}


@pytest.fixture(params=["rank index", "ts_rank"], autouse=True)
def ranked_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test with the rank index and without (a database without the
    rum extension ranks every match with ts_rank): the same order."""
    if request.param == "ts_rank":
        monkeypatch.setattr(ranking, "rank_index_available", lambda: False)
    return request.param


def test_the_rank_index_serves_this_database(catalogue: dict[str, str], ranked_by: str) -> None:
    assert ranking.rank_index_available() is (ranked_by == "rank index")


def test_matches_as_typed_come_before_folded_only_ones(catalogue: dict[str, str]) -> None:
    result = search_as(None, q="dân số", rows=20)
    assert result["count"] == 7
    # Tied titles newest first; a notes match as typed before a title
    # match that is only folded.
    assert names(result) == TYPED + FOLDED_ONLY


@pytest.mark.parametrize("rows", [1, 2, 3, 5])
@pytest.mark.parametrize("q", ["dân số", '"dân số"'])
def test_pages_across_the_tier_boundary_are_one_order(
    catalogue: dict[str, str], rows: int, q: str
) -> None:
    walked: list[str] = []
    for start in range(0, 9, rows):
        result = search_as(None, q=q, rows=rows, start=start)
        assert result["count"] == 7, (start, rows)
        walked.extend(names(result))
    assert walked == TYPED + FOLDED_ONLY


def test_without_diacritics_one_order_of_the_same_matches(catalogue: dict[str, str]) -> None:
    result = search_as(None, q="dan so", rows=20)
    assert result["count"] == 7
    assert set(names(result)) == set(TYPED + FOLDED_ONLY)


def test_filters_hold_in_both_tiers(catalogue: dict[str, str]) -> None:
    result = search_as(None, q="dân số", fq=f"organization:{catalogue['b']}", rows=20)
    assert (result["count"], names(result)) == (2, ["dan-so-3", "huong-dan-2"])
    past = search_as(None, q="dân số", fq=f"organization:{catalogue['b']}", rows=5, start=2)
    assert (past["count"], past["results"]) == (2, [])


def test_three_words_of_which_two_must_match(catalogue: dict[str, str]) -> None:
    # CKAN's mm: two of three words. "thống kê" as typed in the notes of
    # the typed tier; "sổ tay" folds to "so tay".
    result = search_as(None, q="dân số tay", rows=20)
    assert names(result)[: len(TYPED)] == TYPED
    assert set(names(result)) == set(TYPED + FOLDED_ONLY)
    assert result["count"] == 7


def test_a_quoted_phrase_as_typed_comes_first(catalogue: dict[str, str]) -> None:
    # "Hướng dẫn sổ tay" holds the phrase once folded ("dan so").
    result = search_as(None, q='"dân số"', rows=20)
    assert result["count"] == 7
    assert names(result) == TYPED + FOLDED_ONLY


@pytest.mark.parametrize("q", ['"dân số"', "dân số"])
def test_every_tier_is_ranked_on_the_folded_words(
    catalogue: dict[str, str], ranked_by: str, q: str
) -> None:
    """The tiers put the words as typed first; within each, rows are
    ranked on the folded words, as CKAN's Solr schema scores text. The
    rank index then gathers no typed lexeme to rank (each lexeme ranked on
    costs it a pass over the rows holding it)."""
    with statements_run() as statements:
        result = search_as(None, q=q, rows=6)
    declared = [s for s in statements if s.lstrip().startswith("DECLARE")]
    assert names(result) == (TYPED + FOLDED_ONLY)[:6]
    if ranked_by == "ts_rank":
        # Every match ranked by ts_rank in one statement: no cursor.
        assert declared == []
        return
    assert len(declared) == 2
    for statement in declared:
        ranked_on = statement.split("ORDER BY", 1)[1]
        # Every tsquery ranked on is built from folded text.
        assert ranked_on.count("to_tsquery(") == ranked_on.count("vnopendata_fold(") > 0
