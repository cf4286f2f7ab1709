"""Journeys of issue 12 in a real browser, one test each, with a
screenshot of every step (the folder is printed at the start).

3. An anonymous citizen searches without diacritics from the home page,
   narrows with two facets, opens the dataset, downloads its CSV and
   follows the dataset's DCAT link to Turtle that the DCAT-AP 3 shapes
   accept.
5. A visitor switches to English and back on a dataset page and on a
   search page with facets: the page, the filters and the query are kept.
6. On a 375 px wide screen, a visitor searches, opens the facets and opens
   a dataset, without ever scrolling sideways.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pyshacl
import pytest
from playwright.sync_api import Browser, Page, expect
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from vn_browser import SCREENSHOTS, closed_network, dataset_fields, screenshot

POPULATION = "Dân số Hà Nội theo phường, xã"
POPULATION_API = "Dân số Hà Nội - dịch vụ tra cứu"
HOUSEHOLDS = "Số hộ dân Hà Nội theo năm"
CSV_CONTENT = "phuong_xa,dan_so\nPhường Hoàn Kiếm,135000\n"
DCAT_AP_SHAPES = Path(__file__).resolve().parents[1] / "dcat" / "dcat-ap_3_shacl_shapes.ttl"


@pytest.fixture(autouse=True, scope="module")
def _tell_where_screenshots_go() -> None:
    print(f"\nscreenshots: {SCREENSHOTS}")


@pytest.fixture
def catalogue(agency: dict[str, Any], create_with_upload) -> dict[str, Any]:
    """Three open datasets about Hà Nội's population: the one the citizen
    wants (society, with an uploaded CSV), one served only as JSON, and one
    in another sector."""
    sysadmin = factories.Sysadmin()

    def create(name: str, title: str, **overrides: Any) -> dict[str, Any]:
        return helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            **dataset_fields(agency["id"], name, title, **overrides),
        )

    population = create(
        "dan-so-ha-noi",
        POPULATION,
        title_translated={"vi": POPULATION, "en": "Population of Ha Noi by commune"},
        sector="society",
        resources=[],
    )
    create_with_upload(
        CSV_CONTENT,
        "dan-so-ha-noi.csv",
        package_id=population["id"],
        name="Dân số theo phường, xã (CSV)",
        format="CSV",
        url="dan-so-ha-noi.csv",
        context={"user": sysadmin["name"]},
    )
    create(
        "dan-so-ha-noi-api",
        POPULATION_API,
        sector="society",
        resources=[{"url": "https://dulieu.hanoi.gov.vn/api/dan-so", "format": "JSON"}],
    )
    create("ho-dan-ha-noi", HOUSEHOLDS, sector="economy_trade")
    return {"population": population}


def results(page: Page):
    return page.locator(".dataset-list .dataset-heading > a")


def facet_link(page: Page, title: str, label: str):
    return (
        page.locator("section.module")
        .filter(has=page.locator("h2.module-heading", has_text=title))
        .locator("li.nav-item a")
        .filter(has=page.locator(".item-label", has_text=label))
    )


def test_journey_3_a_citizen_finds_and_downloads_data_without_diacritics(
    page: Page, catalogue: dict[str, Any]
):
    page.goto("/")
    screenshot(page, "j3-01-home")
    page.fill("#field-home-search", "ha noi dan so")
    with page.expect_navigation():
        page.locator("#field-home-search").press("Enter")
    screenshot(page, "j3-02-results")
    expect(results(page)).to_have_count(3)

    facet_link(page, "Lĩnh vực", "Xã hội").click()
    expect(page).to_have_url(re.compile(r"[?&]sector=society\b"))
    expect(results(page)).to_have_count(2)
    screenshot(page, "j3-03-one-facet")
    facet_link(page, "Định dạng", "CSV").click()
    expect(page).to_have_url(re.compile(r"[?&]res_format=CSV\b"))
    expect(results(page)).to_have_text([POPULATION])
    # The query typed on the home page is still the query.
    expect(page.locator("#field-giant-search")).to_have_value("ha noi dan so")
    screenshot(page, "j3-04-two-facets")

    results(page).first.click()
    expect(page.locator("h1")).to_contain_text(POPULATION)
    screenshot(page, "j3-05-dataset")
    page.locator(".resource-item a.heading").first.click()
    screenshot(page, "j3-06-resource")
    with page.expect_download() as download_info:
        page.locator("a.resource-url-analytics").first.click()
    download = download_info.value
    assert download.suggested_filename == "dan-so-ha-noi.csv"
    with open(download.path(), encoding="utf-8") as downloaded:
        assert downloaded.read() == CSV_CONTENT

    # The dataset page links its DCAT description; a harvester following
    # the Turtle link gets the dataset, valid against DCAT-AP 3.
    page.go_back()
    expect(page.locator("h1")).to_contain_text(POPULATION)
    turtle_link = page.locator(".vn-dcat-links a", has_text="Turtle")
    expect(turtle_link).to_have_count(1)
    screenshot(page, "j3-07-dcat-link")
    response = page.request.get(turtle_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text(), format="turtle")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert any(str(title) == POPULATION for title in graph.objects(datasets[0], DCTERMS.title))
    assert isinstance(datasets[0], URIRef)
    conforms, _report, text = pyshacl.validate(
        graph, shacl_graph=Graph().parse(DCAT_AP_SHAPES, format="turtle"), inference="none"
    )
    assert conforms, text
    assert page.js_errors == []


def switch_language(page: Page, language: str) -> None:
    """Pick a language in the footer's language selector, as a user does."""
    page.locator("#field-lang-select + .select2-container").click()
    with page.expect_navigation():
        page.locator(".select2-container--open .select2-results__option", has_text=language).click()


