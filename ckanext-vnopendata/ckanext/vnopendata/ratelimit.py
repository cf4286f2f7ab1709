"""Rate limits on access requests and self-registration (Flask-Limiter, Redis).

Citizens and businesses register themselves to ask for data; a limit per
account and per network address keeps one person or script from flooding
an agency's queue or the user list. Counters live in CKAN's Redis, so every
web process of the portal shares them. While Redis does not answer, each
process counts in its own memory (Flask-Limiter's in-memory fallback for
registrations, the same for access requests): a request is still limited,
and is never refused for the outage.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import redis.exceptions
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import errors, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from ckanext.vnopendata.sharing import deadlines

log = logging.getLogger(__name__)

_limiter: Limiter | None = None
# Access requests counted while Redis does not answer (this process only).
_memory = FixedWindowRateLimiter(MemoryStorage())
STORAGE_ERRORS = (errors.StorageError, redis.exceptions.RedisError)

REGISTER_ENDPOINT = "user.register"


def storage_uri(redis_url: str) -> str:
    """The limiter's name for CKAN's Redis: the `limits` library calls a
    Redis on a Unix socket `redis+unix://` where redis-py says `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+" + redis_url
    return redis_url


def init_app(app: Any) -> None:
    """Attach the limiter to CKAN's Flask app and limit registrations."""
    global _limiter
    _limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_uri(tk.config["ckan.redis.url"]),
        strategy="fixed-window",
        key_prefix="vnopendata",
        headers_enabled=True,
        in_memory_fallback_enabled=True,
    )
    view = app.view_functions.get(REGISTER_ENDPOINT)
    if view is not None:
        app.view_functions[REGISTER_ENDPOINT] = _limiter.limit(
            lambda: tk.config.get("ckanext.vnopendata.registrations.rate_limit"),
            methods=["POST"],
            error_message=_registration_message,
        )(view)


def _registration_message() -> str:
    return tk._(
        "Too many accounts were registered from your address: at most {limit}. "
        "Please try again later."
    ).format(limit=tk.config.get("ckanext.vnopendata.registrations.rate_limit"))


def hit_request_limit(user_id: str) -> None:
    """Count one access request for the account and, within a web request,
    for the address; refuse with a ValidationError once a limit is reached."""
    if _limiter is None:
        return
    limit_text = tk.config.get("ckanext.vnopendata.requests.rate_limit")
    item = parse(limit_text)
    keys = [("access_request", "user", user_id)]
    # Outside a web request (CLI, jobs) only the account is limited.
    with contextlib.suppress(RuntimeError):
        keys.append(("access_request", "address", get_remote_address()))
    try:
        _count(_limiter.limiter, item, keys, limit_text)
    except STORAGE_ERRORS as error:
        log.warning(
            "Rate-limit storage unreachable (%s): access requests counted in this process", error
        )
        _count(_memory, item, keys, limit_text)


def _count(strategy: RateLimiter, item: Any, keys: list[tuple[str, ...]], limit_text: str) -> None:
    for key in keys:
        if not strategy.test(item, *key):
            reset = datetime.datetime.fromtimestamp(
                strategy.get_window_stats(item, *key)[0], deadlines.VIETNAM
            )
            raise tk.ValidationError(
                {
                    "rate_limit": [
                        tk._(
                            "You have filed the most access requests allowed ({limit}). "
                            "You can file another after {time}."
                        ).format(limit=limit_text, time=reset.strftime("%H:%M"))
                    ]
                }
            )
    for key in keys:
        strategy.hit(item, *key)
