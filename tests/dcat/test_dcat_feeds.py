"""The feeds as harvesters and people use them: visibility by permission
labels, pages, parameters, formats, content negotiation, HEAD."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.tests.helpers as helpers
import flask
import pytest
import sqlalchemy as sa
from ckanext.dcat.processors import RDFParser, RDFSerializer
from dcat_helpers import field_differences, visible_names
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF

from ckanext.vnopendata.dcat import feed, pieces, vocabularies, writers

pytestmark = pytest.mark.usefixtures("with_request_context")

SITE = "http://127.0.0.1:5000"
PARSE_FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}


def _path(url: str) -> str:
    return url[len(SITE) :] if url.startswith(SITE) else url


def harvest(app: Any, headers: dict[str, str], start: str = "/catalog.ttl") -> list[dict[str, Any]]:
    """Walk every page as a harvester does, with ckanext-dcat's parser."""
    url: str | None = start
    datasets: list[dict[str, Any]] = []
    pages = 0
    while url:
        response = app.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        parser = RDFParser(profiles=["vn_dcat_ap"])
        parser.parse(response.get_data(as_text=True), _format="ttl")
        datasets.extend(parser.datasets())
        following = parser.next_page()
        if following:
            assert following.startswith(SITE + "/catalog.ttl?")
        url = _path(following) if following else None
        pages += 1
        assert pages < 100
    return datasets


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "7")
def test_anonymous_harvest_gets_exactly_what_search_shows_with_every_field(app, demo_catalog):
    harvested = harvest(app, {})
    names = [d["name"] for d in harvested]
    assert len(names) == len(set(names))
    assert set(names) == visible_names(None)
    assert len(names) > 7  # more than one page was walked
    assert_same_as_package_show(harvested, None)
    # Metadata-visible inter-agency records come without their data.
    by_name = {d["name"]: d for d in demo_catalog["datasets"]}
    meta_only = [d for d in harvested if by_name[d["name"]]["sharing_class"] != "open"]
    assert meta_only
    assert all(by_name[d["name"]]["metadata_visible"] for d in meta_only)
    assert all(d["resources"] == [] for d in meta_only)
    assert any(by_name[d["name"]]["resources"] for d in meta_only)


def assert_same_as_package_show(harvested: list[dict[str, Any]], user: str | None) -> None:
    """Each harvested dataset equals what package_show gives the same caller
    (a metadata-only reader gets no resources from either)."""
    schema = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    for parsed in harvested:
        original = helpers.call_action(
            "package_show", context={"user": user or "", "ignore_auth": False}, id=parsed["name"]
        )
        assert field_differences(original, parsed, schema) == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "7")
def test_an_agency_token_adds_its_agencys_datasets(app, demo_catalog):
    headers = {"Authorization": demo_catalog["token"]}
    harvested = harvest(app, headers)
    names = {d["name"] for d in harvested}
    official = demo_catalog["official"]["name"]
    assert names == visible_names(official)
    assert names > visible_names(None)
    by_name = {d["name"]: d for d in demo_catalog["datasets"]}
    assert {by_name[n]["sharing_class"] for n in names} == {"open", "inter_agency", "restricted"}
    # Published inter-agency data in full; restricted data of other agencies
    # (metadata visible) without its data.
    for parsed in harvested:
        dataset = by_name[parsed["name"]]
        if dataset["sharing_class"] == "inter_agency" and dataset["review_state"] == "published":
            assert len(parsed["resources"]) == len(dataset["resources"])
        if (
            dataset["sharing_class"] == "restricted"
            and dataset["owner_org"] != demo_catalog["agency_id"]
        ):
            assert parsed["resources"] == []
    assert_same_as_package_show(harvested, official)


def test_a_dataset_the_caller_may_not_see_is_404(app, demo_catalog):
    hidden = next(d for d in demo_catalog["datasets"] if d["name"] not in visible_names(None))
    for reference in (hidden["id"], hidden["name"]):
        response = app.get(f"/dataset/{reference}.ttl")
        assert response.status_code == 404
        assert hidden["title"] not in response.get_data(as_text=True)
    # The test's request context shares `g` with the requests it makes:
    # forget the anonymous user of the requests above.
    flask.g.pop("_login_user", None)
    own = app.get(
        f"/dataset/{hidden['name']}.ttl", headers={"Authorization": demo_catalog["token"]}
    )
    if hidden["owner_org"] == demo_catalog["agency_id"]:
        assert own.status_code == 200
    for odd in ("khong-co", 'a"b', "x\\y", "%20"):
        assert app.get(f"/dataset/{odd}.ttl").status_code == 404


