"""A worker killed (SIGKILL) in the middle of a whole-index rebuild.

`ckan search-index rebuild` writes the whole index in one transaction of
its own (search/bulk.py), so a rebuild that dies is rolled back by
PostgreSQL: readers see the complete previous index before, during and
after, never an empty or partial one. `ckan search-index check` then tells
the truth: nothing missing, and exactly the dataset whose row is gone when
one is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import ckan.model as model
import ckan.tests.helpers as helpers
import pytest
import sqlalchemy as sa
from ckan.common import config
from search.helpers import text_table_differences
from vn_schema_data import valid_dataset

N = 120
REBUILD = (
    "import sys; from ckan.cli.cli import ckan; "
    "import ckanext.vnopendata.search.bulk as bulk; bulk.BATCH = 5; "
    "sys.argv[0] = 'ckan'; ckan()"
)


def ckan_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", REBUILD, "-c", config["__file__"], *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def public_count() -> int:
    return helpers.call_action("package_search", {"user": ""}, q="*:*", rows=0)["count"]


@pytest.fixture(scope="module")
def catalogue(reset_database):
    import ckan.tests.factories as factories

    reset_database()
    agency = factories.Organization(
        name="bo-y-te",
        title_translated={"vi": "Bộ Y tế", "en": "Ministry of Health"},
        agency_code="000.00.00.G10",
        agency_type="ministry",
        agency_level="central",
        image_url="",
    )
    sysadmin = factories.Sysadmin()
    for number in range(N):
        helpers.call_action(
            "package_create",
            {"user": sysadmin["name"]},
            **valid_dataset(
                agency["id"],
                name=f"bo-du-lieu-{number:03d}",
                identifier=f"000.00.00.G10.bo-du-lieu-{number:03d}",
                resources=[],
            ),
        )
    return N


def test_readers_never_see_a_partial_index_while_a_rebuild_is_killed(catalogue):
    assert public_count() == catalogue
    seen: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(public_count())
            model.Session.remove()
            time.sleep(0.05)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    rebuild = subprocess.Popen(
        [sys.executable, "-c", REBUILD, "-c", config["__file__"], "search-index", "rebuild"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Kill it once its transaction has written rows into the index.
        deadline = time.monotonic() + 180
        written = False
        while time.monotonic() < deadline and rebuild.poll() is None:
            with model.meta.engine.connect() as connection:
                written = bool(
                    connection.execute(
                        sa.text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND xact_start IS NOT NULL AND "
                            "query ILIKE 'INSERT INTO vnopendata_search_index%'"
                        )
                    ).scalar()
                )
            if written:
                break
            time.sleep(0.05)
        assert written and rebuild.poll() is None, "the rebuild never started writing"
        os.kill(rebuild.pid, signal.SIGKILL)
        rebuild.wait(30)
        time.sleep(1)  # PostgreSQL notices the closed connection and rolls back
    finally:
        stop.set()
        thread.join(10)
        if rebuild.poll() is None:
            rebuild.kill()
    assert seen, "the reader never ran"
    assert set(seen) == {catalogue}, sorted(set(seen))
    assert public_count() == catalogue
    # The text index's narrow copy was rolled back with the index table.
    assert text_table_differences() == []

    check = ckan_cli("search-index", "check")
    assert check.returncode == 0, check.stderr[-2000:]
    assert f"Packages not indexed = 0 out of {catalogue}" in check.stdout


def test_check_names_a_dataset_missing_from_the_index(catalogue):
    model.Session.execute(
        sa.text("DELETE FROM vnopendata_search_index WHERE name = 'bo-du-lieu-007'")
    )
    model.Session.commit()
    check = ckan_cli("search-index", "check")
    assert f"Packages not indexed = 1 out of {catalogue}" in check.stdout, check.stdout
    assert "bo-du-lieu-007" in check.stdout
    # A rebuild that completes brings it back.
    rebuilt = ckan_cli("search-index", "rebuild", "-q")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    check = ckan_cli("search-index", "check")
    assert f"Packages not indexed = 0 out of {catalogue}" in check.stdout
    model.Session.remove()
    assert public_count() == catalogue
