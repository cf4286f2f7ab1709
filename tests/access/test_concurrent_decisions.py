"""Two admins decide the same request at once: one decision, one error.

A third connection holds the request row locked while both decisions start
in their own threads, each with its own database session and transaction;
once both wait on the lock it is released, and they race for real.
"""

from __future__ import annotations

import threading
import time

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from access.helpers import REQUEST_FIELDS, as_user
from ckanext.vnopendata.model.access import AccessGrant, AccessRequest


def _waiting_on_locks(engine, count: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).scalar()
            if waiting >= count:
                return True
            # pg_stat_activity is read once per transaction (PostgreSQL
            # caches the snapshot): end it, or every poll sees the first.
            connection.rollback()
            time.sleep(0.05)
    return False


@pytest.mark.parametrize("second", ["approve", "refuse"])
def test_two_concurrent_decisions_exactly_one_wins(app, world, second):
    request = as_user(
        world.official,
        "vnopendata_access_request_create",
        package_id=world.restricted["id"],
        **REQUEST_FIELDS,
    )
    decisions = {
        "approve": ("vnopendata_access_request_approve", {}),
        "refuse": (
            "vnopendata_access_request_refuse",
            {
                "reason": "Trùng yêu cầu",
                "legal_basis_number": "13/2023/NĐ-CP",
                "legal_basis_article": "Điều 2",
            },
        ),
    }
    calls = [("admin", *decisions["approve"]), ("admin2", *decisions[second])]
    outcomes: dict[str, object] = {}
    engine = model.ensure_engine()

    def decide(user_name: str, action: str, fields: dict) -> None:
        try:
            with app.flask_app.test_request_context():
                outcomes[user_name] = tk.get_action(action)(
                    {"user": user_name}, {"id": request["id"], **fields}
                )["state"]
        except tk.ValidationError as error:
            outcomes[user_name] = error.error_dict
        except Exception as error:
            outcomes[user_name] = repr(error)
        finally:
            model.Session.remove()

    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(
        sa.text(f"SELECT 1 FROM {AccessRequest.__tablename__} WHERE id = :id FOR UPDATE"),
        {"id": request["id"]},
    )
    threads = [threading.Thread(target=decide, args=call) for call in calls]
    for thread in threads:
        thread.start()
    try:
        both_waited = _waiting_on_locks(engine, 2)
    finally:
        transaction.rollback()
        holder.close()
    for thread in threads:
        thread.join(30)
    assert both_waited, f"the two decisions never waited on the lock together: {outcomes}"

    states = [value for value in outcomes.values() if isinstance(value, str)]
    errors = [value for value in outcomes.values() if isinstance(value, dict)]
    assert len(states) == 1 and states[0] in ("approved", "refused"), outcomes
    assert len(errors) == 1, outcomes
    # The threads render messages in the portal's default language (vi).
    assert (
        "đã được quyết định" in errors[0]["id"][0] or "already been decided" in errors[0]["id"][0]
    )

    model.Session.remove()
    row = model.Session.get(AccessRequest, request["id"])
    assert row.state == states[0]
    grants = (
        model.Session.execute(sa.select(AccessGrant).where(AccessGrant.request_id == request["id"]))
        .scalars()
        .all()
    )
    assert len(grants) == (1 if states[0] == "approved" else 0)
    if states[0] == "refused":
        assert row.legal_basis_number == "13/2023/NĐ-CP" and row.grant_id is None
    else:
        assert row.refusal_reason is None and row.grant_id == grants[0].id
    decided = model.Session.execute(
        sa.text(
            "SELECT count(*) FROM vnopendata_audit_log "
            "WHERE object_id = :id AND action IN ('request_approve', 'request_refuse')"
        ),
        {"id": request["id"]},
    ).scalar()
    assert decided == 1
