"""Test data shared by the schema tests (imported by name: pytest puts
this folder on sys.path)."""

from __future__ import annotations

import html
import re
from typing import Any


def valid_dataset(owner_org: str, /, **overrides: Any) -> dict[str, Any]:
    """An open dataset with every field filled in and every rule met."""
    data: dict[str, Any] = {
        "name": "so-ca-benh-truyen-nhiem",
        "title_translated": {
            "vi": "Số ca bệnh truyền nhiễm theo tỉnh",
            "en": "Infectious disease cases by province",
        },
        "notes_translated": {
            "vi": "Số ca mắc bệnh truyền nhiễm được báo cáo hằng tháng.",
            "en": "Monthly reported infectious disease cases.",
        },
        "tag_string": "y tế,dịch bệnh",
        "identifier": "000.00.00.G10.so-ca-benh",
        "language": ["vi", "en"],
        "owner_org": owner_org,
        "contact_name": "Nguyễn Văn An",
        "contact_position": "Chuyên viên",
        "contact_email": "an.nv@moh.gov.vn",
        "contact_phone": "024 6273 2273",
        "sharing_class": "open",
        "importance": "other",
        "personal_data": "none",
        "data_layer": "aggregate",
        "source_database": "health",
        "legal_basis_number": "60/2024/QH15",
        "legal_basis_article": "khoản 4 Điều 21",
        "legal_basis_url": "https://vbpl.vn/luat-du-lieu",
        "sector": "health",
        "provinces": ["01", "79"],
        "commune_code": "00004",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "frequency": "MONTHLY",
        "issued": "2025-01-15",
        "modified": "2025-03-01",
        "next_review_date": "2025-09-01",
        "license_id": "CC-BY-4.0",
        "exploitation_regulation_number": "12/2025/QĐ-BYT",
        "exploitation_regulation_url": "https://moh.gov.vn/quy-che",
        "sharing_method": ["download", "query"],
        "fee": "free",
        "catalogue_decision_number": "123/QĐ-BYT",
        "catalogue_decision_date": "2025-01-10",
        "no_state_secret": True,
        "resources": [
            {
                "url": "https://data.moh.gov.vn/ca-benh.csv",
                "name": "Số ca bệnh (CSV)",
                "format": "CSV",
                "download_url": "https://data.moh.gov.vn/ca-benh.csv",
                "platform": "direct",
                "auth_method": "none",
            },
            {
                "url": "https://api.moh.gov.vn/ca-benh",
                "name": "API số ca bệnh",
                "format": "JSON",
                "api_endpoint": "https://api.moh.gov.vn/ca-benh",
                "api_spec_url": "https://api.moh.gov.vn/openapi.json",
                "platform": "ndop",
                "service_id": "BYT_CaBenh",
                "auth_method": "bearer_token",
            },
        ],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Field by field: an invalid value is refused with a message on that field.
# (field, invalid value, words the message must contain)
INVALID_FIELDS = [
    ("title_translated", {"en": "English only"}, "bắt buộc nhập nội dung tiếng Việt"),
    ("title_translated", {"vi": "Tên", "fr": "Nom"}, 'không hỗ trợ ngôn ngữ "fr"'),
    ("title_translated", ["not", "a", "dict"], "theo từng ngôn ngữ"),
    ("notes_translated", {"en": "English only"}, "bắt buộc nhập nội dung tiếng Việt"),
    ("name", "Tên có dấu", None),
    ("language", ["xx"], '"xx" không phải giá trị hợp lệ'),
    ("owner_org", "khong-ton-tai", None),
    ("custodian_org", "khong-ton-tai", 'Không có cơ quan "khong-ton-tai"'),
    ("contact_name", "", "Giá trị bị mất"),
    ("contact_email", "not-an-email", None),
    ("contact_phone", "gọi tôi", "Số điện thoại"),
    ("sharing_class", "public", '"public" không phải giá trị hợp lệ'),
    ("importance", "secret", '"secret" không phải giá trị hợp lệ'),
    ("importance", "", "Giá trị bị mất"),
    ("personal_data", "some", '"some" không phải giá trị hợp lệ'),
    ("data_layer", "raw", '"raw" không phải giá trị hợp lệ'),
    ("source_database", "facebook", '"facebook" không phải giá trị hợp lệ'),
    ("legal_basis_number", "Luật Dữ liệu", "60/2024/QH15"),
    ("legal_basis_url", "not a url", "Cung cấp địa chỉ hợp lệ"),
    ("sector", "sports", '"sports" không phải giá trị hợp lệ'),
    ("sector", "", "Giá trị bị mất"),
    # A former province code (Hà Giang, merged into Tuyên Quang) is refused.
    ("provinces", ["02"], '"02" không phải giá trị hợp lệ'),
    ("commune_code", "123", 'Mã đơn vị hành chính cấp xã "123" phải gồm 5 chữ số'),
    ("legal_basis_article", "Điều 17 khoản 3", "theo thứ tự điểm, khoản, Điều"),
    ("legal_basis_article", "Điều 13(1)(a)", "điểm a khoản 1 Điều 13"),
    ("risk_assessment_date", "tháng trước", "Định dạng dữ liệu không đúng"),
    ("personal_data_categories", ["password"], '"password" không phải giá trị hợp lệ'),
    ("personal_data_safeguards", ["hidden"], '"hidden" không phải giá trị hợp lệ'),
    ("no_state_secret", False, "Danh mục dữ liệu không được chứa bí mật nhà nước"),
    ("temporal_start", "2024-13-45", "Định dạng dữ liệu không đúng"),
    ("temporal_end", "cuối năm", "Định dạng dữ liệu không đúng"),
    ("frequency", "HOURLY", '"HOURLY" không phải giá trị hợp lệ'),
    ("issued", "hôm qua", "Định dạng dữ liệu không đúng"),
    ("issued", "", "Giá trị bị mất"),
    ("modified", "2025-02-30", "Định dạng dữ liệu không đúng"),
    ("next_review_date", "sau", "Định dạng dữ liệu không đúng"),
    ("license_id", "GPL-3.0", '"GPL-3.0" không phải giá trị hợp lệ'),
    ("exploitation_regulation_number", "quy chế", "60/2024/QH15"),
    ("exploitation_regulation_url", "ftp//x", "Cung cấp địa chỉ hợp lệ"),
    ("sharing_method", ["email"], '"email" không phải giá trị hợp lệ'),
    ("fee", "expensive", '"expensive" không phải giá trị hợp lệ'),
    ("catalogue_decision_number", "QĐ số 5", "60/2024/QH15"),
    ("catalogue_decision_date", "5/13/2025", "Định dạng dữ liệu không đúng"),
]


CSRF_INPUT = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


# Form posts ------------------------------------------------------------------

LANGUAGES = ("vi", "en")


def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A dataset dict as the browser posts it."""
    posted: dict[str, Any] = {}
    for key, value in data.items():
        if key == "resources":
            continue
        if key.endswith("_translated") and isinstance(value, dict):
            for lang in LANGUAGES:
                posted[f"{key}-{lang}"] = value.get(lang, "")
        else:
            posted[key] = value
    return posted


def post_dataset(client, data: dict[str, Any], lang_prefix: str = ""):
    url = f"{lang_prefix}/dataset/new"
    form = client.get(url)
    fields = form_fields(data)
    fields.update(
        _csrf_token=csrf_token(form.get_data(as_text=True)),
        _ckan_phase="dataset_new_1",
        save="continue",
    )
    return client.post(url, data=fields, follow_redirects=False)


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post_agency(client, data: dict[str, Any], lang_prefix: str = ""):
    url = f"{lang_prefix}/organization/new"
    form = client.get(url)
    fields = form_fields(data)
    fields.update(_csrf_token=csrf_token(form.get_data(as_text=True)), save="")
    return client.post(url, data=fields, follow_redirects=False)
