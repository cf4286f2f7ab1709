"""Catalogue pages and dataset documents, streamed from the stored pieces.

Who sees what is decided by the search engine: `package_search` as the
caller, with the caller's permission labels, never a filter of our own. For
each dataset found, the caller gets the `full` piece when it shares a label
with the dataset that is not a `meta-` label (or is a sysadmin), else the
`meta` piece (no distributions).

Paging is keyset paging in creation order over a snapshot: the first page
fixes `as_of` (now), every page link carries it and the position after the
last dataset of the page (`after=<metadata_created>|<name>`). A dataset
created after the walk started is not in it, a dataset changed during the
walk keeps its place, a deleted one leaves no gap: a harvest that follows
`hydra:next` sees every dataset that existed at its start exactly once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import ckan.lib.plugins as lib_plugins
import ckan.lib.redis as ckan_redis
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import config
from ckan.lib.search import SearchError, SearchQueryError
from ckanext.dcat.utils import catalog_uri
from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from redis.exceptions import RedisError

from ckanext.vnopendata.dcat import pieces, writers
from ckanext.vnopendata.dcat.profile import VnDcatApProfile
from ckanext.vnopendata.dcat.vocabularies import DCAT, HYDRA, PREFIXES
from ckanext.vnopendata.search.package_query import count_not_needed
from ckanext.vnopendata.sharing import labels as sharing_labels

log = logging.getLogger(__name__)

PER_PAGE_OPTION = "ckanext.dcat.datasets_per_page"
FIELDS = "id name metadata_created permission_labels"
SEARCH_FILTERS = ["-dataset_type:harvest", "-dataset_type:showcase"]
META_PREFIX = "meta-"
# How long a walk's total is kept after a page counted it (seconds).
WALK_TOTAL_TTL = 3600


class FeedError(Exception):
    """Bad feed parameters: answered with 400 and the message."""


@dataclass
class Caller:
    name: str | None
    sysadmin: bool
    labels: set[str] = field(default_factory=set)
    # The user, when known: the searches of a page use it and its labels
    # rather than reading both again.
    user: model.User | None = field(default=None, repr=False, compare=False)

    def variant(self, dataset_labels: list[str] | None) -> str:
        """`full` when the caller shares a non-`meta-` label, else `meta`."""
        if self.sysadmin:
            return "full"
        shared = self.labels.intersection(dataset_labels or [])
        return "full" if any(not label.startswith(META_PREFIX) for label in shared) else "meta"


def current_caller() -> Caller:
    user = tk.current_user
    if user and user.is_authenticated and isinstance(user, model.User):
        return _caller(user)
    return caller_for(user.name if user and user.is_authenticated else None)


def caller_for(user_name: str | None) -> Caller:
    user_obj = model.User.get(user_name) if user_name else None
    if user_name and user_obj is None:
        raise tk.ObjectNotFound(tk._("User not found"))
    return _caller(user_obj)


def _caller(user_obj: model.User | None) -> Caller:
    labeller = lib_plugins.get_permission_labels()
    labels = set(labeller.get_user_dataset_labels(user_obj))
    return Caller(
        name=user_obj.name if user_obj else None,
        sysadmin=bool(user_obj and user_obj.sysadmin),
        labels=labels,
        user=user_obj,
    )


def per_page() -> int:
    return int(config.get(PER_PAGE_OPTION) or 100)


def _solr_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_moment(value: str, name: str) -> datetime:
    try:
        # The index's own dates (every row of a page) are what fromisoformat
        # reads, ~30 times faster than dateutil; callers' dates may be any
        # ISO 8601 form.
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        try:
            moment = parse_date(value)
        except (ParserError, ValueError, OverflowError):
            raise FeedError(tk._("{name} must be an ISO 8601 date").format(name=name)) from None
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


@dataclass
class PageRequest:
    q: str = "*:*"
    fq: str = ""
    modified_since: str | None = None
    as_of: str | None = None
    after: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> PageRequest:
        try:
            page = int(args.get("page") or 1)
        except ValueError:
            page = 0
        if page < 1:
            raise FeedError(tk._("page must be a positive integer"))
        request = cls(
            q=args.get("q") or "*:*",
            fq=args.get("fq") or "",
            modified_since=args.get("modified_since") or None,
            as_of=args.get("as_of") or None,
            after=args.get("after") or None,
            page=page,
        )
        if request.modified_since:
            _parse_moment(request.modified_since, "modified_since")
        if request.as_of:
            _parse_moment(request.as_of, "as_of")
        if request.after is not None:
            created, _sep, name = request.after.partition("|")
            if not name:
                raise FeedError(tk._("after must be <metadata_created>|<name> from a page link"))
            _parse_moment(created, "after")
        return request

    def link_params(self, **changes: Any) -> dict[str, Any]:
        params = {
            "q": self.q if self.q != "*:*" else None,
            "fq": self.fq or None,
            "modified_since": self.modified_since,
            "as_of": self.as_of,
        }
        params.update(changes)
        return {key: value for key, value in params.items() if value not in (None, "")}


@dataclass
class Page:
    datasets: list[dict[str, Any]]
    count: int
    next_after: str | None
    request: PageRequest


def _walk_key(caller: Caller, request: PageRequest) -> str:
    """The Redis key of the total of the walk `request` belongs to, as
    `caller` sees it: same labels, same window, same filters."""
    walk = [
        sorted(caller.labels),
        caller.sysadmin,
        request.q,
        request.fq,
        request.modified_since,
        request.as_of,
    ]
    digest = hashlib.sha256(json.dumps(walk).encode()).hexdigest()
    return f"{config.get('ckan.site_id')}:vnopendata:dcat:walk-total:{digest}"


def _known_total(key: str) -> int | None:
    try:
        value = ckan_redis.connect_to_redis().get(key)
    except RedisError:
        return None
    return int(value) if value is not None else None


def _keep_total(key: str, total: int) -> None:
    try:
        ckan_redis.connect_to_redis().set(key, total, ex=WALK_TOTAL_TTL)
    except RedisError:
        log.info("Redis unavailable: the feed walk's total is counted again on each page")


def _search(caller: Caller, data_dict: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"user": caller.name or "", "ignore_auth": False}
    user = caller.user
    # The caller's user and labels, read when the request began, serve the
    # search (a dump's batches drop the session's objects: then read again).
    if user is not None and user in model.Session:
        context["auth_user_obj"] = user
    else:
        user = None
    try:
        with sharing_labels.labels_reused_for(user, known=sorted(caller.labels)):
            return tk.get_action("package_search")(context, data_dict)
    except (SearchQueryError, SearchError) as error:
        raise FeedError(str(error)) from None


def find_page(caller: Caller, request: PageRequest, size: int | None = None) -> Page:
    """The datasets of one page (id, name, created, labels), as the caller sees them."""
    rows_max = int(config.get("ckan.search.rows_max") or 1000)
    # A page, the row that tells whether another follows and room for the
    # rows tied with the position, in one call.
    size = min(size or per_page(), rows_max - 10)
    if request.as_of is None:
        request.as_of = _solr_date(datetime.now(timezone.utc).replace(tzinfo=None))
    as_of = _solr_date(_parse_moment(request.as_of, "as_of"))
    filters = list(SEARCH_FILTERS)
    if request.modified_since:
        since = _solr_date(_parse_moment(request.modified_since, "modified_since"))
        filters.append(f"metadata_modified:[{since} TO *]")
    base = {"q": request.q, "fq": request.fq, "include_private": True, "fl": FIELDS}
    after_created, after_name = None, None
    lower = "*"
    if request.after:
        created, _sep, after_name = request.after.partition("|")
        after_created = _parse_moment(created, "after")
        lower = _solr_date(after_created)
    window = dict(
        base,
        fq_list=filters + [f"metadata_created:[{lower} TO {as_of}]"],
        sort="metadata_created asc, name asc",
    )
    if not request.after and request.page > 1:
        window["start"] = (request.page - 1) * size
    # The walk's total (`hydra:totalItems`): counted once, by the first
    # page that finds it unknown, and kept for the walk's later pages, which
    # then skip the count (the biggest cost of a page on a large catalogue).
    # Every page of a walk has the same `as_of`, so the total is the number
    # of datasets the caller could see when the walk started.
    total_key = _walk_key(caller, request)
    total = _known_total(total_key)
    extra = 8
    while True:
        rows = min(size + 1 + extra, rows_max)
        with count_not_needed() if total is not None else nullcontext():
            found = _search(caller, dict(window, rows=rows))
        results = found["results"]
        if after_created is not None:
            kept = [
                r
                for r in results
                if (_parse_moment(r["metadata_created"], "after"), r["name"])
                > (after_created, after_name)
            ]
        else:
            kept = results
        if len(kept) > size or len(results) < rows or rows == rows_max:
            break
        extra *= 4
    if total is None:
        # What lies before the window (the pages walked, by the page number
        # the links carry) plus the window.
        total = found["count"]
        if after_created is not None:
            total += (request.page - 1) * size - (len(results) - len(kept))
        _keep_total(total_key, total)
    count = total
    next_after = None
    if len(kept) > size:
        kept = kept[:size]
        last = kept[-1]
        next_after = f"{last['metadata_created']}|{last['name']}"
    return Page(datasets=kept, count=count, next_after=next_after, request=request)


def page_url(path: str, params: dict[str, Any]) -> str:
    site = (config.get("ckan.site_url") or catalog_uri()).rstrip("/")
    root = (config.get("ckan.root_path") or "").replace("{{LANG}}", "").rstrip("/")
    query = urlencode(params)
    return f"{site}{root}{path}" + (f"?{query}" if query else "")


def pagination(page: Page, path: str) -> dict[str, Any]:
    request = page.request
    info: dict[str, Any] = {
        "count": page.count,
        "items_per_page": per_page(),
        "current": page_url(
            path,
            request.link_params(
                after=request.after, page=request.page if request.page > 1 else None
            ),
        ),
        "first": page_url(path, request.link_params()),
    }
    if page.next_after:
        info["next"] = page_url(
            path, request.link_params(after=page.next_after, page=request.page + 1)
        )
    return info


@functools.lru_cache(maxsize=32)
def _catalog_body(fmt: str, *settings: Any) -> str:
    # The catalogue's own description depends on the settings only.
    return writers.body(catalog_graph([], None), fmt)


def catalog_body(fmt: str) -> str:
    keys = ("ckan.site_url", "ckanext.dcat.base_uri", "ckan.site_title", "ckan.site_description")
    settings = tuple(config.get(key) for key in (*keys, "ckanext.vnopendata.dcat.publisher_name"))
    return _catalog_body(fmt, *settings)


class _Triples(list[tuple[Any, Any, Any]]):
    """Triples for a writer, collected without a graph's indexes: a page's
    links are distinct by construction."""

    def add(self, triple: tuple[Any, Any, Any]) -> None:
        self.append(triple)


def page_links_body(dataset_uris: list[str], info: dict[str, Any] | None, fmt: str) -> str:
    triples = _Triples()
    catalog_ref = URIRef(catalog_uri())
    triples.extend((catalog_ref, DCAT.dataset, URIRef(uri)) for uri in dataset_uris)
    if info:
        add_pagination(triples, info)
    return writers.triples_body(triples, fmt)


def catalog_graph(dataset_uris: list[str], info: dict[str, Any] | None) -> Graph:
    """The catalogue's own triples for a page: the profile's catalogue,
    its dcat:dataset links and the Hydra paging (as ckanext-dcat writes it)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    catalog_ref = URIRef(catalog_uri())
    VnDcatApProfile(graph).graph_from_catalog({}, catalog_ref)
    for uri in dataset_uris:
        graph.add((catalog_ref, DCAT.dataset, URIRef(uri)))
    if info:
        add_pagination(graph, info)
    return graph


