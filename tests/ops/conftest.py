"""Fixtures of the operations tests: an agency with an editor and the
complete dataset of the schema tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schema"))

from vn_schema_data import valid_dataset

__all__ = ["valid_dataset"]


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


@pytest.fixture
def agency(clean_db) -> dict[str, Any]:
    return make_agency()


@pytest.fixture
def editor(agency) -> dict[str, Any]:
    user = factories.UserWithToken()
    tk.get_action("organization_member_create")(
        {"ignore_auth": True},
        {"id": agency["id"], "username": user["name"], "role": "editor"},
    )
    return user
