"""Logs as one JSON object a line, each with the id of the request it belongs to.

The id comes from the proxy's `X-Request-ID` (nginx sets `$request_id`, deploy/nginx.conf)
or is made here, goes back in the response's `X-Request-ID`, and follows the request into
the jobs it queued (lianxin/ops/queue.py), so one grep finds a request's every line,
the consumer's included. `LOG_FORMAT=json` (the default with DEBUG off) turns the JSON
lines on; `text` keeps Django's plain lines for a person at a terminal.
"""

import datetime as dt
import json
import logging
import re
import time
import traceback
import uuid
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings

_request_id: ContextVar[str | None] = ContextVar("lianxin_request_id", default=None)
# What we accept from a proxy: short, and nothing that could break a log line or header.
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
request_logger = logging.getLogger("lianxin.request")


def current_request_id() -> str | None:
    return _request_id.get()


def swap_request_id(value: str | None) -> Token[str | None]:
    return _request_id.set(value)


def restore_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (None outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


# Attributes every LogRecord has; anything else was passed in `extra` and is logged too.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in STANDARD and key not in entry and key != "request":
                entry[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """First in MIDDLEWARE: every line a request logs carries its id; with
    LOG_REQUESTS on, one line a request (method, path, view, status, milliseconds)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if settings.LOG_REQUESTS:
                match = getattr(request, "resolver_match", None)
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "view": match.view_name if match else "",
                        "status": response.status_code,
                        "ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _request_id.reset(token)
