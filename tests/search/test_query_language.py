"""The Solr query language on PostgreSQL, through package_search."""

from __future__ import annotations

from typing import Any

import pytest

from search.helpers import names, search_as

PUBLIC = {"dan-so-ha-noi", "ngan-sach-2024", "nong-nghiep-cuu-long", "giao-thong-ha-noi"}


def anon(**params: Any) -> set[str]:
    return set(names(search_as(None, rows=100, **params)))


@pytest.mark.usefixtures("catalog")
class TestQueryLanguage:
    def test_match_all(self) -> None:
        assert anon(q="*:*") == PUBLIC
        assert anon() == PUBLIC

    @pytest.mark.parametrize("q", ["ha noi", "Ha Noi", "HÀ NỘI", "hà nội", "Hà Nội"])
    def test_vietnamese_folding(self, q: str) -> None:
        assert anon(q=q) == {"dan-so-ha-noi", "giao-thong-ha-noi"}

    def test_folded_words_inside_notes(self) -> None:
        assert anon(q="dan so") == {"dan-so-ha-noi"}
        assert anon(q="lua gao") == {"nong-nghiep-cuu-long"}
        assert anon(q="đồng bằng") == {"nong-nghiep-cuu-long"}
        assert anon(q="dong bang") == {"nong-nghiep-cuu-long"}

    def test_exact_diacritics_rank_first(self) -> None:
        result = search_as(None, q="Hà Nội")
        assert names(result)[0] == "dan-so-ha-noi"
        result = search_as(None, q="Ha Noi")
        assert names(result)[0] == "giao-thong-ha-noi"

    def test_title_outranks_notes(self) -> None:
        # "ngân sách" is in the title of one dataset only; "dân số" in a title
        # and tags; "quận" only in notes: the title hit comes first.
        assert names(search_as(None, q="ngân sách"))[0] == "ngan-sach-2024"

    def test_prefix_wildcard(self) -> None:
        assert anon(q="nông*") == {"nong-nghiep-cuu-long"}
        assert anon(q="nong*") == {"nong-nghiep-cuu-long"}
        assert anon(q="title:ngân*") == {"ngan-sach-2024"}

    def test_phrase(self) -> None:
        assert anon(q='"ngân sách nhà nước"') == {"ngan-sach-2024"}
        assert anon(q='"nhà ngân sách"') == set()

    def test_boolean_operators(self, catalog: dict[str, Any]) -> None:
        assert anon(q="title:(ngân OR nông)") == {"ngan-sach-2024", "nong-nghiep-cuu-long"}
        assert anon(q="tags:thống\\ kê AND organization:bo-tai-chinh") == {"ngan-sach-2024"}
        assert anon(q='tags:"thống kê" -organization:bo-tai-chinh') == {"dan-so-ha-noi"}
        assert anon(q='tags:"thống kê" NOT organization:ubnd-hn') == {"ngan-sach-2024"}
        licence = catalog["datasets"]["dan-so-ha-noi"]["license_id"]
        assert anon(q=f'+res_format:CSV +license_id:"{licence}"') == {
            "dan-so-ha-noi",
            "giao-thong-ha-noi",
        }

    def test_fields_and_filters(self) -> None:
        assert anon(fq='organization:"ubnd-hn" res_format:"JSON"') == {
            "dan-so-ha-noi",
            "nong-nghiep-cuu-long",
        }
        assert anon(fq="groups:kinh-te") == {"dan-so-ha-noi", "ngan-sach-2024"}
        assert anon(fq="-dataset_type:harvest") == PUBLIC
        assert anon(fq="dataset_type:dataset", q="name:ngan-sach-2024") == {"ngan-sach-2024"}
        assert anon(q="num_resources:2") == {"dan-so-ha-noi", "ngan-sach-2024"}
        assert anon(q="num_resources:[2 TO *]") == {"dan-so-ha-noi", "ngan-sach-2024"}
        assert anon(q="num_resources:{1 TO 2}") == set()
        assert anon(q="res_name:dân") == {"dan-so-ha-noi"}
        assert anon(q="notes:quận") == {"dan-so-ha-noi"}
        assert anon(q="name:ngan-*") == {"ngan-sach-2024"}
        assert anon(q="organization:*") == PUBLIC
        assert anon(q="-groups:*") == {"nong-nghiep-cuu-long", "giao-thong-ha-noi"}

    def test_date_ranges_with_date_math(self) -> None:
        assert anon(fq="metadata_modified:[NOW-1DAY TO NOW]") == PUBLIC
        assert anon(fq="metadata_modified:[* TO NOW-1DAY]") == set()
        assert anon(fq="metadata_created:[2000-01-01T00:00:00Z TO NOW/DAY+1DAY]") == PUBLIC
        assert anon(fq="metadata_created:{NOW TO *]") == set()

    def test_empty_result(self) -> None:
        result = search_as(None, q="khongtontai")
        assert result["count"] == 0
        assert result["results"] == []


@pytest.mark.usefixtures("catalog")
class TestSortAndPaging:
    def test_sort_by_name(self) -> None:
        result = search_as(None, sort="name asc")
        assert names(result) == sorted(PUBLIC)
        result = search_as(None, sort="name desc")
        assert names(result) == sorted(PUBLIC, reverse=True)

    def test_sort_by_title_string_and_dates(self) -> None:
        result = search_as(None, sort="title_string asc")
        titles = [d["title"] for d in result["results"]]
        assert titles == sorted(titles)
        result = search_as(None, sort="metadata_created desc")
        created = [d["metadata_created"] for d in result["results"]]
        assert created == sorted(created, reverse=True)

    def test_paging_is_stable_and_complete(self) -> None:
        pages = [names(search_as(None, sort="score desc", rows=2, start=s)) for s in (0, 2, 4)]
        flat = [name for page in pages for name in page]
        assert len(flat) == len(PUBLIC)
        assert set(flat) == PUBLIC
        assert search_as(None, rows=2)["count"] == len(PUBLIC)

    def test_fl_returns_only_requested_fields(self) -> None:
        result = search_as(None, q="name:ngan-sach-2024", fl="name,organization,tags")
        assert result["results"] == [
            {
                "name": "ngan-sach-2024",
                "organization": "bo-tai-chinh",
                "tags": ["ngân sách", "thống kê"],
            }
        ]
