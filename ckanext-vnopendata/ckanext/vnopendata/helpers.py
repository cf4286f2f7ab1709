"""Template helpers: code-list labels, bilingual values, sharing badges."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
import flask
from ckan import model

from ckanext.vnopendata import codelists
from ckanext.vnopendata.sharing import classes, review

__all__ = [
    "dcat_get_endpoint",
    "vnopendata_codelist_choices",
    "vnopendata_codelist_label",
    "vnopendata_codelist_labels",
    "vnopendata_lang",
    "vnopendata_translated",
    "vnopendata_sharing_class",
    "vnopendata_agency",
    "vnopendata_agency_title",
    "vnopendata_facet_label",
    "vnopendata_fluent_form_value",
    "vnopendata_selected_codes",
    "vnopendata_agency_choices",
    "vnopendata_fee_rules",
    "vnopendata_catalogue_decisions",
    "vnopendata_portal",
    "vnopendata_home_summary",
    "vnopendata_number",
    "vnopendata_date",
    "vnopendata_dcat_enabled",
    "vnopendata_agency_summary",
    "vnopendata_form_sections",
    "vnopendata_field_anchor",
    "vnopendata_form_draft",
    "vnopendata_form_draft_key",
    "vnopendata_review_count",
    "vnopendata_review_state_label",
    "vnopendata_user_display_name",
    "vnopendata_as_bool",
    "vnopendata_is_member",
    "vnopendata_access_offer",
]

DEFAULT_LANG = "vi"


def vnopendata_lang() -> str:
    """The language of the current request, Vietnamese outside a request."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError):
        # Validation and CLI code runs outside any request.
        lang = None
    return (lang or tk.config.get("ckan.locale_default") or DEFAULT_LANG).split("_")[0]


def vnopendata_codelist_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming `choices_helper`: the items of the field's `codelist`."""
    return [
        {"value": item.code, "label": item.label} for item in codelists.get(field["codelist"]).items
    ]


def vnopendata_fee_rules(fee: str | None) -> list[codelists.FeeRule]:
    """The fee per requester type for a dataset's `fee` value."""
    return codelists.fee_rules(fee)


# The agency's catalogue decisions (organization.yaml): field prefix and
# the catalogue's name.
CATALOGUES = (
    ("open_data_catalogue_decision", {"vi": "Danh mục dữ liệu mở", "en": "Open-data catalogue"}),
    (
        "shared_data_catalogue_decision",
        {"vi": "Danh mục dữ liệu dùng chung", "en": "Shared-data catalogue"},
    ),
)


def vnopendata_catalogue_decisions(agency: dict[str, Any]) -> list[dict[str, Any]]:
    """The catalogue decisions an agency has recorded, for its page."""
    lang = vnopendata_lang()
    decisions = []
    for prefix, title in CATALOGUES:
        number = agency.get(f"{prefix}_number")
        if not number:
            continue
        decisions.append(
            {
                "title": title.get(lang) or title["vi"],
                "number": number,
                "date": agency.get(f"{prefix}_date") or "",
                "signer": agency.get(f"{prefix}_signer") or "",
                "url": agency.get(f"{prefix}_url") or "",
            }
        )
    return decisions


