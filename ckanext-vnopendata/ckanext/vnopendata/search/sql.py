"""SQL fragments used by more than one module, written once.

Every function returns SQL text over the index row's alias; values reach
SQL only as bound parameters (the callers bind them), never here.
"""

from __future__ import annotations

from ckanext.vnopendata.model.search import FOLD_FUNCTION, LONG_KEY

TS_CONFIG = "'simple'::regconfig"
# The weights of the text vectors, in the order their texts are joined.
WEIGHTS = "ABCD"


def as_json_array(value: str) -> str:
    """A JSON value as an array: itself if it is one, else a one-element array."""
    return (
        f"(CASE jsonb_typeof({value}) WHEN 'array' THEN {value} "
        f"ELSE jsonb_build_array({value}) END)"
    )


def stored_value(alias: str, key: str, long_value: str | None = None) -> str:
    """The JSON value of an exact-match document field: from the inline
    `exact_doc`, unless the row lists the field under LONG_KEY (too long
    for it); then `long_value` (default: the field in `doc`)."""
    in_doc = long_value if long_value is not None else f"{alias}.doc -> {key}"
    return (
        f"(CASE WHEN {alias}.exact_doc -> '{LONG_KEY}' ? {key} "
        f"THEN {in_doc} ELSE {alias}.exact_doc -> {key} END)"
    )


def weighted_vector(texts: dict[str, str], folded: bool) -> str:
    """The text vector of a row from the SQL texts of its weights
    (`texts`: weight letter -> SQL text expression): folded for
    `search_vector`, as written for `exact_vector`."""
    parts = []
    for weight in WEIGHTS:
        text = texts[weight]
        if folded:
            text = f"{FOLD_FUNCTION}({text})"
        parts.append(f"setweight(to_tsvector({TS_CONFIG}, {text}), '{weight}')")
    return " || ".join(parts)
