"""The listing pages' helpers give exactly what CKAN's own give."""

from __future__ import annotations

import re
import threading

import ckan.plugins.toolkit as tk
import flask
import pytest
from ckan.lib import helpers as ckan_helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.vnopendata import page_helpers

MARKDOWN_SAMPLES = [
    "",
    "Dữ liệu **dân số** theo _tỉnh_, năm 2025.",
    "# Tiêu đề\n\nĐoạn một.\n\n- mục 1\n- mục 2\n\n> trích dẫn",
    "Xem [cổng dữ liệu](https://data.gov.vn) và <https://example.gov.vn/a?b=1&c=2>.",
    "<script>alert(1)</script> văn bản &amp; ký tự &lt;b&gt;",
    "`mã` và\n\n    khối mã\n\n***",
    "Một câu rất dài " * 40,
    "[nhãn]: https://example.gov.vn\n\nDùng [nhãn] ở đây.",
    "Dùng [nhãn] chưa được định nghĩa.",
    "Số liệu 1 < 2 > 0 & \\*không nghiêng\\*",
]


@pytest.mark.parametrize("text", MARKDOWN_SAMPLES)
@pytest.mark.parametrize("length", [0, 20, 180, 190])
def test_markdown_extract_is_ckans(text, length):
    assert page_helpers.markdown_extract(text, extract_length=length) == (
        ckan_helpers.markdown_extract(text, extract_length=length)
    )


def test_a_reused_converter_forgets_the_last_text():
    """A link reference defined in one dataset's description must not
    resolve in the next one's (the converter is reset between texts)."""
    page_helpers._cached_extract.cache_clear()
    page_helpers.markdown_extract(MARKDOWN_SAMPLES[7])
    assert page_helpers.markdown_extract(MARKDOWN_SAMPLES[8]) == (
        "Dùng [nhãn] chưa được định nghĩa."
    )


def test_an_extract_is_made_once_per_text_and_length():
    page_helpers._cached_extract.cache_clear()
    text = "Dữ liệu **giá đất** của [tỉnh](https://example.gov.vn) " * 8
    first = page_helpers.markdown_extract(text, extract_length=180)
    again = page_helpers.markdown_extract(text, extract_length=180)
    other_length = page_helpers.markdown_extract(text, extract_length=20)
    info = page_helpers._cached_extract.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert first == again == ckan_helpers.markdown_extract(text, extract_length=180)
    assert other_length == ckan_helpers.markdown_extract(text, extract_length=20)


def test_a_very_long_text_is_extracted_without_being_kept():
    page_helpers._cached_extract.cache_clear()
    text = "Đoạn văn rất dài. " * (page_helpers.EXTRACT_CACHE_MAX_TEXT // 10)
    assert page_helpers.markdown_extract(text) == ckan_helpers.markdown_extract(text)
    assert page_helpers._cached_extract.cache_info().currsize == 0


def test_each_thread_converts_with_its_own_converter():
    texts = [f"**Bộ dữ liệu {n}** với [liên kết](https://example.gov.vn/{n})" for n in range(40)]
    expected = [ckan_helpers.markdown_extract(text) for text in texts]
    results: dict[int, list[str]] = {}

    def convert(worker: int) -> None:
        # Not through the kept extracts: each thread converts every text.
        results[worker] = [page_helpers._extract(text, 190) for text in texts]

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[n] == expected for n in range(4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(alphabet=st.sampled_from(list("ab đẻ*_#[]()<>&`\\-!:/\n0123"))),
    length=st.sampled_from([0, 15, 180]),
)
def test_markdown_extract_is_ckans_for_any_text(text, length):
    assert page_helpers.markdown_extract(text, extract_length=length) == (
        ckan_helpers.markdown_extract(text, extract_length=length)
    )


def test_templates_get_the_portals_markdown_extract():
    assert tk.h.markdown_extract is page_helpers.markdown_extract


FACET_ITEMS = [
    {"name": "health", "display_name": "Y tế", "count": 3, "active": True},
    {"name": "education", "display_name": "Giáo dục", "count": 2, "active": False},
    {"name": "Đà Nẵng & Huế", "display_name": "Đà Nẵng", "count": 1, "active": False},
    {"name": "", "display_name": "(trống)", "count": 1, "active": True},
]

PAGES = [
    "/dataset/?q=y+t%E1%BA%BF&sector=health&sector=&page=3",
    "/dataset/?sector=health&sector=education&sector=&res_format=CSV&ext_bbox=1",
    "/dataset/?sector=health&sector=&_sector_limit=0&sort=metadata_modified+desc",
]


def _ckans_links(name, items, extras=None, alternative_url=None):
    return [
        ckan_helpers.remove_url_param(
            name, item["name"], extras=extras, alternative_url=alternative_url
        )
        if item["active"]
        else ckan_helpers.add_url_param(
            new_params={name: item["name"]}, extras=extras, alternative_url=alternative_url
        )
        for item in items
    ]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "extras, alternative_url",
    [(None, None), (None, "/dataset/other"), ({"package_type": "dataset"}, None)],
)
def test_facet_links_are_ckans(app, page, extras, alternative_url):
    with app.flask_app.test_request_context(page):
        ours = page_helpers.vnopendata_facet_links(
            "sector", FACET_ITEMS, extras=extras, alternative_url=alternative_url
        )
        assert [item for item, _ in ours] == FACET_ITEMS
        assert [link for _, link in ours] == _ckans_links(
            "sector", FACET_ITEMS, extras=extras, alternative_url=alternative_url
        )


