"""Input schemas of the extension's actions (`@tk.validate`)."""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, Schema, Validator

from ckanext.vnopendata.sharing import audit, requests


@validator_args
def dataset_transition(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def dataset_return(not_empty: Validator, unicode_safe: Validator, strip_value: Validator) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "reason": [not_empty, unicode_safe, strip_value, not_empty],
    }


@validator_args
def review_queue(ignore_missing: Validator, unicode_safe: Validator) -> Schema:
    return {"organization_id": [ignore_missing, unicode_safe]}


# Access requests, grants and the audit log.


def text_list(value: Any, context: Context) -> list[str]:
    """A list of non-empty strings; a string is split into lines (the
    textarea of the web form)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise tk.Invalid(tk._("Give a list of texts, one item per line"))
    return [item.strip() for item in value if item.strip()]


def iso_date(value: Any, context: Context) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Give a date as YYYY-MM-DD")) from None


def iso_datetime(value: Any, context: Context) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Give a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")) from None


def _one_of(values: tuple[str, ...]) -> Any:
    def validator(value: Any, context: Context) -> Any:
        if value not in values:
            raise tk.Invalid(tk._("Choose one of: {values}").format(values=", ".join(values)))
        return value

    return validator


def _positive_days(value: Any, context: Context) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Give a whole number of days")) from None
    if days < 1:
        raise tk.Invalid(tk._("Give a whole number of days")) from None
    return days


def _paging() -> Schema:
    not_missing = tk.get_validator("ignore_empty")
    natural = tk.get_validator("natural_number_validator")
    return {"limit": [not_missing, natural], "offset": [not_missing, natural]}


@tk.validator_args
def access_request_create(
    not_empty: Any, ignore_empty: Any, unicode_safe: Any, strip_value: Any
) -> Schema:
    return {
        "package_id": [not_empty, unicode_safe, strip_value],
        "purpose": [not_empty, unicode_safe, strip_value],
        "legal_basis": [not_empty, unicode_safe, strip_value],
        "items": [not_empty, text_list, not_empty],
        "duration_days": [not_empty, _positive_days],
        "contact": [not_empty, unicode_safe, strip_value],
        "requester_type": [ignore_empty, _one_of(requests.REQUESTER_TYPES)],
        "requester_org_id": [ignore_empty, unicode_safe],
        "requester_name": [ignore_empty, unicode_safe, strip_value],
    }


@tk.validator_args
def access_request_id(not_empty: Any, unicode_safe: Any) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@tk.validator_args
def access_request_list(ignore_empty: Any, unicode_safe: Any) -> Schema:
    return {
        "state": [ignore_empty, _one_of(requests.STATES)],
        "owner_org": [ignore_empty, unicode_safe],
        "package_id": [ignore_empty, unicode_safe],
        **_paging(),
    }


@tk.validator_args
def access_request_approve(
    not_empty: Any, ignore_empty: Any, unicode_safe: Any, strip_value: Any
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "expires": [ignore_empty, iso_date],
        "conditions": [ignore_empty, unicode_safe, strip_value],
    }


@tk.validator_args
def access_request_refuse(
    not_empty: Any, ignore_empty: Any, unicode_safe: Any, strip_value: Any
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "reason": [not_empty, unicode_safe, strip_value, not_empty],
        "legal_basis_number": [not_empty, unicode_safe, strip_value, not_empty],
        "legal_basis_article": [not_empty, unicode_safe, strip_value, not_empty],
        "items": [ignore_empty, text_list],
        "complaint_route": [ignore_empty, unicode_safe, strip_value],
    }


@tk.validator_args
def access_grant_list(ignore_empty: Any, unicode_safe: Any) -> Schema:
    return {
        "owner_org": [ignore_empty, unicode_safe],
        "package_id": [ignore_empty, unicode_safe],
        "state": [ignore_empty, _one_of(("active", "expired", "revoked"))],
        **_paging(),
    }


@tk.validator_args
def access_grant_revoke(not_empty: Any, unicode_safe: Any, strip_value: Any) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "reason": [not_empty, unicode_safe, strip_value, not_empty],
    }


@tk.validator_args
def audit_list(ignore_empty: Any, unicode_safe: Any) -> Schema:
    return {
        "package_id": [ignore_empty, unicode_safe],
        "user_id": [ignore_empty, unicode_safe],
        "owner_org": [ignore_empty, unicode_safe],
        "action": [ignore_empty, _one_of(audit.ACTIONS)],
        "since": [ignore_empty, iso_datetime],
        "until": [ignore_empty, iso_datetime],
        **_paging(),
    }
