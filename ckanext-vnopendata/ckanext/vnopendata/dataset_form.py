"""The dataset form as editors meet it: required fields first, optional
sections folded, an error summary whose entries link to their fields, and
drafts of an incomplete form kept on the server.

Form drafts are neither CKAN's `state='draft'` (a dataset that passed
validation and waits for its resources) nor the review workflow's
`review_state='draft'` (a dataset not yet submitted for review): they are
the raw fields of a form that may not validate yet, saved per user in the
user's `plugin_extras` (no dataset is created or changed), restored when
the editor comes back, and dropped once the form is saved for real.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy.orm.attributes import flag_modified

DRAFTS = "vnopendata_form_drafts"
NEW = "new"
# Fields the core form posts that are not the editor's typing.
NOT_TYPED = frozenset({"_csrf_token", "save", "_ckan_phase", "pkg_name"})
BILINGUAL_PRESETS = frozenset({"fluent_core_translated", "fluent_markdown"})
# Inputs whose id is not `field-<field_name>`.
SPECIAL_ANCHORS = {"owner_org": "field-organizations", "tag_string": "field-tags"}


def field_anchor(schema_field: dict[str, Any]) -> str:
    """The id of the input an error summary entry links to."""
    name = schema_field["field_name"]
    if name in SPECIAL_ANCHORS:
        return SPECIAL_ANCHORS[name]
    if schema_field.get("preset") in BILINGUAL_PRESETS:
        return f"field-{name}-vi"
    return f"field-{name}"


def is_required(schema_field: dict[str, Any]) -> bool:
    # The URL name follows the title and the owner is always needed, so
    # both belong with the fields an editor must fill in.
    return bool(schema_field.get("required")) or schema_field["field_name"] in ("name", "owner_org")


def shown_when(schema_field: dict[str, Any]) -> str | None:
    """The field whose answer shows this one (`form_show_when`), if any."""
    condition = schema_field.get("form_show_when")
    return condition.split("=", 1)[0] if condition else None


@dataclass
class Section:
    title: Any  # a {vi, en} label from the schema, or None for the first part
    fields: list[dict[str, Any]] = field(default_factory=list)
    has_error: bool = False


def sections(
    fields: list[dict[str, Any]], errors: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[Section]]:
    """Required fields in schema order, then the optional ones grouped by
    the schema's `form_section` headings; a section with an error opens.
    A field shown only for some answers of a required field stays right
    after that field: folded away, it would not appear when the answer
    asks for it."""
    errors = errors or {}
    required: list[dict[str, Any]] = []
    optional: list[Section] = []
    current_title: Any = None
    for schema_field in fields:
        if schema_field.get("form_snippet", "") is None:
            continue
        current_title = schema_field.get("form_section") or current_title
        without_heading = {k: v for k, v in schema_field.items() if k != "form_section"}
        required_names = {f["field_name"] for f in required}
        if is_required(schema_field) or shown_when(schema_field) in required_names:
            required.append(without_heading)
            continue
        if not optional or optional[-1].title != current_title:
            optional.append(Section(current_title))
        optional[-1].fields.append(without_heading)
        if errors.get(schema_field["field_name"]):
            optional[-1].has_error = True
    return required, optional


# Drafts of the form, per user.


@dataclass(frozen=True)
class FormDraft:
    key: str
    saved: datetime.datetime
    data: dict[str, Any]


def _user() -> model.User | None:
    user = tk.current_user
    if not user.is_authenticated:
        return None
    return model.User.get(user.id)


def form_values(form: Any) -> dict[str, Any]:
    """The typed fields of a posted form; repeated names (multiple selects)
    become lists."""
    values: dict[str, Any] = {}
    for name in form:
        if name in NOT_TYPED:
            continue
        items = form.getlist(name)
        values[name] = items if len(items) > 1 else items[0]
    return values


def save_draft(key: str, values: dict[str, Any]) -> FormDraft:
    user = _user()
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to save a draft"))
    saved = datetime.datetime.now(datetime.timezone.utc)
    extras = dict(user.plugin_extras or {})
    drafts = dict(extras.get(DRAFTS) or {})
    drafts[key] = {"saved": saved.isoformat(), "data": values}
    extras[DRAFTS] = drafts
    user.plugin_extras = extras
    flag_modified(user, "plugin_extras")
    model.Session.commit()
    return FormDraft(key, saved, values)


def get_draft(key: str) -> FormDraft | None:
    user = _user()
    if user is None:
        return None
    stored = ((user.plugin_extras or {}).get(DRAFTS) or {}).get(key)
    if not stored:
        return None
    return FormDraft(key, datetime.datetime.fromisoformat(stored["saved"]), stored["data"])


def discard_draft(key: str, user: model.User | None = None) -> None:
    user = user or _user()
    if user is None:
        return
    drafts = (user.plugin_extras or {}).get(DRAFTS) or {}
    if key not in drafts:
        return
    extras = dict(user.plugin_extras)
    extras[DRAFTS] = {k: v for k, v in drafts.items() if k != key}
    user.plugin_extras = extras
    flag_modified(user, "plugin_extras")
    # The caller's transaction (a dataset being saved) commits it.


def draft_key(data: dict[str, Any], form_style: str | None) -> str:
    """`new` for the new-dataset form, the dataset's id when editing."""
    if form_style == "edit" and data.get("id"):
        return str(data["id"])
    return NEW


def forget_saved_form(pkg_dict: dict[str, Any], created: bool) -> None:
    """Once the form itself is saved, its draft has served its purpose."""
    try:
        endpoint = tk.request.endpoint or ""
    except RuntimeError:  # no request: the API or a command
        return
    if not endpoint.endswith((".new", ".edit")):
        return
    discard_draft(NEW if created else pkg_dict["id"])
