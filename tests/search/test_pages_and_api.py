"""CKAN's pages, API and autocompletes on the PostgreSQL search backend."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers as test_helpers

PRIVATE_TITLE = "Dữ liệu nội bộ về Hà Nội"


@pytest.mark.usefixtures("catalog")
class TestPages:
    def test_dataset_search_page_lists_public_datasets_and_facets(self, app: Any) -> None:
        page = app.get("/dataset/")
        assert page.status_code == 200
        assert "Ngân sách nhà nước 2024" in page.body
        assert PRIVATE_TITLE not in page.body
        # The organisation facet shows agencies by title, with counts.
        assert "UBND thành phố Hà Nội" in page.body

    def test_vietnamese_search_page_folds(self, app: Any) -> None:
        page = app.get("/vi/dataset/", query_string={"q": "dan so"})
        assert page.status_code == 200
        assert "Dân số Hà Nội 2023" in page.body
        assert "Nông nghiệp Đồng bằng" not in page.body

    def test_facet_filter_from_the_page(self, app: Any) -> None:
        page = app.get("/dataset/", query_string={"res_format": "JSON"})
        assert "Nông nghiệp Đồng bằng sông Cửu Long" in page.body
        assert "Ngân sách nhà nước 2024" not in page.body

    def test_organization_page_and_counts(self, app: Any) -> None:
        page = app.get("/organization/bo-tai-chinh")
        assert page.status_code == 200
        assert "Ngân sách nhà nước 2024" in page.body
        assert PRIVATE_TITLE not in page.body
        anonymous = {"user": "", "ignore_auth": False}
        shown = test_helpers.call_action("organization_show", context=anonymous, id="bo-tai-chinh")
        assert shown["package_count"] == 1
        listed = test_helpers.call_action(
            "organization_list", context=dict(anonymous), all_fields=True
        )
        assert {o["name"]: o["package_count"] for o in listed} == {
            "bo-tai-chinh": 1,
            "ubnd-hn": 3,
        }
        groups = test_helpers.call_action("group_list", context=dict(anonymous), all_fields=True)
        assert {g["name"]: g["package_count"] for g in groups} == {"kinh-te": 2}

    def test_organization_member_sees_private_count(self, catalog: dict[str, Any]) -> None:
        editor = {"user": catalog["editor_a"]["name"], "ignore_auth": False}
        shown = test_helpers.call_action(
            "organization_show", context=editor, id="bo-tai-chinh", include_datasets=True
        )
        assert shown["package_count"] == 2

    def test_tag_show_lists_public_datasets(self) -> None:
        tag = test_helpers.call_action("tag_show", id="thống kê", include_datasets=True)
        assert {d["name"] for d in tag["packages"]} == {"dan-so-ha-noi", "ngan-sach-2024"}


@pytest.mark.usefixtures("catalog")
class TestApi:
    def test_package_search_answers(self, app: Any) -> None:
        response = app.get("/api/3/action/package_search", query_string={"q": "Hà Nội"})
        assert response.status_code == 200
        result = response.json["result"]
        assert result["results"][0]["name"] == "dan-so-ha-noi"
        assert result["count"] == 2

    @pytest.mark.parametrize(
        "params",
        [
            {"q": 'title:"dân số"~2'},
            {"q": "dan~1"},
            {"q": "/d.n/"},
            {"q": "title:[a TO b]"},
            {"q": "title:d?n"},
            {"q": "title:(unclosed"},
            {"q": "tags:x", "defType": "func"},
            {"sort": "name sideways"},
            {"q": "x", "bf": "recip(ms(NOW,metadata_modified),1,1,1)"},
            {"fq": "metadata_modified:[NOW-1FORTNIGHT TO NOW]"},
        ],
    )
    def test_unsupported_syntax_is_a_400(self, app: Any, params: dict[str, str]) -> None:
        response = app.get("/api/3/action/package_search", query_string=params)
        assert response.status_code == 400, response.body
        assert response.json["error"]["__type"] == "Search Query Error"

    def test_magic_fields_are_a_search_error_as_in_ckan(self, app: Any) -> None:
        # CKAN raises SearchError (409) for `_query_`/`_val_`, not a query error.
        response = app.get("/api/3/action/package_search", query_string={"fq": "_query_:foo"})
        assert response.status_code == 409, response.body
        assert response.json["error"]["__type"] == "Search Error"

    def test_package_autocomplete_folds_diacritics(self, app: Any) -> None:
        for q in ("ha noi", "Hà Nội", "HA NOI"):
            response = app.get("/api/3/action/package_autocomplete", query_string={"q": q})
            found = {d["name"] for d in response.json["result"]}
            assert found == {"dan-so-ha-noi", "giao-thong-ha-noi"}, q
        response = app.get("/api/3/action/package_autocomplete", query_string={"q": "nong ng"})
        assert [d["name"] for d in response.json["result"]] == ["nong-nghiep-cuu-long"]

    def test_package_autocomplete_respects_labels(self, app: Any) -> None:
        response = app.get("/api/3/action/package_autocomplete", query_string={"q": "noi bo"})
        assert response.json["result"] == []


@pytest.mark.usefixtures("catalog")
class TestFormAutocompletes:
    def test_tag_autocomplete_folds(self, app: Any) -> None:
        response = app.get("/api/3/action/tag_autocomplete", query_string={"q": "thong ke"})
        assert response.json["result"] == ["thống kê"]
        response = app.get("/api/3/action/tag_autocomplete", query_string={"q": "NÔNG"})
        assert response.json["result"] == ["nông nghiệp"]

    def test_organization_and_group_autocomplete_fold(self, catalog: dict[str, Any]) -> None:
        editor = {"user": catalog["editor_a"]["name"], "ignore_auth": False}
        found = test_helpers.call_action("organization_autocomplete", context=editor, q="tai chinh")
        assert [o["name"] for o in found] == ["bo-tai-chinh"]
        found = test_helpers.call_action("group_autocomplete", context=dict(editor), q="KINH TE")
        assert [g["name"] for g in found] == ["kinh-te"]
