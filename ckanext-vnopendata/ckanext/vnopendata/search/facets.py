"""Facet counts in SQL, over the already filtered (and label-filtered) set.

One statement: the matching rows are materialised once, then each facet is
a GROUP BY over that set, so a facet count can never include a dataset the
count and the results exclude.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.search.common import SearchQueryError

from ckanext.vnopendata.model.search import TABLE_NAME
from ckanext.vnopendata.search.fields import ARRAY_COLUMNS, SCALAR_COLUMNS, check_field_name
from ckanext.vnopendata.search.query import ALIAS


def _values_sql(field: str, key_param: str) -> str:
    """Rows (value) of one facet field over the matched set `m`.

    Values are distinct per dataset: a facet counts datasets, so a dataset
    with two CSV resources counts once under CSV, as in Solr.
    """
    if field in SCALAR_COLUMNS:
        return f"SELECT m.{field} AS value FROM m"
    if field in ARRAY_COLUMNS:
        elements = f"unnest(m.{field})"
    else:
        value = f"m.doc -> {key_param}"
        elements = (
            f"jsonb_array_elements_text(CASE jsonb_typeof({value}) WHEN 'array' "
            f"THEN {value} ELSE jsonb_build_array({value}) END)"
        )
    return (
        "SELECT v.x AS value FROM m CROSS JOIN LATERAL "
        f"(SELECT DISTINCT e.x FROM {elements} AS e(x)) AS v"
    )


def compute(
    fields: list[str],
    where: str,
    params: dict[str, Any],
    limit: int,
    mincount: int,
    sort: str,
) -> dict[str, dict[str, int]]:
    if sort not in ("count", "index"):
        raise SearchQueryError(f"facet.sort must be 'count' or 'index', not {sort!r}")
    params = dict(params)
    order = 'n DESC, value COLLATE "C" ASC' if sort == "count" else 'value COLLATE "C" ASC'
    selects = []
    columns: set[str] = set()
    for position, field in enumerate(dict.fromkeys(fields)):
        check_field_name(field)
        key_param = f"_facet_key{position}"
        params[key_param] = field
        columns.add(field if field in ARRAY_COLUMNS | SCALAR_COLUMNS else "doc")
        limit_sql = "" if limit < 0 else f" LIMIT {int(limit)}"
        selects.append(
            f"(SELECT {position} AS position, CAST(:{key_param} AS text) AS field, value, "
            f"count(*) AS n FROM ({_values_sql(field, ':' + key_param)}) AS f "
            "WHERE value IS NOT NULL AND value <> '' "
            f"GROUP BY value HAVING count(*) >= {max(int(mincount), 0)} "
            f"ORDER BY {order}{limit_sql})"
        )
    facets: dict[str, dict[str, int]] = {field: {} for field in fields}
    if not selects:
        return facets
    # Only the columns the facets read are materialised, not the stored dicts.
    selected = ", ".join(f"{ALIAS}.{column}" for column in sorted(columns))
    statement = (
        f"WITH m AS MATERIALIZED (SELECT {selected} FROM {TABLE_NAME} AS {ALIAS} "
        f"WHERE {where}) SELECT * FROM ("
        + " UNION ALL ".join(selects)
        + f") AS u ORDER BY position, {order}"
    )
    for row in model.Session.execute(sa.text(statement), params):
        facets[row.field][row.value] = int(row.n)
    return facets
