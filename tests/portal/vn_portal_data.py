"""A small catalogue for the portal-page tests (imported by name: pytest
puts this folder on sys.path)."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

PASSWORD = "correct horse battery staple"


def dataset(owner_org: str, name: str, title: str, /, **overrides: Any) -> dict[str, Any]:
    """An open dataset meeting every rule, for package_create."""
    fields: dict[str, Any] = {
        "name": name,
        "title_translated": {"vi": title, "en": f"{title} (en)"},
        "notes_translated": {"vi": f"Mô tả: {title}."},
        "owner_org": owner_org,
        "contact_name": "Nguyễn Văn An",
        "contact_email": "an.nv@hanoi.gov.vn",
        "sharing_class": "open",
        "importance": "other",
        "personal_data": "none",
        "sector": "education",
        "provinces": ["01"],
        "issued": "2025-01-15",
        "license_id": "CC-BY-4.0",
        "no_state_secret": True,
        "private": False,
        "resources": [{"url": f"https://dulieu.gov.vn/{name}.csv", "format": "CSV"}],
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


NOT_OPEN = {
    "legal_basis_number": "60/2024/QH15",
    "legal_basis_article": "khoản 2 Điều 21",
    "license_id": None,
    "private": True,
}


def build_catalogue() -> dict[str, Any]:
    """Two agencies (a ministry and one of its departments), four open
    datasets in two sectors, one inter-agency and one restricted dataset of
    the ministry, and an editor of the ministry."""
    sysadmin = factories.Sysadmin()
    ministry = factories.Organization(
        name="bo-y-te",
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code="000.00.00.G10",
        agency_type="ministry",
        agency_level="central",
        focal_officer_name="Lê Thị Hoa",
        focal_officer_email="hoa.lt@moh.gov.vn",
        dpo_name="Phạm Văn Minh",
        dpo_email="dpo@moh.gov.vn",
        image_url="",
    )
    department = factories.Organization(
        name="cuc-quan-ly-kham-chua-benh",
        title_translated={
            "vi": "Cục Quản lý Khám, chữa bệnh",
            "en": "Medical Services Administration",
        },
        agency_code="000.01.00.G10",
        agency_type="ministry",
        agency_level="central",
        parent_agency=ministry["id"],
        image_url="",
    )
    editor = factories.User(name="bien-tap-vien", fullname="Trần Thị Bình", password=PASSWORD)
    helpers.call_action(
        "organization_member_create", id=ministry["id"], username=editor["name"], role="editor"
    )

    def create(owner: str, name: str, title: str, **overrides: Any) -> dict[str, Any]:
        return helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"]},
            **dataset(owner, name, title, **overrides),
        )

    datasets = {
        "hospitals": create(ministry["id"], "benh-vien", "Danh sách bệnh viện", sector="health"),
        "clinics": create(ministry["id"], "phong-kham", "Danh sách phòng khám", sector="health"),
        "schools": create(
            department["id"], "truong-y", "Trường đào tạo y khoa", provinces=["01", "79"]
        ),
        "overdue": create(
            ministry["id"],
            "tiem-chung",
            "Tỷ lệ tiêm chủng",
            sector="health",
            next_review_date="2025-12-30",
        ),
        "shared": create(
            ministry["id"],
            "giuong-benh",
            "Số giường bệnh",
            sector="health",
            sharing_class="inter_agency",
            exploitation_regulation_number="12/2025/QĐ-BYT",
            **NOT_OPEN,
        ),
        "restricted": create(
            ministry["id"],
            "ho-so-benh-an",
            "Hồ sơ bệnh án",
            sector="health",
            sharing_class="restricted",
            personal_data="sensitive",
            personal_data_categories=["name", "health"],
            next_review_date="2025-06-30",
            **NOT_OPEN,
        ),
    }
    return {
        "sysadmin": sysadmin,
        "ministry": ministry,
        "department": department,
        "editor": editor,
        "datasets": datasets,
    }
