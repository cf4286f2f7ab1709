"""Input schemas of the extension's actions (`@tk.validate`)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


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
