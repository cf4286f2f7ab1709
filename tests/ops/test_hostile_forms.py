"""The web forms against hostile users: CSRF tokens, script in markdown and
bilingual fields, oversized uploads, file names with separators."""

from __future__ import annotations

import io
import re

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from vn_schema_data import csrf_token, valid_dataset

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture
def sysadmin(clean_db):
    import ckan.tests.factories as factories

    return factories.SysadminWithToken(password="correct horse battery staple")


@pytest.fixture
def logged_in(app, sysadmin):
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
    assert response.status_code == 302
    yield app
    app.get("/user/_logout")


@pytest.mark.parametrize(
    "path",
    ["/dataset/new", "/organization/new"],
)
def test_forms_refuse_a_post_without_csrf_token(logged_in, agency, path):
    before = model.Session.query(model.Package).count(), model.Session.query(model.Group).count()
    data = {"name": "khong-co-token", "title": "x", "title_translated-vi": "x"}
    response = logged_in.post(path, data=data, follow_redirects=False)
    assert response.status_code in (400, 403), (path, response.status_code)
    assert "CSRF" in response.get_data(as_text=True)
    model.Session.remove()
    after = model.Session.query(model.Package).count(), model.Session.query(model.Group).count()
    assert before == after


def _hostile_dataset(agency_id: str) -> dict:
    return valid_dataset(
        agency_id,
        name="du-lieu-doc-hai",
        title_translated={"vi": f"Tiêu đề {SCRIPT}", "en": f"Title {IMG}"},
        notes_translated={
            "vi": f"Mô tả {SCRIPT}\n\n[bấm](javascript:alert(1)) {IMG}",
            "en": '<a href="javascript:alert(2)">x</a> <iframe src="https://evil.example"></iframe>',
        },
        contact_name=f"An {SCRIPT}",
    )


def _assert_no_script(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        assert "alert(" not in (script.string or ""), str(script)
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.startswith("on"), str(tag)[:200]
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attribute in ("href", "src", "action"):
                assert not text.strip().lower().startswith("javascript:"), str(tag)[:200]
    assert not soup.find("iframe", src=re.compile("evil"))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_markdown_and_bilingual_fields_cannot_inject_script(app, sysadmin, agency, prefix):
    tk.get_action("package_create")({"user": sysadmin["name"]}, _hostile_dataset(agency["id"]))
    page = app.get(f"{prefix}/dataset/du-lieu-doc-hai")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _assert_no_script(html)
    assert (
        "alert(&#39;xss&#39;)" in html
        or "alert(&#x27;xss&#x27;)" in html
        or ("&lt;script&gt;" in html)
    )  # shown as text, not dropped silently from the title
    search = app.get(f"{prefix}/dataset/", query_string={"q": "doc hai"})
    _assert_no_script(search.get_data(as_text=True))


def test_the_edit_form_escapes_what_it_shows(logged_in, sysadmin, agency):
    tk.get_action("package_create")({"user": sysadmin["name"]}, _hostile_dataset(agency["id"]))
    form = logged_in.get("/dataset/edit/du-lieu-doc-hai")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    _assert_no_script(html)
    soup = BeautifulSoup(html, "html.parser")
    # The value typed is kept, as text, in its field.
    field = soup.find(attrs={"name": "title_translated-vi"})
    assert field is not None and field.get("value") == f"Tiêu đề {SCRIPT}"


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_an_upload_over_the_limit_is_refused_with_a_clear_message(app, editor, agency):
    dataset = tk.get_action("package_create")(
        {"user": editor["name"]}, valid_dataset(agency["id"], name="tai-len")
    )
    big = io.BytesIO(b"a,b\n" + b"1,2\n" * (300 * 1024))  # 1.2 MB
    response = app.post(
        "/api/3/action/resource_create",
        data={"package_id": dataset["id"], "name": "lớn", "upload": (big, "lon.csv")},
        headers={"Authorization": editor["token"]},
        content_type="multipart/form-data",
    )
    assert response.status_code in (409, 413), response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    assert "upload" in text.lower() or "large" in text.lower() or "lớn" in text, text[:500]
    model.Session.remove()
    assert len(model.Package.get(dataset["id"]).resources) == len(dataset["resources"])


@pytest.mark.parametrize(
    "filename",
    ["../../../etc/passwd.csv", "..\\..\\win.csv", "dữ liệu/báo cáo 2025.csv", "/abs/x.csv"],
)
def test_upload_file_names_stay_inside_the_storage(app, editor, agency, filename, tmp_path):
    from ckan.common import config

    storage = config.get("ckan.storage_path")
    assert storage, "the test configuration sets ckan.storage_path"
    dataset = tk.get_action("package_create")(
        {"user": editor["name"]}, valid_dataset(agency["id"], name="ten-tep")
    )
    response = app.post(
        "/api/3/action/resource_create",
        data={
            "package_id": dataset["id"],
            "name": "tệp",
            "upload": (io.BytesIO(b"a,b\n1,2\n"), filename),
        },
        headers={"Authorization": editor["token"]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    resource = response.get_json()["result"]
    stored_name = resource["url"].rsplit("/", 1)[-1]
    assert "/" not in stored_name and "\\" not in stored_name
    assert stored_name not in ("", ".", "..")
    # The file is where the uploader keeps it, and nowhere outside.
    import os

    found = []
    for root, _dirs, files in os.walk(storage):
        found += [os.path.join(root, f) for f in files]
    real_storage = os.path.realpath(storage)
    assert all(os.path.realpath(f).startswith(real_storage) for f in found)
    assert not os.path.exists("/etc/passwd.csv")
    download = app.get(
        f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{stored_name}",
        headers={"Authorization": editor["token"]},
    )
    assert download.status_code == 200
    assert download.get_data() == b"a,b\n1,2\n"
