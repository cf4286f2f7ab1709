"""Code lists as linked data (`/codelist/<name>`) and over the action API."""

from __future__ import annotations

import ckan.tests.helpers as helpers
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ckanext.vnopendata import codelists
from ckanext.vnopendata.dcat import vocabularies

pytestmark = pytest.mark.usefixtures("with_request_context")

FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}
ALL = sorted({*codelists.names(), codelists.SHARING_CLASSES})


@pytest.mark.parametrize("name", ALL)
def test_every_code_list_is_a_skos_scheme_with_every_concept_labelled(app, name):
    response = app.get(f"/codelist/{name}.ttl")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    scheme = vocabularies.scheme_uri(name)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert (scheme, DCTERMS.source, None) in graph
    code_list = codelists.get(name)
    for item in code_list.items:
        concept = vocabularies.concept_uri(name, item.code)
        assert (concept, SKOS.inScheme, scheme) in graph
        assert (concept, SKOS.prefLabel, Literal(item.label["vi"], lang="vi")) in graph
        assert (concept, SKOS.prefLabel, Literal(item.label["en"], lang="en")) in graph


def test_eu_matches_where_the_eu_has_the_concept(app):
    graph = Graph().parse(
        data=app.get("/codelist/update_frequencies.ttl").get_data(), format="turtle"
    )
    monthly = vocabularies.concept_uri("update_frequencies", "MONTHLY")
    eu = URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY")
    assert (monthly, SKOS.exactMatch, eu) in graph
    classes = Graph().parse(
        data=app.get("/codelist/sharing_classes.ttl").get_data(), format="turtle"
    )
    restricted = vocabularies.concept_uri("sharing_classes", "restricted")
    non_public = URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")
    assert (restricted, SKOS.exactMatch, non_public) in classes
    sectors = Graph().parse(data=app.get("/codelist/sectors.ttl").get_data(), format="turtle")
    health = vocabularies.concept_uri("sectors", "health")
    assert (health, SKOS.exactMatch, URIRef(vocabularies.EU_THEME + "HEAL")) in sectors
    finance = vocabularies.concept_uri("sectors", "finance")  # shares ECON with economy_trade
    assert (finance, SKOS.broadMatch, URIRef(vocabularies.EU_THEME + "ECON")) in sectors
    assert (finance, SKOS.exactMatch, None) not in sectors


@pytest.mark.parametrize("extension", ["ttl", "rdf", "xml", "jsonld"])
def test_every_rdf_format_by_extension_and_by_accept(app, extension):
    by_extension = app.get(f"/codelist/provinces.{extension}")
    assert by_extension.status_code == 200
    a = Graph().parse(data=by_extension.get_data(as_text=True), format=FORMATS[extension])
    accept = {
        "ttl": "text/turtle",
        "rdf": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "jsonld": "application/ld+json",
    }[extension]
    by_accept = app.get("/codelist/provinces", headers={"Accept": accept})
    assert by_accept.headers["Content-Type"].startswith(accept)
    b = Graph().parse(data=by_accept.get_data(as_text=True), format=FORMATS[extension])
    assert len(a) == len(b) > 34 * 4


def test_people_get_an_html_page_and_an_index(app):
    page = app.get("/codelist/provinces", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Thành phố Hà Nội" in text and "Ha Noi City" in text
    index = app.get("/codelist")
    assert index.status_code == 200
    assert "/codelist/sectors" in index.get_data(as_text=True)


def test_an_unknown_code_list_is_404(app):
    assert app.get("/codelist/khong-co").status_code == 404
    assert app.get("/codelist/khong-co.ttl").status_code == 404
    assert app.get("/codelist/provinces.n3").status_code == 404


def test_codelist_list_names_titles_versions_and_sources():
    lists = helpers.call_action("vnopendata_codelist_list", context={"user": ""})
    assert [entry["name"] for entry in lists] == ALL
    provinces = next(entry for entry in lists if entry["name"] == "provinces")
    assert provinces["title"] == {
        "vi": "Đơn vị hành chính cấp tỉnh",
        "en": "Provincial-level administrative units",
    }
    assert provinces["version"] == "19/2025/QĐ-TTg"
    assert "19/2025" in provinces["source"]
    assert provinces["uri"].endswith("/codelist/provinces")


def test_codelist_show_returns_the_codes_with_labels_and_uris():
    shown = helpers.call_action("vnopendata_codelist_show", context={"user": ""}, id="provinces")
    assert shown["name"] == "provinces"
    assert len(shown["codes"]) == 34
    hanoi = shown["codes"][0]
    assert {k: hanoi[k] for k in ("code", "label_vi", "label_en")} == {
        "code": "01",
        "label_vi": "Thành phố Hà Nội",
        "label_en": "Ha Noi City",
    }
    assert hanoi["uri"] == str(vocabularies.concept_uri("provinces", "01"))
    sectors = helpers.call_action("vnopendata_codelist_show", context={"user": ""}, id="sectors")
    assert next(c for c in sectors["codes"] if c["code"] == "health")["eu_theme"] == "HEAL"


def test_codelist_show_errors(app):
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("vnopendata_codelist_show", context={"user": ""})
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("vnopendata_codelist_show", context={"user": ""}, id="khong-co")
    response = app.get("/api/3/action/vnopendata_codelist_show?id=khong-co")
    assert response.status_code == 404
    anonymous = app.get("/api/3/action/vnopendata_codelist_show?id=fees")
    assert anonymous.status_code == 200
    assert anonymous.json["result"]["codes"][0]["code"] == "free"
