"""The portal as a visitor meets it after `make run`: the demo catalogue,
served without Solr, in Vietnamese first."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import helpers as test_helpers

from ckanext.vnopendata import demo


@pytest.fixture(scope="module")
def catalogue(reset_database: Any) -> dict[str, Any]:
    reset_database()
    demo.load(echo=lambda _: None)
    everything = test_helpers.call_action(
        "package_search", context={"ignore_auth": True}, q="*:*", rows=1000, include_private=True
    )["results"]
    return {
        "open": [d for d in everything if d["sharing_class"] == "open"],
        "hidden": [d for d in everything if d["sharing_class"] != "open"],
    }


def test_search_runs_on_postgresql_not_solr():
    from ckan.lib import search

    assert (
        search.is_available() is False or "solr" not in type(search.query_for("package")).__module__
    )
    assert type(search.query_for("package")).__module__.startswith("ckanext.vnopendata.search")
    from ckanext.vnopendata.search.index_writer import PostgresPackageSearchIndex

    # The DCAT pieces wrap the index class (a subclass); it still writes
    # the PostgreSQL index.
    assert isinstance(search.index_for("package"), PostgresPackageSearchIndex)


def test_home_page(app, catalogue):
    page = app.get("/").get_data(as_text=True)
    assert "Cổng dữ liệu mở" in page


def test_dataset_list_shows_open_demo_datasets_only(app, catalogue):
    page = app.get("/dataset/").get_data(as_text=True)
    assert f"{len(catalogue['open'])} số bộ dữ liệu" in page or str(len(catalogue["open"])) in page
    assert catalogue["open"][0]["title"] in page or any(
        d["title"] in page for d in catalogue["open"]
    )
    for hidden in catalogue["hidden"]:
        assert hidden["title"] not in page


@pytest.mark.parametrize(("prefix", "language"), [("/vi", "vi"), ("/en", "en")])
def test_dataset_list_in_each_language(app, catalogue, prefix, language):
    response = app.get(f"{prefix}/dataset/", query_string={"q": "*:*", "sort": "name asc"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    first = min(catalogue["open"], key=lambda d: d["name"])
    assert first["title_translated"][language] in page


def test_dataset_page_of_an_open_dataset(app, catalogue):
    dataset = catalogue["open"][0]
    page = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    assert dataset["title"] in page
    assert dataset["resources"][0]["name"] in page


def test_dataset_page_of_a_hidden_dataset_is_not_shown_to_a_visitor(app, catalogue):
    dataset = catalogue["hidden"][0]
    response = app.get(f"/dataset/{dataset['name']}")
    assert response.status_code == 404
    assert dataset["title"] not in response.get_data(as_text=True)


def test_agency_page_counts_what_a_visitor_may_see(app, catalogue):
    dataset = catalogue["open"][0]
    agency = dataset["organization"]
    visible = [d for d in catalogue["open"] if d["owner_org"] == agency["id"]]
    page = app.get(f"/organization/{agency['name']}").get_data(as_text=True)
    assert agency["title"] in page
    for other in visible:
        assert other["title"] in page
    for hidden in catalogue["hidden"]:
        assert hidden["title"] not in page


def test_package_search_api_counts_open_datasets_for_a_visitor(app, catalogue):
    result = app.get("/api/3/action/package_search", query_string={"rows": 1000}).json["result"]
    assert result["count"] == len(catalogue["open"])
    assert {d["name"] for d in result["results"]} == {d["name"] for d in catalogue["open"]}
