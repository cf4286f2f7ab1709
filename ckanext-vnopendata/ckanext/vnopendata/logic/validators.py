"""Validators of the Vietnamese government metadata schemas.

Field validators check one value against its format or code list; the
`vn_*_rules` validators run after all fields (scheming `after_validators`)
and check the rules between fields, each with its own message attached to
the field the user has to fix. Messages go through `tk._` so they come back
in the user's language (Vietnamese by default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.logic.converters import convert_to_extras
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from ckanext.scheming.validation import scheming_validator

from ckanext.vnopendata import codelists, helpers
from ckanext.vnopendata.sharing import classes, review
from ckanext.vnopendata.slug import slugify

__all__ = [
    "fluent_text",
    "fluent_text_output",
    "vn_codelist",
    "vn_codelist_multiple",
    "vn_agency_eid",
    "vn_commune_code",
    "vn_legal_document_number",
    "vn_phone",
    "vn_date_input",
    "vn_organization_ref",
    "vn_name_from_title",
    "vn_dataset_rules",
    "vn_review_rules",
    "vn_organization_rules",
]

missing = tk.missing
FieldValidator = Callable[[FlattenKey, FlattenDataDict, FlattenErrorDict, Context], None]

LANGUAGES = ("vi", "en")
REQUIRED_LANGUAGE = "vi"
# Core fields that a `<core>_translated` field keeps equal to its
# Vietnamese text, so CKAN's own pages, search and API keep working.
CORE_TRANSLATED = {"title", "notes", "description"}


def _label(field: dict[str, Any]) -> str:
    label = field.get("label") or field["field_name"]
    if isinstance(label, dict):
        lang = helpers.vnopendata_lang()
        return label.get(lang) or label.get(REQUIRED_LANGUAGE) or field["field_name"]
    return tk._(label)


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _add_error(errors: FlattenErrorDict, name: str, message: str) -> None:
    errors.setdefault((name,), []).append(message)


# Bilingual values ----------------------------------------------------------
#
# Stored as a JSON object {"vi": ..., "en": ...} (CKAN 2.12 keeps extras as
# flat strings) and shown as a dict, the shape ckanext-fluent used and
# ckanext-dcat turns into language-tagged literals: dcat recognises the
# field by a validator whose name starts with "fluent".


def _translations_from_form(key: FlattenKey, data: FlattenDataDict) -> dict[str, Any] | None:
    """Values posted by the form as `<field>-vi`, `<field>-en`."""
    extras = data.get(key[:-1] + ("__extras",))
    if not isinstance(extras, dict):
        return None
    found = {}
    for lang in LANGUAGES:
        form_key = f"{key[-1]}-{lang}"
        if form_key in extras:
            found[lang] = extras.pop(form_key)
    return found or None


@scheming_validator
def fluent_text(field: dict[str, Any], schema: dict[str, Any]) -> FieldValidator:
    """A text in Vietnamese (required when the field is) and English.

    Accepts a dict, its JSON string, the form's per-language inputs, or, for
    imports that only know CKAN's core fields, nothing at all when the core
    field (`title` for `title_translated`) is given: that is taken as the
    Vietnamese text. A `<core>_translated` field copies its Vietnamese text
    into the core field.
    """
    field_name = field["field_name"]
    core = field_name.removesuffix("_translated")
    core = core if core != field_name and core in CORE_TRANSLATED else None
    required = bool(field.get("required"))

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key, missing)
        from_form = _translations_from_form(key, data)
        if _empty(value) and from_form is not None:
            value = from_form
        core_key = key[:-1] + (core,) if core else None
        if _empty(value) and core_key and not _empty(data.get(core_key, missing)):
            value = {REQUIRED_LANGUAGE: data[core_key]}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {REQUIRED_LANGUAGE: value}
        if _empty(value):
            value = {}
        if not isinstance(value, dict):
            errors[key].append(
                tk._("{field}: expected a text per language, such as {example}").format(
                    field=_label(field), example='{"vi": "...", "en": "..."}'
                )
            )
            raise tk.StopOnError

        clean: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                errors[key].append(
                    tk._('{field}: unsupported language "{lang}"; use one of: {allowed}').format(
                        field=_label(field), lang=lang, allowed=", ".join(LANGUAGES)
                    )
                )
                continue
            if text is None or text is missing:
                continue
            if not isinstance(text, str):
                errors[key].append(
                    tk._("{field}: the text in {lang} must be a string").format(
                        field=_label(field), lang=lang
                    )
                )
                continue
            if text.strip():
                clean[lang] = text.strip()
        if errors[key]:
            raise tk.StopOnError
        if required and REQUIRED_LANGUAGE not in clean:
            errors[key].append(
                tk._("{field}: the Vietnamese text is required").format(field=_label(field))
            )
            raise tk.StopOnError
        if not clean:
            data[key] = missing
            raise tk.StopOnError

        data[key] = json.dumps(clean, ensure_ascii=False)
        if core_key:
            data[core_key] = clean.get(REQUIRED_LANGUAGE, "")

    return validator


def fluent_text_output(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return {REQUIRED_LANGUAGE: value} if value else {}
    return loaded if isinstance(loaded, dict) else {REQUIRED_LANGUAGE: value}


# Code lists ----------------------------------------------------------------


def _unknown_code_message(field: dict[str, Any], value: Any, codelist: codelists.CodeList) -> str:
    return tk._('{field}: "{value}" is not an allowed value. Allowed values: {allowed}').format(
        field=_label(field), value=value, allowed=", ".join(codelist.codes)
    )


@scheming_validator
def vn_codelist(field: dict[str, Any], schema: dict[str, Any]) -> FieldValidator:
    """One code of the field's `codelist`."""
    codelist = codelists.get(field["codelist"])

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key, missing)
        if _empty(value):
            return
        if value not in codelist:
            errors[key].append(_unknown_code_message(field, value, codelist))
            raise tk.StopOnError

    return validator


