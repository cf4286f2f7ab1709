"""Agencies, people and datasets for the sharing-class tests (imported by
name: `vn_sharing`, unique across the suite).

The owning agency is a provincial department whose parent is a ministry;
another ministry stands for "another agency". Every person has an API
token, so that pages and the API can be read as each of them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
import pytest

# The schema tests' valid dataset is the one rule-abiding record of the
# suite: every test that writes datasets starts from it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schema"))

from vn_schema_data import valid_dataset

# The portal's default; the test configuration turns review off for the rest
# of the suite (see the Makefile's test target).
REVIEW_REQUIRED = pytest.mark.ckan_config("ckanext.vnopendata.review.required", "true")

ROLES = (
    "anonymous",
    "citizen",  # logged in, member of no agency
    "member",  # of the owning agency, capacity member
    "editor",  # of the owning agency
    "admin",  # of the owning agency
    "other_agency",  # member of another agency
    "parent_admin",  # admin of the owning agency's parent agency
    "sysadmin",
    # Members of another agency holding an access grant (issue 8) on every
    # published restricted dataset of the table: live, expired, revoked; or
    # a live grant on another restricted dataset of the same agency.
    "grant_live",
    "grant_expired",
    "grant_revoked",
    "grant_other",
)
GRANT_ROLES = ("grant_live", "grant_expired", "grant_revoked", "grant_other")


def make_agency(name: str, code: str, **extra: Any) -> dict[str, Any]:
    return factories.Organization(
        name=name,
        title_translated={"vi": name.replace("-", " ").title(), "en": name},
        agency_code=code,
        agency_type="ministry",
        agency_level="central",
        image_url="",
        **extra,
    )


def make_people(owning: dict, parent: dict, other: dict) -> dict[str, dict[str, Any] | None]:
    people: dict[str, dict[str, Any] | None] = {"anonymous": None}
    for role in ROLES[1:]:
        maker = factories.SysadminWithToken if role == "sysadmin" else factories.UserWithToken
        people[role] = maker(name=f"nguoi-{role.replace('_', '-')}", email=f"{role}@example.vn")
    memberships = [
        (owning, "member", "member"),
        (owning, "editor", "editor"),
        (owning, "admin", "admin"),
        (other, "other_agency", "member"),
        (parent, "parent_admin", "admin"),
        *((other, role, "member") for role in GRANT_ROLES),
    ]
    for agency, role, capacity in memberships:
        helpers.call_action(
            "organization_member_create",
            id=agency["id"],
            username=people[role]["name"],
            role=capacity,
        )
    return people


def as_user(person: dict[str, Any] | None) -> dict[str, Any]:
    """An action context for a person (anonymous: None)."""
    return {"user": person["name"] if person else "", "ignore_auth": False}


def call_as(person: dict[str, Any] | None, action: str, **data: Any) -> Any:
    return helpers.call_action(action, context=as_user(person), **data)


def dataset_data(owner_org: str, name: str, sharing_class: str, **overrides: Any) -> dict:
    return valid_dataset(
        owner_org,
        name=name,
        identifier=f"000.01.00.G10.{name}",
        sharing_class=sharing_class,
        **overrides,
    )