@pytest.mark.parametrize("extension", ["ttl", "rdf", "xml", "jsonld"])
def test_every_format_of_a_page_is_the_same_graph(app, demo_catalog, extension):
    as_of = "2100-01-01T00:00:00Z"
    turtle = app.get(f"/catalog.ttl?as_of={as_of}")
    other = app.get(f"/catalog.{extension}?as_of={as_of}")
    assert other.status_code == 200
    assert other.headers["Content-Type"].startswith(
        writers.CONTENT_TYPES[writers.EXTENSIONS[extension]]
    )
    a = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    b = Graph().parse(data=other.get_data(as_text=True), format=PARSE_FORMATS[extension])
    # The Hydra links name the page's own format; everything else is equal.
    for graph in (a, b):
        for page in list(graph.subjects(RDF.type, vocabularies.HYDRA.PagedCollection)):
            graph.remove((page, None, None))
    assert len(a) > 100
    assert isomorphic(a, b)


def test_a_dataset_document_in_every_format(app, demo_catalog):
    open_dataset = next(d for d in demo_catalog["datasets"] if d["sharing_class"] == "open")
    for extension in ("ttl", "rdf", "xml", "jsonld"):
        response = app.get(f"/dataset/{open_dataset['name']}.{extension}")
        assert response.status_code == 200
        graph = Graph().parse(data=response.get_data(as_text=True), format=PARSE_FORMATS[extension])
        assert (None, RDF.type, vocabularies.DCAT.Dataset) in graph
    assert app.get(f"/dataset/{open_dataset['name']}.n3").status_code == 404


def test_content_negotiation_on_the_dataset_page_and_home(app, demo_catalog):
    open_dataset = next(d for d in demo_catalog["datasets"] if d["sharing_class"] == "open")
    rdf = app.get(f"/dataset/{open_dataset['name']}", headers={"Accept": "text/turtle"})
    assert rdf.headers["Content-Type"].startswith("text/turtle")
    Graph().parse(data=rdf.get_data(as_text=True), format="turtle")
    html = app.get(f"/dataset/{open_dataset['name']}", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html")
    home = app.get("/", headers={"Accept": "application/ld+json"})
    assert home.headers["Content-Type"].startswith("application/ld+json")
    hidden = next(d for d in demo_catalog["datasets"] if d["name"] not in visible_names(None))
    assert (
        app.get(f"/dataset/{hidden['name']}", headers={"Accept": "text/turtle"}).status_code == 404
    )


def test_head_answers_without_searching_or_reading_pieces(app, demo_catalog):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().head("/catalog.ttl?page=2")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert not [s for s in statements if "vnopendata_" in s]
    assert app.test_client().head("/catalog.ttl?modified_since=soon").status_code == 400


@pytest.mark.ckan_config("ckan.site_url", "https://data.example.gov.vn")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "5")
def test_page_links_use_the_site_url_not_the_request_host(app, demo_catalog):
    response = app.get(
        "/catalog.ttl", headers={"Host": "10.0.0.7:5000", "X-Forwarded-Host": "x.test"}
    )
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    links = [str(o) for o in graph.objects(None, vocabularies.HYDRA.next)]
    assert links and all(
        link.startswith("https://data.example.gov.vn/catalog.ttl?") for link in links
    )


def test_q_fq_and_modified_since_filter_like_search(app, demo_catalog):
    def names(url: str) -> set[str]:
        response = app.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        parser = RDFParser(profiles=["vn_dcat_ap"])
        parser.parse(response.get_data(as_text=True), _format="ttl")
        return {d["name"] for d in parser.datasets()}

    health = {d["name"] for d in demo_catalog["datasets"] if d["sector"] == "health"}
    assert names("/catalog.ttl?fq=sector:health") == health & visible_names(None)
    assert names("/catalog.ttl?q=sector:health") == health & visible_names(None)
    assert names("/catalog.ttl?modified_since=2100-01-01") == set()
    assert names("/catalog.ttl?modified_since=2000-01-01T00:00:00") == visible_names(None)
    for bad in ("modified_since=not-a-date", "page=0", "page=x", "q=title:(", "after=nonsense"):
        response = app.get(f"/catalog.ttl?{bad}")
        assert response.status_code == 400, bad