@scheming_validator
def vn_codelist_multiple(field: dict[str, Any], schema: dict[str, Any]) -> FieldValidator:
    """Zero or more codes of the field's `codelist` (at least one when the
    field is required), stored as a JSON list in the order given."""
    codelist = codelists.get(field["codelist"])
    required = bool(field.get("required"))

    def validator(
        key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
    ) -> None:
        value = data.get(key, missing)
        if isinstance(value, str):
            try:
                loaded = json.loads(value)
            except ValueError:
                loaded = value
            # A form with one choice posts a bare string.
            value = loaded if isinstance(loaded, list) else [value]
        if _empty(value):
            value = []
        if not isinstance(value, list):
            errors[key].append(
                tk._("{field}: expected a list of codes").format(field=_label(field))
            )
            raise tk.StopOnError
        selected: list[str] = []
        for code in value:
            if _empty(code):
                continue
            if code not in codelist:
                errors[key].append(_unknown_code_message(field, code, codelist))
            elif code not in selected:
                selected.append(code)
        if errors[key]:
            raise tk.StopOnError
        if required and not selected:
            errors[key].append(
                tk._("{field}: choose at least one value").format(field=_label(field))
            )
            raise tk.StopOnError
        if not selected:
            data[key] = missing
            raise tk.StopOnError
        data[key] = json.dumps(selected)

    return validator


# Formats -------------------------------------------------------------------

# Decision 20/2020/QĐ-TTg Art 4: at most 35 characters 0-9A-Z in groups
# separated by "."; the level-1 code is a letter and two digits (A-Y for
# state bodies, Z for other organisations), first in the Decision's own
# notation, last in the QCVN 102 notation (`000.00.00.H30`).
_EID_GROUPS = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
_EID_LEVEL1 = re.compile(r"^[A-Z][0-9]{2}$")
EID_MAX_LENGTH = 35


def vn_agency_eid(value: Any) -> Any:
    if _empty(value):
        return value
    code = str(value).strip().upper()
    groups = code.split(".")
    if (
        len(code) > EID_MAX_LENGTH
        or not _EID_GROUPS.match(code)
        or not (_EID_LEVEL1.match(groups[0]) or _EID_LEVEL1.match(groups[-1]))
    ):
        raise tk.Invalid(
            tk._(
                'Agency e-ID "{value}" does not follow Decision 20/2020/QĐ-TTg: up to 35 '
                'characters 0-9 and A-Z in groups separated by ".", with a level-1 code of '
                "a letter and two digits (for example G03 or 000.00.00.H30)"
            ).format(value=value)
        )
    return code


