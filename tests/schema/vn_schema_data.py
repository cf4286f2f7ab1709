"""Test data shared by the schema tests (imported by name: pytest puts
this folder on sys.path)."""

from __future__ import annotations

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
        "legal_basis_article": "Điều 21",
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


CSRF_INPUT = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)
