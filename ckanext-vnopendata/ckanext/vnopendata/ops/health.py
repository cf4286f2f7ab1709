"""`GET /health`: is this server able to serve? For load balancers.

200 with ``"status": "ok"`` when the database answers and a search runs;
503 with ``"status": "fail"`` when either does not. The job queue (Redis)
is reported with its depth; when Redis does not answer, reading and search
still work, so the answer stays 200 with ``"status": "degraded"``. So it
does when no mail can be sent (no sender address set); `mail` also reports
the mails kept while the queue was down (`kept`) and the age of the oldest
(`oldest_kept_s`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ckan.lib.jobs as jobs
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

health = Blueprint("vnopendata_health", __name__)


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as error:  # any failure is the answer
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        try:
            model.Session.rollback()
        except Exception:
            model.Session.remove()
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def _database() -> dict[str, Any]:
    model.Session.execute(sa.text("SELECT 1")).scalar()
    return {}


def _search() -> dict[str, Any]:
    result = tk.get_action("package_search")(
        {"ignore_auth": True, "user": ""}, {"q": "*:*", "rows": 0}
    )
    return {"public_datasets": result["count"]}


def _jobs() -> dict[str, Any]:
    queues = {}
    failed = 0
    for queue in jobs.get_all_queues():
        name = jobs.remove_queue_name_prefix(queue.name)
        queues[name] = len(queue)
        failed += queue.failed_job_registry.count
    return {"queued": sum(queues.values()), "queues": queues, "failed": failed}


def _mail() -> dict[str, Any]:
    from ckanext.vnopendata.model.mail import TABLE_NAME
    from ckanext.vnopendata.sharing import mail

    kept, oldest = model.Session.execute(
        sa.text(f"SELECT count(*), EXTRACT(EPOCH FROM now() - min(created)) FROM {TABLE_NAME}")
    ).one()
    result: dict[str, Any] = {
        "kept": int(kept),
        "oldest_kept_s": round(float(oldest), 1) if oldest is not None else None,
    }
    if not mail.mail_from_set():
        result.update(ok=False, error="smtp.mail_from is not set")
    return result


@health.route("/health")
def show() -> tuple[Response, int]:
    checks = {
        "database": _timed(_database),
        "search": _timed(_search),
        "jobs": _timed(_jobs),
        "mail": _timed(_mail),
    }
    if not (checks["database"]["ok"] and checks["search"]["ok"]):
        status, code = "fail", 503
    elif not (checks["jobs"]["ok"] and checks["mail"]["ok"]):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = jsonify({"status": status, **checks})
    response.headers["Cache-Control"] = "no-store"
    return response, code
