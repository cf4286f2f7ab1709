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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
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
    "vn_legal_article",
    "vn_declaration",
    "vn_boolean_output",
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

# Agency e-ID. Three shapes are accepted, each whole:
# - QCVN 102:2016/BTTTT notation, used by the document-exchange systems and
#   by most agencies' published codes: four groups, level 4 (3 characters),
#   level 3 (2), level 2 (2) and the level-1 code last, as in
#   `000.00.00.H30` (the structure "V1V2V3.Z1Z2.Y1Y2.H49" quoted by Quảng
#   Ninh's Quyết định 3739/QĐ-UBND of 2016, which applies QCVN 102) [S];
# - Quyết định 20/2020/QĐ-TTg Art 4 notation for state bodies: the level-1
#   code `MX1X2` (M a letter A-Y, X1X2 two digits) followed by one group per
#   sub-unit level, groups separated by "." [V, domain brief §5 CL-ORG];
# - Quyết định 20/2020/QĐ-TTg Art 6 for other organisations: the scheme code
#   `Zxy` (Z01-Z99) followed by the organisation's own code of at most 32
#   characters [V]; whether a "." separates the two is not known, so both
#   are accepted [U].
# Every code has at most 35 characters 0-9 and A-Z in groups separated by
# "." (Art 4). A bare level-1 code of a state body (`G10`) is a complete
# code in the Decision's notation; a bare scheme code (`Z01`) is not.
# Appendix I (the assigned level-1 codes) was not obtained, so a well-formed
# but unassigned code passes; a Decision 09/2025/QĐ-TTg amending Decision
# 20/2020 was seen named in one third-party sample only, its content not
# checked [U].
EID_MAX_LENGTH = 35
_EID_CHARACTERS = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
_EID_STATE_BODY = re.compile(r"^([A-Y][0-9]{2})(\.[0-9A-Z]+)*$")
_EID_QCVN_102 = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Y][0-9]{2}$")
_EID_OTHER_ORGANISATION = re.compile(r"^Z(0[1-9]|[1-9][0-9])\.?([0-9A-Z][0-9A-Z.]{0,31})$")


def _eid_is_valid(code: str) -> bool:
    if len(code) > EID_MAX_LENGTH or not _EID_CHARACTERS.match(code):
        return False
    if code.startswith("Z"):
        return bool(_EID_OTHER_ORGANISATION.match(code))
    return bool(_EID_QCVN_102.match(code) or _EID_STATE_BODY.match(code))


def vn_agency_eid(value: Any) -> Any:
    if _empty(value):
        return value
    code = str(value).strip().upper()
    if not _eid_is_valid(code):
        raise tk.Invalid(
            tk._(
                'Agency e-ID "{value}" does not follow Decision 20/2020/QĐ-TTg: up to 35 '
                'characters 0-9 and A-Z in groups separated by ".", either the document-'
                "exchange form 000.00.00.G03 (level-1 code last), or a level-1 code of a "
                "letter A-Y and two digits followed by one group per sub-unit (G03.01), or, "
                "for other organisations, Z01-Z99 followed by the organisation's code"
            ).format(value=value)
        )
    return code


def agency_with_eid(code: str, except_id: str | None = None) -> model.Group | None:
    """The active agency that already has the e-ID `code`, if any."""
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True),
        model.Group.state == "active",
        model.Group.extras["agency_code"].astext == code,
    )
    if except_id:
        query = query.filter(model.Group.id != except_id)
    return query.first()


# Decision 19/2025/QĐ-TTg gives every commune-level unit (xã, phường, đặc
# khu) a 5-digit code. The project has no sourced list of the 3,321 communes
# after 1 July 2025, so a code is checked for its form only, not for
# belonging to the dataset's province; the form's help text says so.
_COMMUNE_CODE = re.compile(r"^[0-9]{5}$")


def vn_commune_code(value: Any) -> Any:
    if _empty(value):
        return value
    code = str(value).strip()
    if not _COMMUNE_CODE.match(code):
        raise tk.Invalid(
            tk._(
                'Commune-level unit code "{value}" must be the 5 digits of Decision 19/2025/QĐ-TTg'
            ).format(value=value)
        )
    return code


# A citation in Vietnamese order goes from the smallest unit up: "điểm a
# khoản 1 Điều 13", "khoản 3 Điều 17". The reversed order ("Điều 17 khoản 3",
# "Điều 13(1)(a)") is refused with the order to use.
_REVERSED_CITATION = re.compile(
    r"(điều|dieu)\s*\d+\w*\s*(,\s*)?(\(|khoản|khoan|điểm|diem)", re.IGNORECASE
)


