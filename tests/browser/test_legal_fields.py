"""Fields that apply only for some answers show and hide with those answers
in a real browser: the personal-data categories and safeguards with
personal data, the list item and risk assessment with core and important
data; a hidden field posts nothing."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from test_dataset_form import fill_general_information, open_form
from vn_browser import choose, field_error, log_in


def test_personal_data_fields_follow_the_personal_data_answer(page: Page, editor: dict[str, Any]):
    log_in(page, editor)
    open_form(page, "/dataset/new")
    categories = page.locator(".vn-show-when:has(#field-personal_data_categories)")
    safeguards = page.locator(".vn-show-when:has(#field-personal_data_safeguards)")
    # Nothing chosen yet: no personal data to describe.
    expect(categories).to_be_hidden()
    expect(safeguards).to_be_hidden()

    choose(page, "personal_data", "co ban", "Dữ liệu cá nhân cơ bản")
    expect(categories).to_be_visible()
    expect(safeguards).to_be_visible()
    expect(page.locator("#field-personal_data_categories")).to_be_enabled()

    choose(page, "personal_data", "khong", "Không chứa dữ liệu cá nhân")
    expect(categories).to_be_hidden()
    expect(page.locator("#field-personal_data_categories")).to_be_disabled()
    assert page.js_errors == []


def test_core_data_asks_for_its_list_item_and_risk_assessment(page: Page, editor: dict[str, Any]):
    log_in(page, editor)
    open_form(page, "/dataset/new")
    reference = page.locator(".vn-show-when:has(#field-importance_reference)")
    assessment = page.locator(".vn-show-when:has(#field-risk_assessment_date)")
    choose(page, "importance", "khac", "Dữ liệu khác")
    expect(reference).to_be_hidden()
    expect(assessment).to_be_hidden()

    choose(page, "importance", "cot loi", "Dữ liệu cốt lõi")
    expect(reference).to_be_visible()
    expect(assessment).to_be_visible()

    # Submitted without them: the rule names them, next to the fields.
    fill_general_information(page)
    choose(page, "sharing_class", "dung rieng", "Dữ liệu dùng riêng")
    choose(page, "personal_data", "khong", "Không chứa dữ liệu cá nhân")
    choose(page, "sector", "y te", "Y tế")
    page.fill("#field-issued", "2025-01-15")
    page.check("#field-no_state_secret")
    with page.expect_navigation():
        page.locator("#dataset-edit button.btn-primary[name=save]").click()
    expect(field_error(page, "importance_reference")).to_contain_text(
        "phải ghi mục tương ứng trong danh mục"
    )
    # The fields stay shown for the importance the user had chosen.
    expect(page.locator(".vn-show-when:has(#field-risk_assessment_date)")).to_be_visible()
    assert page.js_errors == []
