"""RDF text that can be concatenated: one body per dataset, one header.

A page or a dump is a header, the stored bodies of its datasets, and a
footer, with no RDF library in the loop. Each writer turns a set of triples
into a body that is valid inside its format's document whatever comes
before or after it:

- N-Triples: one triple a line (also the `nt` dump);
- Turtle: one block per subject with the prefixes of `vocabularies.PREFIXES`
  (declared once by the header), objects in N-Triples form;
- RDF/XML: one `rdf:Description` per subject inside the header's `rdf:RDF`;
- JSON-LD: expanded node objects, comma-separated, inside `@graph`.

Blank-node labels come from rdflib's generated ids, unique across datasets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from ckanext.vnopendata.dcat.vocabularies import PREFIXES

FORMATS = ("nt", "ttl", "xml", "jsonld")
CONTENT_TYPES = {
    "nt": "application/n-triples",
    "ttl": "text/turtle",
    "xml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
# URL extensions and what they serve.
EXTENSIONS = {"ttl": "ttl", "rdf": "xml", "xml": "xml", "jsonld": "jsonld", "nt": "nt"}

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_BY_LENGTH = sorted(
    ((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda i: -len(i[0])
)
RDF_TYPE = str(RDF.type)


def _qname(uri: str) -> tuple[str, str, str] | None:
    """(prefix, namespace, local name) when `uri` is in a bound namespace."""
    for namespace, prefix in _BY_LENGTH:
        if uri.startswith(namespace):
            local = uri[len(namespace) :]
            if _LOCAL.match(local):
                return prefix, namespace, local
    return None


def _nt_term(term: Any) -> str:
    text = _TERMS.get(term)
    if text is None:
        text = _TERMS[term] = _term_text(term)
    return text


# N-Triples text of the terms of the graph being written (`bodies`).
_TERMS: dict[Any, str] = {}


def _term_text(term: Any) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    return term.n3()


def _by_subject(triples: Iterable[tuple[Any, Any, Any]]) -> dict[Any, list[tuple[Any, Any]]]:
    subjects: dict[Any, list[tuple[Any, Any]]] = {}
    for s, p, o in triples:
        subjects.setdefault(s, []).append((p, o))
    for pairs in subjects.values():
        pairs.sort(key=lambda pair: (str(pair[0]) != RDF_TYPE, str(pair[0]), _nt_term(pair[1])))
    return subjects


def nt_body(triples: list[tuple[Any, Any, Any]]) -> str:
    return "".join(sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n" for s, p, o in triples))


def ttl_body(triples: list[tuple[Any, Any, Any]]) -> str:
    blocks = []
    for subject, pairs in _by_subject(triples).items():
        lines = []
        for predicate, obj in pairs:
            if str(predicate) == RDF_TYPE:
                verb = "a"
            else:
                qname = _qname(str(predicate))
                verb = f"{qname[0]}:{qname[2]}" if qname else f"<{predicate}>"
            lines.append(f"{verb} {_nt_term(obj)}")
        blocks.append(f"{_nt_term(subject)} " + " ;\n    ".join(lines) + " .\n")
    return "\n".join(blocks) + "\n" if blocks else ""


def _xml_subject(subject: Any) -> str:
    if isinstance(subject, BNode):
        return f"rdf:nodeID={quoteattr(str(subject))}"
    return f"rdf:about={quoteattr(str(subject))}"


def xml_body(triples: list[tuple[Any, Any, Any]]) -> str:
    parts = []
    for subject, pairs in _by_subject(triples).items():
        lines = [f"  <rdf:Description {_xml_subject(subject)}>"]
        for predicate, obj in pairs:
            qname = _qname(str(predicate))
            if qname is None:
                raise ValueError(f"predicate outside the bound namespaces: {predicate}")
            tag = f"{qname[0]}:{qname[2]}"
            if isinstance(obj, BNode):
                lines.append(f"    <{tag} rdf:nodeID={quoteattr(str(obj))}/>")
            elif isinstance(obj, URIRef):
                lines.append(f"    <{tag} rdf:resource={quoteattr(str(obj))}/>")
            else:
                attributes = ""
                if obj.language:
                    attributes = f" xml:lang={quoteattr(obj.language)}"
                elif obj.datatype:
                    attributes = f" rdf:datatype={quoteattr(str(obj.datatype))}"
                lines.append(f"    <{tag}{attributes}>{escape(str(obj))}</{tag}>")
        lines.append("  </rdf:Description>\n")
        parts.append("\n".join(lines))
    return "".join(parts)


def _jsonld_object(obj: Any) -> dict[str, Any]:
    if isinstance(obj, BNode):
        return {"@id": f"_:{obj}"}
    if isinstance(obj, URIRef):
        return {"@id": str(obj)}
    value: dict[str, Any] = {"@value": str(obj)}
    if obj.language:
        value["@language"] = obj.language
    elif obj.datatype:
        value["@type"] = str(obj.datatype)
    return value


def jsonld_body(triples: list[tuple[Any, Any, Any]]) -> str:
    nodes = []
    for subject, pairs in _by_subject(triples).items():
        node: dict[str, Any] = {"@id": _jsonld_object(subject)["@id"]}
        for predicate, obj in pairs:
            if str(predicate) == RDF_TYPE and isinstance(obj, URIRef):
                node.setdefault("@type", []).append(str(obj))
            else:
                node.setdefault(str(predicate), []).append(_jsonld_object(obj))
        nodes.append(json.dumps(node, ensure_ascii=False, separators=(",", ":")))
    return ",\n".join(nodes)


BODY_WRITERS = {"nt": nt_body, "ttl": ttl_body, "xml": xml_body, "jsonld": jsonld_body}


def bodies(graph: Graph) -> dict[str, str]:
    """The graph's triples in every format, as concatenable bodies."""
    triples = list(graph.triples((None, None, None)))
    try:
        return {fmt: writer(triples) for fmt, writer in BODY_WRITERS.items()}
    finally:
        _TERMS.clear()


def body(graph: Graph, fmt: str) -> str:
    """The graph's triples in one format, as a concatenable body."""
    return triples_body(list(graph.triples((None, None, None))), fmt)


def triples_body(triples: list[tuple[Any, Any, Any]], fmt: str) -> str:
    """Distinct triples in one format, as a concatenable body."""
    try:
        return BODY_WRITERS[fmt](triples)
    finally:
        _TERMS.clear()


def header(fmt: str) -> str:
    if fmt == "ttl":
        return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items()) + "\n"
    if fmt == "xml":
        declarations = "\n".join(
            f"   xmlns:{prefix}={quoteattr(str(ns))}" for prefix, ns in PREFIXES.items()
        )
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{declarations}\n>\n'
    if fmt == "jsonld":
        return '{"@graph": [\n'
    return ""


def footer(fmt: str) -> str:
    if fmt == "xml":
        return "</rdf:RDF>\n"
    if fmt == "jsonld":
        return "\n]}\n"
    return ""


def separator(fmt: str) -> str:
    """What goes between two non-empty bodies."""
    return ",\n" if fmt == "jsonld" else ""


def document(fmt: str, body_list: Iterable[str]) -> Iterable[str]:
    """A whole document from bodies, chunk by chunk (empty bodies skipped)."""
    yield header(fmt)
    first = True
    for body in body_list:
        if not body:
            continue
        if not first:
            yield separator(fmt)
        first = False
        yield body
    yield footer(fmt)
