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
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import (
    MAGIC_FIELD_RE,
    QUERY_PARSER_RE,
    VALID_SOLR_PARAMETERS,
    SearchQuery,
    _get_local_query_parser,  # pyright: ignore[reportPrivateUsage]
)

from ckanext.vnopendata.model.search import TABLE_NAME, TEXT_TABLE_COLUMNS, TEXT_TABLE_NAME
from ckanext.vnopendata.search import facet_counts, ranking
from ckanext.vnopendata.search.compiler import (
    ALIAS,
    QF_WEIGHTS,
    Compiler,
    PlainText,
    Sql,
    document_value,
    parse,
    parse_user_text,
)
from ckanext.vnopendata.search.fields import ARRAY_COLUMNS, SCALAR_COLUMNS, check_field_name

log = logging.getLogger(__name__)

# False inside `count_not_needed()`.
_COUNT_WANTED: ContextVar[bool] = ContextVar("vnopendata_search_count_wanted", default=True)

CKAN_MM = "2<-1 5<80%"
# The fields a filter beside free text may name for the matches to be
# counted in the text index's narrow copy: its columns that a filter
# compiles to as they are (`fields.kind_of`), e.g. CKAN's `+state:active`
# and `+capacity:public`.
COUNTED_IN_TEXT_TABLE = frozenset(TEXT_TABLE_COLUMNS) & (SCALAR_COLUMNS | ARRAY_COLUMNS)
CONSTANT_SCORE = "1.0"
# Added to the score of a row that matches a query typed with diacritics
# as typed: more than ts_rank reaches.
TYPED_TIER_SCORE = "10"
# Rows read from the rank index beyond the page in a first fetch, so that
# rows tied with the page's last one are usually read with it. Reading more
# costs a heap visit per row, not another pass over the matches (the
# ranked page reads through a cursor).
TIE_MARGIN = 20
# The ranked page's cursor (one at a time in a session's transaction).
RANK_CURSOR = "vnopendata_ranked_page"
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
    # With the RUM rank index: the distance to order by (best first), the
    # index's own order. None: rank with `score` (ts_rank on both vectors).
    rank_distance: str | None = None
    # With the rank index and a query of free text only: the ranked page's
    # tiers, in order (`Tier`). Empty: one tier, `where` by `rank_distance`.
    tiers: list[Tier] = field(default_factory=list)
    # The table a count of the matches reads: the text index's narrow copy
    # when `where` names only its columns (`COUNTED_IN_TEXT_TABLE`).
    count_table: str = TABLE_NAME

    @property
    def page_counts(self) -> bool:
        """Whether the page reads every match and counts them in the same
        pass (a window): a text query not ranked by the rank index, whose
        rows come from the text index's bitmap, not in an index's order."""
        return self.text_search and self.rank_distance is None


@dataclass
class Tier:
    """Matches ranked among themselves, all before the next tier's."""

    where: str
    distance: str


@dataclass
class Ordering:
    sql: str
    # Whether the first sort key is the relevance score (best first).
    by_score: bool
    # With the rank index and more sort keys after the score (CKAN's
    # default "score desc, metadata_modified desc"): the distance to take
    # the best rows in the index's own order, and the keys that order the
    # rows of equal distance. None: `sql` is the whole order.
    index_distance: str | None = None
    tie_keys: str = ""


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


