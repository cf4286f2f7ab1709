"""An agency officer publishes a dataset through the web form, in a real
browser: the URL preview, the searchable code-list selects, errors next to
the field in the page language, nothing typed lost, and the dataset page
that results."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from vn_browser import choose, field_error, log_in, open_section_of, screenshot, select_widget

from ckanext.vnopendata import codelists, slug

TITLE_VI = "Bộ dữ liệu thống kê số 0"
TITLE_EN = "Statistics dataset number 0"
NOTES_VI = "Số liệu thống kê dân số Hà Nội, cập nhật hằng năm."
NOTES_EN = "Population statistics of Ha Noi, updated yearly."


def open_form(page: Page, url: str) -> None:
    page.goto(url)
    # CKAN starts its JavaScript modules only once its translations have
    # loaded; the URL preview is drawn by one of them.
    expect(page.locator(".slug-preview")).to_be_visible()


def fill_general_information(page: Page) -> None:
    # Typed key by key, as a user does: the URL preview follows keystrokes.
    page.locator("#field-title_translated-vi").press_sequentially(TITLE_VI)
    page.fill("#field-title_translated-en", TITLE_EN)
    page.fill("#field-notes_translated-vi", NOTES_VI)
    page.fill("#field-notes_translated-en", NOTES_EN)
    page.fill("#field-contact_name", "Nguyễn Văn An")
    page.fill("#field-contact_email", "an.nv@hanoi.gov.vn")


def fill_classification(page: Page, sharing_class: str, search: str) -> None:
    choose(page, "sharing_class", search, sharing_class)
    choose(page, "importance", "khac", "Dữ liệu khác")
    choose(page, "personal_data", "khong", "Không chứa dữ liệu cá nhân")
    choose(page, "sector", "y te", "Y tế")
    # Typed without diacritics, as many officers do on a keyboard without
    # a Vietnamese input method.
    open_section_of(page, "provinces")
    choose(page, "provinces", "ha noi", "01 - Thành phố Hà Nội")
    page.fill("#field-issued", "15/01/2025")
    page.check("#field-no_state_secret")


def test_an_editor_publishes_an_open_dataset_in_vietnamese(page: Page, editor: dict[str, Any]):
    log_in(page, editor)
    open_form(page, "/dataset/new")

    fill_general_information(page)
    expect(page.locator(".slug-preview-value")).to_have_text("bo-du-lieu-thong-ke-so-0")
    expect(page.locator("#field-name")).to_have_value("bo-du-lieu-thong-ke-so-0")

    fill_classification(page, "Dữ liệu mở", "mo")
    open_section_of(page, "legal_basis_number")
    page.fill("#field-legal_basis_number", "60/2024/QH15")
    page.fill("#field-legal_basis_article", "Điều 21")
    open_section_of(page, "next_review_date")
    page.fill("#field-next_review_date", "01/09/2025")
    open_section_of(page, "license_id")
    choose(page, "license_id", "ghi cong 4", "Creative Commons Ghi công 4.0")
    screenshot(page, "form-vi-filled")
    with page.expect_navigation():
        page.locator("#dataset-edit button.btn-primary[name=save]").click()

    assert "/dataset/bo-du-lieu-thong-ke-so-0/resource/new" in page.url, page.url
    screenshot(page, "resource-form-vi")
    page.get_by_role("button", name="Liên kết").click()
    page.fill("#field-resource-url", "https://dulieu.hanoi.gov.vn/dan-so.csv")
    page.fill("#field-name", "Dân số theo quận, huyện")
    choose(page, "format", "CSV", "CSV")
    with page.expect_navigation():
        page.locator("#resource-edit button[name=save][value=go-metadata]").click()

    assert page.url.endswith("/dataset/bo-du-lieu-thong-ke-so-0"), page.url
    screenshot(page, "dataset-page-vi")
    expect(page.locator("h1")).to_contain_text(TITLE_VI)
    expect(page.locator(".vn-dataset-facts .vn-sharing-open")).to_have_text("Dữ liệu mở")
    facts = page.locator(".vn-facts")
    expect(facts).to_contain_text("Ủy ban nhân dân Thành phố Hà Nội")
    expect(facts).to_contain_text("Thành phố Hà Nội")
    expect(facts).to_contain_text("Y tế")
    expect(facts).to_contain_text("60/2024/QH15, Điều 21")
    expect(facts).to_contain_text("Ngày rà soát kế tiếp")
    expect(facts).to_contain_text("2025")
    expect(page.locator(".resource-item")).to_contain_text("Dân số theo quận, huyện")
    # The other facts, without rows for the fields left empty.
    details = page.locator("table th.dataset-label")
    expect(details.filter(has_text="Đầu mối liên hệ - họ tên")).to_have_count(1)
    expect(details.filter(has_text="Lớp dữ liệu")).to_have_count(0)
    assert page.js_errors == []


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda name: slug.fold(name).lower(), id="without-diacritics"),
        # Text pasted from office documents or typed with some input methods
        # arrives decomposed: base letter, then combining marks.
        pytest.param(lambda name: unicodedata.normalize("NFD", name), id="decomposed"),
    ],
)
def test_every_province_is_found_however_its_name_is_typed(
    page: Page, editor: dict[str, Any], typed: Callable[[str], str]
):
    log_in(page, editor)
    open_form(page, "/dataset/new")
    open_section_of(page, "provinces")
    select_widget(page, "provinces").click()
    search_box = page.locator(".select2-container--open .select2-search__field")
    options = page.locator(".select2-container--open .select2-results__option--selectable")
    for province in codelists.get("provinces").items:
        name = province.text("vi")
        search_box.fill(typed(name))
        expect(options, f"searching {typed(name)!r}").to_contain_text([f"{province.code} - {name}"])


def expect_nothing_typed_is_lost(page: Page, sharing_class: str) -> None:
    expect(page.locator("#field-title_translated-vi")).to_have_value(TITLE_VI)
    expect(page.locator("#field-title_translated-en")).to_have_value(TITLE_EN)
    expect(page.locator("#field-notes_translated-vi")).to_have_value(NOTES_VI)
    expect(page.locator("#field-notes_translated-en")).to_have_value(NOTES_EN)
    expect(page.locator("#field-name")).to_have_value("bo-du-lieu-thong-ke-so-0")
    expect(page.locator("#field-contact_name")).to_have_value("Nguyễn Văn An")
    expect(page.locator("#field-issued")).to_have_value("15/01/2025")
    # What the user sees in the searchable selects, not only the values
    # hidden behind them.
    expect(select_widget(page, "sharing_class")).to_contain_text(sharing_class)
    expect(select_widget(page, "provinces")).to_contain_text("01 - Thành phố Hà Nội")
    expect(select_widget(page, "sector")).to_contain_text("Y tế")


def submit_dataset_form(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#dataset-edit button.btn-primary[name=save]").click()


@pytest.mark.parametrize(
    ("sharing_class", "search", "field", "message"),
    [
        ("Dữ liệu mở", "mo", "license_id", "Dữ liệu mở phải có giấy phép hoặc điều khoản sử dụng"),
        (
            "Dữ liệu dùng chung",
            "dung chung",
            "exploitation_regulation_number",
            "Dữ liệu dùng chung phải có quy chế khai thác, sử dụng dữ liệu",
        ),
    ],
    ids=["open-without-licence", "inter-agency-without-regulation"],
)
def test_a_broken_rule_is_shown_next_to_its_field_and_nothing_typed_is_lost(
    page: Page, editor: dict[str, Any], sharing_class: str, search: str, field: str, message: str
):
    log_in(page, editor)
    open_form(page, "/dataset/new")
    fill_general_information(page)
    fill_classification(page, sharing_class, search)
    open_section_of(page, "legal_basis_number")
    page.fill("#field-legal_basis_number", "60/2024/QH15")
    submit_dataset_form(page)

    screenshot(page, f"form-vi-error-{field}")
    expect(field_error(page, field)).to_contain_text(message)
    expect(page.locator(".error-explanation")).to_contain_text(message)
    expect_nothing_typed_is_lost(page, sharing_class)
    assert page.js_errors == []


def test_the_form_in_english_has_english_labels_and_errors(page: Page, editor: dict[str, Any]):
    log_in(page, editor)
    open_form(page, "/en/dataset/new")
    expect(page.locator("label[for=field-title_translated-vi]")).to_contain_text(
        "Title (Vietnamese)"
    )
    expect(page.locator("label[for=field-sharing_class]")).to_contain_text("Sharing class")
    expect(page.locator("label[for=field-provinces]")).to_contain_text("Provinces")
    expect(page.locator("h2.vn-form-section").first).to_have_text("Required information")
    expect(page.locator("details.vn-form-optional > summary").first).to_contain_text(
        "General information"
    )

    fill_general_information(page)
    choose(page, "sharing_class", "inter", "Inter-agency (shared-use) data")
    choose(page, "importance", "other", "Other data")
    choose(page, "personal_data", "no personal", "No personal data")
    choose(page, "sector", "health", "Health")
    open_section_of(page, "provinces")
    choose(page, "provinces", "ha noi", "01 - Ha Noi City")
    page.fill("#field-issued", "15/01/2025")
    submit_dataset_form(page)

    screenshot(page, "form-en-errors")
    assert "/en/" in page.url, page.url
    expect(field_error(page, "legal_basis_number")).to_contain_text(
        "A legal basis is required for data that is not open data"
    )
    expect(field_error(page, "exploitation_regulation_number")).to_contain_text(
        "Inter-agency (shared-use) data needs its data exploitation regulation"
    )
    expect(select_widget(page, "provinces")).to_contain_text("01 - Ha Noi City")
    expect(page.locator("#field-title_translated-vi")).to_have_value(TITLE_VI)
    assert page.js_errors == []
