"""The portal's own pages: statistics (Thống kê) and its CSV downloads;
the portal's name in the page language for every page."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, g

from ckanext.vnopendata import portal

statistics = Blueprint("vnopendata_statistics", __name__)


@statistics.before_app_request
def _site_identity() -> None:
    # CKAN reads the site title from `g` (it falls back to the app globals
    # when flask.g has none): one name per page language.
    identity = portal.identity()
    g.site_title = identity.title
    g.site_description = identity.tagline
    g.site_logo = identity.logo


def index() -> str:
    charts: list[dict[str, Any]] = []
    for chart in portal.CHARTS:
        rows = portal.chart_counts(chart)
        charts.append({"chart": chart, "rows": rows, "total": sum(row.count for row in rows)})
    return tk.render("vnopendata/statistics.html", {"charts": charts})


def download(chart: str) -> Response:
    found = portal.CHARTS_BY_KEY.get(chart)
    if found is None:
        tk.abort(404, tk._("No such chart"))
    body = portal.chart_csv(found, portal.chart_counts(found))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="thong-ke-{found.key}.csv"',
        },
    )


statistics.add_url_rule("/thong-ke", view_func=index, endpoint="index")
statistics.add_url_rule("/thong-ke/<chart>.csv", view_func=download, endpoint="download")


def get_blueprints() -> list[Blueprint]:
    return [statistics]
