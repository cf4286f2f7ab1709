"""DCAT feeds and code lists as linked data.

- `/catalog.{ttl,rdf,jsonld,xml}`: the catalogue, paged (Hydra), as the
  caller sees it; `HEAD` answers from the parameters alone;
- `/dataset/<id>.{ttl,rdf,jsonld,xml}`: one dataset (404 when the caller may
  not see it); `/dataset/<id>` and `/` answer RDF to an RDF `Accept` header
  (ckanext-dcat's content negotiation);
- `/codelist/<name>` (and `.ttl`, `.rdf`, `.jsonld`, `.xml`): a code list as
  a SKOS concept scheme, or its HTML page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import parse_accept_header
from flask import Blueprint, Response, request

from ckanext.vnopendata import codelists
from ckanext.vnopendata.dcat import feed, vocabularies, writers

dcat_feeds = Blueprint("vnopendata_dcat", __name__)

RDFLIB_FORMATS = {"ttl": "turtle", "xml": "xml", "jsonld": "json-ld", "nt": "nt"}


def _format(extension: str) -> str:
    fmt = writers.EXTENSIONS.get(extension)
    if fmt is None or extension == "nt":
        tk.abort(404, tk._("Unknown RDF format: {extension}").format(extension=extension))
    return fmt  # type: ignore[return-value]


def _stream(chunks: Iterable[str], fmt: str) -> Response:
    # The chunks are already read (the page's pieces, a bounded list): the
    # response streams them without holding a request context open.
    return Response(
        iter(chunks),
        content_type=f"{writers.CONTENT_TYPES[fmt]}; charset=utf-8",
    )


def catalog(_format: str) -> Response:
    fmt = _format_or_404(_format)
    try:
        page_request = feed.PageRequest.from_args(request.args)
    except feed.FeedError as error:
        return Response(str(error), status=400, content_type="text/plain; charset=utf-8")
    if request.method == "HEAD":
        # A harvester sends HEAD before every GET: answer without a search.
        return Response(status=200, content_type=f"{writers.CONTENT_TYPES[fmt]}; charset=utf-8")
    caller = feed.current_caller()
    try:
        chunks = list(feed.catalog_document(caller, page_request, fmt, request.path))
    except feed.FeedError as error:
        return Response(str(error), status=400, content_type="text/plain; charset=utf-8")
    return _stream(chunks, fmt)


def _format_or_404(extension: str) -> str:
    return _format(extension)


def dataset(_id: str, _format: str) -> Response:
    fmt = _format_or_404(_format)
    return _dataset_response(_id, fmt)


def _dataset_response(reference: str, fmt: str) -> Response:
    caller = feed.current_caller()
    found = feed.find_dataset(caller, reference)
    if found is None:
        tk.abort(404, tk._("Dataset not found"))
    if request.method == "HEAD":
        return Response(status=200, content_type=f"{writers.CONTENT_TYPES[fmt]}; charset=utf-8")
    return _stream(list(feed.dataset_document(caller, found, fmt)), fmt)


def _negotiated() -> str | None:
    accept = request.headers.get("Accept", "")
    if not accept:
        return None
    extension = parse_accept_header(accept)
    return writers.EXTENSIONS.get(extension) if extension else None


@dcat_feeds.before_app_request
def content_negotiation() -> Response | None:
    """RDF for `/` and `/dataset/<id>` when the client asks for it by Accept."""
    endpoint = request.endpoint
    if endpoint not in ("home.index", "dataset.read"):
        return None
    fmt = _negotiated()
    if fmt is None or fmt not in ("ttl", "xml", "jsonld"):
        return None
    if endpoint == "dataset.read":
        return _dataset_response((request.view_args or {}).get("id", ""), fmt)
    try:
        page_request = feed.PageRequest.from_args(request.args)
        return _stream(
            list(feed.catalog_document(feed.current_caller(), page_request, fmt, request.path)), fmt
        )
    except feed.FeedError as error:
        return Response(str(error), status=400, content_type="text/plain; charset=utf-8")


# Code lists


def _codelist_or_404(name: str) -> codelists.CodeList:
    if name not in codelists.names() and name != codelists.SHARING_CLASSES:
        tk.abort(404, tk._("Code list not found"))
    return codelists.get(name)


def _codelist_rdf(name: str, fmt: str) -> Response:
    _codelist_or_404(name)
    graph = vocabularies.scheme_graph(name)
    if fmt == "jsonld":
        context = {prefix: str(namespace) for prefix, namespace in vocabularies.PREFIXES.items()}
        text = graph.serialize(format="json-ld", context=context)
    else:
        text = graph.serialize(format=RDFLIB_FORMATS[fmt])
    return Response(text, content_type=f"{writers.CONTENT_TYPES[fmt]}; charset=utf-8")


def codelist(name: str) -> Any:
    fmt = _negotiated()
    if fmt in ("ttl", "xml", "jsonld"):
        return _codelist_rdf(name, fmt)  # type: ignore[arg-type]
    code_list = _codelist_or_404(name)
    return tk.render(
        "vnopendata/codelist.html",
        extra_vars={
            "code_list": code_list,
            "codes": vocabularies.codelist_codes(name),
            "scheme_uri": str(vocabularies.scheme_uri(name)),
            "name": name,
        },
    )


def codelist_format(name: str, _format: str) -> Response:
    return _codelist_rdf(name, _format_or_404(_format))


def codelist_index() -> Any:
    return tk.render(
        "vnopendata/codelist_index.html",
        extra_vars={"code_lists": [codelists.get(name) for name in all_codelist_names()]},
    )


def all_codelist_names() -> list[str]:
    return sorted({*codelists.names(), codelists.SHARING_CLASSES})


dcat_feeds.add_url_rule("/catalog.<_format>", view_func=catalog, methods=["GET", "HEAD"])
dcat_feeds.add_url_rule(
    "/dataset/<_id>.<_format>", view_func=dataset, endpoint="dataset", methods=["GET", "HEAD"]
)
dcat_feeds.add_url_rule("/codelist", view_func=codelist_index, endpoint="codelist_index")
dcat_feeds.add_url_rule("/codelist/<name>", view_func=codelist, endpoint="codelist")
dcat_feeds.add_url_rule(
    "/codelist/<name>.<_format>", view_func=codelist_format, endpoint="codelist_format"
)