def vn_legal_article(value: Any) -> Any:
    if _empty(value):
        return value
    article = " ".join(str(value).split())
    if _REVERSED_CITATION.search(article):
        raise tk.Invalid(
            tk._(
                'Cite "{value}" in Vietnamese order, from the point up to the article: '
                "điểm a khoản 1 Điều 13, khoản 3 Điều 17"
            ).format(value=value)
        )
    return article


_TRUE_WORDS = {"true", "on", "yes", "1"}


def vn_declaration(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A box the user must tick; stored as "true". Its message comes from
    the rules between fields, which know what is being declared."""
    value = data.get(key, missing)
    ticked = value is True or (isinstance(value, str) and value.strip().lower() in _TRUE_WORDS)
    data[key] = "true" if ticked else missing


def vn_boolean_output(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in _TRUE_WORDS)


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


def _licence_is_open(licence: str) -> bool:
    item = codelists.get("licences").by_code.get(licence)
    return bool(item and item.extra.get("open"))


def _drop_field(data: FlattenDataDict, name: str) -> None:
    # A scheming field has been copied into the extras by the time the rules
    # run (convert_to_extras); both copies go.
    data.pop((name,), None)
    for flat_key in [k for k in data if len(k) == 3 and k[0] == "extras" and k[2] == "key"]:
        if data[flat_key] == name:
            data.pop(flat_key)
            data.pop(("extras", flat_key[1], "value"), None)


def _personal_data_rules(
    data: FlattenDataDict, errors: FlattenErrorDict, personal_data: str | None
) -> None:
    """Categories and safeguards belong to data that holds personal data."""
    if personal_data not in PERSONAL_LEVELS:
        # The form hides both fields for "no personal data"; whatever an
        # earlier choice left in them does not describe this dataset.
        for name in ("personal_data_categories", "personal_data_safeguards"):
            _drop_field(data, name)
        return
    if errors.get(("personal_data_categories",)):
        return
    categories = _codes(data, "personal_data_categories")
    if not categories:
        _add_error(
            errors,
            "personal_data_categories",
            tk._(
                "Data holding personal data needs the categories of personal data it holds "
                "(Decree 356/2025/NĐ-CP)"
            ),
        )
        return
    sensitive = [c for c in categories if c in codelists.sensitive_personal_data_categories()]
    if sensitive and personal_data != "sensitive" and not errors.get(("personal_data",)):
        lang = helpers.vnopendata_lang()
        names = codelists.get("personal_data_categories")
        _add_error(
            errors,
            "personal_data",
            tk._(
                "The categories chosen include sensitive personal data ({categories}): "
                "the data holds sensitive personal data"
            ).format(categories=", ".join(names.label(c, lang) for c in sensitive)),
        )


def _codes(data: FlattenDataDict, name: str) -> list[str]:
    # Multiple-choice fields hold a JSON list after their own validator.
    value = _value(data, name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []


IMPORTANT_LEVELS = ("core", "important")
PERSONAL_LEVELS = ("basic", "sensitive")


def vn_dataset_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    sharing_key = _value(data, "sharing_class")
    sharing_class = classes.get(sharing_key) if not errors.get(("sharing_class",)) else None
    importance = _value(data, "importance")
    personal_data = _value(data, "personal_data")
    has_legal_basis = bool(
        _value(data, "legal_basis_number") and _value(data, "legal_basis_article")
    )

    _personal_data_rules(data, errors, personal_data)
    safeguards = _codes(data, "personal_data_safeguards")

    if sharing_class is not None:
        if sharing_class is not classes.OPEN:
            if not _value(data, "legal_basis_number"):
                _add_error(
                    errors,
                    "legal_basis_number",
                    tk._("A legal basis is required for data that is not open data"),
                )
            # Khoản 2 Điều 21: data is kept from the public by a provision
            # of law, not by a document as a whole.
            if not _value(data, "legal_basis_article") and not errors.get(("legal_basis_article",)):
                _add_error(
                    errors,
                    "legal_basis_article",
                    tk._(
                        "Data that is not open data needs the article of its legal basis: "
                        "the provision that restricts it, not only the document"
                    ),
                )
        if sharing_class is classes.OPEN:
            licence = _value(data, "license_id")
            if not licence:
                _add_error(errors, "license_id", tk._("Open data needs a licence or terms of use"))
            elif not errors.get(("license_id",)) and not _licence_is_open(licence):
                _add_error(
                    errors,
                    "license_id",
                    tk._("A licence marked as restrictive cannot be used for open data"),
                )
            if importance in IMPORTANT_LEVELS and not has_legal_basis:
                _add_error(
                    errors,
                    "sharing_class",
                    tk._(
                        "Core or important data may be classified as open data only with a "
                        "recorded legal basis for opening it (document number and article)"
                    ),
                )
            if personal_data in PERSONAL_LEVELS and not safeguards:
                _add_error(
                    errors,
                    "sharing_class",
                    tk._(
                        "Data containing personal data may be classified as open data only when "
                        "the record says it was de-identified or the data subjects consented"
                    ),
                )
        if sharing_class is classes.INTER_AGENCY and not _value(
            data, "exploitation_regulation_number"
        ):
            _add_error(
                errors,
                "exploitation_regulation_number",
                tk._("Inter-agency (shared-use) data needs its data exploitation regulation"),
            )

    if importance in IMPORTANT_LEVELS:
        if not _value(data, "importance_reference"):
            _add_error(
                errors,
                "importance_reference",
                tk._(
                    "Core or important data needs the item of the list that classifies it "
                    "(Decision 20/2025/QĐ-TTg or the sector's list)"
                ),
            )
        if not _value(data, "risk_assessment_date") and not errors.get(("risk_assessment_date",)):
            _add_error(
                errors,
                "risk_assessment_date",
                tk._(
                    "Core or important data needs the date of its last risk assessment "
                    "(Law on Data, Art 25(4))"
                ),
            )
    assessed = _date(data, errors, "risk_assessment_date")
    if assessed and assessed > date.today().isoformat():
        _add_error(
            errors,
            "risk_assessment_date",
            tk._("The date of the last risk assessment cannot be in the future"),
        )

    if not vn_boolean_output(data.get(("no_state_secret",), missing)):
        _add_error(
            errors,
            "no_state_secret",
            tk._(
                "A catalogue never lists state secrets: declare that the dataset holds no "
                "information classified as a state secret (Law on Protection of State "
                "Secrets 2018)"
            ),
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
    # Microseconds: the review queue is ordered by this text, and two
    # datasets are often submitted within the same second.
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


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


# True while `organization_show` validates the agency it read. Scheming runs
# an organisation schema's after_validators on show too (not a dataset
# schema's), and show drops their errors: there the agency rules would only
# cost their queries (two per agency shown, on every page naming one).
_SHOWING_AGENCY: ContextVar[bool] = ContextVar("vnopendata_showing_agency", default=False)


@contextmanager
def showing_agency() -> Iterator[None]:
    token = _SHOWING_AGENCY.set(True)
    try:
        yield
    finally:
        _SHOWING_AGENCY.reset(token)


def vn_organization_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    if _SHOWING_AGENCY.get():
        return
    level = _value(data, "agency_level")
    if level in ("province", "commune") and not _value(data, "province"):
        _add_error(errors, "province", tk._("A provincial or commune agency needs its province"))
    parent = _value(data, "parent_agency")
    if parent and parent == _value(data, "id"):
        _add_error(errors, "parent_agency", tk._("An agency cannot be its own parent agency"))
    _agency_code_is_unique(data, errors)
    for catalogue in CATALOGUE_DECISIONS:
        _catalogue_decision_rules(data, errors, catalogue)


def _agency_code_is_unique(data: FlattenDataDict, errors: FlattenErrorDict) -> None:
    # Dataset identifiers are built from the agency e-ID: two agencies with
    # one code would give two datasets one identifier.
    code = _value(data, "agency_code")
    if not code or errors.get(("agency_code",)):
        return
    own_id = _value(data, "id")
    own = model.Group.get(own_id) if own_id else None
    other = agency_with_eid(code, except_id=own.id if own else None)
    if other is not None:
        _add_error(
            errors,
            "agency_code",
            tk._('The agency e-ID "{code}" already belongs to the agency "{agency}"').format(
                code=code, agency=other.title or other.name
            ),
        )


# The agency's decisions approving its catalogues (khoản 4 Điều 21 Luật Dữ
# liệu: open data; Decree 278/2025: shared-use data): field prefixes.
CATALOGUE_DECISIONS = ("open_data_catalogue_decision", "shared_data_catalogue_decision")


def _catalogue_decision_rules(data: FlattenDataDict, errors: FlattenErrorDict, prefix: str) -> None:
    parts = ("number", "date", "signer", "url")
    given = [part for part in parts if _value(data, f"{prefix}_{part}")]
    if not given:
        return
    for part in ("number", "date"):
        name = f"{prefix}_{part}"
        if part not in given and not errors.get((name,)):
            _add_error(
                errors,
                name,
                tk._("A decision approving a catalogue needs its number and its date"),
            )