_COMMUNE_CODE = re.compile(r"^[0-9]{5}$")


def vn_commune_code(value: Any) -> Any:
    # Only the format: the 3,321 commune codes of Decision 19/2025 are not
    # in the code lists yet.
    if _empty(value):
        return value
    code = str(value).strip()
    if not _COMMUNE_CODE.match(code):
        raise tk.Invalid(
            tk._('Commune code "{value}" must be the 5 digits of Decision 19/2025/QĐ-TTg').format(
                value=value
            )
        )
    return code


# "60/2024/QH15", "47/2020/NĐ-CP", "20/2025/QĐ-TTg", "7213/VPCP-KSTT".
_DOCUMENT_NUMBER = re.compile(r"^[0-9]+(/[0-9]{4})?/[0-9A-ZĐ]+(-[0-9A-ZĐ]+)*$")


def vn_legal_document_number(value: Any) -> Any:
    if _empty(value):
        return value
    number = str(value).strip()
    if not _DOCUMENT_NUMBER.match(number):
        raise tk.Invalid(
            tk._('Document number "{value}" should read like 60/2024/QH15 or 47/2020/NĐ-CP').format(
                value=value
            )
        )
    return number


_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{6,18}[0-9]$")


def vn_phone(value: Any) -> Any:
    if _empty(value):
        return value
    phone = str(value).strip()
    if not _PHONE.match(phone):
        raise tk.Invalid(
            tk._('Phone number "{value}" should contain digits only, like 024 3822 1234').format(
                value=value
            )
        )
    return phone


_DISPLAY_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def vn_date_input(value: Any) -> Any:
    """A date typed as on Vietnamese pages (27/11/2026) becomes the ISO date
    that `isodate` reads; anything else is left for `isodate` to judge."""
    if isinstance(value, str):
        match = _DISPLAY_DATE.match(value)
        if match:
            day, month, year = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def vn_organization_ref(value: Any, context: Context) -> Any:
    """An agency (CKAN organisation) given by id or name, stored as its id."""
    if _empty(value):
        return value
    group = model.Group.get(str(value))
    if group is None or not group.is_organization or group.state != "active":
        raise tk.Invalid(tk._('No agency "{value}" exists').format(value=value))
    return group.id


