"""Access grants: what a user may read because an agency said yes.

A grant is live until its expiry instant or its revocation. Liveness is
decided when a user's permission labels are computed, on every request, so
a grant that expired a second ago gives nothing and no scheduled job has to
rewrite the search index.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.model.access import AccessGrant

LABEL_PREFIX = "grant-"


def grant_label(package_id: str) -> str:
    return LABEL_PREFIX + package_id


def live_grants_query(user_id: str, now: datetime.datetime | None = None) -> sa.Select:
    now = now or datetime.datetime.utcnow()
    return sa.select(AccessGrant).where(
        AccessGrant.user_id == user_id,
        AccessGrant.revoked.is_(None),
        AccessGrant.expires_at > now,
    )


def live_grant_dataset_ids(user_id: str) -> list[str]:
    """The datasets of the user's live grants, sorted, from the database."""
    if not user_id:
        return []
    query = live_grants_query(user_id).with_only_columns(AccessGrant.package_id).distinct()
    return sorted(model.Session.execute(query).scalars())


def has_live_grant(user_id: str, package_id: str) -> bool:
    query = live_grants_query(user_id).where(AccessGrant.package_id == package_id).limit(1)
    return model.Session.execute(query).first() is not None


def grant_dict(grant: AccessGrant, now: datetime.datetime | None = None) -> dict:
    now = now or datetime.datetime.utcnow()
    return {
        "id": grant.id,
        "request_id": grant.request_id,
        "package_id": grant.package_id,
        "owner_org": grant.owner_org,
        "user_id": grant.user_id,
        "expires": grant.expires.isoformat(),
        "expires_at": grant.expires_at.isoformat(),
        "state": grant.state_at(now),
        "conditions": grant.conditions,
        "created": grant.created.isoformat(),
        "created_by": grant.created_by,
        "revoked": grant.revoked.isoformat() if grant.revoked else None,
        "revoked_by": grant.revoked_by,
        "revoke_reason": grant.revoke_reason,
    }
