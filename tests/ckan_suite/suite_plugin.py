"""pytest plugin for CKAN's own test files run against the PostgreSQL engine.

Loaded with ``-p ckan_suite.suite_plugin`` by `test_ckan_suite.py`. CKAN's
``reset_db`` drops every table, the search index's included, and rebuilds
only CKAN's core ones: here it also re-applies the migrations of the
plugins the suite loads (activity, vnopendata_search), as the project's own
``clean_db`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.tests.helpers as test_helpers
import ckanext.activity

import ckanext.vnopendata

# The alembic environments of the plugins whose tables the suite needs,
# found by path: a test may have unloaded the plugins (with_plugins) when
# it resets the database.
MIGRATIONS = (
    Path(ckanext.activity.__file__).parent / "migration" / "activity" / "alembic.ini",
    Path(ckanext.vnopendata.__file__).parent / "migration" / "vnopendata_search" / "alembic.ini",
)

_ckan_reset_db = test_helpers.reset_db


def _reset_db_and_migrate() -> None:
    from ckanext.vnopendata.search import ranking

    _ckan_reset_db()
    original = model.repo._alembic_ini  # pyright: ignore[reportPrivateUsage]
    try:
        for ini in MIGRATIONS:
            model.repo._alembic_ini = str(ini)  # pyright: ignore[reportPrivateUsage]
            model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original  # pyright: ignore[reportPrivateUsage]
    ranking.forget()


# CKAN's factories fill titles and notes with Faker's English words, and a
# test may search for one of them: test_name_multiple_results expects "record"
# in two of three datasets, and the third's random notes held it in about
# one run in a hundred (with Solr as much). Seeded once, every run writes
# the same text in the same order of tests.
FAKER_SEED = 2012


def pytest_configure(config: Any) -> None:
    import factory.random
    from ckan.tests import factories

    test_helpers.reset_db = _reset_db_and_migrate
    factories.fake.seed_instance(FAKER_SEED)
    factory.random.reseed_random(FAKER_SEED)
