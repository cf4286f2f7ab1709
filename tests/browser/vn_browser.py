"""What a user does in the browser, shared by the browser tests (imported
by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ.get("VNOPENDATA_SCREENSHOTS", "/tmp/vnopendata-browser"))


OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


def closed_network(context: BrowserContext) -> None:
    """The portal runs on closed networks: anything a page would fetch from
    outside fails at once instead of holding the page's load event."""
    context.route(OUTSIDE, lambda route: route.abort())


def screenshot(page: Page, name: str) -> None:
    """Keep what the user saw, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, user: dict[str, Any], lang_prefix: str = "") -> None:
    """Log in through the real login form."""
    page.goto(f"{lang_prefix}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    with page.expect_navigation():
        page.locator("#field-password").press("Enter")
    assert "/user/login" not in page.url, "login failed"


def select_widget(page: Page, field: str) -> Locator:
    """The searchable widget the page draws over the select `field-<field>`."""
    return page.locator(f"#field-{field} + .select2-container")


def choose(page: Page, field: str, search: str, option: str) -> None:
    """Open a searchable select, type `search` and pick the one option that
    the search leaves, which must read `option`."""
    select_widget(page, field).click()
    search_box = page.locator(".select2-container--open .select2-search__field")
    expect(search_box).to_be_focused()
    search_box.press_sequentially(search)
    results = page.locator(".select2-container--open .select2-results__option--selectable")
    expect(results).to_have_text([option])
    results.first.click()


def field_error(page: Page, field: str) -> Locator:
    """The error message shown next to the input `field-<field>`."""
    return page.locator(f".form-group:has(#field-{field}) .error-block")


def dataset_fields(owner_org: str, name: str, title: str, /, **overrides: Any) -> dict[str, Any]:
    """An open dataset meeting every rule, for package_create."""
    fields: dict[str, Any] = {
        "name": name,
        "title_translated": {"vi": title},
        "notes_translated": {"vi": f"Mô tả: {title}."},
        "owner_org": owner_org,
        "contact_name": "Nguyễn Văn An",
        "contact_email": "an.nv@hanoi.gov.vn",
        "sharing_class": "open",
        "importance": "other",
        "personal_data": "none",
        "sector": "education",
        "provinces": ["01"],
        "issued": "2025-01-15",
        "license_id": "CC-BY-4.0",
        "no_state_secret": True,
        "private": False,
        "resources": [{"url": f"https://dulieu.gov.vn/{name}.csv", "format": "CSV"}],
    }
    fields.update(overrides)
    return fields


def open_section_of(page: Page, field: str) -> None:
    """Unfold the optional section of the dataset form holding
    `field-<field>`, as a user does: by clicking its heading."""
    section = page.locator(f"details.vn-form-optional:has(#field-{field})")
    if section.count() and section.get_attribute("open") is None:
        section.locator("> summary").click()
    expect(page.locator(f"#field-{field}")).to_be_attached()
