"""The portal's identity and the figures of its home and statistics pages.

Every figure comes from `package_search` run as the visitor, so the
permission labels decide what is counted: an anonymous visitor's counts
never include data that is not open, and a member's include their agency's.
Each chart is one facet query of the search engine (no scan of the
catalogue in Python).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.vnopendata import helpers
from ckanext.vnopendata.search.package_query import count_not_needed
from ckanext.vnopendata.sharing import classes

SETTING = "ckanext.vnopendata.portal."
# The month a dataset entered the catalogue ("2026-11"), added to the search
# document by indexing.py so that growth is a facet like any other.
CATALOGUE_MONTH = "catalogue_month"


def setting(name: str, lang: str | None = None) -> str:
    """A portal setting in the page language (`<name>_vi`, `<name>_en`),
    falling back to the Vietnamese value."""
    if lang is None:
        return str(tk.config.get(SETTING + name) or "")
    lang = lang if lang in ("vi", "en") else "vi"
    return str(
        tk.config.get(f"{SETTING}{name}_{lang}") or tk.config.get(f"{SETTING}{name}_vi") or ""
    )


@dataclass(frozen=True)
class Identity:
    title: str
    tagline: str
    operator: str
    operator_url: str
    logo: str
    contact_email: str
    contact_phone: str
    contact_address: str


def identity(lang: str | None = None) -> Identity:
    lang = lang or helpers.vnopendata_lang()
    return Identity(
        title=setting("title", lang),
        tagline=setting("tagline", lang),
        operator=setting("operator", lang),
        operator_url=setting("operator_url"),
        logo=setting("logo"),
        contact_email=setting("contact_email"),
        contact_phone=setting("contact_phone"),
        contact_address=setting("contact_address", lang),
    )


def _search(**data_dict: Any) -> dict[str, Any]:
    """package_search as the current visitor (their permission labels)."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    data_dict.setdefault("include_private", True)
    return tk.get_action("package_search")(context, data_dict)


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


def agency_titles(names: list[str], lang: str) -> dict[str, str]:
    """Agency (organisation) titles in the page language, one query."""
    if not names:
        return {}
    agencies = helpers.all_agencies(names)
    return {
        agency["name"]: helpers.vnopendata_translated(agency, "title", lang) for agency in agencies
    }


def _label(field: str, key: str, lang: str, agencies: dict[str, str]) -> str:
    if field == "organization":
        return agencies.get(key, key)
    if field == "sharing_class":
        sharing_class = classes.get(key)
        return sharing_class.label(lang) if sharing_class else key
    if field == CATALOGUE_MONTH:
        year, _sep, month = key.partition("-")
        return f"{month}/{year}"
    return helpers.vnopendata_facet_label(field, key, lang)


def counts(
    field: str, facets: dict[str, int], lang: str, agencies: dict[str, str] | None = None
) -> list[Count]:
    if field == "organization" and agencies is None:
        agencies = agency_titles(list(facets), lang)
    return [
        Count(key, _label(field, key, lang, agencies or {}), count) for key, count in facets.items()
    ]


def facet_counts(field: str, limit: int = -1, sort: str = "count") -> list[Count]:
    """One facet of the catalogue as the visitor may see it (one query)."""
    result = _search(rows=0, **{"facet.field": [field], "facet.limit": limit, "facet.sort": sort})
    facets = result.get("facets", {}).get(field, {})
    if sort == "count":
        facets = dict(sorted(facets.items(), key=lambda item: (-item[1], item[0])))
    else:
        facets = dict(sorted(facets.items()))
    return counts(field, facets, helpers.vnopendata_lang())


def tracking_enabled() -> bool:
    return p.plugin_loaded("tracking")


def home_summary(top: int = 5) -> dict[str, Any]:
    """Everything the home page shows, in two or three searches."""
    lang = helpers.vnopendata_lang()
    newest = _search(
        rows=top,
        sort="metadata_created desc",
        **{"facet.field": ["sharing_class", "sector", "organization"], "facet.limit": -1},
    )
    facets = newest.get("facets", {})
    by_class = facets.get("sharing_class", {})
    top_sectors = sorted(facets.get("sector", {}).items(), key=lambda item: (-item[1], item[0]))
    top_agencies = sorted(
        facets.get("organization", {}).items(), key=lambda item: (-item[1], item[0])
    )
    agencies = agency_titles([name for name, _count in top_agencies[:top]], lang)
    # The first search counted the catalogue (with its facets): the
    # second's count would be the same number, read again.
    with count_not_needed():
        if tracking_enabled():
            most_viewed = _search(rows=top, sort="views_recent desc, metadata_modified desc")
        else:
            most_viewed = _search(rows=top, sort="metadata_modified desc")
    return {
        "total": newest["count"],
        "by_class": [
            Count(c.key, c.label(lang), by_class.get(c.key, 0))
            for c in classes.SHARING_CLASSES
            if by_class.get(c.key)
        ],
        "sectors": counts("sector", dict(top_sectors[:top]), lang),
        "agencies": counts("organization", dict(top_agencies[:top]), lang, agencies),
        "agency_count": len(top_agencies),
        "newest": newest["results"],
        "most_viewed": most_viewed["results"],
        "views_tracked": tracking_enabled(),
    }


