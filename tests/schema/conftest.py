"""Fixtures for the metadata-schema tests: agencies, an editor, and a
dataset that satisfies every rule, which each test then breaks or varies."""

from __future__ import annotations

from typing import Any

import ckan.tests.factories as factories
import pytest
from vn_schema_data import csrf_token


@pytest.fixture
def agency(clean_db) -> dict[str, Any]:
    return factories.Organization(
        name="bo-y-te",
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code="000.00.00.G10",
        agency_type="ministry",
        agency_level="central",
        # The factory's default is a made-up address on the internet.
        image_url="",
    )


@pytest.fixture
def sysadmin(clean_db) -> dict[str, Any]:
    return factories.SysadminWithToken(password="correct horse battery staple")


@pytest.fixture
def logged_in(app, sysadmin):
    """The test client logged in as the sysadmin through the login form
    (cookie session), so that form posts go through CSRF protection."""
    page = app.get("/user/login")
    response = app.post(
        "/user/login",
        data={
            "login": sysadmin["name"],
            "password": "correct horse battery staple",
            "_csrf_token": csrf_token(page.get_data(as_text=True)),
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    yield app
    app.get("/user/_logout")