def test_facet_links_on_an_agency_page_are_ckans(app):
    items = [{"name": "CSV", "display_name": "CSV", "count": 4, "active": False}]
    with app.flask_app.test_request_context("/organization/bo-y-te?q=so&page=2"):
        ours = [link for _, link in page_helpers.vnopendata_facet_links("res_format", items)]
        assert ours == _ckans_links("res_format", items)
        assert ours == ["/organization/bo-y-te?q=so&res_format=CSV"]


def test_search_page_links_each_facet_value(app, catalogue):
    """The rendered sidebar: an active value's link drops it, another's
    adds it, and neither keeps the page number."""
    html = app.get("/dataset/?organization=bo-y-te&page=1").get_data(as_text=True)
    assert 'href="/dataset/" aria-label="' in html
    assert 'href="/dataset/?organization=bo-y-te&amp;sharing_class=open"' in html
    facet_links = re.findall(r'<a hx-boost="true" href="([^"]*)" aria-label="', html)
    assert len(facet_links) >= 4
    assert not [link for link in facet_links if "page=" in link]


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("item_class, hide_resources", [(None, None), ("vn-item", True)])
def test_the_dataset_list_renders_each_item_as_its_own_snippet(
    app, catalogue, item_class, hide_resources
):
    """The list includes its items (no snippet render per dataset): each
    item is what CKAN's snippet call would have rendered."""
    datasets = tk.get_action("package_search")(
        {"ignore_auth": True}, {"q": "*:*", "rows": 6, "include_private": True}
    )["results"]
    assert len(datasets) == 6
    assert any(dataset["resources"] for dataset in datasets)
    with app.flask_app.test_request_context("/dataset/"):
        listed = str(
            tk.h.snippet(
                "snippets/package_list.html",
                packages=datasets,
                item_class=item_class,
                hide_resources=hide_resources,
            )
        )
        one_by_one = "".join(
            str(
                tk.h.snippet(
                    "snippets/package_item.html",
                    package=dataset,
                    item_class=item_class,
                    hide_resources=hide_resources,
                )
            )
            for dataset in datasets
        )
    assert _squeezed(listed) == _squeezed(
        f'<ul class="dataset-list list-unstyled">{one_by_one}</ul>'
    )
    assert listed.count('class="badge vn-sharing') == 6


URLIZE_SAMPLES = [
    "",
    "Xem https://data.gov.vn/dataset?a=1&b=2 để biết thêm.",
    "Liên hệ lienhe@example.gov.vn hoặc www.example.gov.vn.",
    "<b>không phải thẻ</b> & \"ngoặc\" 'đơn' (https://example.gov.vn/(a)).",
    "Địa chỉ dài " + "https://example.gov.vn/" + "a" * 120,
]


@pytest.mark.parametrize("text", URLIZE_SAMPLES)
def test_urlize_is_the_templates_filter(app, text):
    with app.flask_app.test_request_context("/dataset/"):
        expected = app.flask_app.jinja_env.from_string("{{ text|urlize }}").render(text=text)
        ours = page_helpers.vnopendata_urlize(text)
        again = page_helpers.vnopendata_urlize(text)
        rendered = app.flask_app.jinja_env.from_string("{{ h.vnopendata_urlize(text) }}").render(
            text=text, h=tk.h
        )
    assert str(ours) == str(again) == expected == rendered


# The sidebar as it was written before its facets were included: one
# snippet render per facet, as CKAN's own template does.
FACETS_AS_SNIPPETS = """
{%- macro full_label(item) -%}{{ item.display_name }}{%- endmacro -%}
<div class="filters" id="search-facets" hx-swap-oob="true" hx-swap="none">
  <div>
    {% for facet in facet_titles %}
      {% snippet 'vnopendata/snippets/facet_list.html', title=facet_titles[facet],
           name=facet, search_facets=search_facets, label_function=full_label %}
    {% endfor %}
  </div>
  <a class="close no-text hide-filters"><i class="fa fa-times-circle"></i>
  <span class="text">{{ _('close') }}</span></a>
</div>"""


