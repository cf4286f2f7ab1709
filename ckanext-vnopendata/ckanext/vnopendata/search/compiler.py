"""Solr/Lucene query syntax to PostgreSQL: a luqum tree compiled to SQL.

Every value from the query becomes a bound parameter; field names are either
mapped to known columns or passed as parameters (JSONB keys), and are also
checked against a strict pattern. Whatever cannot be expressed raises
``SearchQueryError`` (a 400 from the API) instead of being dropped.

Semantics follow Solr as CKAN configures it: the standard parser with
``q.op=AND`` for fielded queries and filters, and dismax (with CKAN's
``mm=2<-1 5<80%``) for plain text. Free text is matched, diacritics
folded, against a weighted vector of title, tags, notes and the rest.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ckan.lib.search.common import SearchQueryError
from luqum import tree
from luqum.exceptions import ParseError

# PLY's lexer keeps the position in the text it reads: one shared by the
# server's threads made a search fail now and then with "unexpected end
# of expression" on a valid query (luqum issue 72). `luqum.thread.parse`
# gives each thread a lexer of its own.
from luqum.thread import parse as parse_lucene

from ckanext.vnopendata.model.search import FOLD_FUNCTION, LONG_KEY
from ckanext.vnopendata.search import datemath
from ckanext.vnopendata.search import sql as sql_fragments
from ckanext.vnopendata.search.fields import (
    NGRAM_FIELDS,
    Kind,
    check_field_name,
    is_date_field,
    kind_of,
)
from ckanext.vnopendata.search.sql import TS_CONFIG

ALIAS = "i"
# Most k-of-n combinations written out for dismax's `mm` (C(6,5) = 6,
# C(8,6) = 28): beyond that, the sum of matched clauses.
MAX_MM_GROUPS = 30
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ESCAPED = re.compile(r"\\(.)")
# Fields of the weighted vector that a dismax `qf` may name, by weight.
QF_WEIGHTS = {"title": "a", "name": "a", "tags": "b", "groups": "b", "notes": "c"}


@dataclass
class Sql:
    """Parameterised SQL being assembled: fragments plus their bound values."""

    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


@dataclass
class TextMatch:
    """A free-text query, kept so matches can be ranked (folded and exact)."""

    folded: str
    exact: str


@dataclass
class PlainText:
    """A search-box query that is nothing but free text over every field
    (dismax, no `+`/`-` terms, no `qf`): one tsquery as typed (`exact`,
    with its diacritics) and one folded, with the same `mm` structure. The
    ranked page takes the rows matching it as typed first
    (`package_query._tiers`): their lexemes are rarer than the folded ones,
    so the rank index gathers fewer rows."""

    folded: str
    exact: str
    # Whether folding changes the text: else the two match the same rows.
    folds: bool


def document_value(field_name: str, key_param: str, alias: str = ALIAS) -> str:
    """SQL for the JSON value of a field of the indexed document.

    Exact-match fields are read from the small, inline `exact_doc` (no
    detoasting of the whole document), except those listed under `LONG_KEY`.
    """
    if kind_of(field_name) is not Kind.DOCUMENT:
        return f"{alias}.doc -> {key_param}"
    return sql_fragments.stored_value(alias, key_param)


def _unescape(value: str) -> str:
    return _ESCAPED.sub(r"\1", value)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _wildcard_to_like(value: str) -> str:
    out = []
    escaped = False
    for char in value:
        if escaped:
            out.append(_like_escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        else:
            out.append(_like_escape(char))
    return "".join(out)


def _has_wildcard(raw: str) -> bool:
    return bool(re.search(r"(?<!\\)[*?]", raw))


def _has_words(value: str) -> bool:
    return any(char.isalnum() for char in value)


def _all(parts: list[str], joiner: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {joiner} ".join(parts) + ")"


def min_should_match(spec: str, clauses: int) -> int:
    """Solr's `mm`: how many of `clauses` optional clauses must match."""

    def apply(value: str) -> int:
        if value.endswith("%"):
            percent = int(value[:-1])
            computed = clauses * abs(percent) // 100
            return computed if percent >= 0 else clauses - computed
        number = int(value)
        return number if number >= 0 else clauses + number

    try:
        if "<" in spec:
            required = clauses
            for part in spec.split():
                threshold, value = part.split("<", 1)
                if clauses > int(threshold):
                    required = apply(value)
        else:
            required = apply(spec.strip())
    except ValueError as error:
        raise SearchQueryError(f"Invalid mm parameter: {spec!r}") from error
    return max(1, min(clauses, required))