def add_pagination(graph: Graph | _Triples, info: dict[str, Any]) -> None:
    """ckanext-dcat's RDFSerializer._add_pagination_triples, on any graph."""
    ref = URIRef(info["current"])
    graph.add((ref, RDF.type, HYDRA.PagedCollection))
    items = [
        ("next", [HYDRA.nextPage, HYDRA.next]),
        ("previous", [HYDRA.previousPage, HYDRA.previous]),
        ("first", [HYDRA.firstPage, HYDRA.first]),
        ("last", [HYDRA.lastPage, HYDRA.last]),
        ("count", [HYDRA.totalItems]),
        ("items_per_page", [HYDRA.itemsPerPage]),
    ]
    for key, predicates in items:
        if info.get(key):
            for predicate in predicates:
                graph.add((ref, predicate, Literal(info[key])))


def _dataset_uris(package_ids: list[str]) -> list[str]:
    base = catalog_uri().rstrip("/")
    return [f"{base}/dataset/{package_id}" for package_id in package_ids]


def bodies_for(datasets: list[dict[str, Any]], caller: Caller, fmt: str) -> list[str]:
    """Stored bodies in page order; a missing piece is built now (and logged)."""
    variants = {d["id"]: caller.variant(d.get("permission_labels")) for d in datasets}
    stored = pieces.fetch(list(variants), variants, fmt)
    result = []
    for dataset in datasets:
        body = stored.get(dataset["id"])
        if body is None:
            log.warning("No stored DCAT piece for dataset %s: built at read time", dataset["id"])
            data = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
            row = pieces.build(data)
            body = row[f"{variants[dataset['id']]}_{fmt}"]
        result.append(body)
    return result