@pytest.mark.parametrize(
    "page",
    [
        "/dataset/",
        "/dataset/?organization=bo-y-te&sharing_class=open&page=2",
        "/dataset/?q=d%E1%BB%AF+li%E1%BB%87u&_tags_limit=0&tags=",
        "/organization/bo-y-te?res_format=CSV",
    ],
)
def test_the_facet_sidebar_renders_each_facet_as_its_snippet(app, catalogue, page):
    """The sidebar includes its facets (no snippet render per facet): the
    markup is what one snippet per facet gave, values, links, counts and
    the "show more" links included."""
    from collections import OrderedDict

    from ckan import plugins

    facet_titles: OrderedDict[str, str] = OrderedDict()
    for plugin in plugins.PluginImplementations(plugins.IFacets):
        facet_titles = plugin.dataset_facets(facet_titles, "dataset")
    assert len(facet_titles) >= 5
    with app.flask_app.test_request_context(page):
        search_facets = tk.get_action("package_search")(
            {"ignore_auth": True},
            {"q": "*:*", "rows": 0, "facet.field": list(facet_titles), "facet.limit": 3},
        )["search_facets"]
        assert any(facet["items"] for facet in search_facets.values())
        included = str(
            tk.h.snippet(
                "package/snippets/search_facets.html",
                facet_titles=facet_titles,
                search_facets=search_facets,
            )
        )
        as_snippets = app.flask_app.jinja_env.from_string(FACETS_AS_SNIPPETS).render(
            facet_titles=facet_titles, search_facets=search_facets
        )
    assert _squeezed(included) == _squeezed(as_snippets)
    assert included.count('<section class="module module-narrow') == len(facet_titles)


@pytest.mark.parametrize("who", ["", "editor", "sysadmin"])
@pytest.mark.parametrize(
    "action, target",
    [
        ("package_update", "dataset"),
        ("package_delete", "dataset"),
        ("organization_update", "ministry"),
        ("organization_update", "department"),
        ("package_create", None),
        ("sysadmin", None),
    ],
)
def test_access_checks_are_ckans(app, catalogue, who, action, target):
    """The template's check answers what CKAN's helper answers, for a
    reader, the ministry's editor and a sysadmin, asked once or twice."""
    from ckan import model
    from flask_login import login_user, logout_user

    user = catalogue[who]["name"] if who else ""
    if target == "dataset":
        data_dict = {"id": catalogue["datasets"]["shared"]["id"]}
    elif target:
        data_dict = {"id": catalogue[target]["id"]}
    else:
        data_dict = None
    with app.flask_app.test_request_context("/dataset/"):
        if user:
            login_user(model.User.get(user))
        else:
            logout_user()
        expected = ckan_helpers.check_access(action, data_dict)
        assert tk.h.check_access(action, data_dict) is expected
        assert tk.h.check_access(action, data_dict) is expected
    if who == "sysadmin":
        assert expected is True
    if not who:
        assert expected is False
    if who == "editor" and action == "package_update":
        assert expected is True


def test_an_access_check_holds_for_its_request_only(app, catalogue):
    """Asked again within a page, the answer is the one the page began
    with; the next page asks CKAN again, so a membership given between
    two pages counts at once."""
    from ckan import model
    from ckan.tests import factories
    from flask_login import login_user

    newcomer = factories.User()
    dataset = {"id": catalogue["datasets"]["shared"]["id"]}
    with app.flask_app.test_request_context("/dataset/"):
        login_user(model.User.get(newcomer["name"]))
        assert tk.h.check_access("package_update", dataset) is False
        tk.get_action("organization_member_create")(
            {"ignore_auth": True},
            {"id": catalogue["ministry"]["id"], "username": newcomer["name"], "role": "editor"},
        )
        assert ckan_helpers.check_access("package_update", dataset) is True
        assert tk.h.check_access("package_update", dataset) is False
    with app.flask_app.test_request_context("/dataset/"):
        login_user(model.User.get(newcomer["name"]))
        assert tk.h.check_access("package_update", dataset) is True


def test_an_access_check_with_unhashable_data_is_asked_each_time(app, catalogue):
    with app.flask_app.test_request_context("/dataset/"):
        data_dict = {"id": catalogue["datasets"]["shared"]["id"], "groups": [{"name": "x"}]}
        assert tk.h.check_access("package_update", data_dict) is False
        assert not flask.g.get("_vnopendata_access_asked")