# Columns that nearly every row shares a value of (`state:active`, and
# `capacity:public`, which CKAN adds for a reader without private access).
# Beside free text they are written so that no index can serve them: the
# planner, blind to the cost of reading the stored vectors, would otherwise
# take their index (every visible row) and test `@@` on each row's vector
# (~40 ms for 6,000 rows at 10,000 datasets) rather than the text index's
# bitmap, which tests nothing on the rows (~16 ms). Written `(... = ...) IS
# TRUE`: no index serves it, and the planner estimates it as the comparison
# (a wrapped column would be estimated at 0.5 % and mislead the plan above).
UNINDEXED_BESIDE_TEXT = frozenset({"state", "capacity"})


class Compiler:
    """Compiles one query tree; collects parameters and rankable text."""

    def __init__(
        self,
        sql: Sql,
        weights: str | None = None,
        now: datetime | None = None,
        vector: str = f"{ALIAS}.search_vector",
        beside_text: bool = False,
    ):
        self.sql = sql
        # The filters of a query that matches free text: the text index
        # must find the rows (`UNINDEXED_BESIDE_TEXT`).
        self.beside_text = beside_text
        self.weights = weights  # e.g. "{a,b}" when qf narrows free text
        # The vector free text is matched on: the folded one, or the rank
        # index's expression, which holds the same folded lexemes.
        self.vector = vector
        self.now = now
        self.text_matches: list[TextMatch] = []
        self._negated = 0
        # Clauses that are exactly "whole vector @@ tsquery", by their SQL,
        # with that tsquery: dismax combines them into one `@@`.
        self._vector_queries: dict[str, str] = {}
        # The same clauses' tsqueries as typed, and whether folding changed
        # their text.
        self._exact_queries: dict[str, tuple[str, bool]] = {}
        # Set by `compile_dismax` for a query of free text only.
        self.plain_text: PlainText | None = None
        # The fields the query names (`field:...`); not the default field.
        self.fields: set[str] = set()

    # entry points

    def compile(self, node: tree.Item) -> str | None:
        return self._node(node, None)

    def compile_dismax(self, node: tree.Item, mm: str) -> str | None:
        """Top-level plain terms are optional, `mm` of them required."""
        if not isinstance(node, tree.UnknownOperation):
            clause = self.compile(node)
            if clause in self._vector_queries:
                exact, folds = self._exact_queries[clause]
                self.plain_text = PlainText(self._vector_queries[clause], exact, folds)
            return clause
        must: list[str] = []
        must_not: list[str] = []
        should: list[str] = []
        for child in node.children:
            if isinstance(child, tree.Plus):
                self._add(must, self._node(child.a, None))
            elif isinstance(child, (tree.Prohibit, tree.Not)):
                self._add(must_not, self._negate(child.a, None))
            else:
                self._add(should, self._node(child, None))
        if should:
            required = min_should_match(mm, len(should))
            tsqueries = [self._vector_queries.get(clause) for clause in should]
            if all(tsqueries) and (
                required >= len(should) or math.comb(len(should), required) <= MAX_MM_GROUPS
            ):
                # One `@@` of one tsquery ("at least k of n" as an OR of
                # k-word ANDs): one text-index scan, and where a row's vector
                # is read it is detoasted once, not once per `@@`.
                groups = [
                    " && ".join(f"({tsquery})" for tsquery in group)
                    for group in itertools.combinations(tsqueries, min(required, len(should)))
                ]
                combined = " || ".join(f"({group})" for group in groups)
                if not must and not must_not:
                    typed = [self._exact_queries[clause] for clause in should]
                    typed_groups = [
                        " && ".join(f"({tsquery})" for tsquery, _ in group)
                        for group in itertools.combinations(typed, min(required, len(should)))
                    ]
                    self.plain_text = PlainText(
                        combined,
                        " || ".join(f"({group})" for group in typed_groups),
                        any(folds for _, folds in typed),
                    )
                must.append(f"({self.vector} @@ ({combined}))")
            elif required >= len(should):
                must.extend(should)
            elif math.comb(len(should), max(required, 1)) <= MAX_MM_GROUPS:
                # "At least k of n" as an OR of every k-clause AND: each
                # AND is one text-index lookup of rows having all k words,
                # instead of every row having any word, counted row by row.
                groups = [
                    _all(list(group), "AND")
                    for group in itertools.combinations(should, max(required, 1))
                ]
                must.append(_all(groups, "OR"))
            else:
                counted = " + ".join(f"({clause})::int" for clause in should)
                # The OR lets PostgreSQL use the text index; the sum applies mm.
                must.append(f"({_all(should, 'OR')} AND ({counted}) >= {required})")
        return self._combine(must, must_not, [])

    # tree walking

    @staticmethod
    def _add(target: list[str], clause: str | None) -> None:
        if clause is not None:
            target.append(clause)

    def _negate(self, node: tree.Item, field_name: str | None) -> str | None:
        self._negated += 1
        try:
            return self._node(node, field_name)
        finally:
            self._negated -= 1

    def _combine(self, must: list[str], must_not: list[str], should: list[str]) -> str | None:
        parts = list(must)
        if should and not must:
            parts.append(_all(should, "OR"))
        parts.extend(f"NOT COALESCE({clause}, false)" for clause in must_not)
        if not parts:
            return None
        return _all(parts, "AND")

    def _boolean(self, node: tree.Item, field_name: str | None, default_and: bool) -> str | None:
        must: list[str] = []
        must_not: list[str] = []
        should: list[str] = []
        for child in node.children:
            if isinstance(child, tree.Plus):
                self._add(must, self._node(child.a, field_name))
            elif isinstance(child, (tree.Prohibit, tree.Not)):
                self._add(must_not, self._negate(child.a, field_name))
            else:
                self._add(must if default_and else should, self._node(child, field_name))
        return self._combine(must, must_not, should)

    def _node(self, node: tree.Item, field_name: str | None) -> str | None:
        if isinstance(node, tree.SearchField):
            if field_name is not None:
                raise SearchQueryError(f"Nested field {node.name!r} inside {field_name!r}")
            if node.name == "*":
                if isinstance(node.expr, tree.Word) and node.expr.value == "*":
                    return "true"
                raise SearchQueryError("Only *:* may use the field name '*'")
            name = check_field_name(node.name)
            self.fields.add(name)
            return self._node(node.expr, name)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self._node(node.expr, field_name)
        if isinstance(node, (tree.AndOperation, tree.UnknownOperation)):
            return self._boolean(node, field_name, default_and=True)
        if isinstance(node, tree.OrOperation):
            return self._boolean(node, field_name, default_and=False)
        if isinstance(node, (tree.Plus,)):
            return self._node(node.a, field_name)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            inner = self._negate(node.a, field_name)
            return None if inner is None else f"NOT COALESCE({inner}, false)"
        if isinstance(node, tree.Boost):
            # A boost only reweights the score; the clause itself still applies.
            return self._node(node.expr, field_name)
        if isinstance(node, tree.Word):
            return self._word(node.value, field_name or "text")
        if isinstance(node, tree.Phrase):
            return self._phrase(_unescape(node.value[1:-1]), field_name or "text")
        if isinstance(node, tree.Range):
            return self._range(node, field_name or "text")
        if isinstance(node, tree.Proximity):
            raise SearchQueryError('Proximity searches ("..."~N) are not supported')
        if isinstance(node, tree.Fuzzy):
            raise SearchQueryError("Fuzzy searches (term~) are not supported")
        if isinstance(node, tree.Regex):
            raise SearchQueryError("Regular expression searches are not supported")
        raise SearchQueryError(f"Unsupported query syntax: {node}")

    # terms

    def _word(self, raw: str, field_name: str) -> str | None:
        kind = kind_of(field_name)
        if raw == "*":
            return self._exists(field_name, kind)
        if _has_wildcard(raw):
            return self._wildcard(raw, field_name, kind)
        value = _unescape(raw)
        if kind in (Kind.DEFAULT_TEXT, Kind.TEXT):
            return self._text(field_name, kind, value, "plainto_tsquery")
        return self._exact(field_name, kind, value)

    def _phrase(self, value: str, field_name: str) -> str | None:
        kind = kind_of(field_name)
        if kind in (Kind.DEFAULT_TEXT, Kind.TEXT):
            return self._text(field_name, kind, value, "phraseto_tsquery")
        return self._exact(field_name, kind, value)

    def _tsquery(self, function: str, value: str) -> TextMatch:
        param = self.sql.bind(value)
        if function == "prefix":
            # Only word characters reach to_tsquery, so the user cannot inject
            # tsquery operators; quote_literal keeps multi-word prefixes whole.
            return TextMatch(
                folded=f"to_tsquery({TS_CONFIG}, quote_literal({FOLD_FUNCTION}({param})) || ':*')",
                exact=f"to_tsquery({TS_CONFIG}, quote_literal(lower({param})) || ':*')",
            )
        return TextMatch(
            folded=f"{function}({TS_CONFIG}, {FOLD_FUNCTION}({param}))",
            exact=f"{function}({TS_CONFIG}, {param})",
        )

    def _text(self, field_name: str, kind: Kind, value: str, function: str) -> str | None:
        if not _has_words(value):
            # Solr drops a term that analyses to nothing (e.g. a lone "-").
            return None
        if function == "prefix":
            value = re.sub(r"[^\w]+", " ", value).strip()
        match = self._tsquery(function, value)
        if not self._negated:
            self.text_matches.append(match)
        vector = f"{ALIAS}.search_vector"
        indexed = f"{self.vector} @@ {match.folded}"
        if kind == Kind.DEFAULT_TEXT:
            if self.weights:
                return f"({indexed} AND ts_filter({vector}, '{self.weights}') @@ {match.folded})"
            self._vector_queries[indexed] = match.folded
            # unaccent and lower change no ASCII text but its case, which
            # the exact tsquery lowers too.
            self._exact_queries[indexed] = (match.exact, not value.isascii())
            return indexed
        if field_name == "title":
            own = f"to_tsvector({TS_CONFIG}, {FOLD_FUNCTION}({ALIAS}.title))"
            return f"({indexed} AND {own} @@ {match.folded})"
        if field_name == "notes":
            return f"({indexed} AND ts_filter({vector}, '{{c}}') @@ {match.folded})"
        key = self.sql.bind(field_name)
        own = f"to_tsvector({TS_CONFIG}, {FOLD_FUNCTION}(COALESCE({ALIAS}.doc ->> {key}, '')))"
        return f"({indexed} AND {own} @@ {match.folded})"

    # exact fields

    def _values(self, field_name: str, kind: Kind) -> str:
        """A set-returning source of the field's values, as rows v(x)."""
        if kind == Kind.ARRAY:
            return f"unnest({ALIAS}.{field_name}) AS v(x)"
        key = self.sql.bind(field_name)
        value = document_value(field_name, key)
        return f"jsonb_array_elements_text({sql_fragments.as_json_array(value)}) AS v(x)"

    def _any_value(self, field_name: str, kind: Kind, predicate: str) -> str:
        """`predicate` (over `x`) holds for some value of the field."""
        if kind == Kind.COLUMN:
            return predicate.replace("{x}", f"{ALIAS}.{field_name}")
        source = self._values(field_name, kind)
        return f"EXISTS (SELECT 1 FROM {source} WHERE {predicate.replace('{x}', 'v.x')})"

    def _exists(self, field_name: str, kind: Kind) -> str:
        if kind == Kind.DEFAULT_TEXT:
            return "true"
        if kind == Kind.COLUMN:
            column = f"{ALIAS}.{field_name}"
            return f"({column} IS NOT NULL AND {column} <> '')"
        if kind == Kind.ARRAY:
            return f"(cardinality({ALIAS}.{field_name}) > 0)"
        if kind == Kind.DATE_COLUMN:
            return f"({ALIAS}.{field_name} IS NOT NULL)"
        source_field = NGRAM_FIELDS.get(field_name, field_name)
        key = self.sql.bind(source_field)
        return (
            f"COALESCE({document_value(source_field, key)} NOT IN "
            "('null'::jsonb, '[]'::jsonb, '\"\"'::jsonb), false)"
        )

    def _wildcard(self, raw: str, field_name: str, kind: Kind) -> str | None:
        if kind in (Kind.DEFAULT_TEXT, Kind.TEXT):
            if raw.endswith("*") and not _has_wildcard(raw[:-1]):
                return self._text(field_name, kind, _unescape(raw[:-1]), "prefix")
            raise SearchQueryError(
                f"Only trailing wildcards (word*) are supported in text: {raw!r}"
            )
        if kind in (Kind.DATE_COLUMN, Kind.NGRAM) or is_date_field(field_name):
            raise SearchQueryError(f"Wildcards are not supported on {field_name!r}")
        pattern = self.sql.bind(_wildcard_to_like(raw))
        return self._any_value(field_name, kind, f"{{x}} LIKE {pattern}")

    def _exact(self, field_name: str, kind: Kind, value: str) -> str:
        if kind == Kind.DATE_COLUMN:
            moment = self.sql.bind(datemath.parse_solr_date(value, self.now))
            return f"({ALIAS}.{field_name} = {moment})"
        if kind == Kind.COLUMN:
            clause = f"({ALIAS}.{field_name} = {self.sql.bind(value)})"
            if self.beside_text and field_name in UNINDEXED_BESIDE_TEXT:
                # Not an index condition, and estimated as the comparison.
                return f"({clause} IS TRUE)"
            return clause
        if kind == Kind.ARRAY:
            return f"({ALIAS}.{field_name} @> CAST(ARRAY[{self.sql.bind(value)}] AS text[]))"
        if kind == Kind.NGRAM:
            source = NGRAM_FIELDS[field_name]
            if source == "name":
                # Names are slugs: "ha noi" should find "ha-noi-...".
                slug = re.sub(r"\s+", "-", value.strip())
                pattern = self.sql.bind(f"%{_like_escape(slug)}%")
                return f"({ALIAS}.name LIKE {FOLD_FUNCTION}({pattern}))"
            pattern = self.sql.bind(f"%{_like_escape(value)}%")
            return f"({FOLD_FUNCTION}({ALIAS}.{source}) LIKE {FOLD_FUNCTION}({pattern}))"
        candidates: list[Any] = [value]
        if is_date_field(field_name) and datemath.looks_like_date(value):
            candidates = [datemath.solr_date_string(datemath.parse_solr_date(value, self.now))]
        elif _NUMBER.match(value):
            number = float(value)
            candidates.append(int(number) if number.is_integer() else number)
        elif value in ("true", "false"):
            candidates.append(value == "true")
        shapes = []
        for candidate in candidates:
            for shape in (candidate, [candidate]):
                shapes.append(self.sql.bind(json.dumps({field_name: shape})))
        # Containment on exact_doc (GIN-indexed); a value too long for it is
        # matched in doc, for the rows that list the field as long.
        short = [f"{ALIAS}.exact_doc @> CAST({shape} AS jsonb)" for shape in shapes]
        long = self.sql.bind(json.dumps({LONG_KEY: [field_name]}))
        in_doc = _all([f"{ALIAS}.doc @> CAST({shape} AS jsonb)" for shape in shapes], "OR")
        short.append(f"({ALIAS}.exact_doc @> CAST({long} AS jsonb) AND {in_doc})")
        return _all(short, "OR")

    # ranges

    def _range(self, node: tree.Range, field_name: str) -> str:
        kind = kind_of(field_name)
        if kind in (Kind.DEFAULT_TEXT, Kind.TEXT, Kind.NGRAM):
            raise SearchQueryError(f"Ranges are not supported on the text field {field_name!r}")
        low, high = (_unescape(str(bound.value)) for bound in (node.low, node.high))
        bounds = [b for b in (low, high) if b != "*"]
        low_op = ">=" if node.include_low else ">"
        high_op = "<=" if node.include_high else "<"

        if kind == Kind.DATE_COLUMN or (
            bounds
            and all(datemath.looks_like_date(b) for b in bounds)
            and (is_date_field(field_name) or kind == Kind.DOCUMENT)
        ):
            moments = {
                side: datemath.parse_solr_date(value, self.now)
                for side, value in (("low", low), ("high", high))
                if value != "*"
            }
            if kind == Kind.DATE_COLUMN:
                column = f"{ALIAS}.{field_name}"
                parts = [f"{column} IS NOT NULL"]
                if "low" in moments:
                    parts.append(f"{column} {low_op} {self.sql.bind(moments['low'])}")
                if "high" in moments:
                    parts.append(f"{column} {high_op} {self.sql.bind(moments['high'])}")
                return _all(parts, "AND")
            # Document dates are stored as sortable "YYYY-MM-DDTHH:MM:SSZ" text.
            texts = {side: datemath.solr_date_string(m) for side, m in moments.items()}
            return self._compare(field_name, kind, texts, low_op, high_op, 'COLLATE "C"', "{x}")

        if bounds and all(_NUMBER.match(b) for b in bounds):
            numbers = {
                side: float(value) for side, value in (("low", low), ("high", high)) if value != "*"
            }
            as_number = r"(CASE WHEN {x} ~ '^-?[0-9]+(\.[0-9]+)?$' THEN {x}::numeric END)"
            return self._compare(field_name, kind, numbers, low_op, high_op, "", as_number)

        strings = {side: value for side, value in (("low", low), ("high", high)) if value != "*"}
        return self._compare(field_name, kind, strings, low_op, high_op, 'COLLATE "C"', "{x}")

    def _compare(
        self,
        field_name: str,
        kind: Kind,
        bounds: dict[str, Any],
        low_op: str,
        high_op: str,
        collation: str,
        value_expression: str,
    ) -> str:
        parts = ["{x} IS NOT NULL"]
        for side, operator in (("low", low_op), ("high", high_op)):
            if side in bounds:
                parts.append(
                    f"{value_expression} {collation} {operator} {self.sql.bind(bounds[side])}"
                )
        return self._any_value(field_name, kind, "(" + " AND ".join(parts) + ")")


def parse(text: str, param: str) -> tree.Item:
    try:
        return parse_lucene(text)
    except (ParseError, TypeError, ValueError) as error:
        raise SearchQueryError(f"Invalid query syntax in {param}: {text!r} ({error})") from error


def parse_user_text(text: str) -> tree.Item:
    """Plain search-box text: like dismax, tolerate unbalanced syntax."""
    try:
        return parse_lucene(text)
    except (ParseError, TypeError, ValueError):
        words = [
            tree.Word(re.sub(r'([\\+\-&|!(){}\[\]^"~*?:/])', r"\\\1", word))
            for word in text.split()
        ]
        if not words:
            return tree.SearchField("*", tree.Word("*"))
        return words[0] if len(words) == 1 else tree.UnknownOperation(*words)
