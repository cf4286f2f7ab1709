"""Health endpoint, request ids, security headers, structured logs and
API tokens of deleted or blocked accounts, through the real app."""

from __future__ import annotations

import json
import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import pytest
from vn_schema_data import valid_dataset

from ckanext.vnopendata.ops import logs, web


def test_health_reports_database_search_and_queue(app, agency):
    factories.Dataset(**valid_dataset(agency["id"]))
    response = app.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["search"]["ok"] and body["jobs"]["ok"]
    assert body["search"]["public_datasets"] == 1
    assert isinstance(body["jobs"]["queued"], int)
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.usefixtures("clean_db")
def test_health_counts_the_job_queue(app):
    import ckan.lib.jobs as jobs

    queue = jobs.get_queue()
    queue.empty()
    before = app.get("/health").get_json()["jobs"]["queued"]
    job = jobs.enqueue(print, ["health-check"])
    try:
        assert app.get("/health").get_json()["jobs"]["queued"] == before + 1
    finally:
        job.delete()


@pytest.mark.usefixtures("clean_db")
def test_health_reports_kept_mails_and_a_missing_sender(app, ckan_config, monkeypatch):
    from ckanext.vnopendata.sharing import mail

    monkeypatch.setitem(ckan_config, "smtp.mail_from", "cong-du-lieu@example.vn")
    body = app.get("/health").get_json()
    assert body["mail"]["ok"] and body["mail"]["kept"] == 0
    assert body["mail"]["oldest_kept_s"] is None

    mail._keep([("Lãnh đạo", "lanhdao@example.vn")], "Chờ phê duyệt", "Nội dung")
    body = app.get("/health").get_json()
    assert body["mail"]["kept"] == 1 and body["mail"]["oldest_kept_s"] >= 0

    monkeypatch.setitem(ckan_config, "smtp.mail_from", "")
    response = app.get("/health")
    body = response.get_json()
    # Reading and search still work: degraded, not failed.
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["mail"]["ok"] is False and "smtp.mail_from" in body["mail"]["error"]


@pytest.mark.parametrize("path", ["/", "/dataset/", "/api/3/action/status_show", "/health"])
def test_security_headers_on_every_page(app, path):
    response = app.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_scripts(app):
    # script-src 'self' blocks inline scripts: the pages must not need any.
    from bs4 import BeautifulSoup

    for path in ("/", "/dataset/", "/organization/", "/user/login"):
        soup = BeautifulSoup(app.get(path).get_data(as_text=True), "html.parser")
        inline = [s for s in soup.find_all("script") if not s.get("src") and s.string]
        inline = [s for s in inline if s.get("type") not in ("application/json", "text/template")]
        assert inline == [], (path, [str(s)[:200] for s in inline])


def test_request_id_is_kept_or_made(app):
    given = app.get("/health", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["X-Request-ID"] == "lb-1234.abc"
    made = app.get("/health", headers={"X-Request-ID": "bad id <script>"})
    assert made.headers["X-Request-ID"] != "bad id <script>"
    assert len(made.headers["X-Request-ID"]) == 32
    assert app.get("/health").headers["X-Request-ID"] != made.headers["X-Request-ID"]


def test_access_log_is_one_json_line_with_the_request_id(app):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(logs.RequestIdFilter())
    web.access_log.addHandler(handler)
    old_level, old_disabled = web.access_log.level, web.access_log.disabled
    web.access_log.setLevel(logging.INFO)
    # CKAN's test set-up reads the ini's logging sections, which disables
    # loggers it does not name; production.ini names this one.
    web.access_log.disabled = False
    try:
        app.get("/dataset/", headers={"X-Request-ID": "req-42"})
    finally:
        web.access_log.removeHandler(handler)
        web.access_log.setLevel(old_level)
        web.access_log.disabled = old_disabled
    (record,) = [r for r in records if getattr(r, "path", "") == "/dataset/"]
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["status"] == 200 and line["method"] == "GET"
    assert line["duration_ms"] > 0
    assert line["logger"] == "ckanext.vnopendata.access"


def test_json_formatter_keeps_exceptions_and_unicode():
    try:
        raise ValueError("Hà Nội")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "lỗi %s", ("đ",), sys.exc_info()
        )
    token = logs.request_id.set("r1")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["msg"] == "lỗi đ" and line["request_id"] == "r1"
    assert "ValueError: Hà Nội" in line["exc"]


@pytest.mark.parametrize("how", ["deleted", "blocked"])
def test_api_token_of_a_removed_account_stops_at_once(app, agency, editor, how):
    user, org = editor, agency
    headers = {"Authorization": user["token"]}
    ok = app.post(
        "/api/3/action/package_create",
        json=valid_dataset(org["id"], name="truoc-khi-xoa"),
        headers=headers,
    )
    assert ok.status_code == 200, ok.get_data(as_text=True)
    if how == "deleted":
        tk.get_action("user_delete")({"ignore_auth": True}, {"id": user["id"]})
    else:
        obj = model.User.get(user["id"])
        obj.state = model.State.PENDING
        model.repo.commit()
    for method, path, payload in [
        ("get", "/api/3/action/package_search", None),
        ("post", "/api/3/action/package_create", {"name": "sau-khi-xoa", "owner_org": org["id"]}),
    ]:
        response = getattr(app, method)(path, json=payload, headers=headers)
        assert response.status_code == 403, (how, path)
        body = response.get_json()
        assert body["success"] is False
        assert "bị xóa hoặc bị khóa" in body["error"]["message"]
    assert model.Package.get("sau-khi-xoa") is None


@pytest.mark.ckan_config("apitoken_header_name", "X-Vnopendata-Token")
def test_api_token_in_the_configured_header_of_a_removed_account_stops(app, agency, editor):
    user = editor
    headers = {"X-Vnopendata-Token": user["token"]}
    ok = app.get("/api/3/action/user_show", query_string={"id": user["id"]}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["result"]["name"] == user["name"]
    tk.get_action("user_delete")({"ignore_auth": True}, {"id": user["id"]})
    response = app.get("/api/3/action/package_search", headers=headers)
    assert response.status_code == 403
    assert "bị xóa hoặc bị khóa" in response.get_json()["error"]["message"]


@pytest.mark.usefixtures("clean_db")
def test_api_token_of_an_active_account_works(app):
    user = factories.User()
    token = factories.APIToken(user=user["name"])["token"]
    response = app.get(
        "/api/3/action/user_show", query_string={"id": user["id"]}, headers={"Authorization": token}
    )
    assert response.status_code == 200
    assert response.get_json()["result"]["name"] == user["name"]