def vnopendata_codelist_label(name: str, code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    return codelists.get(name).label(code, lang or vnopendata_lang())


def vnopendata_codelist_labels(
    name: str, codes: list[str] | str | None, lang: str | None = None
) -> list[str]:
    if not codes:
        return []
    if isinstance(codes, str):
        codes = _as_list(codes)
    return [vnopendata_codelist_label(name, code, lang) for code in codes]


def vnopendata_translated(data: dict[str, Any], field_name: str, lang: str | None = None) -> str:
    """`field_name` in the page language, falling back to Vietnamese, then
    to the core field (`title` for `title_translated`)."""
    lang = lang or vnopendata_lang()
    values = data.get(f"{field_name}_translated")
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except ValueError:
            values = None
    if isinstance(values, dict):
        text = values.get(lang) or values.get(DEFAULT_LANG)
        if text:
            return text
    return data.get(field_name) or ""


def vnopendata_sharing_class(key: str | None) -> classes.SharingClass | None:
    return classes.get(key)


# What an agency's name, logo and description need of organization_show. Its
# defaults add the agency's parent groups, and listing those (even none)
# makes CKAN count the datasets of every group and agency of the portal in
# one facet search over the whole catalogue (~140 ms at 10,000 datasets).
AGENCY_ONLY = {
    "include_datasets": False,
    "include_dataset_count": False,
    "include_users": False,
    "include_groups": False,
    "include_tags": False,
    "include_followers": False,
}


def vnopendata_agency(agency_id: str | None) -> dict[str, Any]:
    """The agency (organisation) as a page shows it beside a dataset: its
    own fields and extras, without members, groups or counts; {} when it
    cannot be shown."""
    if not agency_id:
        return {}
    # Read once a request: the dataset page names its agency in the box
    # beside it and in its facts.
    memo: dict[str, dict[str, Any]] = (
        flask.g.setdefault("vnopendata_agencies", {}) if flask.has_request_context() else {}
    )
    if agency_id not in memo:
        try:
            memo[agency_id] = tk.get_action("organization_show")(
                {}, dict(AGENCY_ONLY, id=agency_id)
            )
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            memo[agency_id] = {}
    return memo[agency_id]


def vnopendata_agency_title(agency_id: str | None) -> str:
    """Title of an agency (organisation) in the page language."""
    if not agency_id:
        return ""
    agency = vnopendata_agency(agency_id)
    if not agency:
        return agency_id
    return vnopendata_translated(agency, "title")


# Facets whose values are codes of a code list, and that list.
FACET_CODELISTS = {
    "sharing_class": codelists.SHARING_CLASSES,
    "sector": "sectors",
    "provinces": "provinces",
    "license_id": "licences",
}


def vnopendata_facet_label(facet: str, value: str, lang: str | None = None) -> str:
    name = FACET_CODELISTS.get(facet)
    if name is None:
        return value
    return codelists.get(name).label(value, lang or vnopendata_lang())


def vnopendata_fluent_form_value(data: dict[str, Any], field_name: str, lang: str) -> str:
    """What a bilingual form input shows: the text just posted (kept when
    validation fails) or the stored value."""
    posted = data.get(f"{field_name}-{lang}")
    if posted is not None:
        return posted
    values = data.get(field_name)
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except ValueError:
            return values if lang == DEFAULT_LANG else ""
    return values.get(lang, "") if isinstance(values, dict) else ""


def vnopendata_selected_codes(value: Any) -> list[str]:
    """Selected codes of a multiple select, from a list, a JSON list or a
    single posted value."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return _as_list(str(value))


def all_agencies(names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every active agency (or the named ones), ordered by title: its core
    fields and its extras (the schema's fields, as stored: translated titles
    are JSON text, which `vnopendata_translated` reads), in one query.

    Not `organization_list`: with `all_fields` CKAN 2.12 counts the datasets
    of every agency in a facet search over the whole catalogue, whatever
    `include_dataset_count` says (`_group_or_org_list`), ~60 ms of database
    time at 10,000 datasets on every page that names an agency."""
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    )
    if names is not None:
        query = query.filter(model.Group.name.in_(list(names)))
    return [
        {
            **(group.extras or {}),
            "id": group.id,
            "name": group.name,
            "title": group.title,
            "description": group.description,
            "image_url": group.image_url,
            "type": group.type,
            "state": group.state,
            "is_organization": True,
        }
        for group in query.order_by(model.Group.title, model.Group.name)
    ]


def vnopendata_agency_choices() -> list[dict[str, str]]:
    """Every active agency, for the custodian and parent-agency selects."""
    agencies = all_agencies()
    choices = [
        {
            "value": agency["id"],
            "name": agency["name"],
            "label": vnopendata_translated(agency, "title"),
        }
        for agency in agencies
    ]
    return sorted(choices, key=lambda choice: choice["label"])


def vnopendata_portal() -> Any:
    """The portal's name, operator, logo and contact in the page language."""
    from ckanext.vnopendata import portal

    return portal.identity()


def vnopendata_home_summary() -> dict[str, Any]:
    from ckanext.vnopendata import portal

    return portal.home_summary()


def vnopendata_agency_summary(agency: dict[str, Any]) -> dict[str, Any]:
    from ckanext.vnopendata import portal

    return portal.agency_summary(agency)


def vnopendata_form_sections(fields: list[dict[str, Any]], errors: dict[str, Any] | None) -> Any:
    from ckanext.vnopendata import dataset_form

    return dataset_form.sections(fields, errors)


