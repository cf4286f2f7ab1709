"""The access tests' world: an owning agency with two admins, another
agency with a member, a citizen, and datasets of every class, built once
per module; each test starts with no requests, grants or audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.tests.factories as factories
import pytest
from ckan import model
from ckan.lib.redis import connect_to_redis

from access.helpers import make_agency, make_dataset, member
from ckanext.vnopendata.model.access import AUDIT_TABLE, GRANT_TABLE, REQUEST_TABLE


@dataclass
class World:
    owner: dict[str, Any]
    other: dict[str, Any]
    admin: dict[str, Any]
    admin2: dict[str, Any]
    owner_member: dict[str, Any]
    official: dict[str, Any]
    other_admin: dict[str, Any]
    citizen: dict[str, Any]
    sysadmin: dict[str, Any]
    restricted: dict[str, Any]
    restricted2: dict[str, Any]
    inter_agency: dict[str, Any]
    open: dict[str, Any]


@pytest.fixture
def world(_world: World) -> World:
    """The module's world with no requests, grants, audit entries or rate
    counters left by the test before."""
    empty_access_tables()
    redis = connect_to_redis()
    for key in redis.scan_iter("*access_request*"):
        redis.delete(key)
    return _world


def empty_access_tables() -> None:
    # The test before may have left the session in a transaction that
    # holds a lock on these tables.
    model.Session.remove()
    with model.ensure_engine().begin() as connection:
        connection.exec_driver_sql(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER")
        connection.exec_driver_sql(
            f"DELETE FROM {AUDIT_TABLE}; DELETE FROM {GRANT_TABLE}; DELETE FROM {REQUEST_TABLE}"
        )
        connection.exec_driver_sql(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER")
    model.Session.remove()


@pytest.fixture(scope="module")
def _world(reset_database) -> World:
    reset_database()
    owner = make_agency("bao-hiem-xa-hoi", "000.00.00.G22")
    other = make_agency("bo-y-te", "000.00.00.G10")
    users = {
        name: factories.User(name=name, email=f"{name}@example.gov.vn", fullname=name)
        for name in ("admin", "admin2", "owner_member", "official", "other_admin", "citizen")
    }
    member(owner, users["admin"], "admin")
    member(owner, users["admin2"], "admin")
    member(owner, users["owner_member"], "editor")
    member(other, users["official"], "member")
    member(other, users["other_admin"], "admin")
    return World(
        owner=owner,
        other=other,
        **users,
        sysadmin=factories.Sysadmin(),
        restricted=make_dataset(owner["id"], "restricted", name="so-bhxh"),
        restricted2=make_dataset(owner["id"], "restricted", name="muc-dong-bhxh"),
        inter_agency=make_dataset(owner["id"], "inter_agency", name="thong-ke-bhxh"),
        open=make_dataset(owner["id"], "open", name="bao-cao-bhxh"),
    )
