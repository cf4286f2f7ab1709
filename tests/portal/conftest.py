"""One catalogue for the module, built once; pages read it as anonymous
visitors and as an editor of the ministry."""

from __future__ import annotations

from typing import Any

import pytest
from vn_portal_data import PASSWORD, build_catalogue


@pytest.fixture(scope="module")
def catalogue(reset_database) -> dict[str, Any]:
    reset_database()
    return build_catalogue()


@pytest.fixture
def editor_client(app, catalogue):
    """The test client logged in as the ministry's editor."""
    import re

    page = app.get("/user/login").get_data(as_text=True)
    token = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page)
    assert token, "the login page has no CSRF token"
    response = app.post(
        "/user/login",
        data={
            "login": catalogue["editor"]["name"],
            "password": PASSWORD,
            "_csrf_token": token.group(1),
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    yield app
    app.get("/user/_logout")