def compile_query(
    query: dict[str, Any], permission_labels: list[str] | None, rank_by_index: bool = False
) -> CompiledQuery:
    """The WHERE clause and score of a query. `rank_by_index`: the page is
    sorted by score and the RUM rank index exists, so text conditions are
    written on its expression and the rows come from it best first."""
    sql = Sql()
    vector = ranking.rank_vector(ALIAS) if rank_by_index else f"{ALIAS}.search_vector"
    def_type = query.get("defType", "dismax")
    if def_type not in ("dismax", "edismax", "lucene"):
        raise SearchQueryError(f"defType {def_type!r} is not supported")
    q = query.get("q") or "*:*"
    dismax = ":" not in q or def_type == "edismax"
    weights = _qf_weights(query.get("qf")) if dismax else None
    compiler = Compiler(sql, weights=weights, vector=vector)
    if dismax and def_type != "lucene":
        clause = compiler.compile_dismax(parse_user_text(q), str(query.get("mm") or CKAN_MM))
    else:
        clause = compiler.compile(parse(q, "q"))
    text_matches = list(compiler.text_matches)

    conditions = [clause] if clause else []
    # Free text alone (no field named in `q`), filtered only on columns of
    # the text index's narrow copy: counted there.
    text_table = compiler.plain_text is not None
    fq = _fq_items(query)
    # Exactly CKAN's rule: active datasets unless a filter names the state.
    if not any("+state:" in item for item in fq):
        fq.append("+state:active")
    for item in fq:
        # Filters never contribute to the score, as in Solr.
        fq_compiler = Compiler(sql, beside_text=bool(text_matches))
        fq_clause = fq_compiler.compile(parse(item, "fq"))
        if fq_clause:
            conditions.append(fq_clause)
        text_table = (
            text_table
            and not fq_compiler.text_matches
            and fq_compiler.fields <= COUNTED_IN_TEXT_TABLE
        )
    if permission_labels is not None:
        labels = sql.bind(list(permission_labels))
        column = f"{ALIAS}.permission_labels"
        if text_matches:
            # The GIN text index holds the labels as its second column: its
            # scan leaves out the rows the caller may not see, so the count
            # and the facets do not read them. The ranked page reads its rows
            # from the rank index (RANK_INDEX_PLAN: no bitmap, so not this
            # one), which holds no labels: RUM scans a condition of several
            # labels, each held by most rows, slower than it tests them on
            # the rows it returns (an agency user's "dân số" at 100,000
            # datasets: 131-145 ms against 75-89 ms).
            column = ranking.text_labels(ALIAS)
        conditions.append(f"{column} && CAST({labels} AS text[])")

    rank_distance = None
    tiers: list[Tier] = []
    if text_matches:
        folded = " || ".join(f"({m.folded})" for m in text_matches)
        exact = " || ".join(f"({m.exact})" for m in text_matches)
        plain = compiler.plain_text
        if plain is None:
            # Exact-diacritic matches score on both vectors, so rank above folded ones.
            score = (
                f"(ts_rank({ALIAS}.search_vector, {folded}) "
                f"+ ts_rank({ALIAS}.exact_vector, {exact}))"
            )
        else:
            # Free text alone: ranked on its folded words, as CKAN's Solr
            # schema scores text (ASCII folding), the rows that match it as
            # typed first (`_tiers`), with the rank index or without.
            score = f"ts_rank({ranking.rank_vector(ALIAS)}, {folded})"
            if plain.folds:
                typed = f"{ranking.rank_vector(ALIAS)} @@ ({plain.exact})"
                score = f"(CASE WHEN {typed} THEN {TYPED_TIER_SCORE} ELSE 0 END + {score})"
        if rank_by_index:
            # One query of every folded and exact term: RUM ranks the
            # combined vector, where an exact match adds its exact lexemes.
            rank_distance = f"{vector} <=> ({folded} || {exact})"
            if plain is not None:
                tiers = _tiers(plain, vector, f"{vector} <=> ({folded})", conditions[1:])
    else:
        score = CONSTANT_SCORE
    where = " AND ".join(conditions) if conditions else "true"
    return CompiledQuery(
        where=where,
        score=score,
        sql=sql,
        text_search=bool(text_matches),
        rank_distance=rank_distance,
        tiers=tiers,
        # The copy holds the folded vector only, not the rank index's.
        count_table=TEXT_TABLE_NAME if text_table and not rank_by_index else TABLE_NAME,
    )


def _tiers(text: PlainText, vector: str, distance: str, filters: list[str]) -> list[Tier]:
    """The ranked page's tiers for a query of free text only: first the
    rows that match it as typed, with its diacritics; then the rows that
    match it only once folded. Together they are exactly the query's
    matches (a word as typed is in the folded vector too, folded, so the
    first tier is within the folded matches; the second leaves the first
    out). A query without diacritics matches the same rows either way: one
    tier.

    Each tier is ranked on the folded words (`distance`), as CKAN's Solr
    schema scores text (ASCII folding): the tiers, not the score, put the
    words as typed first. The rank index's time follows how many rows hold
    the lexemes of the query it ranks on, for every match gathered, so
    each lexeme counts:

    - ranked on the folded and the typed words (what every tier did
      before), "chuyển đổi số" took 40 ms to its first rows at 100,000
      datasets, the phrase "bảng giá đất" 54 ms;
    - on the folded words, 22 and 21 ms, with the same rows tied;
    - on the typed words alone, 18 and 19 ms, but they tie many rows (a
      province named once in the provinces field of thousands of
      datasets: "Đà Nẵng" ties all 9,133 of an agency user's matches), and
      a page must read every tied row to put the newest first (167 ms).
      The folded syllables are shared by other words ("da" is also "đa",
      "dạ"), which is how the folded ranking parts such rows.

    The words as typed are rarer than their folded forms ("số" against
    "so", which is also "sở", "sổ", "sơ"...), so the first tier gathers
    fewer rows; the second is read only when the first does not fill the
    page."""
    rest = "".join(f" AND {condition}" for condition in filters)
    first = Tier(f"({vector} @@ ({text.exact})){rest}", distance)
    if not text.folds:
        return [first]
    second = Tier(f"({vector} @@ (({text.folded}) && !!({text.exact}))){rest}", distance)
    return [first, second]