def test_journey_5_switching_language_keeps_the_page_the_filters_and_the_query(
    page: Page, catalogue: dict[str, Any]
):
    page.goto("/dataset/dan-so-ha-noi")
    expect(page.locator("h1")).to_contain_text(POPULATION)
    screenshot(page, "j5-01-dataset-vi")
    switch_language(page, "English")
    expect(page).to_have_url(re.compile(r"/en/dataset/dan-so-ha-noi$"))
    expect(page.locator("h1")).to_contain_text("Population of Ha Noi by commune")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "j5-02-dataset-en")
    switch_language(page, "Tiếng Việt")
    expect(page).to_have_url(re.compile(r"/dataset/dan-so-ha-noi$"))
    expect(page.locator("h1")).to_contain_text(POPULATION)

    page.goto("/dataset/?q=dan+so&sector=society&res_format=CSV")
    expect(results(page)).to_have_text([POPULATION])
    screenshot(page, "j5-03-search-vi")
    switch_language(page, "English")
    url = page.url
    assert "/en/dataset/" in url and "q=dan+so" in url, url
    assert "sector=society" in url and "res_format=CSV" in url, url
    expect(page.locator("#field-giant-search")).to_have_value("dan so")
    expect(results(page)).to_have_count(1)
    expect(
        page.locator("section.module li.nav-item.active .item-label", has_text="Society")
    ).to_have_count(1)
    screenshot(page, "j5-04-search-en")
    switch_language(page, "Tiếng Việt")
    assert "/en/" not in page.url and "sector=society" in page.url, page.url
    expect(page.locator("#field-giant-search")).to_have_value("dan so")
    expect(
        page.locator("section.module li.nav-item.active .item-label", has_text="Xã hội")
    ).to_have_count(1)
    assert page.js_errors == []


WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5)
    .map((element) => element.tagName + '.' + [...element.classList].join('.')
      + ' right=' + Math.round(element.getBoundingClientRect().right));
}"""


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, (
        f"{page.url} is {overflow}px wider than the screen: {page.evaluate(WIDER_THAN_SCREEN)}"
    )


def test_journey_6_a_visitor_on_a_phone_searches_filters_and_reads(
    browser: Browser, live_server: str, catalogue: dict[str, Any]
):
    context = browser.new_context(
        base_url=live_server,
        locale="vi-VN",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    closed_network(context)
    page = context.new_page()
    try:
        page.goto("/")
        no_sideways_scroll(page)
        screenshot(page, "j6-01-home-375")
        page.fill("#field-home-search", "dan so ha noi")
        with page.expect_navigation():
            page.locator("#field-home-search").press("Enter")
        no_sideways_scroll(page)
        facets = page.locator("#search-facets")
        expect(facets).to_be_hidden()
        screenshot(page, "j6-02-results-375")

        page.get_by_role("button", name="Lọc kết quả").click()
        expect(facets).to_be_visible()
        screenshot(page, "j6-03-facets-open-375")
        facet_link(page, "Lĩnh vực", "Xã hội").click()
        expect(results(page)).to_have_count(2)
        expect(facets).to_be_hidden()
        no_sideways_scroll(page)

        results(page).first.click()
        expect(page.locator("h1")).to_be_visible()
        no_sideways_scroll(page)
        screenshot(page, "j6-04-dataset-375")
        for path in ("/thong-ke", "/organization/", "/organization/ubnd-thanh-pho-ha-noi"):
            page.goto(path)
            no_sideways_scroll(page)
            screenshot(page, "j6-05" + path.replace("/", "-").rstrip("-") + "-375")
    finally:
        context.close()
