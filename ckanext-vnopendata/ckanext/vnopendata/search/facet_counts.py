"""Facet counts in SQL, over the already filtered (and label-filtered) set.

The portal's facet fields (`KEYED_FIELDS`) are counted from `facet_keys`,
the generated array of their "field<US>value" keys: one `unnest` and one
`GROUP BY`, which PostgreSQL runs in parallel workers (GROUPING SETS, the
path for any other field, cannot run in parallel on PostgreSQL 15). All
keys are counted and the requested fields picked in Python: filtering the
keys in SQL (starts_with, under the database collation) costs more than
counting the ~140 distinct keys the filter would drop.

Any other field: one statement and one pass over the matching rows: each row yields the
values of every facet field side by side (set-returning functions in the
select list run in lockstep), and ``GROUP BY GROUPING SETS`` counts each
field's values in the same aggregation. The WHERE clause is the one the
count and the page use, so a facet count can never include a dataset they
exclude. A facet counts datasets, not values: the stored lists hold each
value once per dataset (see `index_writer.row_parts`); values of long fields that
are read from ``doc`` are made distinct per dataset here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.search.common import SearchQueryError

from ckanext.vnopendata.model.search import FACET_KEY_SEPARATOR, TABLE_NAME
from ckanext.vnopendata.search import sql as sql_fragments
from ckanext.vnopendata.search.compiler import ALIAS
from ckanext.vnopendata.search.facet_fields import KEYED_FIELDS
from ckanext.vnopendata.search.fields import (
    ARRAY_COLUMNS,
    SCALAR_COLUMNS,
    Kind,
    check_field_name,
    kind_of,
)


def _values_sql(field: str, key: str) -> str:
    """A set-returning expression: the field's values for one row, each once."""
    if field in SCALAR_COLUMNS:
        return f"unnest(ARRAY[{ALIAS}.{field}])"
    if field in ARRAY_COLUMNS:
        return f"unnest({ALIAS}.{field})"
    in_doc = f"{ALIAS}.doc -> {key}"
    distinct_in_doc = (
        "(SELECT jsonb_agg(DISTINCT e.x) FROM "
        f"jsonb_array_elements({sql_fragments.as_json_array(in_doc)}) AS e(x))"
    )
    if kind_of(field) is Kind.DOCUMENT:
        # Short values (exact_doc, lists stored without repeats), else the
        # document's, made distinct (rare: only fields too long for exact_doc).
        value = sql_fragments.as_json_array(
            sql_fragments.stored_value(ALIAS, key, long_value=distinct_in_doc)
        )
    else:
        value = distinct_in_doc
    return f"jsonb_array_elements_text({value})"


def compute(
    fields: list[str],
    where: str,
    params: dict[str, Any],
    limit: int,
    mincount: int,
    sort: str,
    connection: Any = None,
) -> tuple[dict[str, dict[str, int]], int | None]:
    """The facets, and the number of matching datasets when the facets'
    own pass counted them (any of the portal's facet fields asked), else
    None. Read through `connection` when given, else CKAN's session."""
    execute = (connection or model.Session).execute
    if sort not in ("count", "index"):
        raise SearchQueryError(f"facet.sort must be 'count' or 'index', not {sort!r}")
    facets: dict[str, dict[str, int]] = {field: {} for field in fields}
    unique = list(dict.fromkeys(fields))
    if not unique:
        return facets, None
    counted: dict[str, list[tuple[str, int]]] = {field: [] for field in unique}
    minimum = max(int(mincount), 0)
    keyed = [field for field in unique if field in KEYED_FIELDS]
    total = None
    if keyed:
        total = _count_keyed(keyed, where, params, minimum, counted, execute)
    others = [field for field in unique if field not in KEYED_FIELDS]
    if others:
        _count_grouping_sets(
            others, where, params, f"HAVING count(*) >= {minimum}", counted, execute
        )
    for field in unique:
        # Code-point order is what COLLATE "C" (and Solr) gives for UTF-8.
        if sort == "count":
            ordered = sorted(counted[field], key=lambda item: (-item[1], item[0]))
        else:
            ordered = sorted(counted[field])
        if limit >= 0:
            ordered = ordered[:limit]
        facets[field] = dict(ordered)
    return facets, total


# A key no dataset has (keys are "field<US>value"), added once to every
# matching row's keys: its count is the number of matching datasets, which
# the facets' pass gives without a pass of its own.
DATASET_KEY = ""


def _count_keyed(
    fields: list[str],
    where: str,
    params: dict[str, Any],
    minimum: int,
    counted: dict[str, list[tuple[str, int]]],
    execute: Callable[..., Any] | None = None,
) -> int:
    """Counts the keyed fields' values into `counted`; returns the number of
    matching datasets."""
    statement = (
        f"SELECT z.k, count(*) AS n FROM (SELECT unnest({ALIAS}.facet_keys || "
        f"ARRAY['{DATASET_KEY}']) AS k FROM {TABLE_NAME} AS {ALIAS} WHERE {where}) AS z "
        f"GROUP BY z.k HAVING count(*) >= {minimum} OR z.k = '{DATASET_KEY}'"
    )
    wanted = set(fields)
    total = 0
    for row in (execute or model.Session.execute)(sa.text(statement), params):
        if row.k == DATASET_KEY:
            total = int(row.n)
            continue
        field, _separator, value = row.k.partition(FACET_KEY_SEPARATOR)
        if field in wanted and value:
            counted[field].append((value, int(row.n)))
    return total


def _count_grouping_sets(
    fields: list[str],
    where: str,
    params: dict[str, Any],
    having: str,
    counted: dict[str, list[tuple[str, int]]],
    execute: Callable[..., Any] | None = None,
) -> None:
    params = dict(params)
    values = []
    for position, field in enumerate(fields):
        check_field_name(field)
        key_param = f"_facet_key{position}"
        params[key_param] = field
        values.append(f"{_values_sql(field, ':' + key_param)} AS c{position}")
    columns = [f"c{position}" for position in range(len(fields))]
    statement = (
        f"SELECT GROUPING({', '.join(columns)}) AS g, {', '.join(columns)}, count(*) AS n "
        f"FROM (SELECT {', '.join(values)} FROM {TABLE_NAME} AS {ALIAS} WHERE {where}) AS z "
        f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns)}) {having}"
    )
    # GROUPING() sets a bit for every column not grouped in a row's set.
    width = len(fields)
    full = (1 << width) - 1
    position_of = {full ^ (1 << (width - 1 - p)): p for p in range(width)}
    for row in (execute or model.Session.execute)(sa.text(statement), params):
        found = position_of.get(row.g)
        if found is None:
            continue
        value = row[1 + found]
        if value is None or value == "":
            continue
        counted[fields[found]].append((value, int(row.n)))