@contextmanager
def _planner(**settings: str) -> Iterator[None]:
    """Plan the statements of the block with these settings (LOCAL to the
    transaction), restored afterwards: one round trip each way.

    Restored only on success: after an error the transaction is rolled
    back, and a LOCAL setting with it.
    """
    if not settings:
        yield
        return
    block = _SearchSettings()
    block.set(settings)
    yield
    block.restore_later(settings)
    block.flush()


class _SearchSettings:
    """The planner settings of one search, sent with its own statements
    instead of in round trips of their own: set, with the previous values
    read (a materialized CTE, before any is set) and the "written yet?"
    check, in one statement before the page; restored with the next
    statement after it (the documents', usually). `_planner` is the same
    for a block of statements.

    Restored only on success, as `_planner`: after an error the
    transaction is rolled back, and a LOCAL setting with it.
    """

    def __init__(self) -> None:
        self._previous: dict[str, str] = {}
        self._pending: dict[str, str] = {}

    def set(self, settings: dict[str, str], ask_written: bool = False) -> bool | None:
        """Set `settings` (LOCAL to the transaction) in one round trip.
        With `ask_written`, also returns whether this transaction has
        written anything yet (else None)."""
        if not settings and not ask_written:
            return None
        if not settings:
            written = model.Session.execute(sa.text("SELECT txid_current_if_assigned()")).scalar()
            return written is not None
        rows = model.Session.execute(
            sa.text(
                "WITH previous AS MATERIALIZED (SELECT s.name, s.value, "
                "current_setting(s.name) AS before FROM unnest(CAST(:names AS text[]), "
                "CAST(:values AS text[])) AS s(name, value)) "
                "SELECT name, before, set_config(name, value, true), "
                "txid_current_if_assigned() AS written FROM previous"
            ),
            {"names": list(settings), "values": list(settings.values())},
        ).all()
        for row in rows:
            self._previous.setdefault(row.name, row.before)
        return rows[0].written is not None if ask_written else None

    def restore_later(self, names: Iterable[str]) -> None:
        """Put these settings back as they were, with the next statement."""
        for name in names:
            if name in self._previous:
                self._pending[name] = self._previous.pop(name)

    def execute(self, statement: str, params: dict[str, Any]) -> sa.CursorResult[Any]:
        """`statement`, preceded in the same round trip by the settings to
        put back (psycopg2 sends both and returns the rows of the last)."""
        if not self._pending:
            return model.Session.execute(sa.text(statement), params)
        prefix, restore = self._restore_statement()
        return model.Session.execute(sa.text(prefix + statement), {**params, **restore})

    def flush(self) -> None:
        """Put back now what is still to be put back."""
        if self._pending:
            prefix, restore = self._restore_statement()
            model.Session.execute(sa.text(prefix), restore)

    def _restore_statement(self) -> tuple[str, dict[str, Any]]:
        restore = {
            "_restore_names": list(self._pending),
            "_restore_values": list(self._pending.values()),
        }
        self._pending = {}
        return (
            "SELECT set_config(s.name, s.value, true) FROM unnest("
            "CAST(:_restore_names AS text[]), CAST(:_restore_values AS text[])) "
            "AS s(name, value); ",
            restore,
        )


