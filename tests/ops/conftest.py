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

from vn_ops_data import make_agency
from vn_schema_data import valid_dataset

__all__ = ["make_agency", "valid_dataset"]


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
