"""Access requests: who may ask for what, and what a request records.

- A member of another agency asks for `restricted` data (Law on Data
  Art 17(3)); a user of no agency (citizen, business) asks for
  `inter_agency` data (Art 35(3)(c), Art 38). Open data needs no request.
- A request records the requester and their agency (e-ID) or their type,
  the purpose, the legal basis of the use, the items asked for, the
  duration and a contact (Decree 47/2020 Art 35(2) as the template).
- A refusal is written, with its reason and legal basis (Decree 194/2025
  Art 16(2)), the items refused and where to complain.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.model.access import AccessRequest
from ckanext.vnopendata.sharing import classes, deadlines, review

PENDING = "pending"
APPROVED = "approved"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
STATES: tuple[str, ...] = (PENDING, APPROVED, REFUSED, WITHDRAWN)

STATE_BODY = "state_body"
# Requester types of users of no agency.
ORGANISATION = "organisation"
INDIVIDUAL = "individual"
DATA_SUBJECT = "data_subject"
PUBLIC_REQUESTER_TYPES: tuple[str, ...] = (ORGANISATION, INDIVIDUAL, DATA_SUBJECT)
REQUESTER_TYPES: tuple[str, ...] = (STATE_BODY, *PUBLIC_REQUESTER_TYPES)


def agency_ids(user_id: str, capacity: str | None = None) -> list[str]:
    """The agencies (active organisations) the user is an active member of."""
    query = (
        sa.select(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .where(
            model.Member.table_name == "user",
            model.Member.table_id == user_id,
            model.Member.state == "active",
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
        )
    )
    if capacity:
        query = query.where(model.Member.capacity == capacity)
    return sorted(set(model.Session.execute(query).scalars()))


def admin_agency_ids(user_id: str) -> list[str]:
    return agency_ids(user_id, capacity="admin")


def sharing_class(package: model.Package) -> str | None:
    return (package.extras or {}).get("sharing_class")


def is_published(package: model.Package) -> bool:
    extras = package.extras or {}
    return review.is_live(extras.get("review_state"), extras.get("review_published_at"))


def requestable(package: model.Package | None) -> bool:
    return (
        package is not None
        and package.state == "active"
        and package.owner_org is not None
        and is_published(package)
        and sharing_class(package) in (classes.RESTRICTED.key, classes.INTER_AGENCY.key)
    )


def may_ask(user_id: str, package: model.Package) -> bool:
    """Whether the class of the dataset lets this user ask for it."""
    memberships = agency_ids(user_id)
    if sharing_class(package) == classes.RESTRICTED.key:
        return bool(memberships) and package.owner_org not in memberships
    if sharing_class(package) == classes.INTER_AGENCY.key:
        return not memberships
    return False


def pending_request(user_id: str, package_id: str) -> AccessRequest | None:
    return model.Session.execute(
        sa.select(AccessRequest).where(
            AccessRequest.user_id == user_id,
            AccessRequest.package_id == package_id,
            AccessRequest.state == PENDING,
        )
    ).scalar_one_or_none()


def request_dict(
    request: AccessRequest,
    *,
    package_title: str | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": request.id,
        "package_id": request.package_id,
        "package_title": package_title,
        "owner_org": request.owner_org,
        "user_id": request.user_id,
        "requester_type": request.requester_type,
        "requester_org_id": request.requester_org_id,
        "requester_agency_code": request.requester_agency_code,
        "requester_name": request.requester_name,
        "purpose": request.purpose,
        "legal_basis": request.legal_basis,
        "items": list(request.items or []),
        "duration_days": request.duration_days,
        "contact": request.contact,
        "state": request.state,
        "created": request.created.isoformat(),
        "due": request.due.isoformat(),
        "overdue": request.state == PENDING and deadlines.is_overdue(request.due, now),
        "decided": request.decided.isoformat() if request.decided else None,
        "decided_by": request.decided_by,
        "grant_id": request.grant_id,
        "refusal_reason": request.refusal_reason,
        "legal_basis_number": request.legal_basis_number,
        "legal_basis_article": request.legal_basis_article,
        "refused_items": list(request.refused_items or []),
        "complaint_route": request.complaint_route,
        "withdrawn": request.withdrawn.isoformat() if request.withdrawn else None,
    }
