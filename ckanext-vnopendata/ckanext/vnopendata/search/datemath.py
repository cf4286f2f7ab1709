"""Solr date math: ``NOW``, ``NOW-1DAY``, ``NOW/DAY``, ``2024-01-01T00:00:00Z+1MONTH``.

Times are naive UTC, like CKAN's ``metadata_created``/``metadata_modified``.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ckan.lib.search.common import SearchQueryError
from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date
from dateutil.relativedelta import relativedelta

_UNITS = {
    "YEAR": "years",
    "MONTH": "months",
    "DAY": "days",
    "DATE": "days",
    "HOUR": "hours",
    "MINUTE": "minutes",
    "SECOND": "seconds",
    "MILLI": "microseconds",
    "MILLISECOND": "microseconds",
}
_ROUNDING = ("YEAR", "MONTH", "DAY", "DATE", "HOUR", "MINUTE", "SECOND")
_OPERATION = re.compile(r"([+-])(\d+)([A-Z]+)|/([A-Z]+)")
_ANCHOR = re.compile(r"^(NOW|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)(.*)$")


def looks_like_date(value: str) -> bool:
    return bool(_ANCHOR.match(value.upper()))


def _unit(name: str) -> str:
    singular = name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name
    if singular not in _UNITS:
        raise SearchQueryError(f"Unknown date math unit {name!r}")
    return singular


def _round(moment: datetime, unit: str) -> datetime:
    if unit not in _ROUNDING:
        raise SearchQueryError(f"Cannot round a date to {unit!r}")
    fields = ["month", "day", "hour", "minute", "second", "microsecond"]
    keep = {"YEAR": 0, "MONTH": 1, "DAY": 2, "DATE": 2, "HOUR": 3, "MINUTE": 4, "SECOND": 5}[unit]
    reset = {name: (1 if name in ("month", "day") else 0) for name in fields[keep:]}
    return moment.replace(**reset)  # type: ignore[arg-type]


def parse_solr_date(value: str, now: datetime | None = None) -> datetime:
    """A point in time (naive UTC) from a Solr date or date-math expression."""
    text = value.strip().upper()
    match = _ANCHOR.match(text)
    if not match:
        raise SearchQueryError(f"Not a date: {value!r}")
    anchor, operations = match.groups()
    if anchor == "NOW":
        moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    else:
        try:
            parsed = parse_date(anchor)
        except (ParserError, ValueError, OverflowError) as error:
            raise SearchQueryError(f"Not a date: {value!r}") from error
        if parsed.tzinfo:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        moment = parsed
    position = 0
    for op in _OPERATION.finditer(operations):
        if op.start() != position:
            break
        position = op.end()
        sign, amount, unit, round_unit = op.groups()
        if round_unit:
            moment = _round(moment, _unit(round_unit))
        else:
            delta = int(amount) * (1 if sign == "+" else -1)
            name = _unit(unit)
            if name.startswith("MILLI"):
                delta *= 1000
            moment = moment + relativedelta(**{_UNITS[name]: delta})
    if position != len(operations):
        raise SearchQueryError(f"Invalid date math in {value!r}")
    return moment


def solr_date_string(moment: datetime) -> str:
    """The form dates have in the index document: sortable as text."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