def vnopendata_field_anchor(field: dict[str, Any]) -> str:
    from ckanext.vnopendata import dataset_form

    return dataset_form.field_anchor(field)


def vnopendata_form_draft(key: str) -> Any:
    from ckanext.vnopendata import dataset_form

    return dataset_form.get_draft(key)


def vnopendata_form_draft_key(data: dict[str, Any], form_style: str | None) -> str:
    from ckanext.vnopendata import dataset_form

    return dataset_form.draft_key(data, form_style)


def vnopendata_number(value: int | float | None) -> str:
    """A number for the page language: 1.234 in Vietnamese, 1,234 in English."""
    from babel.numbers import format_decimal

    return format_decimal(value or 0, locale=vnopendata_lang())


def vnopendata_date(value: Any, with_time: bool = False) -> str:
    """A date as 27/11/2026; a time as 27/11/2026 14:05 in the portal's
    time zone (`ckan.display_timezone`, Asia/Ho_Chi_Minh)."""
    import datetime

    if not value:
        return ""
    if isinstance(value, str) and len(value) == 10:
        # A calendar date (issued, next review): no time zone to convert.
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    return str(tk.h.render_datetime(value, "%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y"))


def vnopendata_dcat_enabled() -> bool:
    """Whether the DCAT feed (/catalog.ttl) is served."""
    import ckan.plugins as p

    return p.plugin_loaded("dcat")


def _as_list(value: str) -> list[str]:
    try:
        loaded = json.loads(value)
    except ValueError:
        return [value]
    return loaded if isinstance(loaded, list) else [value]


def vnopendata_review_count(agency_id: str | None = None) -> int:
    """How many datasets wait for review in the current user's agencies
    (or in one of them)."""
    if not tk.current_user.is_authenticated:
        return 0
    data = {"organization_id": agency_id} if agency_id else {}
    queue = tk.get_action("vnopendata_review_queue")({"user": tk.current_user.name}, data)
    return queue["count"]


def vnopendata_review_state_label(state: str | None) -> str:
    return review.state_label(state)


def vnopendata_user_display_name(user_id: str | None) -> str:
    user = model.User.get(user_id) if user_id else None
    return user.display_name if user else ""


def vnopendata_as_bool(value: Any) -> bool:
    return review.as_bool(value)


def vnopendata_is_member(agency_id: str) -> bool:
    """Whether the current user belongs to the agency (any capacity)."""
    if not tk.current_user.is_authenticated:
        return False
    return bool(authz.users_role_for_group_or_org(agency_id, tk.current_user.name))


def vnopendata_access_offer(pkg: dict[str, Any]) -> dict[str, str] | None:
    """What the dataset page offers a reader who sees its description but
    not its data: ``{"kind": "ask" | "pending" | "login", "url": ...}``,
    or None when there is nothing they can ask for (they see the data
    already, the dataset takes no requests, or its class is not theirs to
    ask for)."""
    from ckanext.vnopendata.sharing import requests

    if pkg.get("data_access") != "metadata_only":
        return None
    package = model.Package.get(pkg.get("id") or "")
    if not requests.requestable(package):
        return None
    assert package is not None
    if not tk.current_user.is_authenticated:
        # Anonymous visitors see only inter-agency descriptions: an account
        # of no agency may ask for those.
        if requests.sharing_class(package) != classes.INTER_AGENCY.key:
            return None
        came_from = tk.url_for("vnopendata_access.dataset_request", id=package.name)
        return {"kind": "login", "url": tk.url_for("user.login", came_from=came_from)}
    user = model.User.get(tk.current_user.name)
    pending = requests.pending_request(user.id, package.id)
    if pending is not None:
        return {
            "kind": "pending",
            "url": tk.url_for("vnopendata_access.read_request", id=pending.id),
        }
    if requests.may_ask(user.id, package):
        return {
            "kind": "ask",
            "url": tk.url_for("vnopendata_access.dataset_request", id=package.name),
        }
    return None


@tk.chained_helper
def dcat_get_endpoint(next_helper: Any, _type: str = "dataset") -> str:
    """ckanext-dcat's templates link the feeds by endpoint name: the portal
    serves them itself (views/dcat.py; ckanext-dcat's own are off)."""
    return "vnopendata_dcat.dataset" if _type == "dataset" else "vnopendata_dcat.catalog"
