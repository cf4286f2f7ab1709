"""Access requests, the grants they lead to, and the append-only audit log.

The schema is created by the alembic migration ``vnopendata_access``; these
declarations must stay in step with it (tests/access/test_models.py holds
them to the database). Times are naive UTC, as everywhere in CKAN.
"""

from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

REQUEST_TABLE = "vnopendata_access_request"
GRANT_TABLE = "vnopendata_access_grant"
AUDIT_TABLE = "vnopendata_audit_log"

# The trigger that refuses UPDATE, DELETE and TRUNCATE on the audit log.
AUDIT_TRIGGER = "vnopendata_audit_log_append_only"


class AccessRequest(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = REQUEST_TABLE

    id: Mapped[str] = mapped_column(sa.UnicodeText, primary_key=True)
    package_id: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    # The agency that owns the dataset, at the time of the request: the
    # queue that must answer it.
    owner_org: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    requester_type: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    # The requesting agency (state bodies only) and its e-ID code.
    requester_org_id: Mapped[str | None] = mapped_column(sa.UnicodeText)
    requester_agency_code: Mapped[str | None] = mapped_column(sa.UnicodeText)
    requester_name: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    purpose: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    legal_basis: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    items: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    duration_days: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    contact: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    state: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    created: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    # The last working day on which the agency must answer.
    due: Mapped[datetime.date] = mapped_column(sa.Date, nullable=False)
    decided: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.UnicodeText)
    # Approval.
    grant_id: Mapped[str | None] = mapped_column(sa.UnicodeText)
    # Refusal: the written decision (Decree 194/2025 Art 16(2)).
    refusal_reason: Mapped[str | None] = mapped_column(sa.UnicodeText)
    legal_basis_number: Mapped[str | None] = mapped_column(sa.UnicodeText)
    legal_basis_article: Mapped[str | None] = mapped_column(sa.UnicodeText)
    refused_items: Mapped[list[str] | None] = mapped_column(sa.JSON)
    complaint_route: Mapped[str | None] = mapped_column(sa.UnicodeText)
    withdrawn: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    overdue_notified: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)


class AccessGrant(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = GRANT_TABLE

    id: Mapped[str] = mapped_column(sa.UnicodeText, primary_key=True)
    request_id: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, unique=True)
    package_id: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    owner_org: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    user_id: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    # The last day of access (a date in Vietnam) and the instant access ends
    # (midnight in Vietnam after that day, in UTC).
    expires: Mapped[datetime.date] = mapped_column(sa.Date, nullable=False)
    expires_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    conditions: Mapped[str | None] = mapped_column(sa.UnicodeText)
    created: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    revoked: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    revoked_by: Mapped[str | None] = mapped_column(sa.UnicodeText)
    revoke_reason: Mapped[str | None] = mapped_column(sa.UnicodeText)
    expiry_warned: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)

    def state_at(self, now: datetime.datetime) -> str:
        if self.revoked is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "active"


class AuditEntry(tk.BaseModel):  # type: ignore[misc]
    __tablename__ = AUDIT_TABLE

    # 1, 2, 3, ... without gaps: a missing number is a removed entry.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    created: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    user_id: Mapped[str | None] = mapped_column(sa.UnicodeText, index=True)
    user_name: Mapped[str | None] = mapped_column(sa.UnicodeText)
    action: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False, index=True)
    package_id: Mapped[str | None] = mapped_column(sa.UnicodeText, index=True)
    owner_org: Mapped[str | None] = mapped_column(sa.UnicodeText, index=True)
    object_id: Mapped[str | None] = mapped_column(sa.UnicodeText)
    reason: Mapped[str | None] = mapped_column(sa.UnicodeText)
    # JSON text exactly as hashed (sorted keys), never re-serialised.
    detail: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    prev_hash: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)
    hash: Mapped[str] = mapped_column(sa.UnicodeText, nullable=False)


def _refuse_change(mapper: Any, connection: Any, target: AuditEntry) -> None:
    raise RuntimeError("The audit log is append-only: entries cannot be changed or deleted")


# The database refuses too (trigger); this stops a plugin earlier, with a
# clear message, before any SQL is sent.
event.listen(AuditEntry, "before_update", _refuse_change)
event.listen(AuditEntry, "before_delete", _refuse_change)
