"""Relevance ranking of free text: the RUM index when there is one.

A query of free text alone (what the search box sends) is ranked on its
folded words, as CKAN's Solr schema scores text, in tiers: the rows that
match it as typed, with its diacritics, before those that match only once
folded (`package_query._tiers`). Other text queries (with `+`/`-` terms or
`qf`) score on both vectors of the row: the folded one (every match has
it) and the one with the original diacritics (an exact match adds to it).
The weights: title/name A, tags/groups/agency B, notes C, the rest D.

With the RUM extension, one index over ``search_vector || exact_vector``
(`rank_vector`) holds every lexeme with its positions and weights, and
``ORDER BY rank_vector <=> query`` returns the best rows straight from the
index, reading no vector. Without RUM the page computes ``ts_rank`` on
every match (correct, slower: ~150-250 ms for 20,000 matches at 100,000
datasets), and a warning says so once per process.

RUM's distance is the inverse of its rank, which follows ``ts_rank`` (the
same weights, the same sum over the query's lexemes); the ranking tests
(title above notes, exact diacritics above folded) hold on both paths.
"""

from __future__ import annotations

import logging
import time

import ckan.model as model
import sqlalchemy as sa

from ckanext.vnopendata.model.search import TABLE_NAME

log = logging.getLogger(__name__)

RANK_INDEX = f"{TABLE_NAME}_rank_idx"


def rank_vector(alias: str) -> str:
    """The indexed expression: must stay exactly the one `create_rank_index`
    indexes, or the planner cannot use the index for it."""
    return f"({alias}.search_vector || {alias}.exact_vector)"


def text_labels(alias: str) -> str:
    """The permission labels beside free text: the second column of the GIN
    text index (migration b6d8f0a2c4e7), written as an expression that only
    this condition names, so that no other index can take it alone (the
    labels' own index selects every public dataset, and the planner, blind
    to detoasting, would take it and test the text on each of those rows'
    stored vectors). Must stay exactly the index's expression."""
    return f"({alias}.permission_labels || CAST(ARRAY[] AS text[]))"


def rum_installed(connection: sa.Connection) -> bool:
    return bool(
        connection.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'rum'")).scalar()
    )


def create_rank_index(connection: sa.Connection) -> bool:
    """Create the RUM rank index if the extension is there (or can be created
    by this role); returns whether the index exists afterwards."""
    if not rum_installed(connection):
        available = connection.execute(
            sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        ).scalar()
        if available:
            try:
                with connection.begin_nested():
                    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS rum"))
            except sa.exc.DBAPIError:
                log.warning(
                    "The rum extension is installed but this role cannot create it; "
                    "as a superuser run CREATE EXTENSION rum in this database, then "
                    "`ckan search-index rebuild` creates the rank index."
                )
                return False
        else:
            log.warning(
                "The PostgreSQL extension rum is not installed (Debian: postgresql-15-rum): "
                "text search ranks every match without an index, slower."
            )
            return False
    connection.execute(
        sa.text(
            f"CREATE INDEX IF NOT EXISTS {RANK_INDEX} ON {TABLE_NAME} "
            "USING rum ((search_vector || exact_vector) rum_tsvector_ops)"
        )
    )
    forget()
    return True


# Asked again after this many seconds: another process may have dropped
# the index (a rebuild from empty) or built it.
RECHECK_SECONDS = 60.0
_available: bool | None = None
_checked_at = 0.0
_warned: list[bool] = []


def rank_index_available() -> bool:
    """Whether the rank index exists (asked at most once a minute)."""
    global _available, _checked_at
    if _available is None or time.monotonic() - _checked_at > RECHECK_SECONDS:
        _checked_at = time.monotonic()
        _available = bool(
            model.Session.execute(
                sa.text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": RANK_INDEX}
            ).scalar()
        )
        if not _available and not _warned:
            _warned.append(True)
            log.warning(
                "No RUM rank index (%s): text results are ranked without an index, "
                "slower. Install the rum extension (Debian: postgresql-15-rum), "
                "create it as a superuser, then run `ckan search-index rebuild`.",
                RANK_INDEX,
            )
    return _available


def forget() -> None:
    """Ask again next time (after the index was created or dropped)."""
    global _available
    _available = None
