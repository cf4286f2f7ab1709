"""The dataset search page as a citizen sees it: facets with Vietnamese
labels, filtering by a facet, search without diacritics, and no trace of
data that is not open."""

from __future__ import annotations

import re
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from playwright.sync_api import Page, expect
from vn_browser import dataset_fields, screenshot

SCHOOLS = "Danh sách trường học tại Hà Nội"
BUSES = "Tuyến xe buýt Thành phố Hồ Chí Minh"
STAFF = "Hồ sơ cán bộ, công chức Hà Nội"
PERMITS = "Giấy phép xây dựng Hà Nội"


@pytest.fixture
def catalogue(agency: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Two open datasets of two provincial committees, and a restricted and
    an inter-agency one; three of them in Hà Nội."""
    sysadmin = factories.Sysadmin()
    ho_chi_minh_city = factories.Organization(
        name="ubnd-thanh-pho-ho-chi-minh",
        title_translated={
            "vi": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
            "en": "Ho Chi Minh City People's Committee",
        },
        agency_code="000.00.00.H29",
        agency_type="provincial_committee",
        agency_level="province",
        province="79",
    )

    def create(name: str, title: str, owner_org: str = agency["id"], **overrides: Any):
        return helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            **dataset_fields(owner_org, name, title, **overrides),
        )

    return {
        "schools": create("truong-hoc-ha-noi", SCHOOLS),
        "buses": create(
            "xe-buyt-tp-hcm",
            BUSES,
            owner_org=ho_chi_minh_city["id"],
            sector="infrastructure",
            provinces=["79"],
            license_id="CC0-1.0",
            resources=[{"url": "https://dulieu.gov.vn/xe-buyt", "format": "JSON"}],
        ),
        "staff": create(
            "ho-so-can-bo-ha-noi",
            STAFF,
            sharing_class="restricted",
            sector="government",
            personal_data="basic",
            personal_data_categories=["name", "identifiers"],
            legal_basis_number="60/2024/QH15",
            legal_basis_article="khoản 2 Điều 21",
            license_id=None,
            private=True,
        ),
        "permits": create(
            "giay-phep-xay-dung-ha-noi",
            PERMITS,
            sharing_class="inter_agency",
            sector="infrastructure",
            legal_basis_number="60/2024/QH15",
            legal_basis_article="khoản 2 Điều 21",
            exploitation_regulation_number="12/2025/QĐ-UBND",
            license_id=None,
            private=True,
        ),
    }


def facet(page: Page, title: str):
    return page.locator("section.module").filter(
        has=page.locator("h2.module-heading", has_text=title)
    )


def facet_item(page: Page, title: str, label: str):
    return (
        facet(page, title)
        .locator("li.nav-item")
        .filter(has=page.locator(".item-label", has_text=label))
    )


def results(page: Page):
    return page.locator(".dataset-list .dataset-heading > a")


def test_facets_have_vietnamese_labels_and_filter(page: Page, catalogue):
    page.goto("/dataset/")
    screenshot(page, "search-vi")
    expect(results(page)).to_have_count(2)
    expected_items = {
        "Phân loại chia sẻ": "Dữ liệu mở",
        # In full: cut short, every provincial committee reads the same.
        "Cơ quan": "Ủy ban nhân dân Thành phố Hà Nội",
        "Lĩnh vực": "Giáo dục",
        "Tỉnh, thành phố": "Thành phố Hà Nội",
        "Định dạng": "CSV",
        "Giấy phép": "Creative Commons Ghi công 4.0",
    }
    for title, label in expected_items.items():
        expect(facet_item(page, title, label), f"{title}: {label}").to_have_count(1)
    expect(facet_item(page, "Tỉnh, thành phố", "Thành phố Hồ Chí Minh")).to_have_count(1)
    expect(facet_item(page, "Cơ quan", "Ủy ban nhân dân Thành phố Hồ Chí Minh")).to_have_count(1)
    expect(facet_item(page, "Giấy phép", "Creative Commons CC0 1.0 (từ bỏ quyền)")).to_have_count(1)
    # Labels, never the codes behind them.
    expect(facet(page, "Tỉnh, thành phố")).not_to_contain_text("79")
    expect(facet(page, "Lĩnh vực")).not_to_contain_text("education")

    facet_item(page, "Tỉnh, thành phố", "Thành phố Hà Nội").locator("a").click()
    expect(page).to_have_url(re.compile(r"[?&]provinces=01\b"))
    expect(results(page)).to_have_text([SCHOOLS])
    expect(facet_item(page, "Tỉnh, thành phố", "Thành phố Hà Nội")).to_have_class(
        "nav-item  active"
    )
    screenshot(page, "search-vi-province")


def test_a_search_without_diacritics_finds_vietnamese_titles(page: Page, catalogue):
    page.goto("/dataset/")
    page.fill("#field-giant-search", "ha noi")
    with page.expect_navigation():
        page.locator("#field-giant-search").press("Enter")
    screenshot(page, "search-vi-ha-noi")
    expect(results(page)).to_have_text([SCHOOLS])


def test_an_anonymous_visitor_never_sees_data_that_is_not_open(page: Page, catalogue):
    for hidden in ("staff", "permits"):
        response = page.goto(f"/dataset/{catalogue[hidden]['name']}")
        assert response is not None and response.status == 404, hidden

    page.goto("/dataset/")
    expect(page.locator("body")).not_to_contain_text(STAFF)
    expect(page.locator("body")).not_to_contain_text(PERMITS)
    sharing = facet(page, "Phân loại chia sẻ")
    expect(sharing.locator(".item-label")).to_have_text(["Dữ liệu mở"])
    expect(facet_item(page, "Phân loại chia sẻ", "Dữ liệu mở").locator(".item-count")).to_have_text(
        "2"
    )
    # Three datasets are in Hà Nội, but only one of them is open.
    expect(
        facet_item(page, "Tỉnh, thành phố", "Thành phố Hà Nội").locator(".item-count")
    ).to_have_text("1")
    expect(facet(page, "Lĩnh vực")).not_to_contain_text("Hành chính nhà nước")
