"""Test harness shared by the whole suite.

CKAN's own pytest plugin (registered by the ckan package) reads
``--ckan-ini``, builds the app once per session and provides ``clean_db``,
``clean_index``, ``with_plugins``, ``app`` and the factories. On top of it:

- the plugins of ``ckan.plugins`` are loaded for every test;
- ``clean_db`` also re-applies this extension's migrations, which CKAN's
  reset drops together with the core tables;
- ``app`` is one test client for the whole session: building a CKAN app
  takes seconds, and nothing in the app object depends on the test.
- ``free_port`` gives loopback ports where nothing listens (servers that
  are down, or that a test starts).
"""

from __future__ import annotations

import socket

import ckan.plugins as plugins
import ckan.tests.helpers as test_helpers
import pytest


@pytest.fixture(autouse=True)
def _configured_plugins(request):
    # CKAN unloads every plugin before the first test, and `with_plugins`
    # unloads them again when its test ends. Load the configured ones
    # whenever they are missing; tests that need another set use
    # `with_plugins` with a `ckan_config` mark.
    if "with_plugins" not in request.fixturenames and not plugins.plugin_loaded(
        "vnopendata_search"
    ):
        plugins.load_all()


@pytest.fixture(scope="session")
def _session_app():
    plugins.load_all()
    return test_helpers._get_test_app()


@pytest.fixture
def app(_session_app):
    return _session_app


# Plugins whose tables CKAN's reset drops and does not rebuild: activity
# adds its permission_labels column by migration, vnopendata_search the search
# index (vnopendata keeps the history older databases started it under).
MIGRATED_PLUGINS = ("activity", "vnopendata", "vnopendata_search")


@pytest.fixture(scope="session")
def reset_database(reset_db, migrate_db_for):
    """Callable that empties the database and re-applies plugin migrations;
    for module-scoped catalogues that are built once and read by many tests."""

    def reset() -> None:
        if not plugins.plugin_loaded("vnopendata_search"):
            plugins.load_all()
        _empty_audit_log()
        reset_db()
        for plugin in MIGRATED_PLUGINS:
            migrate_db_for(plugin)

    return reset


def _empty_audit_log() -> None:
    """The audit log refuses DELETE (a trigger); CKAN's reset deletes every
    row of every table. Tests empty it as its owner would have to: with the
    trigger switched off, inside one transaction."""
    from ckan import model

    table = "vnopendata_audit_log"
    with model.ensure_engine().begin() as connection:
        if connection.exec_driver_sql(f"SELECT to_regclass('{table}')").scalar() is None:
            return
        connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def clean_db(reset_database):
    reset_database()


@pytest.fixture
def job_queue():
    """CKAN's job queue with no job of an earlier test or run: queued,
    scheduled for a retry (a failed send waits there for its next try), or
    failed. The test Redis outlives runs, so a count of jobs or a worker
    started by a test would otherwise meet them. Emptied again afterwards."""
    import ckan.lib.jobs as jobs

    def empty(queue):
        queue.empty()
        for registry in (queue.scheduled_job_registry, queue.failed_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)

    queue = jobs.get_queue()
    empty(queue)
    yield queue
    empty(queue)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "long_fault: long fault test with private servers (make test-faults; "
        "left out of make test)",
    )


@pytest.fixture
def free_port():
    """A function giving a loopback port where nothing listens (a server
    that is "down", or one a test is about to start)."""

    def pick() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    return pick
