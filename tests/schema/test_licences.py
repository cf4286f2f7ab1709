"""Licences: CKAN's licence register serves the project's licence code list,
so datasets carry the licence's title, link and openness, in the page's
language, and the dataset page's sidebar links to the licence."""

from __future__ import annotations

import html
from typing import Any

import ckan.logic as logic
import ckan.tests.helpers as helpers
import pytest
from vn_schema_data import valid_dataset

from ckanext.vnopendata import codelists

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"


def create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", context={"user": sysadmin["name"]}, **data)


def api_show(app, name: str, prefix: str = "", token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": token} if token else {}
    response = app.get(f"{prefix}/api/3/action/package_show?id={name}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json["result"]


def test_an_open_licence_has_its_title_link_and_openness(app, agency, sysadmin):
    create(sysadmin, **valid_dataset(agency["id"], license_id="CC-BY-4.0"))

    shown = api_show(app, "so-ca-benh-truyen-nhiem")
    assert shown["license_title"] == "Creative Commons Ghi công 4.0"
    assert shown["license_url"] == CC_BY_URL
    assert shown["isopen"] is True


def test_the_licence_title_follows_the_language_of_the_request(app, agency, sysadmin):
    # Indexed once (in Vietnamese, outside any request); shown in English.
    create(sysadmin, **valid_dataset(agency["id"], license_id="CC0-1.0"))

    english = api_show(app, "so-ca-benh-truyen-nhiem", prefix="/en")
    assert english["license_title"] == "Creative Commons Zero 1.0 (public domain dedication)"
    assert english["license_url"] == "https://creativecommons.org/publicdomain/zero/1.0/"

    found = app.get("/en/api/3/action/package_search?q=name:so-ca-benh-truyen-nhiem").json
    (result,) = found["result"]["results"]
    assert result["license_title"] == "Creative Commons Zero 1.0 (public domain dedication)"
    assert result["isopen"] is True


def test_terms_that_are_not_open_are_not_counted_as_open(app, agency, sysadmin):
    create(
        sysadmin,
        **valid_dataset(
            agency["id"], sharing_class="inter_agency", license_id="vn-restricted-terms"
        ),
    )

    shown = api_show(app, "so-ca-benh-truyen-nhiem", token=sysadmin["token"])
    assert shown["license_title"] == "Theo quy chế khai thác, sử dụng dữ liệu"
    assert "license_url" not in shown
    assert shown["isopen"] is False


def test_the_licence_register_lists_the_code_list(app):
    listed = app.get("/api/3/action/license_list").json["result"]

    assert [licence["id"] for licence in listed] == codelists.get("licences").codes
    by_id = {licence["id"]: licence for licence in listed}
    assert by_id["ODbL-1.0"]["url"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert by_id["ODbL-1.0"]["title"] == "Giấy phép Cơ sở dữ liệu mở 1.0"


@pytest.mark.parametrize(
    ("prefix", "title"),
    [("", "Creative Commons Ghi công 4.0"), ("/en", "Creative Commons Attribution 4.0")],
)
def test_the_dataset_sidebar_links_to_the_licence_by_its_title(
    app, agency, sysadmin, prefix, title
):
    create(sysadmin, **valid_dataset(agency["id"], license_id="CC-BY-4.0"))

    response = app.get(f"{prefix}/dataset/so-ca-benh-truyen-nhiem")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert f'<a href="{CC_BY_URL}" rel="dc:rights">{title}</a>' in page
    assert 'class="open-data"' in page  # the Open Definition badge


@pytest.mark.usefixtures("with_request_context")
@pytest.mark.parametrize("licence_id", ["cc-by", "CC-BY-NC-4.0"])
def test_a_licence_outside_the_code_list_is_refused(agency, sysadmin, licence_id):
    # "cc-by" is in CKAN's default register, which the portal replaces.
    with pytest.raises(logic.ValidationError) as raised:
        create(sysadmin, **valid_dataset(agency["id"], license_id=licence_id))

    (message,) = raised.value.error_dict["license_id"]
    assert licence_id in message and "CC-BY-4.0" in message
