"""The home page and the statistics page as a visitor sees them: whose
portal this is, what it holds (only what the visitor may see), and the
same figures as charts, tables and CSV."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def main_part(page: str) -> str:
    """The page without its footer (where CKAN is credited)."""
    return page.split('<footer class="site-footer">')[0]


def test_the_home_page_says_whose_portal_it_is_and_never_shows_ckan_placeholders(app, catalogue):
    page = text(app.get("/"))
    assert "Cổng dữ liệu mở" in page
    assert "Trung tâm Dữ liệu quốc gia" in page
    assert "/vnopendata/logo.svg" in page
    for placeholder in ("420 x 220", "placeholder-420x220", "Chào mừng gia nhập CKAN", "ckan-logo"):
        assert placeholder not in page, placeholder
    assert "CKAN" not in main_part(page).replace("docs.ckan.org", "")
    assert 'href="https://ckan.org"' in page.split('<footer class="site-footer">')[1]
    assert "<title>Trang chủ - Cổng dữ liệu mở</title>" in page


def test_the_english_home_page_uses_the_english_identity(app, catalogue):
    page = text(app.get("/en/"))
    assert "Open Data Portal" in page
    assert "National Data Center" in page
    assert "Cổng dữ liệu mở" not in main_part(page)


@pytest.mark.ckan_config("ckanext.vnopendata.portal.title_vi", "Cổng dữ liệu tỉnh Lào Cai")
@pytest.mark.ckan_config("ckanext.vnopendata.portal.contact_email", "lienhe@laocai.gov.vn")
def test_the_identity_comes_from_the_configuration(app, catalogue):
    page = text(app.get("/"))
    assert "Cổng dữ liệu tỉnh Lào Cai" in page
    assert 'href="mailto:lienhe@laocai.gov.vn"' in page


def test_the_home_page_searches_only_for_what_it_shows(app, catalogue, monkeypatch):
    """CKAN's home view searched the whole catalogue (sorted by views, with
    its facets) for a page that shows none of it; the portal's view runs
    only the searches of its summary: the newest datasets with the counts,
    and the recently updated ones."""
    import ckan.logic as logic

    searches = []
    search = logic.get_action("package_search")

    def counted(context, data_dict):
        searches.append(dict(data_dict))
        return search(context, data_dict)

    monkeypatch.setitem(logic._actions, "package_search", counted)
    text(app.get("/"))
    assert [s.get("sort") for s in searches] == ["metadata_created desc", "metadata_modified desc"]


def test_the_home_page_counts_the_catalogue_once(app, catalogue):
    """The facets of the first search count the datasets; the second
    search (the recently updated ones) does not count them again."""
    from search.helpers import statements_run

    with statements_run() as statements:
        page = text(app.get("/"))
    assert "Tỷ lệ tiêm chủng" in page
    assert [s for s in statements if "count(*)" in s and "GROUP BY" not in s] == []
    assert len([s for s in statements if "GROUP BY z.k" in s]) == 1


def test_a_user_without_an_email_is_asked_for_one_on_the_home_page(editor_client, catalogue):
    from ckan import model

    user = model.User.get(catalogue["editor"]["name"])
    email, user.email = user.email, ""
    model.Session.commit()
    try:
        page = text(editor_client.get("/"))
    finally:
        user = model.User.get(catalogue["editor"]["name"])
        user.email = email
        model.Session.commit()
    notice = page.split("flash-messages")[1].split("</div>")[0]
    assert 'href="/user/edit"' in notice and "cập nhật hồ sơ" in notice


def count_card(page: str, label: str) -> str:
    match = re.search(
        r'<span class="vn-count-number">([^<]+)</span>\s*<span class="vn-count-label">'
        + re.escape(label),
        page,
    )
    return match.group(1) if match else ""


def test_an_anonymous_visitor_counts_open_data_only(app, catalogue):
    page = text(app.get("/"))
    assert count_card(page, "bộ dữ liệu bạn có thể xem") == "4"
    assert count_card(page, "Dữ liệu mở") == "4"
    assert count_card(page, "Dữ liệu dùng chung") == ""
    assert count_card(page, "Dữ liệu dùng riêng") == ""
    assert "Số giường bệnh" not in page and "Hồ sơ bệnh án" not in page
    # Sectors and agencies with the most data, most first.
    sectors = page.split('id="vn-sectors-heading"')[1].split("</section>")[0]
    assert sectors.index("Y tế") < sectors.index("Giáo dục")
    assert "3 bộ dữ liệu" in sectors
    agencies = page.split('id="vn-agencies-heading"')[1].split("</section>")[0]
    assert agencies.index("Bộ Y tế") < agencies.index("Cục Quản lý Khám, chữa bệnh")
    # Newest first.
    newest = page.split('id="vn-newest-heading"')[1].split("</section>")[0]
    assert newest.index("Tỷ lệ tiêm chủng") < newest.index("Danh sách bệnh viện")
    # Without CKAN's view tracking, the page says what it lists instead.
    assert "không đếm lượt xem" in page


def test_a_member_of_the_agency_counts_its_shared_and_restricted_data(editor_client, catalogue):
    page = text(editor_client.get("/"))
    assert count_card(page, "bộ dữ liệu bạn có thể xem") == "6"
    assert count_card(page, "Dữ liệu dùng chung") == "1"
    assert count_card(page, "Dữ liệu dùng riêng") == "1"


def test_the_home_search_box_finds_datasets_without_diacritics(app, catalogue):
    page = text(app.get("/"))
    assert 'action="/dataset/"' in page and 'name="q"' in page
    results = text(app.get("/dataset/?q=danh+sach+benh+vien"))
    assert "Danh sách bệnh viện" in results


def table_rows(page: str, key: str) -> list[tuple[str, str]]:
    table = page.split(f'id="table-{key}"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">([^<]+)</th><td[^>]*>([^<]+)</td>', table)


def test_the_statistics_page_counts_what_an_anonymous_visitor_may_see(app, catalogue):
    page = text(app.get("/thong-ke"))
    assert table_rows(page, "agency") == [("Bộ Y tế", "3"), ("Cục Quản lý Khám, chữa bệnh", "1")]
    assert table_rows(page, "sector") == [("Y tế", "3"), ("Giáo dục", "1")]
    assert table_rows(page, "province") == [
        ("Thành phố Hà Nội", "4"),
        ("Thành phố Hồ Chí Minh", "1"),
    ]
    assert table_rows(page, "class") == [("Dữ liệu mở", "4")]
    growth = table_rows(page, "growth")
    assert len(growth) == 1 and growth[0][1] == "4"
    assert re.fullmatch(r"\d\d/\d{4}", growth[0][0])
    # Each chart is drawn from its table by the bundled chart library.
    assert page.count('data-module="vn-statistics-chart"') == 5
    assert "_statistics.js" in page
    assert "cdn" not in page.lower()


def test_a_member_sees_the_statistics_of_the_data_shared_with_it(editor_client, catalogue):
    page = text(editor_client.get("/thong-ke"))
    assert table_rows(page, "class") == [
        ("Dữ liệu mở", "4"),
        ("Dữ liệu dùng chung", "1"),
        ("Dữ liệu dùng riêng", "1"),
    ]


def test_each_chart_downloads_as_csv(app, catalogue):
    response = app.get("/thong-ke/sector.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [
        ["Lĩnh vực", "Mã", "Số bộ dữ liệu"],
        ["Y tế", "health", "3"],
        ["Giáo dục", "education", "1"],
    ]
    english = list(
        csv.reader(
            io.StringIO(app.get("/en/thong-ke/class.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert english == [["Sharing class", "Code", "Number of datasets"], ["Open data", "open", "4"]]
    assert app.get("/thong-ke/nothing.csv").status_code == 404