# For a text query: the vectors are stored out of line, and the planner does
# not count the cost of detoasting. At 100,000 datasets it would read every
# row and test `@@` on each detoasted vector (~0.5 s) rather than take the
# text index's bitmap, which tests nothing on the heap (~40 ms). A text
# query always has an indexable `@@` (the dismax clauses are ANDed with the
# rest), so without sequential scans that bitmap is what remains.
TEXT_PLAN = {"enable_seqscan": "off"}
# For a text page in another order (a sort key, or ts_rank without the rank
# index): the page counts every match (a window), so reading the matches in
# a sort index's order gains nothing, and the planner, blind to detoasting,
# may walk the whole sort index testing the text on each row's stored
# vectors: at 300,000 datasets a filtered "chuyển đổi số" newest first took
# 3.4 s that way, and 0.10 s from the bitmaps of the text, filter and
# format indexes; "Hồ Chí Minh" 14.9 s against 0.07 s. Plain index scans
# are off; bitmaps (including of the primary key, for the page's
# documents) and index-only scans remain.
COUNTED_TEXT_PLAN = {**TEXT_PLAN, "enable_indexscan": "off"}
# For a page ranked by the rank index (always a text query, so inside
# TEXT_PLAN): the planner, misjudging how many rows match, may take a bitmap
# of the matches and compute each one's distance from its stored vectors
# (~150 ms for 6,000 matches) rather than read them from the index in
# distance order, which reads no vector.
RANK_INDEX_PLAN = {"enable_bitmapscan": "off"}


@contextmanager
def count_not_needed() -> Iterator[None]:
    """Searches inside leave `count` None where counting would cost a
    pass over the matches of its own: for a caller that knows the total
    already (a feed walk after its first page). A count the page's own
    statement gives is still returned."""
    token = _COUNT_WANTED.set(False)
    try:
        yield
    finally:
        _COUNT_WANTED.reset(token)


def _sort_items(sort: str | None) -> list[tuple[str, str]]:
    items = []
    for item in (sort or "score desc").split(","):
        if not item.strip():
            continue
        match = _SORT_PART.match(item)
        if not match:
            raise SearchQueryError(f'Invalid "sort" parameter: {item.strip()!r}')
        items.append((match.group(1), match.group(2).upper()))
    return items


def sorted_by_score(sort: str | None) -> bool:
    """Whether the first sort key is the score, best first."""
    items = _sort_items(sort)
    return bool(items) and items[0] == ("score", "DESC")


def order_by(sort: str | None, compiled: CompiledQuery) -> Ordering:
    score, sql = compiled.score, compiled.sql
    parts: list[str] = []
    by_score = False
    for position, (name, direction) in enumerate(_sort_items(sort)):
        if name == "score":
            if score == CONSTANT_SCORE:
                continue  # no text query: every match scores the same
            by_score = by_score or (position == 0 and direction == "DESC")
            if compiled.rank_distance is not None:
                # The index's distance: smaller is better.
                flipped = "ASC" if direction == "DESC" else "DESC"
                parts.append(f"{compiled.rank_distance} {flipped}")
                continue
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
    if by_score and compiled.rank_distance is not None and len(parts) == 1 and not compiled.tiers:
        # The rank index gives this order itself. Equal distances keep the
        # index's order (the rows' physical order), stable while the rows
        # do not change.
        return Ordering(parts[0], by_score)
    # Deterministic order for equal keys (names are unique).
    parts.append(f'{ALIAS}.name COLLATE "C" ASC')
    if by_score and compiled.rank_distance is not None:
        # A second key in one ORDER BY would make PostgreSQL compute the
        # distance of every match from its stored vectors and sort them all
        # (no incremental sort over an ordering operator): what the index is
        # there to avoid. The page takes the best rows from the index first
        # (`_ranked_page`) and orders only those.
        return Ordering(", ".join(parts), by_score, compiled.rank_distance, ", ".join(parts[1:]))
    return Ordering(", ".join(parts), by_score)


def _run_end(rows: list[Any], index: int) -> int:
    """The position after the run of equal distances holding `rows[index]`
    (`len(rows)` when the run may go on past the rows read)."""
    distance = rows[index].distance
    for position in range(index + 1, len(rows)):
        if rows[position].distance != distance:
            return position
    return len(rows)


@dataclass
class _Ranked:
    """A row of the page: its id, its score, and the match count when the
    page's statement counted them."""

    id: str
    score: Any
    total: int | None


@dataclass
class _PageRow:
    doc: dict[str, Any]
    data_text: str | None
    data_dict_text: str | None
    score: Any