@dataclass(frozen=True)
class Chart:
    """One chart of the statistics page and the facet it counts."""

    key: str
    field: str
    kind: str  # "bar" or "line"
    sort: str

    @property
    def title(self) -> str:
        return {
            "agency": tk._("Datasets by agency"),
            "sector": tk._("Datasets by sector"),
            "province": tk._("Datasets by province"),
            "class": tk._("Datasets by sharing class"),
            "growth": tk._("New datasets month by month"),
        }[self.key]

    @property
    def category(self) -> str:
        return {
            "agency": tk._("Agency"),
            "sector": tk._("Sector"),
            "province": tk._("Province"),
            "class": tk._("Sharing class"),
            "growth": tk._("Month"),
        }[self.key]


CHARTS = (
    Chart("agency", "organization", "bar", "count"),
    Chart("sector", "sector", "bar", "count"),
    Chart("province", "provinces", "bar", "count"),
    Chart("class", "sharing_class", "bar", "count"),
    Chart("growth", CATALOGUE_MONTH, "line", "index"),
)
CHARTS_BY_KEY = {chart.key: chart for chart in CHARTS}


def chart_counts(chart: Chart) -> list[Count]:
    rows = facet_counts(chart.field, sort=chart.sort)
    if chart.key == "growth":
        return _every_month(rows)
    return rows


def _every_month(rows: list[Count]) -> list[Count]:
    """Months without a new dataset count 0 instead of disappearing."""
    if not rows:
        return rows
    found = {row.key: row for row in rows}
    year, month = (int(part) for part in rows[0].key.split("-"))
    last = rows[-1].key
    filled: list[Count] = []
    while True:
        key = f"{year:04d}-{month:02d}"
        filled.append(found.get(key) or Count(key, f"{month:02d}/{year:04d}", 0))
        if key >= last:
            return filled
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def chart_csv(chart: Chart, rows: list[Count]) -> str:
    """The figures of one chart as CSV (UTF-8 with a BOM so that spreadsheet
    programs read Vietnamese correctly)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([chart.category, tk._("Code"), tk._("Number of datasets")])
    for row in rows:
        writer.writerow([row.label, row.key, row.count])
    return out.getvalue()


def _is_member(agency_id: str) -> bool:
    user = tk.current_user
    if not user.is_authenticated:
        return False
    if getattr(user, "sysadmin", False):
        return True
    return agency_id in {org["id"] for org in tk.h.organizations_available("read")}


def agency_summary(agency: dict[str, Any]) -> dict[str, Any]:
    """The agency page's panel: its datasets by class, its parent and
    departments, and for its members the datasets due for attention."""
    lang = helpers.vnopendata_lang()
    owner = f'owner_org:"{agency["id"]}"'
    found = _search(rows=1, fq=owner, **{"facet.field": ["sharing_class"], "facet.limit": -1})
    by_class = found.get("facets", {}).get("sharing_class", {})
    agencies = helpers.all_agencies()
    parent = next((a for a in agencies if a["id"] == agency.get("parent_agency")), None)
    departments = sorted(
        (a for a in agencies if a.get("parent_agency") == agency["id"]),
        key=lambda a: helpers.vnopendata_translated(a, "title", lang),
    )
    summary: dict[str, Any] = {
        "by_class": [
            Count(c.key, c.label(lang), by_class[c.key])
            for c in classes.SHARING_CLASSES
            if by_class.get(c.key)
        ],
        "parent": parent,
        "departments": departments,
        "is_member": _is_member(agency["id"]),
        "overdue": [],
        "waiting": [],
        "review_workflow": bool(found["results"]) and "review_state" in found["results"][0],
    }
    if summary["is_member"]:
        summary["overdue"] = _search(
            rows=50,
            fq=f"{owner} AND next_review_date:[* TO NOW/DAY}}",
            sort="next_review_date asc",
        )["results"]
        if summary["review_workflow"]:
            summary["waiting"] = _search(
                rows=50, fq=f"{owner} AND review_state:submitted", sort="metadata_modified asc"
            )["results"]
    return summary
