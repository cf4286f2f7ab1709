"""Request hooks of the Flask app: request id and access log, security
headers, a clear 503 while PostgreSQL or Redis does not answer, and the
release of mails kept while Redis was down (after the response is sent).

Installed by the plugin's `IMiddleware.make_middleware`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import ckan.model as model
import redis.exceptions
import sqlalchemy.engine
import sqlalchemy.event
import sqlalchemy.exc
from flask import Flask, Response, g, has_request_context, jsonify, request

from ckanext.vnopendata.ops import guard, logs
from ckanext.vnopendata.sharing import mail

access_log = logging.getLogger("ckanext.vnopendata.access")
log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# CKAN 2.12's pages load scripts only from files (webassets); its styles
# and a few templates use inline style attributes, hence 'unsafe-inline'
# for styles only. Resource views may embed pages of other sites.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https: http:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self' https: http:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

UNAVAILABLE_TEXT = {
    "database": (
        "Cơ sở dữ liệu tạm thời không phản hồi; xin thử lại sau ít giây. "
        "The database is not answering; please retry in a few seconds."
    ),
    "queue": (
        "Hàng đợi tác vụ (Redis) tạm thời không phản hồi; xin thử lại sau. "
        "The job queue (Redis) is not answering; please retry later."
    ),
}


def _start() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
    g.vn_request_id = rid
    g.vn_request_start = time.perf_counter()
    logs.request_id.set(rid)


@sqlalchemy.event.listens_for(sqlalchemy.engine.Engine, "handle_error")
def _note_lost_connection(context: sqlalchemy.engine.ExceptionContext) -> None:
    """Remember that this request lost its database connection: CKAN's API
    view turns any exception of an action into its own 500, which
    `_finish` then answers as the outage it was."""
    if context.is_disconnect and has_request_context():
        g.vn_database_lost = context.original_exception


def _finish(response: Response) -> Response:
    lost = getattr(g, "vn_database_lost", None)
    if lost is not None and response.status_code == 500:
        g.vn_database_lost = None
        response = _unavailable("database", lost)
    rid = getattr(g, "vn_request_id", None)
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    # Returns at once unless this process's next look is due.
    response.call_on_close(mail.release_kept_now_and_then)
    start = getattr(g, "vn_request_start", None)
    if start is not None:
        user = getattr(g, "user", "") or ""
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "user": user,
                "remote_addr": request.remote_addr,
            },
        )
    return response


def _unavailable(kind: str, error: Exception) -> Response:
    log.error("%s unavailable: %s", kind, error)
    try:
        model.Session.rollback()
        model.Session.remove()
    except Exception:  # the connection is gone; the pool drops it
        pass
    message = UNAVAILABLE_TEXT[kind]
    if request.path.startswith("/api/"):
        response = jsonify(
            {
                "success": False,
                "error": {"__type": "Service Unavailable", "message": message},
                "help": request.url,
            }
        )
    else:
        # No template: rendering the page chrome would ask the database.
        response = Response(
            "<!doctype html><html lang=vi><meta charset=utf-8>"
            "<title>503</title><h1>503</h1><p>" + message + "</p></html>",
            content_type="text/html; charset=utf-8",
        )
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response  # Flask runs the after-request hooks on it


def _database_error(error: Exception) -> Any:
    # OperationalError and InterfaceError: the server is gone, restarting
    # or refusing connections (not a bad query, which stays CKAN's 500).
    return _unavailable("database", error)


def _abandoned_transaction(error: sqlalchemy.exc.PendingRollbackError) -> Any:
    # The session's transaction died with its connection earlier in the
    # request (and the code that saw it went on): the same outage.
    return _unavailable("database", error)


def _redis_error(error: Exception) -> Any:
    return _unavailable("queue", error)


def install(app: Flask) -> Flask:
    # First of all hooks: the id is set before CKAN identifies the user
    # (which queries the database and may fail).
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    # Hostile values are refused before any view or action runs, after
    # CKAN's own start of the request (guard.py).
    app.before_request(guard.check_request)
    app.after_request(_finish)
    app.register_error_handler(sqlalchemy.exc.OperationalError, _database_error)
    app.register_error_handler(sqlalchemy.exc.InterfaceError, _database_error)
    app.register_error_handler(sqlalchemy.exc.PendingRollbackError, _abandoned_transaction)
    app.register_error_handler(redis.exceptions.ConnectionError, _redis_error)
    app.register_error_handler(redis.exceptions.TimeoutError, _redis_error)
    return app