# Result fields read from the index table's columns rather than the stored
# document, with how each column gives the document's value (CKAN indexes
# dates as `datetime.isoformat()`). `test_result_columns` checks them against
# the documents of every demo dataset.
RESULT_COLUMNS: dict[str, Any] = {
    "id": str,
    "name": str,
    "permission_labels": list,
    "metadata_created": lambda value: value.isoformat(),
    "metadata_modified": lambda value: value.isoformat(),
}


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
        # The count when the ranked page read every tier whole.
        self._tiers_total: int | None = None

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
        _check_parameters(query)
        self._tiers_total = None
        rows = max(0, _int_param(query, "rows", 10))
        start = max(0, _int_param(query, "start", 0))
        # The count and the facets find the matches through the GIN index
        # (a bitmap, no order needed).
        matches = compile_query(query, permission_labels)
        # A page of free text sorted by relevance comes from the RUM rank
        # index when there is one: the same rows, written on its expression.
        rank_by_index = (
            matches.text_search
            and sorted_by_score(query.get("sort"))
            and ranking.rank_index_available()
        )
        compiled = compile_query(query, permission_labels, True) if rank_by_index else matches
        ordering = order_by(query.get("sort"), compiled)
        names = _result_fields(query.get("fl"))
        if compiled.page_counts:
            plan = COUNTED_TEXT_PLAN
        else:
            plan = TEXT_PLAN if compiled.text_search else {}
        settings = _SearchSettings()
        rank_plan = RANK_INDEX_PLAN if compiled.rank_distance else {}
        beside_wanted = bool(compiled.rank_distance) and (
            bool(_facet_fields(query)) or _COUNT_WANTED.get()
        )
        written = settings.set({**plan, **rank_plan}, ask_written=beside_wanted)
        beside = self._beside_the_page(query, matches) if beside_wanted and not written else None
        page = self._page(compiled, ordering, rows, start, "score" in names)
        # The count and the facets read the text index's bitmap.
        settings.restore_later(rank_plan)
        self.facets, counted = self._facets_beside(beside, query, matches, settings)
        self.count = self._count(matches, page, counted, settings)
        settings.restore_later(plan)
        self.results = self._documents(page, names, query.get("fl"), settings)
        settings.flush()
        return {"results": self.results, "count": self.count}

    # the steps of `run`

    def _page(
        self, compiled: CompiledQuery, ordering: Ordering, rows: int, start: int, scores: bool
    ) -> list[_Ranked]:
        """The ids of the page's rows in order, with their score when
        `scores` (the caller asked for it in `fl`) and, when the page counted
        the matches, the count."""
        if rows == 0:
            return []
        if ordering.index_distance is not None:
            tiers = compiled.tiers or [Tier(compiled.where, ordering.index_distance)]
            page = self._tiered_page(tiers, ordering, rows, start, compiled.sql.params)
            return self._with_scores(compiled, page) if scores else page
        # A text query ranked without the index reads every match anyway
        # (its rows come from the text index's bitmap, not in a sort's index
        # order), so the page counts them in the same pass (count(*) OVER
        # ()) instead of a second scan. Other pages stop after `rows` rows
        # read in index order (the rank index's, a sort's), which a window
        # over every match would undo: they keep their own count.
        counted = compiled.page_counts
        # Under a window PostgreSQL computes the select list for every
        # match: unless the page is ranked by ts_rank (which scores every
        # match anyway), the score is computed afterwards for its rows only.
        score_now = counted and ordering.by_score
        score = compiled.score if score_now else "NULL"
        total = ", count(*) OVER () AS total" if counted else ", NULL AS total"
        # The ids first, then the stored documents of those rows only:
        # selecting the documents with the ORDER BY would detoast them for
        # every matching row before the sort.
        found = model.Session.execute(
            sa.text(
                f"SELECT {ALIAS}.id, {score} AS score{total} FROM {TABLE_NAME} AS {ALIAS} "
                f"WHERE {compiled.where} ORDER BY {ordering.sql} LIMIT :_rows OFFSET :_start"
            ),
            dict(compiled.sql.params, _rows=rows, _start=start),
        ).all()
        page = [_Ranked(row.id, row.score, row.total) for row in found]
        return page if score_now or not scores else self._with_scores(compiled, page)

    def _with_scores(self, compiled: CompiledQuery, page: list[_Ranked]) -> list[_Ranked]:
        """The page's scores, computed for its rows only."""
        if page and compiled.score != CONSTANT_SCORE:
            scores = dict(
                model.Session.execute(
                    sa.text(
                        f"SELECT {ALIAS}.id, {compiled.score} FROM {TABLE_NAME} AS {ALIAS} "
                        f"WHERE {ALIAS}.id = ANY(:_ids)"
                    ),
                    dict(compiled.sql.params, _ids=[row.id for row in page]),
                ).all()
            )
            for row in page:
                row.score = scores.get(row.id)
        else:
            for row in page:
                row.score = CONSTANT_SCORE
        return page

    def _tiered_page(
        self,
        tiers: list[Tier],
        ordering: Ordering,
        rows: int,
        start: int,
        params: dict[str, Any],
    ) -> list[_Ranked]:
        """The page of a relevance order taken tier by tier: a tier's rows
        all come before the next tier's. A tier that the rank index gave
        whole has a known size: the page goes on into the next tier, past
        as many rows as it skipped of this one. When every tier was given
        whole, their sizes add up to the count (a narrow query needs no
        count statement of its own)."""
        page: list[_Ranked] = []
        total: int | None = 0
        for tier in tiers:
            found, size = self._ranked_page(tier, ordering, rows - len(page), start, params)
            page.extend(found)
            if size is None:
                # More rows than the page needs: the page ends in this tier.
                total = None
                break
            assert total is not None
            total += size
            start = max(0, start - size)
            if len(page) == rows and tier is not tiers[-1]:
                # The next tiers are not needed for the page, only for a count.
                total = None
                break
        # Not on the rows: a page past the last match has none to carry it.
        self._tiers_total = total
        return page

    def _ranked_page(
        self, tier: Tier, ordering: Ordering, rows: int, start: int, params: dict[str, Any]
    ) -> tuple[list[_Ranked], int | None]:
        """The page of one tier in a relevance order with more keys, and the
        tier's size when the index gave all of it.

        The tier's rows are read in the rank index's order through a
        cursor, until the run of equal distances that holds the page's last
        row has ended: rows of the same distance as the page's last may
        sort before it on the next keys, so all of them are read. Then only
        the rows read are put in the whole order: by run, then by the next
        keys. (For a phrase, the index's order is its own and the distance
        of the rows differs from it in places: a run is a sequence of
        equal distances in the index's order.) The index gathers and orders
        the tier's matches once, when the first rows are asked for: reading
        more (many tied rows) costs a heap visit per row, not another pass.
        When the cursor runs out, the tier was read whole: its size is
        known.
        """
        needed = start + rows
        read: list[Any] = []
        batch_size = needed + TIE_MARGIN
        # Declared and first read in one round trip (psycopg2 sends both
        # statements at once and returns the rows of the last).
        statement = (
            f"DECLARE {RANK_CURSOR} NO SCROLL CURSOR FOR "
            f"SELECT {ALIAS}.id, {tier.distance} AS distance "
            f"FROM {TABLE_NAME} AS {ALIAS} WHERE {tier.where} "
            f"ORDER BY {tier.distance}; "
        )
        statement_params: dict[str, Any] = params
        whole = False
        while True:
            batch = model.Session.execute(
                sa.text(f"{statement}FETCH FORWARD {int(batch_size)} FROM {RANK_CURSOR}"),
                statement_params,
            ).all()
            statement, statement_params = "", {}
            read.extend(batch)
            if len(batch) < batch_size:
                whole = True
                break
            if _run_end(read, needed - 1) < len(read):
                break
            # The run goes on past the rows read. Each row read costs its
            # distance computed on the heap (its stored vectors detoasted,
            # ~20 us), so the next batches grow by half: a run a few times
            # the page is read with little overshoot, a run of thousands in
            # a dozen round trips.
            batch_size = max(TIE_MARGIN, len(read) // 2)
        # Closed with the next statement, in its round trip. (After an
        # error the transaction is rolled back, which closes it.)
        close = f"CLOSE {RANK_CURSOR}; "
        size = len(read) if whole else None
        if len(read) <= start:
            model.Session.execute(sa.text(close))
            return [], size
        # The rows up to the end of the page's last run, numbered by run.
        end = _run_end(read, min(needed, len(read)) - 1)
        ids: list[str] = []
        groups: list[int] = []
        group, previous = 0, None
        for row in read[:end]:
            if group == 0 or row.distance != previous:
                group, previous = group + 1, row.distance
            ids.append(row.id)
            groups.append(group)
        ordered = [
            row.id
            for row in model.Session.execute(
                sa.text(
                    f"{close}"
                    f"SELECT top.id FROM unnest(CAST(:_ids AS text[]), CAST(:_groups AS int[])) "
                    f"AS top(id, distance_group) "
                    f"JOIN {TABLE_NAME} AS {ALIAS} ON {ALIAS}.id = top.id "
                    f"ORDER BY top.distance_group ASC, {ordering.tie_keys} "
                    f"LIMIT :_needed"
                ),
                dict(params, _ids=ids, _groups=groups, _needed=needed),
            )
        ]
        return [_Ranked(id_, None, None) for id_ in ordered[start:needed]], size

    def _beside_the_page(
        self, query: dict[str, Any], matches: CompiledQuery
    ) -> Future[tuple[dict[str, Any], int | None]] | None:
        """Start the facets (or, without facets, the count) of a ranked
        text page on a connection of their own, to run while the page is
        read: each is one pass over the matches, the page another, and a
        machine has more than one core. Only when this transaction has
        written nothing yet (`run` asks with the planner settings): then,
        as each statement here takes a snapshot of its own (READ
        COMMITTED), the other connection reads the same rows as this one
        would."""
        wants_facets = bool(_facet_fields(query))
        params = dict(matches.sql.params)
        if wants_facets:
            facet_args = self._facet_args(query, matches)

            def work(connection: sa.Connection) -> tuple[dict[str, Any], int | None]:
                return facet_counts.compute(**facet_args, connection=connection)

        else:
            statement = _count_statement(matches)

            def work(connection: sa.Connection) -> tuple[dict[str, Any], int | None]:
                return {}, int(connection.execute(statement, params).scalar_one())

        return _beside_executor().submit(_on_own_connection, TEXT_PLAN, work)

    def _facets_beside(
        self,
        beside: Future[tuple[dict[str, Any], int | None]] | None,
        query: dict[str, Any],
        matches: CompiledQuery,
        settings: _SearchSettings,
    ) -> tuple[dict[str, Any], int | None]:
        if beside is not None:
            try:
                return beside.result()
            except Exception:  # computed here instead, where an error is the search's
                log.warning("Facets or count beside the page failed", exc_info=True)
        if _facet_fields(query):
            settings.flush()
        return self._facets(query, matches)

    def _count(
        self,
        compiled: CompiledQuery,
        page: list[_Ranked],
        counted: int | None,
        settings: _SearchSettings,
    ) -> int | None:
        """The number of matches: from the page's or the facets' statement
        when either counted them, else a statement of its own."""
        if page and page[0].total is not None:
            return int(page[0].total)
        if self._tiers_total is not None:
            return self._tiers_total
        if counted is not None:
            return counted
        if not _COUNT_WANTED.get():
            return None
        # Not counted by the page, or a page past the last match (no row to
        # carry the count).
        return int(settings.execute(_count_sql(compiled), compiled.sql.params).scalar_one())

    def _documents(
        self, page: list[_Ranked], names: list[str], fl: Any, settings: _SearchSettings
    ) -> list[Any]:
        """The result dicts of the page, in order, with the asked fields."""
        wants = set(names)
        data = "d.data::text" if wants & {"*", "validated_data_dict"} else "NULL"
        data_dict = "COALESCE(d.data_dict, d.data)::text" if wants & {"*", "data_dict"} else "NULL"
        # Fields kept in columns are read from them: a feed page or a dump
        # batch asks only such fields of hundreds of rows, and the stored
        # document is then not read at all (it is stored out of line).
        columns = sorted(wants & set(RESULT_COLUMNS)) if "*" not in wants else []
        from_doc = wants - set(columns) - {"score", "validated_data_dict", "data_dict"}
        # Only the asked fields of the stored document: decoding whole
        # documents in Python cost more than the query.
        if "*" in wants:
            doc = "d.doc"
        elif from_doc:
            doc = (
                "(SELECT COALESCE(jsonb_object_agg(f.key, f.value), '{}'::jsonb) "
                "FROM jsonb_each(d.doc) AS f WHERE f.key = ANY(:names))"
            )
        else:
            doc = "'{}'::jsonb"
        selected = "".join(f", d.{column} AS column_{column}" for column in columns)
        stored = {}
        if page:
            for row in settings.execute(
                f"SELECT d.id, {doc} AS doc, {data} AS data_text, "
                f"{data_dict} AS data_dict_text{selected} "
                f"FROM {TABLE_NAME} AS d WHERE d.id = ANY(:ids)",
                {"ids": [row.id for row in page], "names": sorted(from_doc)},
            ):
                for column in columns:
                    value = getattr(row, f"column_{column}")
                    if value is not None:
                        row.doc[column] = RESULT_COLUMNS[column](value)
                stored[row.id] = row
        results = [
            _row_to_result(
                _PageRow(
                    stored[row.id].doc,
                    stored[row.id].data_text,
                    stored[row.id].data_dict_text,
                    row.score,
                ),
                names,
            )
            for row in page
            if row.id in stored
        ]
        if fl in ("id", "name"):
            return [result.get(fl) for result in results]
        return results

    def _facets(
        self, query: dict[str, Any], compiled: CompiledQuery
    ) -> tuple[dict[str, Any], int | None]:
        """The facets, and the match count when their pass gave it."""
        if not _facet_fields(query):
            return {}, None
        return facet_counts.compute(**self._facet_args(query, compiled))

    def _facet_args(self, query: dict[str, Any], compiled: CompiledQuery) -> dict[str, Any]:
        return {
            "fields": _facet_fields(query),
            "where": compiled.where,
            "params": compiled.sql.params,
            "limit": _int_param(query, "facet.limit", config.get("search.facets.limit")),
            "mincount": _int_param(query, "facet.mincount", 1),
            "sort": str(query.get("facet.sort") or "count"),
        }


def _count_sql(compiled: CompiledQuery) -> str:
    return f"SELECT count(*) FROM {compiled.count_table} AS {ALIAS} WHERE {compiled.where}"


def _count_statement(compiled: CompiledQuery) -> sa.TextClause:
    return sa.text(_count_sql(compiled))


def _facet_fields(query: dict[str, Any]) -> list[str]:
    """The facet fields asked for ([] with `facet=false`)."""
    if str(query.get("facet", "true")).lower() == "false":
        return []
    fields = query.get("facet.field") or []
    if isinstance(fields, str):
        fields = json.loads(fields) if fields.startswith("[") else [fields]
    return list(fields)


# Connections beside the page: per process (a pool does not survive a fork).
BESIDE_THREADS = 4
_beside: tuple[int, ThreadPoolExecutor] | None = None
_beside_lock = threading.Lock()


def _beside_executor() -> ThreadPoolExecutor:
    global _beside
    with _beside_lock:
        if _beside is None or _beside[0] != os.getpid():
            _beside = (
                os.getpid(),
                ThreadPoolExecutor(BESIDE_THREADS, thread_name_prefix="vnopendata-search"),
            )
        return _beside[1]


def _on_own_connection(settings: dict[str, str], work: Callable[[sa.Connection], Any]) -> Any:
    """`work` on a connection of its own, planned with `settings`, in a
    transaction that writes nothing and is rolled back."""
    with model.meta.engine.connect() as connection:
        for name, value in settings.items():
            connection.execute(
                sa.text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
            )
        try:
            return work(connection)
        finally:
            connection.rollback()


def _check_parameters(query: dict[str, Any]) -> None:
    """Refuse what CKAN's Solr query would refuse or this engine cannot do;
    an empty `q` means every dataset."""
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
    # As CKAN: a page of names unless `fl` says otherwise.
    query.setdefault("fl", "name")
    for param, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            _check_query_parser(param, item)


def _check_query_parser(param: str, value: Any) -> None:
    """CKAN's own check of Solr magic fields and local parameters, with its
    messages (ckan.lib.search.query.PackageSearchQuery.run); a local query
    parser that `ckan.search.solr_allowed_query_parsers` allows is one Solr
    would run, which this engine cannot."""
    if not isinstance(value, str):
        return
    value = value.strip()
    if re.search(MAGIC_FIELD_RE, value):
        raise SearchError(f"Magic fields are not supported in param '{param}'.")
    match = QUERY_PARSER_RE.findall(value)
    if not match:
        return
    if len(match) > 1:
        raise SearchError(f"Query parsers are not supported in param '{param}'.")
    if not value.startswith("{!"):
        raise SearchError(f"Local parameters must be defined at the beginning of param '{param}'.")
    parser = _get_local_query_parser(value)
    if parser not in config["ckan.search.solr_allowed_query_parsers"]:
        raise SearchError(f"Local parameters are not supported in param '{param}'.")
    raise SearchQueryError(
        f"The query parser {parser!r} in param '{param}' is Solr's; "
        "the PostgreSQL search backend does not run it."
    )
