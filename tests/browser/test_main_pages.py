"""Every main page, anonymous and signed in, in Vietnamese and English:
no English left on a Vietnamese page outside what users typed, and no
serious or critical accessibility violation found by axe-core.

The axe results of every page are written to axe-results.json in the
screenshots folder (printed at the start)."""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from vn_browser import PASSWORD, SCREENSHOTS, dataset_fields, log_in, screenshot

# Words of CKAN's English interface (and of ours) that must never show on
# a Vietnamese page. Words that are also Vietnamese without diacritics
# ("in", "to", "no", "an", "ban") are left out.
ENGLISH_UI_WORDS = frozenset(
    """
    the and for with your you this that from are have has been will which into found
    search datasets dataset organization organizations organisation group groups
    about home login logout register password username filter filters results result
    download explore more show less add edit delete update resources resource
    license licence tags tag formats format followers follower members member order
    relevance ascending descending modified popular last create manage preview
    previous next page powered view views activity stream dashboard news feed
    settings profile sign welcome additional info field value source author
    maintainer version state created metadata language submit clear remove close
    required optional draft private public other title description image upload link
    contact email phone back cancel save yes loading error found forbidden sort
    sorted datasets groups new go by of or is it not all any none what when where
    who why how here there their they them we our us my me
    """.split()  # noqa: SIM905
)
# Names that read the same in both languages.
ALLOWED = frozenset({"CKAN", "API", "DCAT", "JSON", "CSV", "Turtle", "Markdown", "ODbL"})
WORD = re.compile(r"[A-Za-z]+")
# Addresses (the form's URL preview, links written out) are not words.
ADDRESS = re.compile(r"\S*[/@]\S*")
# Nor are identifiers (a resource without a name is shown by its id, whose
# hex digits can spell "add" or "bad").
IDENTIFIER = re.compile(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b")
VISIBLE_TEXT = """() => {
  const skip = (node) =>
    node.closest('[lang]:not([lang^="vi"])') || node.closest('.vn-user-content');
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || skip(element) || !node.textContent.trim()) continue;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(element.tagName)) continue;
    if (!element.checkVisibility()) continue;
    texts.push(node.textContent.trim());
  }
  const labelled = '[placeholder], [aria-label], [title], img[alt]';
  for (const element of document.querySelectorAll(labelled)) {
    if (skip(element)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


def english_words(page: Page) -> list[str]:
    found = []
    for text in page.evaluate(VISIBLE_TEXT):
        words = WORD.findall(IDENTIFIER.sub(" ", ADDRESS.sub(" ", text)))
        english = [w for w in words if w.lower() in ENGLISH_UI_WORDS and w not in ALLOWED]
        if english:
            found.append(f"{text[:80]!r}: {english}")
    return found


@pytest.fixture(scope="module")
def site(reset_database) -> dict[str, Any]:
    reset_database()
    sysadmin = factories.Sysadmin()
    agency = factories.Organization(
        name="ubnd-thanh-pho-ha-noi",
        title_translated={
            "vi": "Ủy ban nhân dân Thành phố Hà Nội",
            "en": "Ha Noi People's Committee",
        },
        agency_code="000.00.00.H26",
        agency_type="provincial_committee",
        agency_level="province",
        province="01",
        focal_officer_name="Lê Thị Hoa",
        focal_officer_email="hoa.lt@hanoi.gov.vn",
        image_url="",
        # The factory's default description is English filler text.
        description_translated={"vi": "Cơ quan hành chính nhà nước của Thành phố Hà Nội."},
    )
    # The factory's default "about" is random English text, which the
    # user page shows as written; this officer writes Vietnamese.
    editor = factories.User(
        name="can-bo-so-lieu",
        fullname="Trần Thị Bình",
        password=PASSWORD,
        about="Cán bộ phụ trách số liệu giáo dục.",
    )
    helpers.call_action(
        "organization_member_create", id=agency["id"], username=editor["name"], role="editor"
    )
    dataset = helpers.call_action(
        "package_create",
        context={"user": sysadmin["name"]},
        **dataset_fields(
            agency["id"],
            "truong-hoc-ha-noi",
            "Danh sách trường học tại Hà Nội",
            tag_string="giáo dục,trường học",
            next_review_date="2025-12-30",
        ),
    )
    return {"agency": agency, "editor": editor, "dataset": dataset}


def anonymous_pages(site: dict[str, Any]) -> dict[str, str]:
    dataset = site["dataset"]
    return {
        "home": "/",
        "search": "/dataset/?q=truong+hoc",
        "dataset": f"/dataset/{dataset['name']}",
        "resource": f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}",
        "agencies": "/organization/",
        "agency": f"/organization/{site['agency']['name']}",
        "statistics": "/thong-ke",
        "about": "/about",
        "login": "/user/login",
        "not-found": "/dataset/khong-co-bo-du-lieu-nay",
    }


def member_pages(site: dict[str, Any]) -> dict[str, str]:
    return {
        "dashboard": "/dashboard/datasets",
        "new-dataset": "/dataset/new",
        "edit-dataset": f"/dataset/edit/{site['dataset']['name']}",
        "agency-member": f"/organization/{site['agency']['name']}",
        "user": f"/user/{site['editor']['name']}",
    }


AXE_RESULTS: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_axe_results():
    print(f"\nscreenshots and axe-results.json: {SCREENSHOTS}")
    yield
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "axe-results.json").write_text(
        json.dumps(AXE_RESULTS, ensure_ascii=False, indent=1, sort_keys=True)
    )


def check(page: Page, name: str, path: str, lang: str) -> None:
    prefix = "/vi" if lang == "vi" else "/en"
    response = page.goto(prefix + path)
    assert response is not None
    expect(page.locator("html")).to_have_attribute("lang", lang)
    screenshot(page, f"page-{lang}-{name}")
    problems = []
    if lang == "vi":
        problems += [f"English: {words}" for words in english_words(page)]
    violations = Axe().run(page).response["violations"]
    AXE_RESULTS[f"{lang} {name}"] = {
        impact: sum(len(v["nodes"]) for v in violations if v["impact"] == impact)
        for impact in ("critical", "serious", "moderate", "minor")
    } | {"rules": sorted(v["id"] for v in violations)}
    problems += [
        f"axe {v['impact']} {v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not problems, f"{prefix}{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "search",
        "dataset",
        "resource",
        "agencies",
        "agency",
        "statistics",
        "about",
        "login",
        "not-found",
    ],
)
def test_an_anonymous_page(page: Page, site, name: str, lang: str):
    check(page, name, anonymous_pages(site)[name], lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    "name", ["dashboard", "new-dataset", "edit-dataset", "agency-member", "user"]
)
def test_a_page_of_a_signed_in_editor(page: Page, site, name: str, lang: str):
    log_in(page, site["editor"])
    check(page, name, member_pages(site)[name], lang)