def catalog_document(caller: Caller, request: PageRequest, fmt: str, path: str) -> Iterator[str]:
    page = find_page(caller, request)
    info = pagination(page, path)
    uris = _dataset_uris([d["id"] for d in page.datasets])
    head = [catalog_body(fmt), page_links_body(uris, info, fmt)]
    return writers.document(fmt, [*head, *bodies_for(page.datasets, caller, fmt)])


def dump(caller: Caller, fmt: str, batch: int = 900, progress: Any = None) -> Iterator[str]:
    """The whole catalogue the caller sees, chunk by chunk (flat memory):
    walked with the same stable paging as the feed, in batches."""
    request = PageRequest()
    yield writers.header(fmt)
    first = True

    def emit(body: str) -> Iterator[str]:
        nonlocal first
        if body:
            if not first:
                yield writers.separator(fmt)
            first = False
            yield body

    yield from emit(catalog_body(fmt))
    while True:
        page = find_page(caller, request, size=batch)
        uris = _dataset_uris([dataset["id"] for dataset in page.datasets])
        yield from emit(page_links_body(uris, None, fmt))
        for body in bodies_for(page.datasets, caller, fmt):
            yield from emit(body)
        if progress is not None:
            progress(len(page.datasets), page.count)
        # Memory stays flat: nothing of a batch (search rows, the datasets
        # read to check access) outlives it in the session.
        model.Session.expunge_all()
        if not page.next_after:
            break
        request = PageRequest(as_of=request.as_of, after=page.next_after)
    yield writers.footer(fmt)


def find_dataset(caller: Caller, reference: str) -> dict[str, Any] | None:
    """The dataset `reference` (id or name) if the caller may see it."""
    quoted = reference.replace("\\", "\\\\").replace('"', '\\"')
    try:
        found = _search(
            caller,
            {
                "q": "*:*",
                "fq": f'id:"{quoted}" OR name:"{quoted}"',
                "fq_list": ["dataset_type:dataset"],
                "include_private": True,
                "fl": FIELDS,
                "rows": 1,
            },
        )
    except FeedError:
        return None
    return found["results"][0] if found["results"] else None


def dataset_document(caller: Caller, dataset: dict[str, Any], fmt: str) -> Iterator[str]:
    return writers.document(fmt, bodies_for([dataset], caller, fmt))
