"""`PostgresPackageSearchQuery`: CKAN's PackageSearchQuery on PostgreSQL.

Takes the same Solr-style parameters CKAN's ``package_search``,
``model_dictize`` and ``package_autocomplete`` send and returns results,
count and facets shaped exactly as CKAN's Solr query returns them.
Permission labels are applied in the WHERE clause shared by the count, the
page and the facets, so no number ever reveals a hidden dataset.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, SearchQuery

from ckanext.vnopendata.model.search import TABLE_NAME
from ckanext.vnopendata.search import facet_counts
from ckanext.vnopendata.search.compiler import (
    ALIAS,
    QF_WEIGHTS,
    Compiler,
    Sql,
    document_value,
    parse,
    parse_user_text,
)
from ckanext.vnopendata.search.fields import SCALAR_COLUMNS, check_field_name

log = logging.getLogger(__name__)

CKAN_MM = "2<-1 5<80%"
CONSTANT_SCORE = "1.0"
# CKAN's own list, plus facet.sort which package_search passes through.
VALID_PARAMETERS = VALID_SOLR_PARAMETERS | {"facet.sort"}
_SORT_PART = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s+(asc|desc)\s*$", re.IGNORECASE)
# Solr sorts strings by code point; so does the "C" collation.
_SORT_COLUMNS = {
    "metadata_modified": f"{ALIAS}.metadata_modified",
    "metadata_created": f"{ALIAS}.metadata_created",
    "title_string": f'{ALIAS}.title_string COLLATE "C"',
    "name": f'{ALIAS}.name COLLATE "C"',
}


@dataclass
class CompiledQuery:
    where: str
    score: str
    sql: Sql
    # Whether `q` matches free text (not only negated): then the rows are
    # found through the text index.
    text_search: bool = False


def _fq_items(query: dict[str, Any]) -> list[str]:
    items: list[str] = []
    fq = query.get("fq")
    if isinstance(fq, str):
        items.append(fq)
    elif isinstance(fq, Iterable):
        items.extend(str(item) for item in fq)
    items.extend(query.get("fq_list") or [])
    return [item for item in items if item and item.strip()]


def _int_param(query: dict[str, Any], key: str, default: int) -> int:
    value = query.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise SearchQueryError(f"Parameter {key!r} must be an integer, got {value!r}") from error


def _qf_weights(qf: str | None) -> str | None:
    """Restrict free text to the weights of the fields `qf` names."""
    if not qf:
        return None
    weights: set[str] = set()
    for part in qf.split():
        name = part.split("^", 1)[0]
        if name == "text":
            return None
        if name not in QF_WEIGHTS:
            raise SearchQueryError(
                f"qf field {name!r} is not supported; use {sorted(QF_WEIGHTS) + ['text']}"
            )
        weights.add(QF_WEIGHTS[name])
    return "{" + ",".join(sorted(weights)) + "}"


def compile_query(query: dict[str, Any], permission_labels: list[str] | None) -> CompiledQuery:
    sql = Sql()
    def_type = query.get("defType", "dismax")
    if def_type not in ("dismax", "edismax", "lucene"):
        raise SearchQueryError(f"defType {def_type!r} is not supported")
    q = query.get("q") or "*:*"
    dismax = ":" not in q or def_type == "edismax"
    weights = _qf_weights(query.get("qf")) if dismax else None
    compiler = Compiler(sql, weights=weights)
    if dismax and def_type != "lucene":
        clause = compiler.compile_dismax(parse_user_text(q), str(query.get("mm") or CKAN_MM))
    else:
        clause = compiler.compile(parse(q, "q"))
    text_matches = list(compiler.text_matches)

    conditions = [clause] if clause else []
    fq = _fq_items(query)
    # Exactly CKAN's rule: active datasets unless a filter names the state.
    if not any("+state:" in item for item in fq):
        fq.append("+state:active")
    for item in fq:
        # Filters never contribute to the score, as in Solr.
        fq_clause = Compiler(sql).compile(parse(item, "fq"))
        if fq_clause:
            conditions.append(fq_clause)
    if permission_labels is not None:
        labels = sql.bind(list(permission_labels))
        column = f"{ALIAS}.permission_labels"
        if text_matches:
            # Not an index condition when the text index can be used: the
            # labels' index selects most rows (every public dataset), and
            # the planner, blind to detoasting, would take it and test `@@`
            # on each of those rows' vectors rather than scan the text index.
            column = f"({column} || CAST(ARRAY[] AS text[]))"
        conditions.append(f"{column} && CAST({labels} AS text[])")

    if text_matches:
        folded = " || ".join(f"({m.folded})" for m in text_matches)
        exact = " || ".join(f"({m.exact})" for m in text_matches)
        # Exact-diacritic matches score on both vectors, so rank above folded ones.
        score = (
            f"(ts_rank({ALIAS}.search_vector, {folded}) + ts_rank({ALIAS}.exact_vector, {exact}))"
        )
    else:
        score = CONSTANT_SCORE
    where = " AND ".join(conditions) if conditions else "true"
    return CompiledQuery(where=where, score=score, sql=sql, text_search=bool(text_matches))


def _avoid_sequential_scans(enabled: bool) -> str | None:
    """For a text query, plan the rest of the transaction without
    sequential scans; returns the setting to restore (None: untouched).

    The vectors are stored out of line, and the planner does not count the
    cost of detoasting: at 100,000 datasets it reads every row and tests
    `@@` on each detoasted vector (~0.5 s) rather than take the text
    index's bitmap, which tests nothing on the heap (~40 ms). A text query
    always has an indexable `@@` (the dismax clauses are ANDed with the
    rest), so without sequential scans that bitmap is what remains.
    """
    if not enabled:
        return None
    previous = model.Session.execute(
        sa.text("SELECT current_setting('enable_seqscan')")
    ).scalar_one()
    model.Session.execute(sa.text("SELECT set_config('enable_seqscan', 'off', true)"))
    return str(previous)


def _restore_sequential_scans(previous: str | None) -> None:
    # Only on success: after an error the transaction is rolled back, and
    # a LOCAL setting with it.
    if previous is not None:
        model.Session.execute(
            sa.text("SELECT set_config('enable_seqscan', :value, true)"), {"value": previous}
        )


def order_by(sort: str | None, score: str, sql: Sql) -> str:
    parts: list[str] = []
    for item in (sort or "score desc").split(","):
        if not item.strip():
            continue
        match = _SORT_PART.match(item)
        if not match:
            raise SearchQueryError(f'Invalid "sort" parameter: {item.strip()!r}')
        name, direction = match.group(1), match.group(2).upper()
        if name == "score":
            if score == CONSTANT_SCORE:
                continue  # no text query: every match scores the same
            expression = score
        elif name in _SORT_COLUMNS:
            expression = _SORT_COLUMNS[name]
        elif name in SCALAR_COLUMNS:
            expression = f'{ALIAS}.{name} COLLATE "C"'
        else:
            # Any other indexed field; JSONB orders numbers numerically.
            key = sql.bind(check_field_name(name))
            value = document_value(name, key)
            expression = (
                f"(CASE jsonb_typeof({value}) WHEN 'array' THEN {value} -> 0 ELSE {value} END)"
            )
        parts.append(f"{expression} {direction} NULLS LAST")
    # Deterministic order for equal keys (names are unique).
    parts.append(f'{ALIAS}.name COLLATE "C" ASC')
    return ", ".join(parts)


@dataclass
class _Ranked:
    """A page row whose score was computed after the page was chosen."""

    id: str
    score: Any
    total: int


@dataclass
class _PageRow:
    doc: dict[str, Any]
    data_text: str | None
    data_dict_text: str | None
    score: Any


def _result_fields(fl: Any) -> list[str]:
    if isinstance(fl, (list, tuple)):
        fl = " ".join(fl)
    names = [name for name in re.split(r"[\s,]+", str(fl or "name")) if name]
    return names


def _row_to_result(row: Any, names: list[str]) -> dict[str, Any]:
    doc: dict[str, Any] = row.doc
    if "*" in names:
        result = dict(doc)
        result["data_dict"] = row.data_dict_text
        result["validated_data_dict"] = row.data_text
    else:
        result = {}
        for name in names:
            if name == "validated_data_dict":
                result[name] = row.data_text
            elif name == "data_dict":
                result[name] = row.data_dict_text
            elif name == "score":
                result[name] = float(row.score)
            elif name in doc:
                result[name] = doc[name]
    if "score" in names:
        result["score"] = float(row.score)
    # As CKAN does with Solr documents: extras_* fields become `extras`.
    result["extras"] = {
        key[len("extras_") :]: result.pop(key) for key in list(result) if key.startswith("extras_")
    }
    return result


class PostgresPackageSearchQuery(SearchQuery):
    """Dataset search over the `vnopendata_search_index` table."""

    facets: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.facets = {}

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        rows = model.Session.execute(
            sa.text(f"SELECT id FROM {TABLE_NAME} WHERE state = 'active' ORDER BY id LIMIT :limit"),
            {"limit": max_results},
        )
        return [row.id for row in rows]

    def get_index(self, reference: str) -> dict[str, Any]:
        row = model.Session.execute(
            sa.text(
                f"SELECT doc, data::text AS data_text, COALESCE(data_dict, data)::text "
                f"AS data_dict_text FROM {TABLE_NAME} WHERE id = :ref OR name = :ref LIMIT 1"
            ),
            {"ref": reference},
        ).first()
        if row is None:
            raise SearchError(f"Dataset not found in the search index: {reference}")
        result = dict(row.doc)
        result["data_dict"] = row.data_dict_text
        result["validated_data_dict"] = row.data_text
        return result

    def run(
        self,
        query: dict[str, Any],
        permission_labels: list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if not set(query.keys()) <= VALID_PARAMETERS:
            invalid = sorted(set(query.keys()) - VALID_PARAMETERS)
            raise SearchQueryError(f"Invalid search parameters: {invalid}")
        for unsupported in ("bf", "boost"):
            if query.get(unsupported):
                raise SearchQueryError(f"Parameter {unsupported!r} is not supported")
        if query.get("wt", "json") != "json":
            raise SearchQueryError("Only wt=json is supported")
        q = query.get("q")
        if not q or q in ('""', "''"):
            query["q"] = "*:*"

        rows = max(0, _int_param(query, "rows", 10))
        start = max(0, _int_param(query, "start", 0))
        compiled = compile_query(query, permission_labels)
        sql = compiled.sql
        where = compiled.where
        table = f"{TABLE_NAME} AS {ALIAS}"
        previous_seqscan = _avoid_sequential_scans(compiled.text_search)

        names = _result_fields(query.get("fl"))
        ordering = order_by(query.get("sort"), compiled.score, sql)
        page_params = dict(sql.params, _rows=rows, _start=start)
        # A text query reads every match anyway (its rows come from the text
        # index's bitmap, not in a sort's index order), so the page counts
        # them in the same pass (count(*) OVER ()) instead of a second scan
        # of the text index and the heap. Other queries keep their own
        # count: it is index-only, and their pages stop after `rows` rows
        # read in index order, which a window over every match would undo.
        counted_in_page = compiled.text_search and rows > 0
        # Under a window PostgreSQL computes the select list for every
        # match, so unless the page is sorted by score (which scores every
        # match anyway) the score is computed afterwards for its rows only.
        score_later = counted_in_page and not ordering.startswith(f"{compiled.score} ")
        score = "NULL" if score_later else compiled.score
        total = ", count(*) OVER () AS total" if counted_in_page else ""
        # The page's ids first, then the stored documents of those rows only:
        # selecting the documents with the ORDER BY would detoast them for
        # every matching row before the sort.
        page: list[Any] = (
            []
            if rows == 0
            else list(
                model.Session.execute(
                    sa.text(
                        f"SELECT {ALIAS}.id, {score} AS score{total} FROM {table} "
                        f"WHERE {where} ORDER BY {ordering} LIMIT :_rows OFFSET :_start"
                    ),
                    page_params,
                ).all()
            )
        )
        if score_later and page:
            scores = dict(
                model.Session.execute(
                    sa.text(
                        f"SELECT {ALIAS}.id, {compiled.score} FROM {table} "
                        f"WHERE {ALIAS}.id = ANY(:_ids)"
                    ),
                    dict(sql.params, _ids=[row.id for row in page]),
                ).all()
            )
            page = [_Ranked(row.id, scores.get(row.id), row.total) for row in page]
        if counted_in_page and page:
            self.count = int(page[0].total)
        else:
            # No text, or a page past the last match (no row to carry the count).
            self.count = model.Session.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE {where}"), sql.params
            ).scalar_one()
        wants = set(names)
        data = "d.data::text" if wants & {"*", "validated_data_dict"} else "NULL"
        data_dict = "COALESCE(d.data_dict, d.data)::text" if wants & {"*", "data_dict"} else "NULL"
        stored = {}
        if page:
            for row in model.Session.execute(
                sa.text(
                    f"SELECT d.id, d.doc, {data} AS data_text, {data_dict} AS data_dict_text "
                    f"FROM {TABLE_NAME} AS d WHERE d.id = ANY(:ids)"
                ),
                {"ids": [row.id for row in page]},
            ):
                stored[row.id] = row
        result_rows = [
            _PageRow(
                stored[row.id].doc,
                stored[row.id].data_text,
                stored[row.id].data_dict_text,
                row.score,
            )
            for row in page
            if row.id in stored
        ]
        self.results = [_row_to_result(row, names) for row in result_rows]
        fl = query.get("fl")
        if fl in ("id", "name"):
            self.results = [result.get(fl) for result in self.results]

        self.facets = {}
        if str(query.get("facet", "true")).lower() != "false":
            fields = query.get("facet.field") or []
            if isinstance(fields, str):
                fields = json.loads(fields) if fields.startswith("[") else [fields]
            if fields:
                self.facets = facet_counts.compute(
                    fields,
                    where=where,
                    params=sql.params,
                    limit=_int_param(query, "facet.limit", config.get("search.facets.limit")),
                    mincount=_int_param(query, "facet.mincount", 1),
                    sort=str(query.get("facet.sort") or "count"),
                )
        _restore_sequential_scans(previous_seqscan)
        return {"results": self.results, "count": self.count}
