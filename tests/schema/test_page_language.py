"""CKAN's own words on the portal's pages: Vietnamese on Vietnamese pages
(the extension's catalogue fills what CKAN's Vietnamese catalogue leaves
in English or words awkwardly), unchanged English on English pages."""

from __future__ import annotations

import html
from typing import Any

import ckan.tests.helpers as helpers
import pytest
from vn_schema_data import valid_dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", context={"user": sysadmin["name"]}, **data)


@pytest.mark.parametrize(
    ("prefix", "expected", "unexpected"),
    [
        (
            "",
            [
                "<i>Giấy phép dữ liệu</i> chọn ở trên chỉ áp dụng",
                "định dạng Markdown</a> tại đây",
                "Chuyển đến nội dung chính",
            ],
            ["The <i>data license</i>", "Markdown formatting", "Skip to main content"],
        ),
        (
            "/en",
            [
                "The <i>data license</i> you select above only applies",
                "Markdown formatting</a> here",
                "Skip to main content",
            ],
            ["Giấy phép dữ liệu</i>", "định dạng Markdown"],
        ),
    ],
)
def test_the_new_dataset_form_speaks_the_page_language(
    logged_in, agency, prefix, expected, unexpected
):
    # The form needs an agency to publish under.
    page = text(logged_in.get(f"{prefix}/dataset/new"))
    for words in expected:
        assert words in page, words
    for words in unexpected:
        assert words not in page, words


@pytest.mark.parametrize(
    ("prefix", "publish", "data_label"),
    [("", "Công bố", "Dữ liệu"), ("/en", "Publish", "Data")],
)
def test_the_resource_form_of_a_new_dataset_speaks_the_page_language(
    logged_in, agency, sysadmin, prefix, publish, data_label
):
    # A dataset still in the web form's first stage: the resource form is
    # its second stage and ends with the button that publishes it.
    create(sysadmin, **valid_dataset(agency["id"], state="draft", resources=[]))

    page = text(logged_in.get(f"{prefix}/dataset/so-ca-benh-truyen-nhiem/resource/new"))
    assert f'value="go-metadata" type="submit">{publish}</button>' in page
    assert f'id="resource-menu-label" class="form-label"\n      >{data_label}</label>' in page


@pytest.mark.parametrize(
    ("prefix", "row"),
    [
        (
            "",
            '<th scope="row" class="dataset-label">Trạng thái</th><td class="dataset-details">'
            "Đã công bố</td>",
        ),
        (
            "/en",
            '<th scope="row" class="dataset-label">State</th><td class="dataset-details">'
            "Published</td>",
        ),
    ],
)
def test_an_editor_sees_the_dataset_state_in_words(logged_in, agency, sysadmin, prefix, row):
    create(sysadmin, **valid_dataset(agency["id"]))

    page = text(logged_in.get(f"{prefix}/dataset/so-ca-benh-truyen-nhiem"))
    assert row in page
    heading = '<th scope="col">Thông tin</th>' if not prefix else '<th scope="col">Field</th>'
    assert heading in page
    assert "active" not in page.split('class="dataset-label">')[-1].split("</tr>")[0]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/dataset/", "Tìm thấy 2 bộ dữ liệu"),
        ("/dataset/?q=bệnh", 'Tìm thấy 2 bộ dữ liệu cho "bệnh"'),
        ("/en/dataset/", "2 datasets found"),
        ("/en/dataset/?q=bệnh", '2 datasets found for "bệnh"'),
        ("/organization/", "Tìm thấy 1 tổ chức"),
        ("/en/organization/", "1 organization found"),
    ],
)
def test_the_search_heading_reads_naturally(app, agency, sysadmin, path, heading):
    create(sysadmin, **valid_dataset(agency["id"]))
    create(sysadmin, **valid_dataset(agency["id"], name="so-ca-benh-theo-tuan"))

    page = text(app.get(path))
    assert heading in page
    assert "số bộ dữ liệu tìm thấy" not in page


@pytest.mark.parametrize(
    ("prefix", "expected", "unexpected"),
    [
        (
            "",
            [
                '<label for="field-home-search" class="form-label">Tìm trong danh mục</label>',
                'aria-label="Tài khoản"',
            ],
            ["Search the catalogue", 'aria-label="Account"', "Toggle navigation"],
        ),
        (
            "/en",
            [
                '<label for="field-home-search" class="form-label">Search the catalogue</label>',
                'aria-label="Account"',
            ],
            ["Tài khoản"],
        ),
    ],
)
def test_the_home_page_speaks_the_page_language(app, prefix, expected, unexpected):
    page = text(app.get(f"{prefix}/"))
    for words in expected:
        assert words in page, words
    for words in unexpected:
        assert words not in page, words
