"""Agency logos on the agency list, the agency page and the dataset page:
CKAN's placeholder when an agency has no logo or its logo does not load,
never a broken image showing its alt text."""

from __future__ import annotations

import html
import re
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from vn_schema_data import valid_dataset

from ckanext.vnopendata import demo

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

PLACEHOLDER = "/base/images/placeholder-organization.png"
# An address that refuses connections: the logo of an agency whose site moved.
DEAD_LOGO = "http://127.0.0.1:9/logo.png"
# The swap is done by assets/image-fallback.js (no inline handler under the CSP).
FALLBACK = f'data-vn-fallback="{PLACEHOLDER}"'


def logos(page: str) -> list[str]:
    return [
        tag
        for tag in re.findall(r"<img\b[^>]*>", page)
        if "Bộ Tài chính" in tag or "Ministry of Finance" in tag
    ]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def finance(request) -> dict[str, Any]:
    return factories.Organization(
        name="bo-tai-chinh",
        title="Bộ Tài chính",
        title_translated={"vi": "Bộ Tài chính", "en": "Ministry of Finance"},
        agency_code="000.00.00.G12",
        agency_type="ministry",
        agency_level="central",
        image_url=request.param,
    )


@pytest.mark.parametrize("finance", ["", DEAD_LOGO], indirect=True)
@pytest.mark.parametrize(
    "path", ["/organization/", "/organization/bo-tai-chinh", "/dataset/so-ca-benh-truyen-nhiem"]
)
def test_an_agency_logo_falls_back_to_the_placeholder(app, finance, sysadmin, path):
    helpers.call_action(
        "package_create",
        context={"user": sysadmin["name"]},
        **valid_dataset(finance["id"], identifier="000.00.00.G12.so-ca-benh"),
    )

    (logo,) = logos(text(app.get(path)))
    assert f'src="{finance["image_url"] or PLACEHOLDER}"' in logo
    assert FALLBACK in logo
    assert 'alt="Bộ Tài chính"' in logo  # the agency's name, not its URL name


def test_the_agency_list_counts_members_and_datasets_in_vietnamese(app, agency, sysadmin):
    helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, **valid_dataset(agency["id"])
    )

    page = text(app.get("/organization/"))
    assert "1 bộ dữ liệu" in page
    assert re.search(r"\d thành viên", page)
    assert "Member" not in page

    english = text(app.get("/en/organization/"))
    assert "1 Dataset" in english
    assert re.search(r"\d Members?", english)


def test_the_demo_agencies_leave_their_logo_to_the_placeholder():
    # The demo runs offline; a made-up logo address would show as a broken image.
    assert all(not record.get("image_url") for record in demo.agency_records())