def vn_name_from_title(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Derive an empty URL name from the Vietnamese title (imports, API)."""
    if not _empty(data.get(key, missing)):
        return
    title: Any = data.get(("title_translated",), missing)
    if isinstance(title, str):
        try:
            title = json.loads(title)
        except ValueError:
            title = {REQUIRED_LANGUAGE: title}
    text = title.get(REQUIRED_LANGUAGE) if isinstance(title, dict) else None
    extras = data.get(("__extras",))
    if not text and isinstance(extras, dict):
        text = extras.get(f"title_translated-{REQUIRED_LANGUAGE}")
    text = text or data.get(("title",))
    if isinstance(text, str) and slugify(text):
        data[key] = slugify(text)


# Rules between fields ------------------------------------------------------


def _value(data: FlattenDataDict, name: str) -> Any:
    value = data.get((name,), missing)
    return None if _empty(value) else value


def _date(data: FlattenDataDict, errors: FlattenErrorDict, name: str) -> str | None:
    # Date fields hold ISO strings after their own validators; a field
    # with its own error is not compared again.
    value = _value(data, name)
    if errors.get((name,)) or not isinstance(value, str):
        return None
    return value[:10]


def vn_dataset_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    sharing_key = _value(data, "sharing_class")
    sharing_class = classes.get(sharing_key) if not errors.get(("sharing_class",)) else None

    if sharing_class is not None:
        if sharing_class is not classes.OPEN and not _value(data, "legal_basis_number"):
            _add_error(
                errors,
                "legal_basis_number",
                tk._("A legal basis is required for data that is not open data"),
            )
        if sharing_class is classes.OPEN and not _value(data, "license_id"):
            _add_error(errors, "license_id", tk._("Open data needs a licence or terms of use"))
        if sharing_class is classes.INTER_AGENCY and not _value(
            data, "exploitation_regulation_number"
        ):
            _add_error(
                errors,
                "exploitation_regulation_number",
                tk._("Inter-agency (shared-use) data needs its data exploitation regulation"),
            )
        if sharing_class is classes.OPEN and _value(data, "personal_data") == "sensitive":
            _add_error(
                errors,
                "sharing_class",
                tk._("Data containing sensitive personal data can never be open data"),
            )
        if sharing_class is classes.OPEN and _value(data, "importance") in ("core", "important"):
            _add_error(
                errors,
                "sharing_class",
                tk._("Core or important data can never be open data"),
            )

    issued = _date(data, errors, "issued")
    modified = _date(data, errors, "modified")
    next_review = _date(data, errors, "next_review_date")
    if issued and modified and modified < issued:
        _add_error(
            errors, "modified", tk._("The date of the last update cannot be before the issue date")
        )
    latest = max(filter(None, (issued, modified)), default=None)
    if latest and next_review and next_review < latest:
        _add_error(
            errors,
            "next_review_date",
            tk._("The next review date cannot be before the issue or update date"),
        )
    start = _date(data, errors, "temporal_start")
    end = _date(data, errors, "temporal_end")
    if start and end and end < start:
        _add_error(
            errors,
            "temporal_end",
            tk._("The end of the temporal coverage cannot be before its start"),
        )

    _default_identifier(data, errors, context)


def _set_field(data: FlattenDataDict, name: str, value: Any) -> None:
    """Set a dataset field that scheming already copied into the extras."""
    text = "" if value is None else str(value)
    data[(name,)] = text
    for key in [k for k in data if len(k) == 3 and k[0] == "extras" and k[2] == "key"]:
        if data[key] == name:
            data[("extras", key[1], "value")] = text
            return
    indexes = [k[1] for k in data if len(k) > 1 and k[0] == "extras"]
    index = max(indexes) + 1 if indexes else 0
    data[("extras", index, "key")] = name
    data[("extras", index, "value")] = text


def _text(value: Any) -> str:
    """A stored extra's text, so that a value and its round trip compare equal."""
    if value is None or value is missing:
        return ""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.capitalize()
    return str(value)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _review_outcome(
    data: FlattenDataDict, context: Context, stored: dict[str, Any], is_new: bool
) -> tuple[dict[str, Any], str | None, bool]:
    """The workflow fields after this write, and the class that applies.

    Returns (workflow fields, sharing class, metadata visible)."""
    requested_class = _value(data, "sharing_class")
    requested_visible = review.as_bool(_value(data, "metadata_visible"))
    out: dict[str, Any] = {name: stored.get(name) for name in review.WORKFLOW_FIELDS}
    user = model.User.get(context.get("user") or "")
    user_id = user.id if user else None
    state = out["review_state"]
    published_at = out["review_published_at"]
    live = review.is_live(state, published_at)
    transition = context.get("vnopendata_transition")

    if transition:
        action = transition["action"]
        if action == review.SUBMIT:
            out.update(review_submitted_by=user_id, review_submitted_at=_now())
            if review.review_required():
                out["review_state"] = review.SUBMITTED
            else:
                out.update(
                    review_state=review.PUBLISHED, review_published_at=published_at or _now()
                )
        elif action == review.APPROVE:
            if out["pending_sharing_class"]:
                requested_class = out["pending_sharing_class"]
                requested_visible = review.as_bool(out["pending_metadata_visible"])
            out.update(
                review_state=review.PUBLISHED,
                review_published_at=published_at or _now(),
                review_decided_by=user_id,
                review_decided_at=_now(),
                pending_sharing_class=None,
                pending_metadata_visible=None,
            )
        elif action == review.RETURN:
            out.update(
                review_state=review.PUBLISHED if live else review.RETURNED,
                review_decided_by=user_id,
                review_decided_at=_now(),
                review_return_reason=transition["reason"],
                pending_sharing_class=None,
                pending_metadata_visible=None,
            )
        return out, requested_class, requested_visible

    if is_new or not state:
        if review.review_required():
            out["review_state"] = review.DRAFT
        else:
            out.update(review_state=review.PUBLISHED, review_published_at=_now())
        return out, requested_class, requested_visible

    if not live:
        # Not published yet: the class applies when it is.
        return out, requested_class, requested_visible

    published_class = stored.get("sharing_class")
    published_visible = review.as_bool(stored.get("metadata_visible"))
    unchanged = (requested_class, requested_visible) == (published_class, published_visible)
    if unchanged:
        # An edit of other fields keeps a change that waits for review.
        return out, requested_class, requested_visible
    if review.review_required() and review.more_open(
        requested_class, requested_visible, published_class, published_visible
    ):
        out.update(
            review_state=review.SUBMITTED,
            review_submitted_by=user_id,
            review_submitted_at=_now(),
            pending_sharing_class=requested_class,
            pending_metadata_visible=requested_visible,
        )
        return out, published_class, published_visible
    # Less open (or review switched off): applies at once.
    out.update(
        review_state=review.PUBLISHED,
        review_published_at=published_at or _now(),
        pending_sharing_class=None,
        pending_metadata_visible=None,
    )
    return out, requested_class, requested_visible


def vn_review_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Review state, pending changes and CKAN's `private` flag.

    Only the workflow writes them (see `sharing/review.py`); a client may
    send them back as they are, and anything else is refused.
    """
    if any(errors.values()):
        return
    package = context.get("package")
    given_id = _value(data, "id")
    if package is not None and given_id not in (package.id, package.name):
        package = None
    is_new = package is None
    stored = dict(package.extras or {}) if package is not None else {}
    if package is not None:
        stored["metadata_visible"] = review.as_bool(stored.get("metadata_visible"))

    out, sharing_class, metadata_visible = _review_outcome(data, context, stored, is_new)

    if not context.get("vnopendata_transition"):
        for name in review.WORKFLOW_FIELDS:
            incoming = _value(data, name)
            if incoming is None:
                continue
            if name == "review_state" and incoming not in review.STATES:
                _add_error(
                    errors,
                    name,
                    tk._("Unknown review state: {value}").format(value=incoming),
                )
            elif _text(incoming) not in (_text(stored.get(name)), _text(out.get(name))):
                _add_error(
                    errors,
                    name,
                    tk._(
                        "The review state changes only by submitting, approving or "
                        "returning the dataset"
                    ),
                )
        if any(errors.values()):
            return

    for name, value in out.items():
        _set_field(data, name, value)
    _set_field(data, "sharing_class", sharing_class)
    _set_field(data, "metadata_visible", metadata_visible)

    public = (
        review.is_live(out["review_state"], out["review_published_at"])
        and sharing_class == classes.OPEN.key
    )
    # CKAN's own flag follows the class: data that is not open (or not yet
    # published) is never public. A client that asks to make data of
    # another class public is told why; open data asked public becomes so
    # when it is published, and a round trip of a dataset that was public
    # (now being closed) is not an error.
    asked_public = data.get(("private",), missing) is False
    was_public = package is not None and not package.private
    if asked_public and sharing_class != classes.OPEN.key and not was_public:
        _add_error(
            errors,
            "private",
            tk._("Only published open data can be public; other data stays non-public"),
        )
        return
    data[("private",)] = not public


def _default_identifier(data: FlattenDataDict, errors: FlattenErrorDict, context: Context) -> None:
    """Identifier = agency e-ID + "." + URL name, when none is given."""
    if _value(data, "identifier"):
        return
    name = _value(data, "name")
    owner_org = _value(data, "owner_org")
    if not name or errors.get(("name",)):
        return
    group = model.Group.get(owner_org) if owner_org else None
    agency_code = (group.extras or {}).get("agency_code") if group else None
    data[("identifier",)] = f"{agency_code}.{name}" if agency_code else name
    convert_to_extras(("identifier",), data, errors, context)


def vn_organization_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    level = _value(data, "agency_level")
    if level in ("province", "commune") and not _value(data, "province"):
        _add_error(errors, "province", tk._("A provincial or commune agency needs its province"))
    parent = _value(data, "parent_agency")
    if parent and parent == _value(data, "id"):
        _add_error(errors, "parent_agency", tk._("An agency cannot be its own parent agency"))
