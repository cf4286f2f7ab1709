"""The vn_dcat_ap profile: every demo dataset serialised and parsed back to
the same dict, field by field; DCAT-AP 3 SHACL with zero violations."""

from __future__ import annotations

from typing import Any

import ckan.tests.helpers as helpers
import pytest
from ckanext.dcat.processors import RDFParser, RDFSerializer
from dcat_helpers import (
    ACCEPTED_WARNINGS,
    SHAPES,
    SHARED_SHAPES,
    field_differences,
    shacl_results,
)
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from ckanext.vnopendata.dcat import pieces, profile, vocabularies
from ckanext.vnopendata.sharing import classes

pytestmark = pytest.mark.usefixtures("with_request_context")


@pytest.fixture(scope="module")
def shown(demo_catalog: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        helpers.call_action("package_show", context={"ignore_auth": True}, id=d["id"])
        for d in demo_catalog["datasets"]
    ]


@pytest.fixture(scope="module")
def schema(demo_catalog: dict[str, Any]) -> dict[str, Any]:
    return helpers.call_action("scheming_dataset_schema_show", type="dataset")


def test_the_profile_is_registered_and_the_portal_default():
    serializer = RDFSerializer()
    assert [p.__name__ for p in serializer._profiles] == ["VnDcatApProfile"]
    assert issubclass(
        profile.VnDcatApProfile, RDFSerializer(profiles=["euro_dcat_ap_3"])._profiles[0]
    )


def test_every_demo_dataset_comes_back_field_by_field(shown, schema):
    turtle = RDFSerializer(profiles=["vn_dcat_ap"]).serialize_catalog({}, shown, _format="ttl")
    parser = RDFParser(profiles=["vn_dcat_ap"])
    parser.parse(turtle, _format="ttl")
    parsed = {d["name"]: d for d in parser.datasets()}
    assert set(parsed) == {d["name"] for d in shown}
    differences = [diff for d in shown for diff in field_differences(d, parsed[d["name"]], schema)]
    assert differences == []
    # Every schema field is exercised by the demo, so none is left untested
    # (metadata_visible: False is a value too).
    used = {k for d in shown for k, v in d.items() if v not in (None, "", [], {})}
    used |= {"metadata_visible"} if any("metadata_visible" in d for d in shown) else set()
    fields = {f["field_name"] for f in schema["dataset_fields"]} - profile.WORKFLOW_FIELDS
    assert fields - used <= {"tag_string"}


def test_access_rights_follow_the_sharing_class_through_classes_module(shown):
    expected = {
        "open": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
        "inter_agency": "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
        "restricted": "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
    }
    seen = set()
    for dataset in shown:
        graph = pieces.dataset_graph(dataset)
        rights = set(graph.objects(None, DCTERMS.accessRights))
        assert rights == {URIRef(expected[dataset["sharing_class"]])}
        assert (
            expected[dataset["sharing_class"]]
            == classes.get(dataset["sharing_class"]).access_right_iri
        )
        seen.add(dataset["sharing_class"])
    assert seen == set(expected)


def test_titles_and_descriptions_carry_both_languages(shown):
    dataset = shown[0]
    graph = pieces.dataset_graph(dataset)
    titles = {(str(t), t.language) for t in graph.objects(None, DCTERMS.title) if t.language}
    assert (dataset["title_translated"]["vi"], "vi") in titles
    assert (dataset["title_translated"]["en"], "en") in titles


def test_the_metadata_only_piece_has_no_distribution_and_no_url(shown):
    with_resources = next(d for d in shown if d["resources"])
    graph = pieces.dataset_graph(with_resources, with_distributions=False)
    text = graph.serialize(format="nt")
    assert (None, vocabularies.DCAT.distribution, None) not in graph
    for resource in with_resources["resources"]:
        for key in ("url", "download_url", "api_endpoint", "api_spec_url"):
            if resource.get(key):
                assert resource[key] not in text


def test_the_whole_demo_catalogue_has_no_shacl_violation(shown):
    graph = Graph().parse(
        data=RDFSerializer(profiles=["vn_dcat_ap"]).serialize_catalog({}, shown, _format="ttl"),
        format="turtle",
    )
    results = shacl_results(graph)
    assert results.get("Violation", []) == []
    warnings = [w for w in results.get("Warning", []) if not any(k in w for k in ACCEPTED_WARNINGS)]
    assert warnings == []


def test_stock_euro_dcat_ap_3_output_does_have_violations(shown):
    # The validator bites: the same datasets through the stock profile fail.
    graph = Graph().parse(
        data=RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_catalog(
            {}, shown[:10], _format="ttl"
        ),
        format="turtle",
    )
    assert shacl_results(graph).get("Violation")


def test_every_referenced_concept_is_typed(shown):
    graph = pieces.dataset_graph(shown[1])
    for predicate in (vocabularies.DCAT.theme, DCTERMS.spatial, DCTERMS.accrualPeriodicity):
        for concept in graph.objects(None, predicate):
            assert (concept, RDF.type, None) in graph, (predicate, concept)


@pytest.mark.skipif(
    not SHARED_SHAPES.exists(),
    reason="the project's shared folder is only on the development machines",
)
def test_the_shapes_next_to_the_tests_are_the_shared_ones():
    assert SHAPES.read_bytes() == SHARED_SHAPES.read_bytes()
