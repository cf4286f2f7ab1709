"""An agency's page: its datasets by class, its place in the hierarchy, its
contacts, and for its own members the datasets past their review date."""

from __future__ import annotations

import html

import ckan.tests.helpers as helpers
import pytest
from vn_portal_data import dataset


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def panel(page: str) -> str:
    return page.split('class="module vn-agency-panel"')[1].split("</section>")[0]


def test_a_visitor_sees_classes_hierarchy_and_contacts(app, catalogue):
    page = panel(text(app.get("/organization/bo-y-te")))
    assert "Dữ liệu mở: 3" in page
    assert "Dữ liệu dùng chung" not in page and "Dữ liệu dùng riêng" not in page
    assert "Cục Quản lý Khám, chữa bệnh" in page  # a department
    assert "Lê Thị Hoa" in page and "mailto:hoa.lt@moh.gov.vn" in page
    assert "Phạm Văn Minh" in page and "mailto:dpo@moh.gov.vn" in page
    # What needs review is for the agency's members only.
    assert "rà soát" not in page.lower()
    department = panel(text(app.get("/organization/cuc-quan-ly-kham-chua-benh")))
    assert 'href="/organization/bo-y-te"' in department


def test_the_english_page_names_the_agencies_in_english(app, catalogue):
    page = panel(text(app.get("/en/organization/bo-y-te")))
    assert "Ministry of Health" in page
    assert "Medical Services Administration" in page
    assert "Open data: 3" in page


def test_a_member_sees_every_class_and_the_datasets_past_their_review_date(
    editor_client, catalogue
):
    page = panel(text(editor_client.get("/organization/bo-y-te")))
    assert "Dữ liệu dùng chung: 1" in page and "Dữ liệu dùng riêng: 1" in page
    overdue = page.split('class="vn-overdue"')[1]
    # Oldest review date first, in dd/mm/yyyy.
    assert overdue.index("Hồ sơ bệnh án") < overdue.index("Tỷ lệ tiêm chủng")
    assert "30/06/2025" in overdue and "30/12/2025" in overdue
    assert "Danh sách bệnh viện" not in overdue


@pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")
def test_a_member_sees_the_datasets_waiting_for_review_and_a_visitor_does_not(
    app, editor_client, catalogue
):
    # Last in the module: it adds a dataset to the shared catalogue.
    editor = catalogue["editor"]["name"]
    helpers.call_action(
        "package_create",
        context={"user": editor},
        **dataset(
            catalogue["ministry"]["id"],
            "thuoc-thiet-yeu",
            "Danh mục thuốc thiết yếu",
            sector="health",
            private=True,
        ),
    )
    helpers.call_action("vnopendata_dataset_submit", context={"user": editor}, id="thuoc-thiet-yeu")

    page = panel(text(editor_client.get("/organization/bo-y-te")))
    waiting = page.split("Chờ phê duyệt")[1]
    assert "Danh mục thuốc thiết yếu" in waiting
    assert "Danh sách bệnh viện" not in waiting
    editor_client.get("/user/_logout")
    assert "Danh mục thuốc thiết yếu" not in text(app.get("/organization/bo-y-te"))
