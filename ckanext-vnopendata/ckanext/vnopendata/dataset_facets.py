"""Search facets of the dataset list, with labels in the page language."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vnopendata import helpers
from ckanext.vnopendata.search.facet_fields import PAGE_FACETS


def _titles() -> dict[str, str]:
    return {
        "sharing_class": tk._("Sharing class"),
        "organization": tk._("Agency"),
        "sector": tk._("Sector"),
        "provinces": tk._("Province"),
        "res_format": tk._("Format"),
        "license_id": tk._("Licence"),
    }


def dataset_facets() -> dict[str, Any]:
    # A fresh dict per call: titles are translated for the current request.
    titles = _titles()
    return {field: titles[field] for field in PAGE_FACETS}


def label_facet_items(search_results: dict[str, Any]) -> None:
    """Show code-list facet values by their label, not their code."""
    lang = helpers.vnopendata_lang()
    for facet, details in (search_results.get("search_facets") or {}).items():
        if facet not in helpers.FACET_CODELISTS:
            continue
        for item in details.get("items", []):
            item["display_name"] = helpers.vnopendata_facet_label(facet, item["name"], lang)
