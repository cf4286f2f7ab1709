"""The search tables moved from the `vnopendata` plugin's alembic history to
the `vnopendata_search` plugin's own (``ckan db upgrade -p vnopendata_search``).

Deployments created before the move have the search index under the
`vnopendata` history (version table ``vnopendata_alembic_version``). Both
histories keep the same four revision ids, and:

- `adopt` (run by the `vnopendata_search` environment before it migrates):
  when the search history has no version yet but the index table exists and
  the `vnopendata` history records one of the search revisions (or a later
  revision of its own, which comes after all of them), the search history
  is stamped there, so nothing is created twice;
- `legacy_step` (the old files in the `vnopendata` history): applies the
  search migration's step only while the search history has not taken
  over and the index table exists (a deployment upgrading `vnopendata`
  first, from an intermediate revision); otherwise it does nothing, so a
  fresh database gets its search tables from `vnopendata_search` alone.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

TABLE = "vnopendata_search_index"
SEARCH_VERSION_TABLE = "vnopendata_search_alembic_version"
PORTAL_VERSION_TABLE = "vnopendata_alembic_version"
# The revisions that lived in the `vnopendata` history, oldest first.
LEGACY_REVISIONS = ("5e2a9c1d7b01", "8b3f6a2d4c17", "3d91c7e5a2b8", "c4e8a1f5b3d9")
_SEARCH_VERSIONS = Path(__file__).parent / "vnopendata_search" / "versions"


def _has_table(connection: sa.Connection, name: str) -> bool:
    return sa.inspect(connection).has_table(name)


def _version(connection: sa.Connection, table: str) -> str | None:
    if not _has_table(connection, table):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {table} LIMIT 1")).scalar()


def adopt(connection: sa.Connection) -> str | None:
    """Stamp the search history where the `vnopendata` history left the
    search tables; returns the revision stamped (None: nothing to adopt)."""
    if _version(connection, SEARCH_VERSION_TABLE) or not _has_table(connection, TABLE):
        return None
    legacy = _version(connection, PORTAL_VERSION_TABLE)
    if legacy is None:
        return None
    if legacy not in LEGACY_REVISIONS:
        # A later `vnopendata` revision (e.g. the review workflow's): that
        # history went through every search step before it.
        legacy = LEGACY_REVISIONS[-1]
    connection.execute(
        sa.text(
            f"CREATE TABLE IF NOT EXISTS {SEARCH_VERSION_TABLE} (version_num VARCHAR(32) "
            f"NOT NULL, CONSTRAINT {SEARCH_VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
        )
    )
    connection.execute(
        sa.text(f"INSERT INTO {SEARCH_VERSION_TABLE} (version_num) VALUES (:v)"), {"v": legacy}
    )
    return legacy


def _search_migration(revision: str) -> ModuleType:
    (path,) = _SEARCH_VERSIONS.glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"vnopendata_search_{revision}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def legacy_step(revision: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """`upgrade` and `downgrade` for a revision kept in the `vnopendata` history."""
    from alembic import op

    def applies() -> bool:
        connection = op.get_bind()
        return _has_table(connection, TABLE) and not _version(connection, SEARCH_VERSION_TABLE)

    def upgrade() -> None:
        if revision != LEGACY_REVISIONS[0] and applies():
            _search_migration(revision).upgrade()

    def downgrade() -> None:
        if revision != LEGACY_REVISIONS[0] and applies():
            _search_migration(revision).downgrade()

    return upgrade, downgrade
