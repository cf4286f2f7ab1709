"""Permission labels and facets: no count, facet or page reveals a hidden dataset."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from search.helpers import names, search_as

FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
PRIVATE = "noi-bo-tai-chinh"


def facet_counts(result: dict[str, Any], field: str) -> dict[str, int]:
    return {item["name"]: item["count"] for item in result["search_facets"][field]["items"]}


def expected_facets(datasets: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Facet counts worked out from the dataset dicts themselves."""
    counts: dict[str, Counter[str]] = {field: Counter() for field in FACETS}
    for dataset in datasets:
        counts["organization"][dataset["organization"]["name"]] += 1
        counts["license_id"][dataset["license_id"]] += 1
        counts["groups"].update(group["name"] for group in dataset["groups"])
        counts["tags"].update(tag["name"] for tag in dataset["tags"])
        counts["res_format"].update({r["format"] for r in dataset["resources"]})
    return counts


@pytest.mark.usefixtures("catalog")
class TestPermissionLabels:
    def test_anonymous_sees_public_only_in_results_counts_and_facets(
        self, catalog: dict[str, Any]
    ) -> None:
        result = search_as(None, q="*:*", rows=100, **{"facet.field": FACETS})
        public = [d for name, d in catalog["datasets"].items() if name != PRIVATE]
        assert set(names(result)) == {d["name"] for d in public}
        assert result["count"] == len(public)
        expected = expected_facets(public)
        for field in FACETS:
            assert facet_counts(result, field) == dict(expected[field]), field
        assert "XLSX" not in facet_counts(result, "res_format")
        assert "nội bộ" not in facet_counts(result, "tags")

    def test_member_of_another_agency_does_not_see_it(self, catalog: dict[str, Any]) -> None:
        member_b = catalog["member_b"]["name"]
        result = search_as(member_b, q="nội bộ", include_private=True, **{"facet.field": FACETS})
        assert PRIVATE not in names(result)
        result = search_as(member_b, q="*:*", include_private=True, **{"facet.field": FACETS})
        assert PRIVATE not in names(result)
        assert result["count"] == len(catalog["datasets"]) - 1
        assert facet_counts(result, "tags")["thống kê"] == 2
        assert facet_counts(result, "organization")["bo-tai-chinh"] == 1

    def test_member_of_the_owning_agency_sees_it(self, catalog: dict[str, Any]) -> None:
        editor_a = catalog["editor_a"]["name"]
        result = search_as(editor_a, q="*:*", include_private=True, **{"facet.field": FACETS})
        assert PRIVATE in names(result)
        assert result["count"] == len(catalog["datasets"])
        assert facet_counts(result, "tags")["thống kê"] == 3
        assert facet_counts(result, "organization")["bo-tai-chinh"] == 2
        # Without include_private, CKAN filters on capacity:public.
        assert PRIVATE not in names(search_as(editor_a, q="*:*", rows=100))

    def test_sysadmin_sees_everything(self, catalog: dict[str, Any]) -> None:
        result = search_as(catalog["sysadmin"]["name"], include_private=True, rows=100)
        assert result["count"] == len(catalog["datasets"])


@pytest.mark.usefixtures("catalog")
class TestFacetParameters:
    def test_limit_mincount_and_sort(self) -> None:
        result = search_as(None, **{"facet.field": ["tags"], "facet.limit": 1})
        assert facet_counts(result, "tags") == {"thống kê": 2}
        result = search_as(None, **{"facet.field": ["tags"], "facet.mincount": 2})
        assert facet_counts(result, "tags") == {"thống kê": 2}
        result = search_as(None, **{"facet.field": ["tags"], "facet.limit": -1})
        assert len(facet_counts(result, "tags")) == 5
        result = search_as(
            None, **{"facet.field": ["tags"], "facet.sort": "index", "facet.limit": 2}
        )
        assert list(result["facets"]["tags"]) == ["dân số", "giao thông"]

    def test_facets_follow_the_query(self) -> None:
        result = search_as(None, q="dan so", **{"facet.field": ["tags", "groups"]})
        assert facet_counts(result, "tags") == {"dân số": 1, "thống kê": 1}
        assert facet_counts(result, "groups") == {"kinh-te": 1}

    def test_organization_and_group_titles_are_display_names(self) -> None:
        result = search_as(None, **{"facet.field": ["organization", "groups"]})
        titles = {i["name"]: i["display_name"] for i in result["search_facets"]["groups"]["items"]}
        assert titles == {"kinh-te": "Kinh tế"}
