"""A real browser against the real portal.

One CKAN app served over HTTP by werkzeug in a daemon thread and one
headless Chromium (Debian's, driven by Playwright) per test session; a
fresh browser context per test. Tests create their data in the test
thread through the action API (committed to PostgreSQL), then the browser
reads and writes it through the pages like a user.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from ckan.common import config
from playwright.sync_api import Browser, Page, expect, sync_playwright
from vn_browser import PASSWORD, SCREENSHOTS, closed_network
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("VNOPENDATA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Pages must answer quickly on a local server; a hung page fails fast.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def live_server(_session_app) -> Iterator[str]:
    """The portal's WSGI app on a free local port; yields its base URL."""
    from ckan.lib.i18n import build_js_translations

    # `ckan run` writes the JavaScript modules' translations (CKAN's and the
    # extension's catalogues) before serving; so must the test server.
    build_js_translations()
    server = make_server("127.0.0.1", 0, _session_app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(autouse=True)
def _site_url(live_server: str, monkeypatch) -> None:
    # Redirects and absolute links are built from the site URL, which the
    # plugin resets from the ini file before every test.
    monkeypatch.setitem(config, "ckan.site_url", live_server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: str, request) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    # A page load waits for every asset; on a busy shared machine the first
    # request of a fresh context can take longer than an element wait.
    context.set_default_navigation_timeout(30_000)
    closed_network(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()


@pytest.fixture
def agency(clean_db, clean_index) -> dict[str, Any]:
    return factories.Organization(
        name="ubnd-thanh-pho-ha-noi",
        title_translated={
            "vi": "Ủy ban nhân dân Thành phố Hà Nội",
            "en": "Ha Noi People's Committee",
        },
        agency_code="000.00.00.H26",
        agency_type="provincial_committee",
        agency_level="province",
        province="01",
        # The factory's default is a made-up address on the internet.
        image_url="",
    )


@pytest.fixture
def editor(agency) -> dict[str, Any]:
    """An officer of the agency with the editor role."""
    user = factories.User(name="can-bo-so-lieu", fullname="Trần Thị Bình", password=PASSWORD)
    helpers.call_action(
        "organization_member_create", id=agency["id"], username=user["name"], role="editor"
    )
    return user
