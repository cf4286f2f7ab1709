"""Agencies, users and datasets for the access tests (import as access.helpers)."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as test_helpers
from search.helpers import _fill_required, _schema_fields, _translated


def make_agency(name: str, agency_code: str, **values: Any) -> dict[str, Any]:
    fields = _schema_fields("organization")
    data: dict[str, Any] = {"name": name, "title": name, "image_url": "", **values}
    _translated(fields, data, "title")
    data["agency_code"] = agency_code
    _fill_required(fields, data)
    return factories.Organization(**data)


def make_dataset(owner_org: str, sharing_class: str, **values: Any) -> dict[str, Any]:
    fields = _schema_fields("dataset")
    data: dict[str, Any] = {
        "owner_org": owner_org,
        "title": values.get("name", "Bộ dữ liệu"),
        "notes": "Mô tả bộ dữ liệu",
        "license_id": "cc-by",
        "private": True,
        "resources": [{"url": "https://data.example.gov.vn/file.csv", "name": "Tệp CSV"}],
        **values,
    }
    _translated(fields, data, "title")
    _translated(fields, data, "notes")
    data["sharing_class"] = sharing_class
    _fill_required(fields, data)
    return publish(factories.Dataset(**data))


def publish(dataset: dict[str, Any]) -> dict[str, Any]:
    """Take a new dataset through its agency's review to publication."""
    site_user = test_helpers.call_action("get_site_user")["name"]
    context = {"user": site_user, "ignore_auth": False}
    if dataset.get("review_state") in ("draft", "returned"):
        dataset = test_helpers.call_action(
            "vnopendata_dataset_submit", dict(context), id=dataset["id"]
        )
    if dataset.get("review_state") == "submitted":
        dataset = test_helpers.call_action(
            "vnopendata_dataset_approve", dict(context), id=dataset["id"]
        )
    assert dataset["review_state"] == "published", dataset["review_state"]
    return dataset


def member(org: dict[str, Any], user: dict[str, Any], capacity: str) -> None:
    test_helpers.call_action(
        "organization_member_create",
        {"ignore_auth": True},
        id=org["id"],
        username=user["name"],
        role=capacity,
    )


def as_user(user: dict[str, Any] | None, action_name: str, /, **data: Any) -> Any:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return test_helpers.call_action(action_name, context, **data)


REQUEST_FIELDS = {
    "purpose": "Đối chiếu số liệu dân cư phục vụ cấp thẻ bảo hiểm y tế",
    "legal_basis": "Luật Dữ liệu 60/2024/QH15, Điều 17",
    "items": ["Tệp CSV", "trường số định danh"],
    "duration_days": 90,
    "contact": "0241234567, lienhe@bhxh.gov.vn",
}
