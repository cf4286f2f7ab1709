"""Journey 4 of issue 12 in a real browser, with a screenshot of every step:
an official of another agency finds two restricted datasets whose
descriptions are visible, asks for both; the owning agency's admin refuses
one with its legal basis and approves the other until tomorrow; the
official downloads the data; once the server's clock has passed the expiry,
the same download is refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from freezegun import freeze_time
from playwright.sync_api import Page, expect
from vn_browser import PASSWORD, SCREENSHOTS, dataset_fields, log_in, screenshot

from ckanext.vnopendata.sharing import deadlines

PERMITS = "Giấy phép xây dựng Hà Nội"
INSPECTIONS = "Biên bản thanh tra xây dựng Hà Nội"
CSV_CONTENT = "so_giay_phep,phuong_xa\nGP-001,Phường Hoàn Kiếm\n"
# The server runs in this process (conftest.live_server): freezegun moves
# its clock. Playwright's event loop keeps the real one.
REAL_CLOCK = ["asyncio", "playwright", "greenlet"]


@pytest.fixture(autouse=True, scope="module")
def _tell_where_screenshots_go() -> None:
    print(f"\nscreenshots: {SCREENSHOTS}")


@pytest.fixture
def world(agency: dict[str, Any], create_with_upload) -> dict[str, Any]:
    """The owning agency (Hà Nội) with an admin and two restricted datasets
    whose descriptions other agencies may read, and the official of another
    agency (the Ministry of Construction)."""
    sysadmin = factories.Sysadmin()
    admin = factories.User(
        name="truong-phong-du-lieu", fullname="Phạm Văn Cường", password=PASSWORD
    )
    helpers.call_action(
        "organization_member_create", id=agency["id"], username=admin["name"], role="admin"
    )
    ministry = factories.Organization(
        name="bo-xay-dung",
        title_translated={"vi": "Bộ Xây dựng", "en": "Ministry of Construction"},
        agency_code="000.00.00.G11",
        agency_type="ministry",
        agency_level="central",
        image_url="",
    )
    official = factories.User(name="chuyen-vien-bxd", fullname="Lê Thị Dung", password=PASSWORD)
    helpers.call_action(
        "organization_member_create", id=ministry["id"], username=official["name"], role="member"
    )

    def restricted(name: str, title: str) -> dict[str, Any]:
        dataset = helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            **dataset_fields(
                agency["id"],
                name,
                title,
                sharing_class="restricted",
                metadata_visible=True,
                private=True,
                sector="infrastructure",
                legal_basis_number="15/2021/NĐ-CP",
                legal_basis_article="Điều 41",
                resources=[],
            ),
        )
        create_with_upload(
            CSV_CONTENT,
            f"{name}.csv",
            package_id=dataset["id"],
            name="Danh sách (CSV)",
            format="CSV",
            url=f"{name}.csv",
            context={"user": sysadmin["name"]},
        )
        return dataset

    return {
        "agency": agency,
        "admin": admin,
        "official": official,
        "permits": restricted("giay-phep-xay-dung-ha-noi", PERMITS),
        "inspections": restricted("bien-ban-thanh-tra-xay-dung", INSPECTIONS),
    }


def log_out(page: Page) -> None:
    page.goto("/user/_logout")


def ask(page: Page, query: str, title: str, purpose: str) -> str:
    """Search for the dataset, open it, and send the request form; returns
    the request page's URL."""
    page.goto(f"/dataset/?q={query}")
    page.locator(".dataset-list .dataset-heading > a", has_text=title).click()
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator(".vn-metadata-only")).to_be_visible()
    # The description is there, the data is not.
    expect(page.locator(".resource-item")).to_have_count(0)
    page.locator(".vn-access-offer a", has_text="Yêu cầu truy cập").click()
    expect(page.locator("#field-package_id")).not_to_have_value("")
    page.fill("#field-purpose", purpose)
    page.fill("#field-legal_basis", "Luật Xây dựng 50/2014/QH13, Điều 102")
    page.fill("#field-items", "Danh sách (CSV)")
    page.fill("#field-duration_days", "30")
    page.fill("#field-contact", "0243 976 0000, dung.lt@moc.gov.vn")
    with page.expect_navigation():
        page.locator(".vn-access-request-form button[type=submit]").click()
    expect(page.locator(".flash-messages, .alert-success").first).to_contain_text(
        "Yêu cầu của bạn đã được gửi"
    )
    return page.url


