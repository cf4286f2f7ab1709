"""The portal's own pages: statistics (Thống kê) and its CSV downloads;
the portal's name in the page language for every page."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, g

from ckanext.vnopendata import dataset_form, portal

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


def home() -> str:
    """The home page (CKAN's `home.index`, put in its place by
    `install_home`): the portal's template reads the catalogue itself
    (`h.vnopendata_home_summary`), so CKAN's own search of the home page,
    sorted over every dataset and with its facets, would be thrown away."""
    user = tk.current_user
    if user.is_authenticated and not user.email:
        # As CKAN's home page: a user without an e-mail is asked for one.
        ask = tk._('Please <a href="%s">update your profile</a> and add your email address. ')
        why = tk._("%s uses your email address if you need to reset your password.")
        site = getattr(g, "site_title", None) or tk.config.get("ckan.site_title")
        message = ask % tk.h.url_for("user.edit") + why % site
        tk.h.flash_notice(message, allow_html=True)
    return tk.render("home/index.html", extra_vars={})


def install_home(app: Any) -> None:
    """The portal's home view under CKAN's endpoint (`home.index`), so every
    link and rule to it stays as it is."""
    if "home.index" in app.view_functions:
        app.view_functions["home.index"] = home


form_drafts = Blueprint("vnopendata_form_draft", __name__)


def _draft_target() -> tuple[str, str]:
    """The draft's key and the form to go back to, checked."""
    key = tk.request.args.get("key") or dataset_form.NEW
    back = tk.request.args.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        tk.abort(400, tk._("The form to return to is missing"))
    if not tk.current_user.is_authenticated:
        tk.abort(403, tk._("Log in to save a draft"))
    if key != dataset_form.NEW:
        try:
            tk.check_access("package_update", {"user": tk.current_user.name}, {"id": key})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            tk.abort(403, tk._("You may not edit this dataset"))
    return key, back


def save_draft() -> Response:
    key, back = _draft_target()
    draft = dataset_form.save_draft(key, dataset_form.form_values(tk.request.form))
    tk.h.flash_success(
        tk._(
            "Draft saved at {time}. Nothing was published; open the form again "
            "to continue where you stopped."
        ).format(time=tk.h.vnopendata_date(draft.saved, with_time=True))
    )
    separator = "&" if "?" in back else "?"
    return tk.redirect_to(f"{back}{separator}vn_draft=1")


def discard_draft() -> Response:
    key, back = _draft_target()
    dataset_form.discard_draft(key)
    from ckan import model

    model.Session.commit()
    tk.h.flash_notice(tk._("The draft was discarded."))
    return tk.redirect_to(back)


form_drafts.add_url_rule("/dataset-draft/save", view_func=save_draft, methods=["POST"])
form_drafts.add_url_rule("/dataset-draft/discard", view_func=discard_draft, methods=["POST"])


def get_blueprints() -> list[Blueprint]:
    return [statistics, form_drafts]
