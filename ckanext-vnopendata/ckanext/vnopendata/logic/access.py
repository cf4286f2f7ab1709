"""Actions of access requests, decisions, grants and the audit log.

Every action has its own auth function (`logic/access_auth.py`) and its own
schema (`logic/schema.py`), so an agency's system can drive the whole flow
through the API. Each state change and its audit entry are one transaction;
decisions lock the request row, so two admins deciding at once get one
decision and one "already decided" error.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.vnopendata import ratelimit
from ckanext.vnopendata.logic import schema
from ckanext.vnopendata.model.access import AccessGrant, AccessRequest, AuditEntry
from ckanext.vnopendata.sharing import audit, deadlines, grants, notices, requests

__all__ = [
    "vnopendata_access_request_create",
    "vnopendata_access_request_show",
    "vnopendata_access_request_list",
    "vnopendata_access_request_withdraw",
    "vnopendata_access_request_approve",
    "vnopendata_access_request_refuse",
    "vnopendata_access_grant_list",
    "vnopendata_access_grant_revoke",
    "vnopendata_audit_list",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _user(context: Context) -> model.User:
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if not isinstance(user, model.User):
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _can_see(user: model.User, package: model.Package) -> bool:
    try:
        tk.check_access("package_show", {"user": user.name}, {"id": package.id})
    except tk.NotAuthorized:
        return False
    return True


def _org_id(id_or_name: str) -> str:
    group = model.Group.get(id_or_name)
    if group is None or not group.is_organization:
        raise tk.ObjectNotFound(tk._("Agency not found"))
    return group.id


def _paging(data_dict: DataDict) -> tuple[int, int]:
    return min(data_dict.get("limit", DEFAULT_LIMIT), MAX_LIMIT), data_dict.get("offset", 0)


def _get_request(request_id: str, lock: bool = False) -> AccessRequest:
    query = sa.select(AccessRequest).where(AccessRequest.id == request_id)
    if lock:
        # Wait for a concurrent decision to commit, then read what it wrote.
        query = query.with_for_update().execution_options(populate_existing=True)
    request = model.Session.execute(query).scalar_one_or_none()
    if request is None:
        raise tk.ObjectNotFound(tk._("Access request not found"))
    return request


def _lock_undecided(request_id: str) -> AccessRequest:
    """The request, locked until commit, if no other admin decided it first."""
    request = _get_request(request_id, lock=True)
    if request.state != requests.PENDING:
        raise _already_decided(request)
    return request


def _mark_decided(
    request: AccessRequest, state: str, user: model.User, when: datetime.datetime
) -> None:
    request.state = state
    request.decided = when
    request.decided_by = user.id


def _title(package_id: str, user: model.User | None) -> str | None:
    package = model.Package.get(package_id)
    if package is None or (user is not None and not _can_see(user, package)):
        return None
    return package.title


def _already_decided(request: AccessRequest) -> tk.ValidationError:
    return tk.ValidationError(
        {
            "id": [
                tk._("This request has already been decided: it is {state}").format(
                    state=notices.state_label(request.state)
                )
            ]
        }
    )


@tk.validate_action_data(schema.access_request_create)
def vnopendata_access_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File a request for a restricted or inter-agency dataset.

    :param package_id: the dataset's id or name
    :param purpose: what the data is for and how it will be used
    :param legal_basis: the legal basis of the use
    :param items: the resources or named fields asked for (list, or lines)
    :param duration_days: how long access is needed, in days
    :param contact: how the agency can reach the requester
    :param requester_type: organisation, individual or data_subject (users
        of no agency); state_body is implied for agency members
    :param requester_org_id: the requesting agency, when a member of several
    :param requester_name: the requester's name (default: the account's)
    """
    tk.check_access("vnopendata_access_request_create", context, data_dict)
    user = _user(context)
    package = model.Package.get(data_dict["package_id"])
    cannot_request = tk.ValidationError(
        {"package_id": [tk._("No dataset with this identifier can be requested")]}
    )
    if package is None:
        raise cannot_request
    if not requests.requestable(package) or not requests.may_ask(user.id, package):
        # Someone who cannot see the dataset learns nothing about it.
        if not _can_see(user, package):
            raise cannot_request
        raise tk.ValidationError({"package_id": [notices.who_may_ask(package, user.id)]})
    if grants.has_live_grant(user.id, package.id):
        raise tk.ValidationError({"package_id": [tk._("You already have access to this dataset")]})
    if requests.pending_request(user.id, package.id) is not None:
        raise tk.ValidationError(
            {"package_id": [tk._("You already have a pending request for this dataset")]}
        )

    memberships = requests.agency_ids(user.id)
    requester_org_id = None
    agency_code = None
    if memberships:
        requester_type = requests.STATE_BODY
        requester_org_id = memberships[0]
        if data_dict.get("requester_org_id"):
            group = model.Group.get(data_dict["requester_org_id"])
            if group is None or group.id not in memberships:
                raise tk.ValidationError(
                    {"requester_org_id": [tk._("You can only ask on behalf of your own agency")]}
                )
            requester_org_id = group.id
        agency = model.Group.get(requester_org_id)
        agency_code = (agency.extras or {}).get("agency_code") if agency else None
    else:
        requester_type = data_dict.get("requester_type", "")
        if requester_type not in requests.PUBLIC_REQUESTER_TYPES:
            raise tk.ValidationError(
                {
                    "requester_type": [
                        tk._(
                            "Say whether you ask as an organisation, an individual "
                            "or a data subject"
                        )
                    ]
                }
            )

    ratelimit.hit_request_limit(user.id)
    now = datetime.datetime.utcnow()
    request = AccessRequest(
        id=str(uuid.uuid4()),
        package_id=package.id,
        owner_org=package.owner_org,
        user_id=user.id,
        requester_type=requester_type,
        requester_org_id=requester_org_id,
        requester_agency_code=agency_code,
        requester_name=data_dict.get("requester_name") or user.display_name,
        purpose=data_dict["purpose"],
        legal_basis=data_dict["legal_basis"],
        items=data_dict["items"],
        duration_days=data_dict["duration_days"],
        contact=data_dict["contact"],
        state=requests.PENDING,
        created=now,
        due=deadlines.due_date(now),
    )
    model.Session.add(request)
    audit.record(
        "request_create",
        user_id=user.id,
        package_id=package.id,
        owner_org=package.owner_org,
        object_id=request.id,
        reason=request.purpose,
        detail={
            "requester_type": requester_type,
            "requester_org_id": requester_org_id,
            "legal_basis": request.legal_basis,
            "items": request.items,
            "duration_days": request.duration_days,
            "due": request.due.isoformat(),
        },
    )
    _commit(context)
    notices.request_filed(request, package)
    return requests.request_dict(request, package_title=_title(package.id, user))


