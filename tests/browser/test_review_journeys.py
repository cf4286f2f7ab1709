"""Journeys 1 and 2 of issue 12 in a real browser, with the portal's
default review step (`ckanext.vnopendata.review.required`):

1. An agency editor fills the dataset form in Vietnamese (bilingual title,
   code-list fields with search, provinces), meets the error for a missing
   legal basis without losing anything typed, fixes it, uploads a CSV and
   submits the dataset for review.
2. The agency admin finds it in the review queue and returns it with a
   reason; the editor reads the reason, fixes the dataset and submits it
   again; the admin approves it.

Screenshots: j1-*.png and j2-*.png in the folder printed at the start.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from playwright.sync_api import Browser, Page, expect
from vn_browser import (
    PASSWORD,
    SCREENSHOTS,
    choose,
    closed_network,
    field_error,
    log_in,
    open_section_of,
    screenshot,
    select_widget,
)

pytestmark = pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")

TITLE = "Hồ sơ cấp phép xây dựng Hà Nội"
NAME = "ho-so-cap-phep-xay-dung-ha-noi"
CSV = b"so_giay_phep,phuong\nGP-001,Hoan Kiem\n"


@pytest.fixture(autouse=True, scope="module")
def _tell_where_screenshots_go() -> None:
    print(f"\nscreenshots: {SCREENSHOTS}")


@pytest.fixture
def agency_admin(agency: dict[str, Any]) -> dict[str, Any]:
    user = factories.User(name="truong-phong", fullname="Phạm Văn Cường", password=PASSWORD)
    helpers.call_action(
        "organization_member_create", id=agency["id"], username=user["name"], role="admin"
    )
    return user


def save_form(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#dataset-edit button.btn-primary[name=save]").click()


def review_state(page: Page):
    return page.locator(".vn-review-panel .badge.vn-review")


def journey_1(page: Page) -> None:
    page.goto("/dataset/new")
    expect(page.locator(".slug-preview")).to_be_visible()
    page.locator("#field-title_translated-vi").press_sequentially(TITLE)
    page.fill("#field-title_translated-en", "Ha Noi construction permits")
    page.fill("#field-notes_translated-vi", "Hồ sơ cấp phép xây dựng theo phường.")
    page.fill("#field-contact_name", "Trần Thị Bình")
    page.fill("#field-contact_email", "binh.tt@hanoi.gov.vn")
    choose(page, "sharing_class", "dung rieng", "Dữ liệu dùng riêng")
    choose(page, "importance", "khac", "Dữ liệu khác")
    choose(page, "personal_data", "khong", "Không chứa dữ liệu cá nhân")
    choose(page, "sector", "ha tang", "Cơ sở hạ tầng")
    open_section_of(page, "provinces")
    choose(page, "provinces", "ha noi", "01 - Thành phố Hà Nội")
    page.fill("#field-issued", "15/01/2025")
    page.check("#field-no_state_secret")
    screenshot(page, "j1-01-form-filled")
    save_form(page)

    screenshot(page, "j1-02-missing-legal-basis")
    message = "Dữ liệu không phải dữ liệu mở phải có căn cứ pháp lý"
    expect(field_error(page, "legal_basis_number")).to_contain_text(message)
    expect(page.locator("#vn-error-summary")).to_be_focused()
    expect(page.locator("#field-title_translated-vi")).to_have_value(TITLE)
    expect(page.locator("#field-issued")).to_have_value("15/01/2025")
    expect(select_widget(page, "provinces")).to_contain_text("01 - Thành phố Hà Nội")
    expect(select_widget(page, "sharing_class")).to_contain_text("Dữ liệu dùng riêng")
    # The error summary leads to the field.
    page.locator("#vn-error-summary a", has_text=message).click()
    expect(page.locator("#field-legal_basis_number")).to_be_focused()
    page.fill("#field-legal_basis_number", "60/2024/QH15")
    page.fill("#field-legal_basis_article", "Điều 21")
    save_form(page)

    assert f"/dataset/{NAME}/resource/new" in page.url, page.url
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Tải lên").click()
    chooser.value.set_files(
        files=[{"name": "giay-phep.csv", "mimeType": "text/csv", "buffer": CSV}],
    )
    expect(page.locator("#field-resource-upload")).to_be_visible()
    page.fill("#field-name", "Giấy phép xây dựng (CSV)")
    screenshot(page, "j1-03-resource-upload")
    with page.expect_navigation():
        page.locator("#resource-edit button[name=save][value=go-metadata]").click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator(".resource-item")).to_contain_text("Giấy phép xây dựng (CSV)")
    expect(review_state(page)).to_have_text("Bản nháp")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phê duyệt").click()
    expect(review_state(page)).to_have_text("Chờ phê duyệt")
    screenshot(page, "j1-04-submitted")


def test_journey_1_an_editor_fills_the_form_uploads_and_submits(
    page: Page, editor: dict[str, Any], agency_admin: dict[str, Any]
):
    log_in(page, editor)
    journey_1(page)
    dataset = helpers.call_action("package_show", id=NAME)
    assert dataset["review_state"] == "submitted"
    assert dataset["resources"][0]["url_type"] == "upload"
    assert page.js_errors == []


def test_journey_2_the_admin_returns_then_approves(
    browser: Browser, live_server: str, page: Page, editor, agency_admin
):
    log_in(page, editor)
    journey_1(page)

    admin_context = browser.new_context(base_url=live_server, locale="vi-VN")
    closed_network(admin_context)
    admin = admin_context.new_page()
    try:
        log_in(admin, agency_admin)
        admin.goto("/dashboard/review")
        screenshot(admin, "j2-01-queue")
        admin.get_by_role("link", name=TITLE).click()
        expect(admin).to_have_url(re.compile(f"/dataset/{NAME}$"))
        admin.fill("#vn-return-reason", "Căn cứ pháp lý ghi sai điều: phải là Điều 18.")
        with admin.expect_navigation():
            admin.get_by_role("button", name="Trả lại để chỉnh sửa").click()
        expect(review_state(admin)).to_have_text("Bị trả lại để chỉnh sửa")
        screenshot(admin, "j2-02-returned")

        page.goto(f"/dataset/{NAME}")
        expect(page.locator(".vn-return-reason")).to_have_text(
            "Căn cứ pháp lý ghi sai điều: phải là Điều 18."
        )
        page.goto(f"/dataset/edit/{NAME}")
        open_section_of(page, "legal_basis_article")
        page.fill("#field-legal_basis_article", "Điều 18")
        save_form(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Gửi phê duyệt").click()
        expect(review_state(page)).to_have_text("Chờ phê duyệt")
        screenshot(page, "j2-03-resubmitted")

        admin.goto("/dashboard/review")
        admin.get_by_role("link", name=TITLE).click()
        with admin.expect_navigation():
            admin.get_by_role("button", name="Phê duyệt").click()
        expect(review_state(admin)).to_have_text("Đã công bố")
        screenshot(admin, "j2-04-approved")
    finally:
        admin_context.close()
    dataset = helpers.call_action("package_show", id=NAME)
    assert dataset["review_state"] == "published"
    assert dataset["legal_basis_article"] == "Điều 18"
