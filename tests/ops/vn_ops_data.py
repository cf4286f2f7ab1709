"""Test data of the operations tests (imported by name)."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories


def make_agency(name: str = "bo-y-te", code: str = "000.00.00.G10", **extra: Any) -> dict[str, Any]:
    return factories.Organization(
        name=name,
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code=code,
        agency_type="ministry",
        agency_level="central",
        image_url="",
        **extra,
    )
