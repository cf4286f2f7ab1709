"""The search tables' migrations belong to `vnopendata_search`; databases
that got them under the `vnopendata` plugin's history continue safely.

An older database is rebuilt for real: the search schema migrated to a
revision, then that revision recorded only in `vnopendata_alembic_version`
(as the old layout left it) and the search plugin's version table dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.vnopendata.migration import handover
from ckanext.vnopendata.model.search import GIN_PENDING_LIST_KB
from ckanext.vnopendata.search import ranking
from search.helpers import make_dataset, make_organization, text_table_differences

HEAD = "f3c6a9d2e5b7"
# The `vnopendata` history's own head (the review workflow's migration).
PORTAL_HEAD = "f2b8d4a6c0e1"


def _version(table: str) -> str | None:
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        if not sa.inspect(connection).has_table(table):
            return None
        return connection.execute(sa.text(f"SELECT version_num FROM {table}")).scalar()


def _columns() -> set[str]:
    with model.meta.engine.connect() as connection:
        return {c["name"] for c in sa.inspect(connection).get_columns(handover.TABLE)}


def _as_before_the_move(revision: str) -> None:
    """The search schema at `revision`, recorded the way the old layout did."""
    model.Session.remove()
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {handover.SEARCH_VERSION_TABLE}"))
        connection.execute(
            sa.text(f"UPDATE {handover.PORTAL_VERSION_TABLE} SET version_num = :v"),
            {"v": revision},
        )


@pytest.fixture
def restore(reset_database: Any):
    yield
    # The tests rewrote the version tables: CKAN's reset, which only empties
    # the tables once they exist, would then re-run migrations over tables
    # that are still there. Drop every table and migrate from nothing.
    model.repo.tables_created_and_initialised = False
    reset_database()
    ranking.forget()


def test_a_fresh_database_has_both_histories_at_their_heads(clean_db: Any) -> None:
    assert _version(handover.SEARCH_VERSION_TABLE) == HEAD
    # The portal's history went through the revisions kept for older
    # databases (their steps did nothing here) to its own head.
    assert _version(handover.PORTAL_VERSION_TABLE) == PORTAL_HEAD
    assert "facet_keys" in _columns()


def _gin_pending_limits() -> dict[str, list[str] | None]:
    with model.meta.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT i.relname, i.reloptions FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
                "WHERE x.indrelid = CAST(:table AS regclass) AND a.amname = 'gin'"
            ),
            {"table": handover.TABLE},
        )
        return {row.relname: row.reloptions for row in rows}


def test_every_gin_index_of_the_search_table_keeps_a_short_pending_list(clean_db: Any) -> None:
    limits = _gin_pending_limits()
    # The text, labels, tags, groups, formats, exact-field and name/title
    # trigram indexes.
    assert len(limits) >= 8
    for name, options in limits.items():
        assert f"gin_pending_list_limit={GIN_PENDING_LIST_KB}" in (options or []), name


def test_a_search_reads_a_bounded_pending_list_however_many_datasets_are_written(
    clean_db: Any,
) -> None:
    # Sixty datasets of ~600 distinct words each put ~36,000 entries
    # (~1 MB) through the text index's pending list: with PostgreSQL's
    # default of 4 MB all of them would still wait there for every search to
    # read; here the writes merge them into the index as the list fills.
    agency = make_organization("G01", name="bo-tai-chinh", title="Bộ Tài chính")
    for number in range(60):
        words = " ".join(f"tu{number}x{word}" for word in range(600))
        make_dataset(
            name=f"bo-du-lieu-{number}",
            title=f"Bộ dữ liệu {number}",
            notes=words,
            owner_org=agency["id"],
        )
    with model.meta.engine.begin() as connection:
        pending_pages = connection.execute(
            sa.text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
            {"index": f"{handover.TABLE}_vector_idx"},
        ).scalar_one()
    assert pending_pages <= GIN_PENDING_LIST_KB // 8


def test_migrating_leaves_the_portals_loggers_on(clean_db: Any, migrate_db_for: Any) -> None:
    # A logger that exists before the migrations run, as the portal's do in
    # a process that migrates (`ckan db upgrade`, a test's reset).
    logger = logging.getLogger("ckanext.vnopendata.ops.startup")
    logger.disabled = False
    migrate_db_for("vnopendata")
    migrate_db_for("vnopendata_search")
    assert not logger.disabled


def _one_dataset() -> dict[str, Any]:
    """An agency with one dataset ("ngan-sach"); returns the agency."""
    agency = make_organization("G01", name="bo-tai-chinh", title="Bộ Tài chính")
    make_dataset(name="ngan-sach", title="Ngân sách", owner_org=agency["id"])
    return agency


def test_a_database_migrated_under_vnopendata_is_adopted(
    clean_db: Any, migrate_db_for: Any, restore: None
) -> None:
    _one_dataset()
    # Before the move, the newest search revision was c4e8a1f5b3d9.
    migrate_db_for("vnopendata_search", "c4e8a1f5b3d9", False)
    _as_before_the_move("c4e8a1f5b3d9")

    migrate_db_for("vnopendata_search")  # would fail creating the table twice

    assert _version(handover.SEARCH_VERSION_TABLE) == HEAD
    with model.meta.engine.connect() as connection:
        names = connection.execute(sa.text(f"SELECT name FROM {handover.TABLE}")).scalars()
        assert list(names) == ["ngan-sach"]
    # The text index's narrow copy was filled from the rows already there.
    assert text_table_differences() == []


def test_the_text_copy_comes_and_goes_with_its_migration(
    clean_db: Any, migrate_db_for: Any, restore: None
) -> None:
    from ckanext.vnopendata.model.search import TEXT_TABLE_NAME

    agency = _one_dataset()
    migrate_db_for("vnopendata_search", "d7a3c9e1f5b2", False)
    model.Session.remove()
    with model.meta.engine.connect() as connection:
        assert not sa.inspect(connection).has_table(TEXT_TABLE_NAME)
    # Without it (and its triggers) the index table is written as before.
    make_dataset(name="thue", title="Thuế", owner_org=agency["id"])
    migrate_db_for("vnopendata_search")
    assert _version(handover.SEARCH_VERSION_TABLE) == HEAD
    model.Session.remove()
    rows = model.Session.execute(sa.text(f"SELECT count(*) FROM {TEXT_TABLE_NAME}"))
    assert rows.scalar_one() == 2
    assert text_table_differences() == []


@pytest.mark.parametrize("portal_first", [True, False], ids=["portal-first", "search-first"])
def test_an_intermediate_revision_is_completed_whichever_plugin_upgrades_first(
    clean_db: Any, migrate_db_for: Any, restore: None, portal_first: bool
) -> None:
    # A database of that time had none of the portal's later tables.
    migrate_db_for("vnopendata", "c4e8a1f5b3d9", False)
    migrate_db_for("vnopendata_search", "8b3f6a2d4c17", False)
    assert "facet_keys" not in _columns()
    _as_before_the_move("8b3f6a2d4c17")

    order = ["vnopendata", "vnopendata_search"]
    for plugin in order if portal_first else reversed(order):
        migrate_db_for(plugin)

    assert "facet_keys" in _columns()
    assert _version(handover.SEARCH_VERSION_TABLE) == HEAD
    assert _version(handover.PORTAL_VERSION_TABLE) == PORTAL_HEAD


def test_a_database_whose_portal_history_went_on_is_adopted(
    clean_db: Any, migrate_db_for: Any, restore: None
) -> None:
    # Upgraded `vnopendata` (to the review workflow) before the search plugin.
    migrate_db_for("vnopendata_search", "c4e8a1f5b3d9", False)
    _as_before_the_move(PORTAL_HEAD)
    migrate_db_for("vnopendata_search")
    assert _version(handover.SEARCH_VERSION_TABLE) == HEAD