def test_a_metadata_visible_record_reaches_anonymous_without_its_data(app, demo_catalog):
    dataset = next(
        d
        for d in demo_catalog["datasets"]
        if d["sharing_class"] == "inter_agency"
        and d["metadata_visible"]
        and d["resources"]
        and d["review_state"] == "published"
    )
    anonymous = app.get(f"/dataset/{dataset['name']}.ttl")
    assert anonymous.status_code == 200
    text = anonymous.get_data(as_text=True)
    assert "dcat:distribution" not in text
    for resource in dataset["resources"]:
        for key in ("url", "download_url", "api_endpoint", "api_spec_url"):
            if resource.get(key):
                assert resource[key] not in text
    # The test's request context shares `g` with the client's requests, and
    # Flask-Login keeps the user of the last request there: forget it, as a
    # new request of a real server does.
    flask.g.pop("_login_user", None)
    official = app.get(
        f"/dataset/{dataset['name']}.ttl", headers={"Authorization": demo_catalog["token"]}
    )
    assert "dcat:distribution" in official.get_data(as_text=True)


def test_full_access_needs_a_label_that_is_not_meta():
    caller = feed.Caller(
        name="u", sysadmin=False, labels={"public", "meta-public", "agency-any", "meta-agency-any"}
    )
    assert caller.variant(["public"]) == "full"
    assert caller.variant(["agency-any", "member-o", "meta-public"]) == "full"
    assert caller.variant(["member-o", "grant-p", "meta-agency-any"]) == "meta"
    assert caller.variant(["member-o", "grant-p"]) == "meta"  # not found by search anyway
    assert feed.Caller(name="s", sysadmin=True).variant(["member-o"]) == "full"


def test_pages_are_isomorphic_to_ckanext_dcat_with_the_same_profile(demo_catalog):
    sysadmin = feed.caller_for(demo_catalog["sysadmin"]["name"])
    ours = Graph().parse(data="".join(feed.dump(sysadmin, "ttl")), format="turtle")
    dicts = [
        helpers.call_action("package_show", context={"ignore_auth": True}, id=d["id"])
        for d in demo_catalog["datasets"]
    ]
    stock = RDFSerializer(profiles=["vn_dcat_ap"]).serialize_catalog({}, dicts, _format="ttl")
    theirs = Graph().parse(data=stock, format="turtle")
    assert len(ours) == len(theirs)
    assert to_isomorphic(ours) == to_isomorphic(theirs)


def test_a_write_stores_the_pieces_in_the_same_transaction(demo_catalog):
    dataset = demo_catalog["datasets"][0]
    before = pieces.fetch([dataset["id"]], {}, "ttl")[dataset["id"]]
    assert dataset["title_translated"]["vi"] in before
    helpers.call_action(
        "package_patch",
        context={"ignore_auth": True, "user": demo_catalog["sysadmin"]["name"]},
        id=dataset["id"],
        title_translated={"vi": "Tên mới của bộ dữ liệu", "en": "New title"},
    )
    after = pieces.fetch([dataset["id"]], {}, "ttl")[dataset["id"]]
    assert "Tên mới của bộ dữ liệu" in after
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action(
            "package_patch",
            context={"ignore_auth": True, "user": demo_catalog["sysadmin"]["name"]},
            id=dataset["id"],
            title_translated={"vi": "Không lưu", "en": "Not saved"},
            contact_email="not an email",
        )
    model.Session.rollback()
    assert "Không lưu" not in pieces.fetch([dataset["id"]], {}, "ttl")[dataset["id"]]
    helpers.call_action(
        "package_delete",
        context={"ignore_auth": True, "user": demo_catalog["sysadmin"]["name"]},
        id=dataset["id"],
    )
    assert pieces.fetch([dataset["id"]], {}, "ttl") == {}
    graph = Graph().parse(data="".join(feed.dump(feed.caller_for(None), "ttl")), format="turtle")
    assert (URIRef(feed._dataset_uris([dataset["id"]])[0]), None, None) not in graph
