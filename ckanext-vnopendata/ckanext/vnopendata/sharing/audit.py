"""The append-only, hash-chained audit log of sharing.

Every class change, review transition, access request, decision, grant,
revocation, expiry warning and read of non-open data is one entry: who,
when, what, on which dataset and why (Decree 47/2020 Art 45 log items).

Entries are written in the caller's transaction (a failed action leaves no
entry) and chained: each carries the SHA-256 of its own fields and of the
entry before it, so removing or altering any entry breaks the chain from
there on. Writers queue on a transaction-level advisory lock so that two
transactions never chain onto the same predecessor. The database refuses
UPDATE, DELETE and TRUNCATE (migration `vnopendata_access`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.vnopendata.model.access import AuditEntry

# pg_advisory_xact_lock key shared by every writer of the log.
LOCK_KEY = 0x766E6175  # "vnau"

# The actions the portal records; the audit page filters by them.
ACTIONS: tuple[str, ...] = (
    "sharing_class_change",
    "review_submit",
    "review_approve",
    "review_return",
    "request_create",
    "request_withdraw",
    "request_approve",
    "request_refuse",
    "request_overdue",
    "grant_create",
    "grant_revoke",
    "grant_expiry_warning",
    "resource_download",
    "api_read",
)

HASHED_FIELDS = (
    "seq",
    "created",
    "user_id",
    "user_name",
    "action",
    "package_id",
    "owner_org",
    "object_id",
    "reason",
    "detail",
    "prev_hash",
)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the entry's fields, each as text, separated by US."""
    parts = []
    for name in HASHED_FIELDS:
        value = fields.get(name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        parts.append("" if value is None else str(value))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def record(
    action: str,
    *,
    user_id: str | None,
    package_id: str | None = None,
    owner_org: str | None = None,
    object_id: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    session: Any = None,
) -> AuditEntry:
    """Append one entry in the current transaction and return it.

    The entry is flushed (the chain checked by the database) but not
    committed: it lands together with what it records.
    """
    session = session or model.Session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    last = session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    user_name = None
    if user_id:
        user = model.User.get(user_id)
        user_name = user.name if user else None
    fields: dict[str, Any] = {
        "seq": (last.seq if last else 0) + 1,
        "created": datetime.datetime.utcnow(),
        "user_id": user_id,
        "user_name": user_name,
        "action": action,
        "package_id": package_id,
        "owner_org": owner_org,
        "object_id": object_id,
        "reason": reason,
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        "prev_hash": last.hash if last else "",
    }
    entry = AuditEntry(**fields, hash=entry_hash(fields))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def _entries(session: Any) -> Iterator[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    yield from session.execute(query).scalars()


def verify(session: Any = None) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain; return the number of entries checked and the
    first entry that breaks it (None when the chain is whole)."""
    session = session or model.Session
    expected_seq = 1
    prev_hash = ""
    count = 0
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            return count, ChainBreak(
                entry.seq,
                f"entry {entry.seq} follows entry {expected_seq - 1}: "
                f"entries {expected_seq}..{entry.seq - 1} are missing"
                if entry.seq > expected_seq
                else f"entry {entry.seq} is out of sequence",
            )
        if entry.prev_hash != prev_hash:
            return count, ChainBreak(
                entry.seq, f"entry {entry.seq} does not name the hash of the entry before it"
            )
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry_hash(fields) != entry.hash:
            return count, ChainBreak(
                entry.seq, f"entry {entry.seq} was altered: its content does not match its hash"
            )
        prev_hash = entry.hash
        expected_seq += 1
    return count, None


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "created": entry.created.isoformat(),
        "user_id": entry.user_id,
        "user_name": entry.user_name,
        "action": entry.action,
        "package_id": entry.package_id,
        "owner_org": entry.owner_org,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "detail": json.loads(entry.detail),
        "hash": entry.hash,
    }
