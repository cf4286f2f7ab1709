"""Structured logs: one JSON object a line, each with the request id.

The production configuration (`config/production.ini`) uses `JsonFormatter`
and `RequestIdFilter` for every handler; `web.py` sets the id at the start
of each request (taken from an `X-Request-ID` header of the proxy, or new)
and writes one access line per request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import Any

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "request_id", "msg", ...extra, "exc"}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that stamps every record with the request id
    (logging's ini files cannot attach filters to handlers)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.addFilter(RequestIdFilter())
