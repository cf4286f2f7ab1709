"""Vocabularies of the VN DCAT-AP profile: namespaces, the portal's code
lists as SKOS concept schemes, and the EU authority tables they map to.

Every concept the feed references has a URI that resolves: a code of the
portal's lists is `<base>/codelist/<list>#<code>` (the scheme's document,
served by `views/codelist`), an EU concept is the Publications Office IRI.
The feed types what it references (`skos:Concept`, `dct:Frequency`...) and
labels it, so that it validates against the DCAT-AP 3 shapes without the EU
vocabularies loaded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from ckanext.dcat.utils import catalog_uri
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from ckanext.vnopendata import codelists

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# Properties of the Vietnamese law that DCAT-AP has no term for.
VNOD = Namespace("https://github.com/ckanext-vnopendata/ns#")

EU = "http://publications.europa.eu/resource/authority/"
EU_THEME = EU + "data-theme/"
EU_FILE_TYPE = EU + "file-type/"
EU_LANGUAGE = EU + "language/"
EU_LICENCE = EU + "licence/"
IANA = "https://www.iana.org/assignments/media-types/"
# INSPIRE responsible-party role for the data custodian (dcat:hadRole).
CUSTODIAN_ROLE = "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/custodian"

# Prefixes bound in every serialisation: the stored pieces are cut from
# documents written with these bindings, and a page declares them once.
PREFIXES: dict[str, Namespace] = {
    "dcat": DCAT,
    "dct": Namespace(str(DCTERMS)),
    "dcatap": DCATAP,
    "eli": ELI,
    "foaf": FOAF,
    "prov": PROV,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace("http://www.w3.org/2000/01/rdf-schema#"),
    "skos": Namespace(str(SKOS)),
    "vcard": VCARD,
    "xsd": Namespace("http://www.w3.org/2001/XMLSchema#"),
    "owl": Namespace(str(OWL)),
    "hydra": HYDRA,
    "vnod": VNOD,
}

# English labels of the EU data themes (DCAT-AP requires skos:prefLabel on
# every concept the feed types as skos:Concept).
EU_THEME_LABELS = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}

# Resource format (as typed in CKAN) -> (EU file type, IANA media type).
FILE_TYPES: dict[str, tuple[str, str | None]] = {
    "CSV": ("CSV", "text/csv"),
    "JSON": ("JSON", "application/json"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "GeoJSON": ("GEOJSON", "application/geo+json"),
    "XML": ("XML", "application/xml"),
    "PDF": ("PDF", "application/pdf"),
    "ZIP": ("ZIP", "application/zip"),
    "HTML": ("HTML", "text/html"),
    "DOCX": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "TXT": ("TXT", "text/plain"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "SHP": ("SHP", None),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "RDF": ("RDF_XML", "application/rdf+xml"),
    "TTL": ("RDF_TURTLE", "text/turtle"),
    "JSON-LD": ("JSON_LD", "application/ld+json"),
}
FORMAT_BY_FILE_TYPE = {EU_FILE_TYPE + eu: fmt for fmt, (eu, _media) in FILE_TYPES.items()}

# Licence codes of the portal (SPDX) -> EU licence authority code.
EU_LICENCES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC0-1.0": "CC0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "ODbL-1.0": "ODC_BL",
    "ODC-By-1.0": "ODC_BY",
}


def base_uri() -> str:
    return catalog_uri().rstrip("/")


def scheme_uri(name: str) -> URIRef:
    return URIRef(f"{base_uri()}/codelist/{name}")


def concept_uri(name: str, code: str) -> URIRef:
    return URIRef(f"{scheme_uri(name)}#{quote(code, safe='')}")


def code_of(name: str, uri: Any) -> str | None:
    """The code of list `name` that `uri` names, or None."""
    prefix = f"{scheme_uri(name)}#"
    text = str(uri)
    if not text.startswith(prefix):
        return None
    code = unquote(text[len(prefix) :])
    return code if code in codelists.get(name) else None


def eu_matches(name: str, item: codelists.CodeItem) -> tuple[URIRef | None, URIRef | None]:
    """(exact match, broader match) of a code in the EU vocabularies."""
    extra = item.extra
    if name == "update_frequencies" and extra.get("iri"):
        return URIRef(extra["iri"]), None
    if name == "languages" and extra.get("eu"):
        return URIRef(EU_LANGUAGE + extra["eu"]), None
    if name == "sharing_classes":
        return URIRef(extra["access_right"]), None
    if name == "licences" and item.code in EU_LICENCES:
        return URIRef(EU_LICENCE + EU_LICENCES[item.code]), None
    if name == "sectors" and extra.get("eu_theme"):
        theme = URIRef(EU_THEME + extra["eu_theme"])
        sharing = [
            i
            for i in codelists.get("sectors").items
            if i.extra.get("eu_theme") == extra["eu_theme"]
        ]
        # Several sectors share a theme (economy and finance): the theme is
        # then broader than each, not the same concept.
        return (theme, None) if len(sharing) == 1 else (None, theme)
    return None, None


def add_concept(graph: Graph, name: str, code: str, *types: URIRef) -> URIRef:
    """Reference a code of a portal list: typed, labelled, in its scheme."""
    uri = concept_uri(name, code)
    code_list = codelists.get(name)
    item = code_list.by_code.get(code)
    graph.add((uri, RDF.type, SKOS.Concept))
    for rdf_type in types:
        graph.add((uri, RDF.type, rdf_type))
    graph.add((uri, SKOS.inScheme, scheme_uri(name)))
    graph.add((uri, SKOS.notation, Literal(code)))
    labels = item.label if item else {"vi": code}
    for lang in ("vi", "en"):
        if labels.get(lang):
            graph.add((uri, SKOS.prefLabel, Literal(labels[lang], lang=lang)))
    return uri


def add_eu_theme(graph: Graph, theme: str) -> URIRef:
    uri = URIRef(EU_THEME + theme)
    graph.add((uri, RDF.type, SKOS.Concept))
    graph.add((uri, SKOS.inScheme, URIRef(EU_THEME.rstrip("/"))))
    graph.add((uri, SKOS.prefLabel, Literal(EU_THEME_LABELS.get(theme, theme), lang="en")))
    return uri


def scheme_graph(name: str) -> Graph:
    """Code list `name` as a SKOS concept scheme (KeyError when unknown)."""
    code_list = codelists.get(name)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    scheme = scheme_uri(name)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for lang, text in code_list.title.items():
        graph.add((scheme, DCTERMS.title, Literal(text, lang=lang)))
        graph.add((scheme, SKOS.prefLabel, Literal(text, lang=lang)))
    graph.add((scheme, DCTERMS.source, Literal(" ".join(code_list.source.split()))))
    if code_list.source_url:
        graph.add((scheme, DCTERMS.source, URIRef(code_list.source_url)))
    graph.add((scheme, OWL.versionInfo, Literal(code_list.version)))
    graph.add((scheme, DCTERMS.issued, Literal(code_list.date)))
    for item in code_list.items:
        uri = add_concept(graph, name, item.code)
        graph.add((scheme, SKOS.hasTopConcept, uri))
        graph.add((uri, SKOS.topConceptOf, scheme))
        exact, broader = eu_matches(name, item)
        if exact is not None:
            graph.add((uri, SKOS.exactMatch, exact))
        if broader is not None:
            graph.add((uri, SKOS.broadMatch, broader))
        if item.extra.get("url"):
            graph.add((uri, FOAF.page, URIRef(item.extra["url"])))
        if name == "former_provinces" and item.extra.get("successor"):
            graph.add(
                (uri, DCTERMS.isReplacedBy, concept_uri("provinces", item.extra["successor"]))
            )
    return graph


def codelist_codes(name: str) -> list[dict[str, Any]]:
    """The codes of list `name` for the action API."""
    code_list = codelists.get(name)
    codes = []
    for item in code_list.items:
        exact, broader = eu_matches(name, item)
        entry: dict[str, Any] = {
            "code": item.code,
            "label_vi": item.label.get("vi", ""),
            "label_en": item.label.get("en", ""),
            "uri": str(concept_uri(name, item.code)),
            "exact_match": str(exact) if exact is not None else None,
            "broad_match": str(broader) if broader is not None else None,
        }
        for key, value in item.extra.items():
            entry.setdefault(key, value)
        codes.append(entry)
    return codes