@tk.side_effect_free
@tk.validate_action_data(schema.access_request_id)
def vnopendata_access_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One request with its decision in full (the requester, the owning
    agency's admins, sysadmins).

    :param id: the request's id
    """
    request = _get_request(data_dict["id"])
    tk.check_access("vnopendata_access_request_show", context, {"id": request.id})
    user = model.User.get(context.get("user") or "")
    return requests.request_dict(request, package_title=_title(request.package_id, user))


@tk.side_effect_free
@tk.validate_action_data(schema.access_request_list)
def vnopendata_access_request_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The caller's own requests (newest first), or, with `owner_org`, an
    agency's queue for its admins (oldest first, overdue ones flagged).

    :param owner_org: the agency's id or name (optional)
    :param state: pending, approved, refused or withdrawn (optional)
    :param package_id: only requests for this dataset (optional)
    :param limit: at most this many (default 100, at most 1000)
    :param offset: skip this many
    """
    tk.check_access("vnopendata_access_request_list", context, data_dict)
    user = _user(context)
    query = sa.select(AccessRequest)
    if data_dict.get("owner_org"):
        query = query.where(AccessRequest.owner_org == _org_id(data_dict["owner_org"]))
        query = query.order_by(AccessRequest.created, AccessRequest.id)
    else:
        query = query.where(AccessRequest.user_id == user.id)
        query = query.order_by(AccessRequest.created.desc(), AccessRequest.id)
    if data_dict.get("state"):
        query = query.where(AccessRequest.state == data_dict["state"])
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        query = query.where(AccessRequest.package_id == (package.id if package else ""))
    limit, offset = _paging(data_dict)
    now = datetime.datetime.utcnow()
    return [
        requests.request_dict(request, package_title=_title(request.package_id, user), now=now)
        for request in model.Session.execute(query.limit(limit).offset(offset)).scalars()
    ]


@tk.validate_action_data(schema.access_request_id)
def vnopendata_access_request_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The requester withdraws a pending request.

    :param id: the request's id
    """
    request = _get_request(data_dict["id"])
    tk.check_access("vnopendata_access_request_withdraw", context, {"id": request.id})
    user = _user(context)
    request = _get_request(request.id, lock=True)
    if request.state != requests.PENDING:
        raise tk.ValidationError(
            {
                "id": [
                    tk._("Only a pending request can be withdrawn: this one is {state}").format(
                        state=notices.state_label(request.state)
                    )
                ]
            }
        )
    request.state = requests.WITHDRAWN
    request.withdrawn = datetime.datetime.utcnow()
    audit.record(
        "request_withdraw",
        user_id=user.id,
        package_id=request.package_id,
        owner_org=request.owner_org,
        object_id=request.id,
    )
    _commit(context)
    return requests.request_dict(request, package_title=_title(request.package_id, user))


def _expiry(requested: datetime.date | None) -> datetime.date:
    today = deadlines.vietnam_today()
    latest = today + datetime.timedelta(
        days=int(tk.config.get("ckanext.vnopendata.grants.max_days"))
    )
    if requested is None:
        default_days = int(tk.config.get("ckanext.vnopendata.grants.default_days"))
        return min(today + datetime.timedelta(days=default_days), latest)
    if requested <= today:
        raise tk.ValidationError({"expires": [tk._("The expiry date must be after today")]})
    if requested > latest:
        raise tk.ValidationError(
            {
                "expires": [
                    tk._(
                        "A grant can last at most {days} days: expire on {date} or earlier"
                    ).format(
                        days=int(tk.config.get("ckanext.vnopendata.grants.max_days")),
                        date=latest.isoformat(),
                    )
                ]
            }
        )
    return requested


@tk.validate_action_data(schema.access_request_approve)
def vnopendata_access_request_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a pending request; the approval creates a grant.

    :param id: the request's id
    :param expires: the last day of access, ISO date (default: the
        `ckanext.vnopendata.grants.default_days` setting; never beyond
        `ckanext.vnopendata.grants.max_days`)
    :param conditions: conditions of use (optional)
    """
    request = _get_request(data_dict["id"])
    tk.check_access("vnopendata_access_request_approve", context, {"id": request.id})
    user = _user(context)
    expires = _expiry(data_dict.get("expires"))
    request = _lock_undecided(request.id)
    now = datetime.datetime.utcnow()
    grant = AccessGrant(
        id=str(uuid.uuid4()),
        request_id=request.id,
        package_id=request.package_id,
        owner_org=request.owner_org,
        user_id=request.user_id,
        expires=expires,
        expires_at=deadlines.end_of_day_utc(expires),
        conditions=data_dict.get("conditions") or None,
        created=now,
        created_by=user.id,
    )
    model.Session.add(grant)
    _mark_decided(request, requests.APPROVED, user, now)
    request.grant_id = grant.id
    audit.record(
        "request_approve",
        user_id=user.id,
        package_id=request.package_id,
        owner_org=request.owner_org,
        object_id=request.id,
        reason=grant.conditions,
        detail={"requester_id": request.user_id, "grant_id": grant.id},
    )
    audit.record(
        "grant_create",
        user_id=user.id,
        package_id=grant.package_id,
        owner_org=grant.owner_org,
        object_id=grant.id,
        reason=grant.conditions,
        detail={
            "holder_id": grant.user_id,
            "request_id": request.id,
            "expires": expires.isoformat(),
            "expires_at": grant.expires_at.isoformat(),
        },
    )
    _commit(context)
    notices.request_approved(request, grant)
    result = requests.request_dict(request, package_title=_title(request.package_id, user))
    result["grant"] = grants.grant_dict(grant)
    return result


@tk.validate_action_data(schema.access_request_refuse)
def vnopendata_access_request_refuse(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Refuse a pending request in writing (Decree 194/2025 Art 16(2)).

    :param id: the request's id
    :param reason: why the data is not shared
    :param legal_basis_number: number of the legal document restricting it
    :param legal_basis_article: its article (and clause)
    :param items: the items refused (default: all asked for)
    :param complaint_route: where the requester can complain (default:
        the `ckanext.vnopendata.requests.complaint_route` setting)
    """
    request = _get_request(data_dict["id"])
    tk.check_access("vnopendata_access_request_refuse", context, {"id": request.id})
    user = _user(context)
    request = _lock_undecided(request.id)
    _mark_decided(request, requests.REFUSED, user, datetime.datetime.utcnow())
    request.refusal_reason = data_dict["reason"]
    request.legal_basis_number = data_dict["legal_basis_number"]
    request.legal_basis_article = data_dict["legal_basis_article"]
    request.refused_items = data_dict.get("items") or list(request.items or [])
    request.complaint_route = data_dict.get("complaint_route") or (
        tk.config.get("ckanext.vnopendata.requests.complaint_route") or None
    )
    audit.record(
        "request_refuse",
        user_id=user.id,
        package_id=request.package_id,
        owner_org=request.owner_org,
        object_id=request.id,
        reason=request.refusal_reason,
        detail={
            "requester_id": request.user_id,
            "legal_basis_number": request.legal_basis_number,
            "legal_basis_article": request.legal_basis_article,
            "items": request.refused_items,
            "complaint_route": request.complaint_route,
        },
    )
    _commit(context)
    notices.request_refused(request)
    return requests.request_dict(request, package_title=_title(request.package_id, user))


@tk.side_effect_free
@tk.validate_action_data(schema.access_grant_list)
def vnopendata_access_grant_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The caller's grants, or with `owner_org` an agency's (its admins).

    :param owner_org: the agency's id or name (optional)
    :param package_id: only grants on this dataset (optional)
    :param state: active, expired or revoked (optional)
    :param limit: at most this many (default 100, at most 1000)
    :param offset: skip this many
    """
    tk.check_access("vnopendata_access_grant_list", context, data_dict)
    user = _user(context)
    now = datetime.datetime.utcnow()
    query = sa.select(AccessGrant)
    if data_dict.get("owner_org"):
        query = query.where(AccessGrant.owner_org == _org_id(data_dict["owner_org"]))
    else:
        query = query.where(AccessGrant.user_id == user.id)
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        query = query.where(AccessGrant.package_id == (package.id if package else ""))
    state = data_dict.get("state")
    if state == "revoked":
        query = query.where(AccessGrant.revoked.is_not(None))
    elif state == "expired":
        query = query.where(AccessGrant.revoked.is_(None), AccessGrant.expires_at <= now)
    elif state == "active":
        query = query.where(AccessGrant.revoked.is_(None), AccessGrant.expires_at > now)
    limit, offset = _paging(data_dict)
    query = query.order_by(AccessGrant.expires_at, AccessGrant.id).limit(limit).offset(offset)
    results = []
    for grant in model.Session.execute(query).scalars():
        item = grants.grant_dict(grant, now)
        item["package_title"] = _title(grant.package_id, user)
        results.append(item)
    return results


@tk.validate_action_data(schema.access_grant_revoke)
def vnopendata_access_grant_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An admin of the owning agency revokes a live grant, with a reason.

    :param id: the grant's id
    :param reason: why access ends early
    """
    tk.check_access("vnopendata_access_grant_revoke", context, {"id": data_dict["id"]})
    user = _user(context)
    grant = model.Session.execute(
        sa.select(AccessGrant)
        .where(AccessGrant.id == data_dict["id"])
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if grant is None:
        raise tk.ObjectNotFound(tk._("Grant not found"))
    now = datetime.datetime.utcnow()
    if grant.state_at(now) != "active":
        raise tk.ValidationError(
            {
                "id": [
                    tk._("Only a live grant can be revoked: this one is {state}").format(
                        state=notices.state_label(grant.state_at(now))
                    )
                ]
            }
        )
    grant.revoked = now
    grant.revoked_by = user.id
    grant.revoke_reason = data_dict["reason"]
    audit.record(
        "grant_revoke",
        user_id=user.id,
        package_id=grant.package_id,
        owner_org=grant.owner_org,
        object_id=grant.id,
        reason=grant.revoke_reason,
        detail={"holder_id": grant.user_id, "request_id": grant.request_id},
    )
    _commit(context)
    notices.grant_revoked(grant)
    return grants.grant_dict(grant, now)


def audit_query(context: Context, data_dict: DataDict) -> sa.Select:
    """The entries the caller may read, filtered (shared with the CSV export)."""
    user = _user(context)
    query = sa.select(AuditEntry)
    if data_dict.get("owner_org"):
        query = query.where(AuditEntry.owner_org == _org_id(data_dict["owner_org"]))
    if not user.sysadmin:
        query = query.where(AuditEntry.owner_org.in_(requests.admin_agency_ids(user.id)))
    if data_dict.get("package_id"):
        package = model.Package.get(data_dict["package_id"])
        query = query.where(
            AuditEntry.package_id == (package.id if package else data_dict["package_id"])
        )
    if data_dict.get("user_id"):
        named = model.User.get(data_dict["user_id"])
        query = query.where(AuditEntry.user_id == (named.id if named else data_dict["user_id"]))
    if data_dict.get("action"):
        query = query.where(AuditEntry.action == data_dict["action"])
    if data_dict.get("since"):
        query = query.where(AuditEntry.created >= data_dict["since"])
    if data_dict.get("until"):
        until = data_dict["until"]
        if until.time() == datetime.time():
            # A bare date means the whole of that day.
            until += datetime.timedelta(days=1)
            query = query.where(AuditEntry.created < until)
        else:
            query = query.where(AuditEntry.created <= until)
    return query


@tk.side_effect_free
@tk.validate_action_data(schema.audit_list)
def vnopendata_audit_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Audit entries, newest first: sysadmins all, agency admins their
    agencies'. CSV export: /audit.csv with the same filters.

    :param package_id: dataset id or name (optional)
    :param user_id: the acting user's id or name (optional)
    :param owner_org: the agency's id or name (optional)
    :param action: one of the recorded actions (optional)
    :param since: from this date or time, ISO (optional)
    :param until: up to this date (whole day) or time, ISO (optional)
    :param limit: at most this many (default 100, at most 1000)
    :param offset: skip this many
    """
    tk.check_access("vnopendata_audit_list", context, data_dict)
    query = audit_query(context, data_dict)
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    limit, offset = _paging(data_dict)
    entries = model.Session.execute(
        query.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
    ).scalars()
    return {"count": count, "results": [audit.entry_dict(entry) for entry in entries]}
