"""The body of both migration histories' env.py (`vnopendata` and
`vnopendata_search`): Alembic's generic environment, with each history's
own version table (`<name>_alembic_version`, as CKAN's `db upgrade -p`
expects) and an optional step on the connection before the migrations run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool


def run(name: str, before_migrations: Callable[[Any], object] | None = None) -> None:
    """Run the migrations of the history `name`, offline or online as
    Alembic was asked; `before_migrations(connection)` runs first, online,
    in a transaction of its own."""
    config = context.config
    # No logging.config.fileConfig of alembic.ini (CKAN's env.py has it
    # commented out too): CKAN has configured logging, and fileConfig would
    # disable every logger that exists, the portal's included, in the process
    # that migrates (`ckan db upgrade`, the test suite's database reset).
    version_table = f"{name}_alembic_version"

    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=None,
            literal_binds=True,
            version_table=version_table,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None, version_table=version_table)
        if before_migrations is not None:
            with connection.begin():
                before_migrations(connection)
        with context.begin_transaction():
            context.run_migrations()