def test_journey_4_an_official_asks_is_refused_once_granted_once_until_expiry(
    page: Page, world: dict[str, Any]
):
    official, admin = world["official"], world["admin"]

    # 1. The official finds both datasets by their descriptions and asks.
    log_in(page, official)
    inspections_request = ask(page, "thanh tra", INSPECTIONS, "Đối chiếu kết quả thanh tra")
    screenshot(page, "j4-01-request-sent")
    permits_request = ask(
        page, "giay phep xay dung", PERMITS, "Thống kê giấy phép xây dựng toàn quốc"
    )
    expect(page.locator("body")).to_contain_text("Hạn trả lời")
    screenshot(page, "j4-02-second-request-sent")
    log_out(page)

    # 2. The admin sees both in the agency's queue ...
    log_in(page, admin)
    page.goto(f"/organization/{world['agency']['name']}/access-requests")
    expect(page.locator("main, #content").first).to_contain_text(INSPECTIONS)
    expect(page.locator("main, #content").first).to_contain_text(PERMITS)
    screenshot(page, "j4-03-agency-queue")

    # ... refuses the inspections request: without a legal basis the form
    # says so and keeps the reason; with one, the refusal is recorded.
    page.goto(inspections_request)
    page.fill("#field-reason", "Biên bản đang trong quá trình xử lý vi phạm")
    with page.expect_navigation():
        page.locator(".vn-refuse-form button[type=submit]").click()
    expect(page.locator("#field-reason")).to_have_value(
        "Biên bản đang trong quá trình xử lý vi phạm"
    )
    expect(page.locator(".vn-refuse-form .error-block").first).to_be_visible()
    screenshot(page, "j4-04-refusal-needs-legal-basis")
    page.fill("#field-legal_basis_number", "13/2023/NĐ-CP")
    page.fill("#field-legal_basis_article", "Điều 2 khoản 4")
    page.fill("#field-complaint_route", "Thanh tra Thành phố Hà Nội")
    with page.expect_navigation():
        page.locator(".vn-refuse-form button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("13/2023/NĐ-CP")
    screenshot(page, "j4-05-refused")

    # ... and approves the permits request until tomorrow.
    tomorrow = deadlines.vietnam_today() + datetime.timedelta(days=1)
    page.goto(permits_request)
    page.fill("#field-expires", tomorrow.isoformat())
    page.fill("#field-conditions", "Chỉ dùng cho báo cáo thống kê")
    with page.expect_navigation():
        page.locator(".vn-approve-form button[type=submit]").click()
    screenshot(page, "j4-06-approved")
    log_out(page)

    # 3. The official reads the refusal in full and downloads the data.
    log_in(page, official)
    page.goto(inspections_request)
    expect(page.locator("body")).to_contain_text("Biên bản đang trong quá trình xử lý vi phạm")
    expect(page.locator("body")).to_contain_text("Điều 2 khoản 4")
    expect(page.locator("body")).to_contain_text("Thanh tra Thành phố Hà Nội")
    screenshot(page, "j4-07-refusal-seen-by-official")
    page.goto(f"/dataset/{world['permits']['name']}")
    expect(page.locator(".vn-metadata-only")).to_have_count(0)
    page.locator(".resource-item a.heading").first.click()
    download_link = page.locator("a.resource-url-analytics").first
    download_url = download_link.get_attribute("href")
    screenshot(page, "j4-08-granted-resource")
    with page.expect_download() as download_info:
        download_link.click()
    with open(download_info.value.path(), encoding="utf-8") as downloaded:
        assert downloaded.read() == CSV_CONTENT
    # The refused dataset stays a description.
    page.goto(f"/dataset/{world['inspections']['name']}")
    expect(page.locator(".vn-metadata-only")).to_be_visible()

    # 4. The server's clock passes the end of the last day of access: the
    # same download, by the same logged-in official, is refused.
    after_expiry = deadlines.end_of_day_utc(tomorrow) + datetime.timedelta(minutes=1)
    with freeze_time(after_expiry, tick=True, ignore=REAL_CLOCK):
        page.goto(f"/dataset/{world['permits']['name']}")
        # Still logged in: the refusal comes from the expired grant.
        expect(page.locator(".account .username")).to_have_text("Lê Thị Dung")
        expect(page.locator(".vn-metadata-only")).to_be_visible()
        expect(page.locator(".resource-item")).to_have_count(0)
        screenshot(page, "j4-09-after-expiry")
        response = page.request.get(download_url)
        assert response.status in (403, 404)
        assert CSV_CONTENT not in response.text()
    assert page.js_errors == []
