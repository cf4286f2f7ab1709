"""The pages: request form, request page with decision forms, dashboard,
agency queue and audit page, in Vietnamese and English; a form that fails
validation keeps what was typed."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from access.helpers import REQUEST_FIELDS, as_user

PASSWORD = "mat-khau-thu-nghiem-2026"


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token"\s+value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login(app, world):
    from ckan import model

    def log_in(user) -> None:
        account = model.User.get(user["name"])
        account.password = PASSWORD
        model.repo.commit()
        app.get("/user/_logout")
        page = app.get("/user/login").get_data(as_text=True)
        response = app.post(
            "/user/login",
            data={"login": user["name"], "password": PASSWORD, "_csrf_token": _csrf(page)},
            follow_redirects=False,
        )
        assert response.status_code == 302

    yield log_in
    app.get("/user/_logout")


def _post(app, url: str, data: dict, page_url: str | None = None):
    page = app.get(page_url or url).get_data(as_text=True)
    return app.post(url, data={**data, "_csrf_token": _csrf(page)}, follow_redirects=True)


def test_request_form_keeps_what_was_typed_and_sends(app, world, login):
    login(world.official)
    url = f"/access/request/new?package_id={world.restricted['name']}"
    page = app.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Yêu cầu truy cập dữ liệu" in html and "ngày làm việc" in html
    typed = {
        "package_id": world.restricted["name"],
        "purpose": "Đối chiếu dữ liệu",
        "items": "Tệp CSV\ntrường mã số",
        "duration_days": "30",
        "contact": "",
        "legal_basis": "",
    }
    response = _post(app, "/access/request/new", typed, url)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("textarea", {"name": "purpose"}).text == "Đối chiếu dữ liệu"
    assert "trường mã số" in soup.find("textarea", {"name": "items"}).text
    assert soup.find("input", {"name": "duration_days"})["value"] == "30"
    assert "Giá trị bị mất" in response.get_data(as_text=True)

    typed.update(contact="0241234567", legal_basis="Luật Dữ liệu, Điều 17")
    response = _post(app, "/access/request/new", typed, url)
    html = response.get_data(as_text=True)
    assert "Yêu cầu của bạn đã được gửi" in html
    assert "Hạn trả lời" in html


def test_refusal_form_needs_a_legal_basis_and_keeps_input(app, world, login):
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    login(world.admin)
    page_url = f"/access/request/{request['id']}"
    html = app.get(page_url).get_data(as_text=True)
    assert "Từ chối bằng văn bản" in html and "Phê duyệt" in html
    response = _post(
        app,
        f"/access/request/{request['id']}/refuse",
        {"reason": "Dữ liệu nhạy cảm", "legal_basis_number": "13/2023/NĐ-CP"},
        page_url,
    )
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    form = soup.find("form", class_="vn-refuse-form")
    assert form.find("textarea", {"name": "reason"}).text == "Dữ liệu nhạy cảm"
    assert form.find("input", {"name": "legal_basis_number"})["value"] == "13/2023/NĐ-CP"
    assert "Giá trị bị mất" in form.get_text()
    response = _post(
        app,
        f"/access/request/{request['id']}/refuse",
        {
            "reason": "Dữ liệu nhạy cảm",
            "legal_basis_number": "13/2023/NĐ-CP",
            "legal_basis_article": "Điều 2",
        },
        page_url,
    )
    assert "Đã từ chối yêu cầu" in response.get_data(as_text=True)

    login(world.official)
    html = app.get(page_url).get_data(as_text=True)
    assert "Văn bản từ chối" in html and "13/2023/NĐ-CP, Điều 2" in html
    english = app.get("/en" + page_url).get_data(as_text=True)
    assert "Written refusal" in english and "Legal basis" in english


def test_approval_form_and_the_holders_dashboard(app, world, login):
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    login(world.admin)
    page_url = f"/access/request/{request['id']}"
    response = _post(
        app, f"/access/request/{request['id']}/approve", {"expires": "2000-01-01"}, page_url
    )
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("input", {"name": "expires"})["value"] == "2000-01-01"
    assert "Ngày hết hạn phải sau hôm nay" in response.get_data(as_text=True)
    response = _post(app, f"/access/request/{request['id']}/approve", {}, page_url)
    assert "Đã chấp thuận yêu cầu" in response.get_data(as_text=True)

    login(world.official)
    html = app.get("/dashboard/access").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert "Quyền truy cập của tôi" in html
    assert soup.select_one("table.vn-grants td.vn-expires").text.strip()
    assert "My grants" in app.get("/en/dashboard/access").get_data(as_text=True)


def test_agency_queue_counts_and_flags(app, world, login):
    as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    login(world.official)
    assert app.get(f"/organization/{world.owner['name']}/access-requests").status_code == 403
    login(world.admin)
    html = app.get(f"/organization/{world.owner['name']}/access-requests").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".vn-count-pending").text == "1"
    assert soup.select_one(".vn-count-refused").text == "0"
    assert len(soup.select("table.vn-requests tbody tr")) == 1


def test_audit_page_filters_and_links_the_csv(app, world, login):
    as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    login(world.official)
    assert app.get("/audit").status_code == 403
    login(world.admin)
    html = app.get("/audit?action=request_create").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.select("table.vn-audit tbody tr")) == 1
    assert "action=request_create" in soup.select_one("a.vn-audit-csv")["href"]
    bad = app.get("/audit?since=hôm-qua").get_data(as_text=True)
    assert "YYYY-MM-DD" in bad and 'value="hôm-qua"' in bad


def _offer(app, dataset_name: str) -> BeautifulSoup | None:
    page = app.get(f"/dataset/{dataset_name}")
    assert page.status_code == 200
    return BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(
        ".vn-access-offer a"
    )


def test_dataset_page_offers_a_request_to_those_who_may_ask(app, world, login):
    from access.helpers import make_dataset

    restricted = make_dataset(
        world.owner["id"], "restricted", name="so-bhxh-mo-ta", metadata_visible=True
    )
    inter_agency = make_dataset(
        world.owner["id"], "inter_agency", name="thong-ke-bhxh-mo-ta", metadata_visible=True
    )

    # Anonymous: the inter-agency description invites to log in, and the
    # login returns to the request form of that dataset.
    app.get("/user/_logout")
    offer = _offer(app, inter_agency["name"])
    assert offer is not None and offer.text.strip() == "Đăng nhập hoặc đăng ký để yêu cầu truy cập"
    assert "came_from=" in offer["href"] and "thong-ke-bhxh-mo-ta" in offer["href"]

    # A member of another agency asks for the restricted dataset ...
    login(world.official)
    offer = _offer(app, restricted["name"])
    assert offer is not None and offer.text.strip() == "Yêu cầu truy cập"
    form = app.get(offer["href"], follow_redirects=True).get_data(as_text=True)
    assert 'value="so-bhxh-mo-ta"' in form
    # ... but not for the inter-agency one, whose data they see already.
    assert _offer(app, inter_agency["name"]) is None

    # Once asked, the page links their pending request instead.
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=restricted["id"],
        **REQUEST_FIELDS,
    )
    offer = _offer(app, restricted["name"])
    assert offer is not None and offer["href"].endswith(f"/access/request/{request['id']}")

    # A citizen asks for inter-agency data, never for restricted data.
    login(world.citizen)
    offer = _offer(app, inter_agency["name"])
    assert offer is not None and offer.text.strip() == "Yêu cầu truy cập"
    assert app.get(f"/dataset/{restricted['name']}").status_code == 404

    # Members of the owning agency see the data: nothing to ask for.
    login(world.owner_member)
    assert _offer(app, restricted["name"]) is None
    assert _offer(app, inter_agency["name"]) is None
