"""Template helpers for the listing pages' per-item work, with CKAN's output.

The dataset search page (and an agency's or a group's) renders 20 datasets
and about 40 facet values; CKAN's helpers redo, for each of them, work whose
result is the same for the whole page. Each helper here gives exactly what
CKAN 2.12.0's gives (``ckan/lib/helpers.py``): ``tests/portal/
test_page_helpers.py`` compares them on the same input.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterable
from textwrap import shorten
from typing import Any

import markdown
from ckan.common import request
from ckan.lib import helpers as ckan_helpers

__all__ = ["markdown_extract", "vnopendata_facet_links"]

_converters = threading.local()


def markdown_extract(text: str, extract_length: int = 190) -> str:
    """CKAN's ``h.markdown_extract``: the plain text of markdown, cut to
    `extract_length` characters. CKAN builds a new converter for every text
    (``markdown.markdown``); this keeps one per thread and resets it
    between texts, as Python-Markdown documents for reuse (``reset()``)."""
    if not text:
        return ""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown()
    rendered = converter.reset().convert(text)
    plain = html.unescape(ckan_helpers.nh3_clean(rendered, tags=set()))
    if not extract_length or len(plain) < extract_length:
        return plain
    return shorten(plain, width=extract_length, placeholder="...")


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
