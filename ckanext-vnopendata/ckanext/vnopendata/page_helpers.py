"""Template helpers for the listing pages' per-item work, with CKAN's output.

The dataset search page (and an agency's or a group's) renders 20 datasets
and about 40 facet values; CKAN's helpers redo, for each of them, work whose
result is the same for the whole page, or for every page that lists the
same dataset (its description's extract). A dataset's page asks four times
whether the reader may edit it. Each helper here gives exactly
what CKAN 2.12.0's gives (``ckan/lib/helpers.py``), or Jinja's ``urlize``
filter: ``tests/portal/test_page_helpers.py`` compares them on the same
input. The list itself (``templates/snippets/package_list.html``) includes
its items instead of rendering each as a snippet.
"""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Iterable
from textwrap import shorten
from typing import Any

import ckan.plugins.toolkit as tk
import flask
import markdown
from ckan.common import current_user, request
from ckan.lib import helpers as ckan_helpers
from flask import current_app
from jinja2.filters import do_urlize
from jinja2.nodes import EvalContext
from markupsafe import Markup

__all__ = ["check_access", "markdown_extract", "vnopendata_facet_links", "vnopendata_urlize"]

_converters = threading.local()


# Extracts kept per process: the listing pages show the same datasets again
# and again (a query's first page, the newest), and an extract depends on
# the text alone. Texts longer than this are extracted every time.
EXTRACT_CACHE_SIZE = 2048
EXTRACT_CACHE_MAX_TEXT = 20_000


def _keepable(text: Any) -> bool:
    """Whether a text's extract (or its linked form) is kept: a plain
    string no longer than `EXTRACT_CACHE_MAX_TEXT`."""
    return type(text) is str and len(text) <= EXTRACT_CACHE_MAX_TEXT


def markdown_extract(text: str, extract_length: int = 190) -> str:
    """CKAN's ``h.markdown_extract``: the plain text of markdown, cut to
    `extract_length` characters. CKAN builds a new converter for every text
    (``markdown.markdown``); this keeps one per thread and resets it
    between texts, as Python-Markdown documents for reuse (``reset()``),
    and keeps the last extracts made (`EXTRACT_CACHE_SIZE`)."""
    if not text:
        return ""
    if _keepable(text):
        return _cached_extract(text, extract_length)
    return _extract(text, extract_length)


def _extract(text: str, extract_length: int) -> str:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown()
    rendered = converter.reset().convert(text)
    plain = html.unescape(ckan_helpers.nh3_clean(rendered, tags=set()))
    if not extract_length or len(plain) < extract_length:
        return plain
    return shorten(plain, width=extract_length, placeholder="...")


_cached_extract = functools.lru_cache(maxsize=EXTRACT_CACHE_SIZE)(_extract)


def vnopendata_urlize(text: str) -> Markup:
    """What ``{{ text|urlize }}`` gives in an HTML template (Jinja's filter,
    under the application's policies, escaped), kept per text as the
    extracts are: each dataset of a list shows its extract this way."""
    environment = current_app.jinja_env
    if _keepable(text):
        return _cached_urlize(text, environment, _urlize_policies(environment))
    return _urlize(text, environment)


def _urlize_policies(environment: Any) -> tuple[Any, ...]:
    policies = environment.policies
    return (
        policies["urlize.rel"],
        policies["urlize.target"],
        tuple(policies["urlize.extra_schemes"] or ()),
    )


def _urlize(text: str, environment: Any) -> Markup:
    context = EvalContext(environment)
    context.autoescape = True
    return Markup(do_urlize(context, text))


@functools.lru_cache(maxsize=EXTRACT_CACHE_SIZE)
def _cached_urlize(text: str, environment: Any, policies: tuple[Any, ...]) -> Markup:
    # `policies` is part of the key: a change of them is a new entry.
    return _urlize(text, environment)


def vnopendata_facet_links(
    name: str,
    items: Iterable[dict[str, Any]],
    extras: dict[str, Any] | None = None,
    alternative_url: str | None = None,
) -> list[tuple[dict[str, Any], str]]:
    """Each facet value with its link, as CKAN's facet list makes it: an
    active value's link removes it from the page's parameters
    (``h.remove_url_param(name, value)``), another's adds it
    (``h.add_url_param(new_params={name: value})``). The page's own
    address is built once, not once per value."""
    params = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    base = alternative_url or ckan_helpers._create_url_with_params(params=None, extras=extras)
    links = []
    for item in items:
        value = item["name"]
        if not item.get("active"):
            kept = [*params, (name, value)]
        elif value:
            kept = list(params)
            kept.remove((name, value))
        else:
            kept = [pair for pair in params if pair[0] != name]
        links.append((item, ckan_helpers._url_with_params(base, kept)))
    return links


@tk.chained_helper
def check_access(next_helper: Any, action: str, data_dict: dict[str, Any] | None = None) -> bool:
    """CKAN's ``h.check_access`` (may the signed-in user run `action` on
    `data_dict`?), asked of CKAN once per request for the same user, action
    and data: a dataset's page asks ``package_update`` of the same dataset
    four times (the manage button, the resources' edit links), an agency's
    ``organization_update`` twice. Nothing outlives the request, so a
    permission given or taken away counts from the next page on. Data
    with values other than text, numbers or None is asked every time."""
    key = _access_key(action, data_dict)
    if key is None or not flask.has_app_context():
        return next_helper(action, data_dict)
    asked = flask.g.setdefault("_vnopendata_access_asked", {})
    if key not in asked:
        asked[key] = next_helper(action, data_dict)
    return asked[key]


def _access_key(action: str, data_dict: dict[str, Any] | None) -> tuple[Any, ...] | None:
    items = sorted((data_dict or {}).items())
    if not all(isinstance(value, (str, int, float, type(None))) for _, value in items):
        return None
    return (current_user.name, action, tuple(items))
