"""The search index always equals what package_show returns.

A Hypothesis state machine runs random sequences of what agencies do to a
catalogue (create, update, add a resource, publish a draft, change the
sharing class, make private or public, delete, purge, add or remove
members) through the action API. After every step:

- each live dataset is found by ``package_search`` (as a sysadmin, with
  ``fq=id:<id>``) exactly once, and the indexed dict is the one
  ``package_show`` returns now (same ``metadata_modified`` included);
- deleted and purged datasets are not found, even with ``include_deleted``
  (``ckan.search.remove_deleted_packages`` is on by default);
- the sysadmin's total equals the number of active and draft datasets in the
  database, and the organisation facet equals the per-organisation counts;
- for every user, the datasets ``package_search`` returns (with
  ``include_private`` and ``include_drafts``) are exactly those that user may
  ``package_show``: indexed permission labels follow every change.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import ckan.plugins as plugins
import pytest
import sqlalchemy as sa
from ckan import logic, model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from search.corpus import ORG_FIELDS, dataset_schema_fields

SYSADMIN = "prop_sysadmin"
USERS = ("prop_user_1", "prop_user_2", "prop_user_3")
ORGS = ("stc", "syt", "bnn")

WORDS = (
    "dân số",
    "ngân sách",
    "Hà Nội",
    "nông nghiệp",
    "giáo dục",
    "y tế",
    "giao thông",
    "môi trường",
    "đất đai",
    "thống kê",
    "lúa gạo",
    "bệnh viện",
)
TAGS = ("dân số", "tài chính", "y tế", "nông thôn", "quy hoạch", "thống kê")
FORMATS = ("CSV", "JSON", "XLSX", "PDF", "GeoJSON")
CLASSES = ("open", "inter_agency", "restricted")

titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
tag_lists = st.lists(st.sampled_from(TAGS), max_size=3, unique=True)
format_lists = st.lists(st.sampled_from(FORMATS), max_size=3)

_names = itertools.count()


def _sysadmin_context() -> dict[str, Any]:
    return {"user": SYSADMIN, "ignore_auth": False}


def _class_fields(sharing_class: str, schema_fields: frozenset[str]) -> dict[str, Any]:
    if "sharing_class" not in schema_fields:
        return {"private": sharing_class != "open"}
    fields: dict[str, Any] = {"sharing_class": sharing_class}
    if sharing_class != "open":
        fields["legal_basis_number"] = "60/2024/QH15"
        fields["legal_basis_article"] = "khoản 2 Điều 21"
    if sharing_class == "inter_agency":
        fields["exploitation_regulation_number"] = "12/2025/QĐ-BTC"
    return fields


def _payload(
    name: str,
    org_id: str,
    title: str,
    tags: list[str],
    formats: list[str],
    sharing_class: str,
    private: bool,
    draft: bool,
    schema_fields: frozenset[str],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "title": title,
        "notes": f"Mô tả {title.lower()}.",
        "owner_org": org_id,
        # Data that is not open is never asked public (the portal refuses it).
        "private": private or sharing_class != "open",
        "license_id": "CC-BY-4.0",
        "resources": [
            {"url": f"https://example.vn/{name}/{i}", "format": f, "name": f"Tệp {i}"}
            for i, f in enumerate(formats)
        ],
    }
    if draft:
        data["state"] = "draft"
    if not schema_fields:
        data["tags"] = [{"name": t} for t in tags]
        data.update(_class_fields(sharing_class, schema_fields))
        return data
    data.update(
        {
            "title_translated": {"vi": title},
            "notes_translated": {"vi": data["notes"]},
            "tag_string": ",".join(tags),
            "contact_name": "Lê Văn Bình",
            "contact_email": "binh@example.gov.vn",
            "importance": "other",
            "personal_data": "none",
            "sector": "society",
            "provinces": ["01"],
            "issued": "2024-01-01",
            "no_state_secret": True,
        }
    )
    data.update(_class_fields(sharing_class, schema_fields))
    return data


def _search(user: str, **params: Any) -> dict[str, Any]:
    context = {"user": user, "ignore_auth": False}
    return call_action("package_search", context=context, **params)


def _may_show(user: str, dataset_id: str) -> bool:
    context = {"user": user, "ignore_auth": False, "model": model}
    try:
        logic.check_access("package_show", context, {"id": dataset_id})
    except logic.NotAuthorized:
        return False
    return True


class CatalogueMachine(RuleBasedStateMachine):
    """One random session of agency work on the shared catalogue."""

    org_ids: dict[str, str] = {}
    schema_fields: frozenset[str] = frozenset()

    datasets = Bundle("datasets")

    def __init__(self) -> None:
        super().__init__()
        self.live: set[str] = set()
        self.gone: set[str] = set()

    # --- operations -------------------------------------------------------

    @rule(
        target=datasets,
        org=st.sampled_from(ORGS),
        title=titles,
        tags=tag_lists,
        formats=format_lists,
        sharing_class=st.sampled_from(CLASSES),
        private=st.booleans(),
        draft=st.booleans(),
    )
    def create(
        self,
        org: str,
        title: str,
        tags: list[str],
        formats: list[str],
        sharing_class: str,
        private: bool,
        draft: bool,
    ) -> str:
        name = f"prop-{next(_names)}"
        payload = _payload(
            name,
            self.org_ids[org],
            title,
            tags,
            formats,
            sharing_class,
            private,
            draft,
            self.schema_fields,
        )
        dataset = call_action("package_create", context=_sysadmin_context(), **payload)
        self.live.add(dataset["id"])
        return dataset["id"]

    @rule(dataset=datasets, title=titles, tags=tag_lists)
    def update_text(self, dataset: str, title: str, tags: list[str]) -> None:
        if dataset not in self.live:
            return
        changes: dict[str, Any] = {"id": dataset, "notes": f"Cập nhật: {title}."}
        if self.schema_fields:
            changes["title_translated"] = {"vi": title}
            changes["notes_translated"] = {"vi": changes.pop("notes")}
            changes["tag_string"] = ",".join(tags)
        else:
            changes["title"] = title
            changes["tags"] = [{"name": t} for t in tags]
        call_action("package_patch", context=_sysadmin_context(), **changes)

    @rule(dataset=datasets, fmt=st.sampled_from(FORMATS))
    def add_resource(self, dataset: str, fmt: str) -> None:
        if dataset not in self.live:
            return
        call_action(
            "resource_create",
            context=_sysadmin_context(),
            package_id=dataset,
            url="https://example.vn/them",
            format=fmt,
            name="Tệp bổ sung",
        )

    @rule(dataset=datasets)
    def publish(self, dataset: str) -> None:
        if dataset not in self.live:
            return
        call_action("package_patch", context=_sysadmin_context(), id=dataset, state="active")

    @rule(dataset=datasets, sharing_class=st.sampled_from(CLASSES))
    def change_class(self, dataset: str, sharing_class: str) -> None:
        if dataset not in self.live:
            return
        fields = _class_fields(sharing_class, self.schema_fields)
        call_action("package_patch", context=_sysadmin_context(), id=dataset, **fields)

    @rule(dataset=datasets, private=st.booleans())
    def set_private(self, dataset: str, private: bool) -> None:
        if dataset not in self.live:
            return
        try:
            call_action("package_patch", context=_sysadmin_context(), id=dataset, private=private)
        except logic.ValidationError as error:
            # Only published open data may be public (the sharing classes);
            # the refused write leaves dataset and index as they were.
            assert not private and set(error.error_dict) == {"private"}, error.error_dict
            shown = call_action("package_show", context=_sysadmin_context(), id=dataset)
            assert shown["sharing_class"] != "open" or shown.get("review_state") != "published"

    @rule(dataset=consumes(datasets))
    def delete(self, dataset: str) -> None:
        if dataset not in self.live:
            return
        call_action("package_delete", context=_sysadmin_context(), id=dataset)
        self.live.discard(dataset)
        self.gone.add(dataset)

    @rule(dataset=consumes(datasets))
    def purge(self, dataset: str) -> None:
        if dataset not in self.live:
            return
        call_action("dataset_purge", context=_sysadmin_context(), id=dataset)
        self.live.discard(dataset)
        self.gone.add(dataset)

    @rule(
        user=st.sampled_from(USERS),
        org=st.sampled_from(ORGS),
        capacity=st.sampled_from(("member", "editor", None)),
    )
    def change_membership(self, user: str, org: str, capacity: str | None) -> None:
        if capacity is None:
            call_action(
                "organization_member_delete",
                context=_sysadmin_context(),
                id=self.org_ids[org],
                username=user,
            )
        else:
            call_action(
                "organization_member_create",
                context=_sysadmin_context(),
                id=self.org_ids[org],
                username=user,
                role=capacity,
            )

    # --- the invariant ------------------------------------------------------

    @invariant()
    def index_equals_database(self) -> None:
        everything = {"include_private": True, "include_drafts": True, "include_deleted": True}
        for dataset_id in self.live:
            found = _search(SYSADMIN, fq=f"id:{dataset_id}", **everything)
            assert found["count"] == 1, dataset_id
            [indexed] = found["results"]
            shown = call_action(
                "package_show", context={"user": SYSADMIN, "use_cache": False}, id=dataset_id
            )
            assert indexed["metadata_modified"] == shown["metadata_modified"]
            assert indexed == shown
        for dataset_id in self.gone:
            found = _search(SYSADMIN, fq=f"id:{dataset_id}", **everything)
            assert found["count"] == 0, dataset_id
            assert found["results"] == []

        rows = model.Session.execute(
            sa.select(model.Package.owner_org, sa.func.count())
            .where(model.Package.state.in_(("active", "draft")))
            .where(model.Package.type == "dataset")
            .group_by(model.Package.owner_org)
        ).all()
        by_org_id = {owner: count for owner, count in rows}
        total = _search(
            SYSADMIN,
            rows=0,
            include_private=True,
            include_drafts=True,
            **{"facet.field": ["organization"], "facet.limit": -1},
        )
        assert total["count"] == sum(by_org_id.values())
        names_by_id = {org_id: name for name, org_id in self.org_ids.items()}
        expected_facet = Counter(
            {names_by_id[org_id]: n for org_id, n in by_org_id.items() if org_id in names_by_id}
        )
        assert total["facets"]["organization"] == dict(expected_facet)

        mine = self.live
        for user in USERS:
            visible = _search(user, rows=1000, include_private=True, include_drafts=True, fl="id")
            seen = {row["id"] for row in visible["results"]} & mine
            allowed = {dataset_id for dataset_id in mine if _may_show(user, dataset_id)}
            assert seen == allowed, user


@pytest.fixture(scope="module")
def catalogue(reset_database: Any) -> None:
    reset_database()
    factories.Sysadmin(name=SYSADMIN)
    for user in USERS:
        factories.User(name=user)
    org_ids: dict[str, str] = {}
    for name in ORGS:
        fields = dict(ORG_FIELDS[name])
        title_en = fields.pop("title_en")
        if plugins.plugin_loaded("scheming_organizations"):
            fields["title_translated"] = {"vi": title_en, "en": title_en}
        org_ids[name] = factories.Organization(name=name, title=title_en, **fields)["id"]
    CatalogueMachine.org_ids = org_ids
    CatalogueMachine.schema_fields = dataset_schema_fields()


@pytest.mark.usefixtures("catalogue")
def test_index_always_equals_package_show() -> None:
    run_state_machine_as_test(
        CatalogueMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
