"""Permission labels: who may see a dataset, decided in one place.

CKAN asks the one `IPermissionLabels` plugin for a dataset's labels when it
indexes the dataset, checks `package_show`, and stores an activity; it asks
for a user's labels when it searches, checks `package_show`, and lists
activities. A user sees a dataset when the two sets share a label, so search
results, counts, facets, pages, the API and activity streams all agree.

Dataset labels:

=========================  ==============================================
not published yet          ``member-<agency>``
open                       ``public``
inter_agency               ``agency-any``, ``member-<agency>``,
                           ``grant-<dataset>``
                           (+ ``meta-public`` when metadata is visible)
restricted                 ``member-<agency>``, ``member-<parent agency>``,
                           ``grant-<dataset>``
                           (+ ``meta-agency-any`` when metadata is visible)
=========================  ==============================================

User labels: ``public`` and ``meta-public`` for everyone; logged in,
``creator-<user>`` and ``member-<agency>`` for each agency; a member of any
agency also ``agency-any`` and ``meta-agency-any``; a holder of a live grant
``grant-<dataset>``.

A ``meta-`` label shows the metadata only: a user who shares nothing else
with a dataset gets it without resources, links or downloads
(`strip_to_metadata`), and its activity (which stores whole datasets) is
not theirs to read (`activity_labels`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import ckan.authz as authz
import ckan.plugins as plugins
import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.sharing import classes, grants, review

PUBLIC = "public"
META_PUBLIC = "meta-public"
AGENCY_ANY = "agency-any"
META_AGENCY_ANY = "meta-agency-any"
META_PREFIX = "meta-"


def member(agency_id: str) -> str:
    return f"member-{agency_id}"


def grant(package_id: str) -> str:
    return f"grant-{package_id}"


# Each agency's parent, read once: set only for the length of a bulk index
# run (`agency_parents_reused`), which changes no agency.
_parents_memo: ContextVar[dict[str, str | None] | None] = ContextVar(
    "vnopendata_agency_parents", default=None
)


def _parent_agency_id(agency_id: str) -> str | None:
    memo = _parents_memo.get()
    if memo is not None and agency_id in memo:
        return memo[agency_id]
    agency = model.Session.get(model.Group, agency_id)
    parent = ((agency.extras or {}).get("parent_agency") if agency else None) or None
    if memo is not None:
        memo[agency_id] = parent
    return parent


@contextmanager
def agency_parents_reused() -> Iterator[None]:
    """Within the block, each agency's parent is read from the database once
    (a bulk rebuild labels many restricted datasets of few agencies). For
    a block that writes no agency: nothing outlives it."""
    token = _parents_memo.set({})
    try:
        yield
    finally:
        _parents_memo.reset(token)


def dataset_labels(
    *,
    package_id: str,
    state: str | None,
    owner_org: str | None,
    extras: Mapping[str, Any],
) -> list[str]:
    """The labels of one dataset, from its stored fields."""
    if not owner_org:
        # Every dataset of the portal belongs to an agency; one that does not
        # is visible to nobody but sysadmins.
        return []
    labels = [member(owner_org)]
    if state != "active" or not review.is_live(
        extras.get("review_state"), extras.get("review_published_at")
    ):
        return labels

    sharing_class = extras.get("sharing_class")
    metadata_visible = review.as_bool(extras.get("metadata_visible"))
    if sharing_class == classes.OPEN.key:
        return [PUBLIC]
    if sharing_class == classes.INTER_AGENCY.key:
        # Citizens and businesses read it through a grant (issue 8).
        labels.extend([AGENCY_ANY, grant(package_id)])
        if metadata_visible:
            labels.append(META_PUBLIC)
        return labels
    if sharing_class == classes.RESTRICTED.key:
        if review.parent_agency_reads():
            parent = _parent_agency_id(owner_org)
            if parent:
                labels.append(member(parent))
        labels.append(grant(package_id))
        if metadata_visible:
            labels.append(META_AGENCY_ANY)
    # An unknown class stays with its agency.
    return labels


def labels_of_package(package: model.Package) -> list[str]:
    return dataset_labels(
        package_id=package.id,
        state=package.state,
        owner_org=package.owner_org,
        extras=package.extras or {},
    )


# The user objects whose labels are being reused, with those labels: set
# only for the length of one action (`labels_reused_for`).
_MEMO_ATTRIBUTE = "_vnopendata_labels"


@contextmanager
def labels_reused_for(
    user_obj: model.User | None, known: list[str] | None = None
) -> Iterator[None]:
    """Within the block, the user's labels are computed once (or are
    `known`, computed by the caller for the same request): a search asks
    for them for its query and again to tell full from metadata-only rows.
    Nothing outlives the block, so a grant that expires between two calls
    counts at once."""
    if user_obj is None or getattr(user_obj, _MEMO_ATTRIBUTE, None) is not None:
        yield
        return
    setattr(user_obj, _MEMO_ATTRIBUTE, list(known or []))
    try:
        yield
    finally:
        delattr(user_obj, _MEMO_ATTRIBUTE)


def user_labels(user_obj: model.User | None) -> list[str]:
    if not user_obj or user_obj.is_anonymous:
        return [PUBLIC, META_PUBLIC]
    memo = getattr(user_obj, _MEMO_ATTRIBUTE, None)
    if memo:
        return list(memo)
    labels = _user_labels(user_obj)
    if memo is not None:
        memo.extend(labels)
    return labels


def _user_labels(user_obj: model.User) -> list[str]:
    labels = [PUBLIC, META_PUBLIC]
    labels.append(f"creator-{user_obj.id}")
    # Computed from the database on every call: a grant that has expired or
    # been revoked gives nothing from that instant on.
    agencies, granted = _agencies_and_grants(user_obj)
    labels.extend(member(agency_id) for agency_id in agencies)
    if agencies:
        labels.extend([AGENCY_ANY, META_AGENCY_ANY])
    labels.extend(grants.grant_label(package_id) for package_id in granted)
    return labels


def _agencies_and_grants(user_obj: model.User) -> tuple[list[str], list[str]]:
    """`member_agency_ids` and the datasets of the user's live grants, in
    one statement (a signed-in user's every search asks both): the
    memberships (`_memberships`) and the grants."""
    if authz.is_sysadmin(user_obj.name):
        return _active_agency_ids(), grants.live_grant_dataset_ids(user_obj.id)
    roles = authz.get_roles_with_permission("read")
    live = (
        grants.live_grants_query(user_obj.id)
        .with_only_columns(
            grants.AccessGrant.package_id.label("value"),
            sa.cast(sa.null(), sa.UnicodeText).label("capacity"),
            sa.cast(sa.null(), sa.Boolean).label("agency"),
            sa.literal("grant").label("kind"),
        )
        .distinct()
    )
    memberships = _memberships(user_obj.id, roles).add_columns(sa.literal("member").label("kind"))
    rows = model.Session.execute(sa.union_all(memberships, live)).all()
    agencies = _agency_ids([row for row in rows if row.kind == "member"])
    return agencies, sorted(row.value for row in rows if row.kind == "grant")


def member_agency_ids(user_obj: model.User) -> list[str]:
    """The ids of the agencies CKAN's ``organization_list_for_user`` returns
    for the user with ``permission="read"``, sorted.

    The same rule as that action in CKAN 2.12.0
    (``ckan/logic/action/get.py``): a sysadmin has every active agency; any
    other user the active agencies of their active memberships in a role
    with the permission, and, for a role that cascades
    (``ckan.auth.roles_that_cascade_to_sub_groups``), the agencies below
    them. Without the action's dictizing of every agency, which took most
    of a signed-in search's labels (in a profile of an agency user's search
    at 100,000 datasets, 3.6 of the labels' 4.9 ms).
    `test_member_agencies_are_those_of_ckans_action` compares the two.
    """
    if authz.is_sysadmin(user_obj.name):
        return _active_agency_ids()
    roles = authz.get_roles_with_permission("read")
    return _agency_ids(model.Session.execute(_memberships(user_obj.id, roles)).all())


def _memberships(user_id: str, roles: list[str]) -> sa.Select:
    """The user's active memberships in a role of `roles`: the group
    (`value`), the role (`capacity`) and whether the group is an active
    agency (`agency`)."""
    member_table, group_table = model.member_table, model.group_table
    return (
        sa.select(
            member_table.c.group_id.label("value"),
            member_table.c.capacity.label("capacity"),
            sa.and_(group_table.c.is_organization.is_(True), group_table.c.state == "active").label(
                "agency"
            ),
        )
        .join(group_table, group_table.c.id == member_table.c.group_id)
        .where(
            member_table.c.table_name == "user",
            member_table.c.table_id == user_id,
            member_table.c.state == "active",
            # No role with the permission: no membership counts.
            member_table.c.capacity.in_(roles or [""]),
        )
    )


def _agency_ids(memberships: list[Any]) -> list[str]:
    """The active agencies of these memberships (rows of `_memberships`),
    with, for a role that cascades to sub-agencies (an admin's, by CKAN's
    default), the agencies below, sorted."""
    cascading = authz.check_config_permission("roles_that_cascade_to_sub_groups")
    below: set[str] = set()
    for row in memberships:
        if row.capacity in cascading:  # pyright: ignore[reportOperatorIssue]
            group = model.Session.get(model.Group, row.value)
            if group is not None:
                below.update(
                    child[0] for child in group.get_children_group_hierarchy(type="organization")
                )
    if not below:
        return sorted({row.value for row in memberships if row.agency})
    ids = {row.value for row in memberships} | below
    return sorted(row.id for row in _active_agencies().filter(model.Group.id.in_(ids)))


def _active_agency_ids() -> list[str]:
    return sorted(row.id for row in _active_agencies())


def _active_agencies() -> Any:
    return model.Session.query(model.Group.id).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active"
    )


def full_labels(labels: Iterable[str]) -> set[str]:
    """The labels that show data, not just metadata."""
    return {label for label in labels if not label.startswith(META_PREFIX)}


def activity_labels(labels: Iterable[str]) -> list[str]:
    """An activity stores a whole dataset: only full readers may list it."""
    return sorted(full_labels(labels))


def relabel_activities(package_id: str) -> None:
    """Give a dataset's past activities its current labels.

    Each activity stores the labels the dataset had when it was written; a
    dataset made less open must take its history with it, or an agency or
    user stream would still show old versions to readers it no longer has.
    """
    if not plugins.plugin_loaded("activity"):
        return
    package = model.Session.get(model.Package, package_id)
    if package is None:
        return
    model.Session.execute(
        sa.text("UPDATE activity SET permission_labels = :labels WHERE object_id = :id"),
        {"labels": activity_labels(labels_of_package(package)), "id": package_id},
    )


def _user_object(user: Any) -> model.User | None:
    """A user given as an object or a name; anonymous (of any kind) is None."""
    if isinstance(user, model.User):
        return user
    return model.User.get(user) if isinstance(user, str) and user else None


def is_sysadmin(user: model.User | str | None) -> bool:
    user_obj = _user_object(user)
    return bool(user_obj and authz.is_sysadmin(user_obj.name))


def full_access_ids(user: model.User | str | None, package_ids: Iterable[str]) -> set[str]:
    """Of these datasets, the ids whose data (not only metadata) the user may see."""
    ids = {i for i in package_ids if i}
    if not ids:
        return set()
    user_obj = _user_object(user)
    if user_obj and authz.is_sysadmin(user_obj.name):
        return ids
    mine = full_labels(user_labels(user_obj))
    table = model.package_table
    # The columns the labels are made of, not whole datasets: a feed page
    # or a dump batch asks this for hundreds of rows.
    rows = model.Session.execute(
        sa.select(table.c.id, table.c.state, table.c.owner_org, table.c.extras).where(
            table.c.id.in_(ids)
        )
    )
    return {
        row.id
        for row in rows
        if mine
        & set(
            dataset_labels(
                package_id=row.id,
                state=row.state,
                owner_org=row.owner_org,
                extras=row.extras or {},
            )
        )
    }


def has_full_access(user: model.User | str | None, package: model.Package | str) -> bool:
    package_id = package.id if isinstance(package, model.Package) else package
    return package_id in full_access_ids(user, [package_id])


# What a metadata-only reader never gets: the resources and every link to data.
_DATA_KEYS = ("resources", "url", "download_url")
# Raw fields that `package_search` may return through `fl`.
_RAW_DATA_KEYS = ("validated_data_dict", "data_dict", "res_url", "res_name", "res_description")
# Every field `strip_to_metadata` removes, empties or sets: a result that
# has none of them is the same stripped or not.
STRIPPED_FIELDS = frozenset({"num_resources", "data_access", "*", *_DATA_KEYS, *_RAW_DATA_KEYS})


def strip_to_metadata(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Remove resources and data links from a dataset dict, in place."""
    if "resources" in pkg_dict:
        pkg_dict["resources"] = []
    if "num_resources" in pkg_dict:
        pkg_dict["num_resources"] = 0
    for key in _DATA_KEYS[1:] + _RAW_DATA_KEYS:
        pkg_dict.pop(key, None)
    pkg_dict["data_access"] = "metadata_only"
    return pkg_dict
