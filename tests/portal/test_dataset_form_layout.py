"""The dataset form as an agency editor uses it: required fields first,
optional sections folded, errors that link to their fields, dates as
dd/mm/yyyy, and a draft of an incomplete form kept on the server."""

from __future__ import annotations

import html
import re
from typing import Any

import ckan.model as model
import ckan.tests.helpers as helpers
import pytest


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def csrf(page: str) -> str:
    match = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page)
    assert match
    return match.group(1)


def incomplete_form(catalogue: dict[str, Any], token: str) -> dict[str, Any]:
    """What an editor has typed so far: no contact, no issue date."""
    return {
        "_csrf_token": token,
        "title_translated-vi": "Danh mục nhà thuốc đạt chuẩn",
        "title_translated-en": "Certified pharmacies",
        "name": "nha-thuoc-dat-chuan",
        "notes_translated-vi": "Danh sách nhà thuốc đạt chuẩn GPP.",
        "owner_org": catalogue["ministry"]["id"],
        "sharing_class": "inter_agency",
        "importance": "other",
        "personal_data": "none",
        "sector": "health",
        "provinces": ["01", "79"],
        "temporal_start": "01/01/2024",
        "save": "",
    }


def test_required_fields_come_first_and_optional_sections_are_folded(editor_client, catalogue):
    page = text(editor_client.get("/dataset/new"))
    first_fold = page.index('<details class="vn-form-optional"')
    for required in (
        "field-title_translated-vi",
        "field-contact_name",
        "field-sector",
        "field-issued",
    ):
        assert page.index(f'id="{required}"') < first_fold, required
    for optional in ("field-legal_basis_number", "field-modified", "field-fee"):
        assert page.index(f'id="{optional}"') > first_fold, optional
    assert '<details class="vn-form-optional" open' not in page
    assert 'placeholder="dd/mm/yyyy"' in page


def test_an_error_opens_its_section_and_links_to_its_field_and_nothing_typed_is_lost(
    editor_client, catalogue
):
    form = text(editor_client.get("/dataset/new"))
    data = incomplete_form(catalogue, csrf(form))
    data["legal_basis_number"] = "Luật Dữ liệu"
    page = text(editor_client.post("/dataset/new", data=data))
    summary = page.split('id="vn-error-summary"')[1].split("</div>")[0]
    assert '<a href="#field-contact_name">' in summary
    assert '<a href="#field-issued">' in summary
    assert '<a href="#field-legal_basis_number">' in summary
    # The section holding the legal basis is open; the others stay folded.
    legal = page[: page.index('id="field-legal_basis_number"')]
    assert legal.rindex("<details") == legal.rindex('<details class="vn-form-optional" open')
    assert 'value="Danh mục nhà thuốc đạt chuẩn"' in page
    assert 'value="Luật Dữ liệu"' in page
    assert 'value="01/01/2024"' in page


def test_an_incomplete_form_saved_as_draft_comes_back_and_is_dropped_once_saved(
    editor_client, catalogue
):
    form = text(editor_client.get("/dataset/new"))
    data = incomplete_form(catalogue, csrf(form))
    response = editor_client.post(
        "/dataset-draft/save?key=new&next=/dataset/new", data=data, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/new?vn_draft=1")
    # Nothing was created.
    assert helpers.call_action("package_search", include_private=True, q="nha thuoc")["count"] == 0

    later = text(editor_client.get("/dataset/new"))
    assert "Bạn có bản nháp của biểu mẫu này" in later
    assert 'value="Danh mục nhà thuốc đạt chuẩn"' not in later
    restored = text(editor_client.get("/dataset/new?vn_draft=1"))
    assert 'value="Danh mục nhà thuốc đạt chuẩn"' in restored
    assert 'value="Certified pharmacies"' in restored
    assert 'value="01/01/2024"' in restored
    assert re.search(r'<option value="79"\s+selected', restored)

    data = incomplete_form(catalogue, csrf(restored))
    data.update(
        contact_name="Nguyễn Văn An",
        contact_email="an.nv@moh.gov.vn",
        issued="15/01/2025",
        legal_basis_number="60/2024/QH15",
        legal_basis_article="khoản 2 Điều 21",
        exploitation_regulation_number="12/2025/QĐ-BYT",
        no_state_secret="true",
    )
    saved = editor_client.post("/dataset/new", data=data, follow_redirects=False)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    dataset = helpers.call_action("package_show", id="nha-thuoc-dat-chuan")
    assert dataset["issued"] == "2025-01-15"
    assert dataset["temporal_start"] == "2024-01-01"
    user = model.User.get(catalogue["editor"]["name"])
    model.Session.refresh(user)
    assert "new" not in (user.plugin_extras or {}).get("vnopendata_form_drafts", {})


def test_drafts_are_for_signed_in_editors_and_return_to_the_portal_only(app, catalogue):
    form = app.get("/user/login").get_data(as_text=True)
    response = app.post(
        "/dataset-draft/save?key=new&next=/dataset/new",
        data={"_csrf_token": csrf(form)},
        follow_redirects=False,
    )
    assert response.status_code == 403


@pytest.mark.usefixtures("catalogue")
def test_a_draft_never_redirects_off_the_portal(editor_client):
    form = text(editor_client.get("/dataset/new"))
    response = editor_client.post(
        "/dataset-draft/save?key=new&next=//evil.example/",
        data={"_csrf_token": csrf(form)},
        follow_redirects=False,
    )
    assert response.status_code == 400
