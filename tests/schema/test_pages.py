"""Dataset and agency pages, search facets and the forms' fields, in
Vietnamese (the default) and English."""

from __future__ import annotations

import html

import pytest

from ckanext.vnopendata import demo

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def demo_data():
    demo.load(echo=lambda _: None)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def test_the_dataset_page_shows_the_facts_in_vietnamese(app, demo_data):
    page = text(app.get("/dataset/danh-sach-thu-tuc-hanh-chinh-cua-thanh-pho-ha-noi"))
    assert "Danh sách thủ tục hành chính của Thành phố Hà Nội" in page
    assert "vn-sharing-open" in page and "Dữ liệu mở" in page
    assert "Ủy ban nhân dân Thành phố Hà Nội" in page
    assert "Thành phố Hà Nội" in page  # province
    assert "Hành chính nhà nước" in page  # sector
    assert "60/2024/QH15" in page and "Điều 21" in page
    assert "Ngày rà soát kế tiếp" in page


def test_the_dataset_page_shows_its_agency_without_counting_the_catalogue(
    app, demo_data, monkeypatch
):
    """The agency box beside the dataset, read without CKAN's portal-wide
    dataset counts (a facet search over every dataset on each page)."""
    from ckan.lib.dictization import model_dictize

    counted = []
    counts = model_dictize.get_group_dataset_counts

    def spy(*args, **kwargs):
        counted.append(args)
        return counts(*args, **kwargs)

    monkeypatch.setattr(model_dictize, "get_group_dataset_counts", spy)
    page = text(app.get("/dataset/danh-sach-thu-tuc-hanh-chinh-cua-thanh-pho-ha-noi"))
    box = page[page.index('id="organization-info"') :]
    assert "Ủy ban nhân dân Thành phố Hà Nội" in box[: box.index("</section>")]
    assert counted == []


@pytest.fixture
def no_agency_counts_or_rules(monkeypatch):
    """Records every call of CKAN's portal-wide dataset counts and of the
    agency e-ID check (a write rule)."""
    from ckan.lib.dictization import model_dictize

    from ckanext.vnopendata.logic import validators

    calls: list[str] = []
    counts = model_dictize.get_group_dataset_counts
    eid = validators.agency_with_eid

    def count_spy(*args, **kwargs):
        calls.append("get_group_dataset_counts")
        return counts(*args, **kwargs)

    def eid_spy(*args, **kwargs):
        calls.append("agency_with_eid")
        return eid(*args, **kwargs)

    monkeypatch.setattr(model_dictize, "get_group_dataset_counts", count_spy)
    monkeypatch.setattr(validators, "agency_with_eid", eid_spy)
    return calls


@pytest.mark.parametrize(
    ("path", "titles", "expected"),
    [
        # The home page's top agencies.
        ("/", ["Ủy ban nhân dân Thành phố Hà Nội", "Bộ Y tế"], []),
        ("/en/", ["Ha Noi People's Committee"], []),
        # An agency page: its parent agency in the panel. CKAN's own view
        # reads the agency with organization_show's defaults, which count.
        (
            "/organization/so-y-te-ha-noi",
            ["Sở Y tế Hà Nội", "Ủy ban nhân dân Thành phố Hà Nội"],
            ["get_group_dataset_counts"],
        ),
        (
            "/organization/about/so-y-te-ha-noi",
            ["Ủy ban nhân dân Thành phố Hà Nội"],
            ["get_group_dataset_counts"],
        ),
    ],
)
def test_pages_name_agencies_without_counting_the_catalogue_or_write_checks(
    app, demo_data, no_agency_counts_or_rules, path, titles, expected
):
    page = text(app.get(path))
    for title in titles:
        assert title in page, title
    assert no_agency_counts_or_rules == expected


def test_the_agency_select_lists_every_agency_without_counting(
    demo_data, no_agency_counts_or_rules
):
    from ckan import model

    from ckanext.vnopendata import helpers

    choices = helpers.vnopendata_agency_choices()
    active = model.Session.query(model.Group).filter_by(is_organization=True, state="active")
    assert sorted(choice["value"] for choice in choices) == sorted(group.id for group in active)
    assert {"value", "name", "label"} <= set(choices[0])
    labels = [choice["label"] for choice in choices]
    assert "Sở Y tế Hà Nội" in labels and labels == sorted(labels)
    assert no_agency_counts_or_rules == []


def test_the_dataset_page_in_english_falls_back_to_vietnamese(app, demo_data):
    page = text(app.get("/en/dataset/danh-sach-thu-tuc-hanh-chinh-cua-thanh-pho-ha-noi"))
    assert "Administrative procedures of Ha Noi" in page
    assert "Open data" in page
    assert "Ha Noi People's Committee" in page
    assert "Ha Noi City" in page
    assert "Government and public sector" in page
    assert "Next review date" in page


def test_the_search_page_has_labelled_facets_and_badges(app, demo_data):
    page = text(app.get("/dataset/"))
    for title in ("Phân loại chia sẻ", "Cơ quan", "Lĩnh vực", "Tỉnh, thành phố", "Định dạng"):
        assert title in page, title
    assert "Dữ liệu mở" in page  # sharing-class facet item and badges
    assert "Y tế" in page  # sector facet label, not the code "health"
    assert "Thành phố Hồ Chí Minh" in page  # province facet label, not "79"

    filtered = text(app.get("/dataset/?sector=health"))
    assert "Danh sách nhà thuốc đạt chuẩn GPP" in filtered
    assert "Tuyến xe buýt và điểm dừng" not in filtered

    english = text(app.get("/en/dataset/?provinces=79"))
    assert "Sharing class" in english and "Ho Chi Minh City" in english
    assert "Bus routes and stops" in english


def test_the_agency_page_shows_its_fields(app, demo_data):
    page = text(app.get("/organization/about/so-y-te-ha-noi"))
    assert "Sở Y tế Hà Nội" in page
    assert "000.00.12.H26" in page
    assert "Sở, ban, ngành" in page
    assert "Ủy ban nhân dân Thành phố Hà Nội" in page  # parent agency


def test_the_dataset_form_has_grouped_bilingual_searchable_fields(app, agency, sysadmin):
    page = text(app.get("/dataset/new", headers={"Authorization": sysadmin["token"]}))
    for name in ("title_translated-vi", "title_translated-en", "notes_translated-vi"):
        assert f'name="{name}"' in page
    assert "Phân loại dữ liệu" in page  # a section heading
    assert 'id="field-sharing_class"' in page and 'data-module="autocomplete"' in page
    assert "Dữ liệu dùng chung" in page
    assert "79 - Thành phố Hồ Chí Minh" in page
    assert "slug-preview-target" in page
    assert "_vnopendata.js" in page  # the Vietnamese URL preview
