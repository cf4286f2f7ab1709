"""The dataset and agency forms: what a user posts from the browser, with
a cookie session and CSRF token, comes back with errors next to the fields
in the page language, and nothing typed is lost."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest
from vn_schema_data import (
    INVALID_FIELDS,
    LANGUAGES,
    csrf_token,
    page_text,
    post_agency,
    post_dataset,
    valid_dataset,
)

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_a_valid_form_creates_the_dataset(logged_in, agency):
    response = post_dataset(logged_in, valid_dataset(agency["id"], private="False"))
    assert response.status_code == 302, page_text(response)[:2000]
    assert "/resource/new" in response.headers["Location"]
    package = model.Package.by_name("so-ca-benh-truyen-nhiem")
    assert package.title == "Số ca bệnh truyền nhiễm theo tỉnh"
    assert package.extras["provinces"] == '["01", "79"]'
    assert package.extras["title_translated"] == (
        '{"vi": "Số ca bệnh truyền nhiễm theo tỉnh", "en": "Infectious disease cases by province"}'
    )
    assert package.private is False


def test_a_form_without_url_name_gets_one_from_the_vietnamese_title(logged_in, agency):
    data = valid_dataset(agency["id"], name="", title_translated={"vi": "Bộ dữ liệu thống kê số 0"})
    response = post_dataset(logged_in, data)
    assert response.status_code == 302
    assert model.Package.by_name("bo-du-lieu-thong-ke-so-0") is not None


def _postable(field: str, value: Any) -> bool:
    # A browser can only post per-language inputs for bilingual fields.
    if field.endswith("_translated"):
        return isinstance(value, dict) and set(value) <= set(LANGUAGES)
    return True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [case for case in INVALID_FIELDS if _postable(case[0], case[1])],
)
def test_an_invalid_form_field_is_shown_with_its_message(logged_in, agency, field, value, message):
    response = post_dataset(logged_in, valid_dataset(agency["id"], **{field: value}))
    assert response.status_code == 200
    page = page_text(response)
    assert "Biểu mẫu có những mục không hợp lệ" in page or "error-explanation" in page
    if message:
        assert message in page
    assert model.Package.by_name("so-ca-benh-truyen-nhiem") is None
    # What was typed is still in the form.
    kept = "an.nv@moh.gov.vn" if field == "contact_name" else "Nguyễn Văn An"
    assert f'value="{kept}"' in page


RULES = [
    # (overrides breaking the rule, message, overrides meeting it)
    (
        {"sharing_class": "restricted", "legal_basis_number": ""},
        "Dữ liệu không phải dữ liệu mở phải có căn cứ pháp lý",
        {"sharing_class": "open", "legal_basis_number": ""},
    ),
    (
        {"license_id": ""},
        "Dữ liệu mở phải có giấy phép hoặc điều khoản sử dụng",
        {"license_id": "", "sharing_class": "restricted"},
    ),
    (
        {"sharing_class": "inter_agency", "exploitation_regulation_number": ""},
        "Dữ liệu dùng chung phải có quy chế khai thác, sử dụng dữ liệu",
        {"sharing_class": "inter_agency"},
    ),
    (
        {"personal_data": "sensitive", "personal_data_categories": ["health"]},
        "Dữ liệu chứa dữ liệu cá nhân chỉ được phân loại là dữ liệu mở khi đã khử nhận dạng"
        " hoặc có sự đồng ý của chủ thể dữ liệu",
        {
            "personal_data": "sensitive",
            "personal_data_categories": ["health"],
            "personal_data_safeguards": ["deidentified"],
        },
    ),
    (
        {
            "importance": "core",
            "importance_reference": "Mục 3",
            "risk_assessment_date": "2025-06-01",
            "legal_basis_article": "",
        },
        "Dữ liệu cốt lõi, dữ liệu quan trọng chỉ được phân loại là dữ liệu mở khi có căn cứ"
        " pháp lý cho việc mở",
        {
            "importance": "core",
            "importance_reference": "Mục 3",
            "risk_assessment_date": "2025-06-01",
        },
    ),
    (
        {"modified": "2025-01-01"},
        "Ngày cập nhật không được trước ngày công bố",
        {"modified": "2025-01-15"},
    ),
    (
        {"next_review_date": "2025-02-01"},
        "Ngày rà soát kế tiếp không được trước ngày công bố hoặc ngày cập nhật",
        {"next_review_date": "2026-03-01"},
    ),
    (
        {"temporal_end": "2023-12-31"},
        "Phạm vi thời gian: ngày kết thúc không được trước ngày bắt đầu",
        {"temporal_end": "2024-01-01"},
    ),
]


@pytest.mark.parametrize(("broken", "message", "met"), RULES)
def test_a_cross_field_rule_through_the_form(logged_in, agency, broken, message, met):
    refused = post_dataset(logged_in, valid_dataset(agency["id"], **broken))
    assert refused.status_code == 200
    assert message in page_text(refused)

    accepted = post_dataset(logged_in, valid_dataset(agency["id"], **met))
    assert accepted.status_code == 302, page_text(accepted)[:3000]


def test_restricted_data_posted_as_public_is_refused(logged_in, agency):
    response = post_dataset(
        logged_in, valid_dataset(agency["id"], sharing_class="restricted", private="False")
    )
    assert response.status_code == 200
    assert "Chỉ dữ liệu mở đã được công bố mới được công khai" in response.get_data(as_text=True)
    assert model.Package.by_name("so-ca-benh-truyen-nhiem") is None


def test_errors_come_in_english_on_the_english_form(logged_in, agency):
    response = post_dataset(
        logged_in, valid_dataset(agency["id"], sector="sports", license_id=""), lang_prefix="/en"
    )
    page = page_text(response)
    assert 'Sector: "sports" is not an allowed value. Allowed values: agriculture' in page
    assert "Open data needs a licence or terms of use" in page


def test_a_resource_form_checks_its_fields(logged_in, agency):
    post_dataset(logged_in, valid_dataset(agency["id"]))
    url = "/dataset/so-ca-benh-truyen-nhiem/resource/new"
    form = logged_in.get(url)
    fields = {
        "_csrf_token": csrf_token(form.get_data(as_text=True)),
        "url": "https://api.moh.gov.vn/ca-benh",
        "name": "API",
        "format": "JSON",
        "api_endpoint": "https://api.moh.gov.vn/ca-benh",
        "platform": "zalo",
        "auth_method": "bearer_token",
        "save": "go-metadata",
        "id": "",
    }
    refused = logged_in.post(url, data=fields, follow_redirects=False)
    assert refused.status_code == 200
    assert '"zalo" không phải giá trị hợp lệ' in page_text(refused)

    fields.update(platform="ndop", _csrf_token=csrf_token(refused.get_data(as_text=True)))
    accepted = logged_in.post(url, data=fields, follow_redirects=False)
    assert accepted.status_code == 302
    package = model.Package.by_name("so-ca-benh-truyen-nhiem")
    assert package.resources[0].extras["platform"] == "ndop"


AGENCY = {
    "title_translated": {"vi": "Sở Y tế Hà Nội", "en": "Ha Noi Department of Health"},
    "name": "",
    "agency_code": "000.00.12.H26",
    "agency_type": "department",
    "agency_level": "province",
    "province": "01",
    "focal_officer_name": "Đỗ Thu Hà",
    "focal_officer_email": "dulieu@soyte.hanoi.gov.vn",
    "focal_officer_phone": "024 3998 5765",
    "dpo_email": "baovedulieu@soyte.hanoi.gov.vn",
    "platform_endpoint": "https://lgsp.hanoi.gov.vn/soyte",
}


def test_a_valid_agency_form_creates_the_agency_with_a_folded_name(logged_in):
    response = post_agency(logged_in, AGENCY)
    assert response.status_code == 302, page_text(response)[:2000]
    group = model.Group.by_name("so-y-te-ha-noi")
    assert group.title == "Sở Y tế Hà Nội"
    assert group.extras["agency_code"] == "000.00.12.H26"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agency_code", "BYT-01", "Quyết định 20/2020/QĐ-TTg"),
        ("agency_type", "company", '"company" không phải giá trị hợp lệ'),
        ("agency_level", "district", '"district" không phải giá trị hợp lệ'),
        ("province", "", "Cơ quan cấp tỉnh, cấp xã phải có tỉnh, thành phố"),
        ("parent_agency", "khong-ton-tai", 'Không có cơ quan "khong-ton-tai"'),
        ("focal_officer_phone", "gọi tôi", "Số điện thoại"),
        ("platform_endpoint", "lgsp", "Cung cấp địa chỉ hợp lệ"),
        ("title_translated", {"en": "Only English"}, "bắt buộc nhập nội dung tiếng Việt"),
    ],
)
def test_an_invalid_agency_form_field_is_shown_with_its_message(logged_in, field, value, message):
    response = post_agency(logged_in, {**AGENCY, field: value})
    assert response.status_code == 200
    page = page_text(response)
    assert message in page
    assert 'value="000.00.12.H26"' in page or field == "agency_code"
    assert model.Group.by_name("so-y-te-ha-noi") is None
