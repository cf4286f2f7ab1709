"""The access tests' world: an owning agency with two admins, another
agency with a member, a citizen, and datasets of every class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.tests.factories as factories
import pytest
from access.helpers import make_agency, make_dataset, member


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
def world(clean_db) -> World:
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
