"""One shape for every log line of Django, gunicorn (error and access) and nginx.

Text (the default)::

    2026-12-01T12:00:00.123+00:00 WARNING django.request [req=3f2a…] Not Found: /x/

JSON (``DJANGO_LOG_FORMAT=json``), one object a line, for log shippers::

    {"time": "…", "level": "WARNING", "logger": "django.request", "message": "Not Found: /x/",
     "request_id": "3f2a…"}                      (plus "exception" when there is one)

The request id: nginx sends its ``$request_id`` as ``X-Request-ID`` (smartchunks/frontserver.py)
and logs it; ``with_request_id`` (around the whole WSGI application, smartchunks/wsgi.py, so
it also covers the page-cache hits answered before Django runs) keeps a sane incoming one or
makes one, holds it in a context variable for the lines logged during the request, and sends
it back in the response's ``X-Request-ID``.  gunicorn's access line reads it from that header.
Plain stdlib ``contextvars``: django-log-request-id keeps the id in a thread-local set by a
Django middleware, which the cache hits answered in WSGI never reach, and it takes any
incoming header unchecked; structlog would replace the logging setup, not just the format.

User input never breaks a line: in text, every character that could end or fake a line (any
non-printable one: newlines, carriage returns, escapes, U+2028) is written as ``\\xNN`` /
``\\uNNNN``; JSON escapes them itself.  A traceback in text follows its line, each of its lines
indented, so a line that starts with a time is always a real record.

No Django here: gunicorn imports this (its configuration) before Django is set up.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import uuid
from datetime import datetime

from gunicorn.glogging import Logger as GunicornBaseLogger

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_ENVIRON_KEY = "HTTP_X_REQUEST_ID"
# What an incoming id may look like: nginx's $request_id (32 hex digits), a UUID, or a load
# balancer's token.  Anything else (too long, spaces, quotes, newlines) is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
NO_REQUEST_ID = "-"
# A traceback's lines in text start with this, never with a time.
CONTINUATION_INDENT = "    "
LOG_FORMAT_ENVIRON_KEY = "DJANGO_LOG_FORMAT"
LOG_FORMATS = ("text", "json")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "smartchunks_request_id", default=None
)


def log_format_choice() -> str:
    """``text`` or ``json``, from DJANGO_LOG_FORMAT; anything else is refused loudly."""
    chosen = os.environ.get(LOG_FORMAT_ENVIRON_KEY, "").strip().lower() or "text"
    if chosen not in LOG_FORMATS:
        raise ValueError(f"{LOG_FORMAT_ENVIRON_KEY} must be text or json, not {chosen!r}.")
    return chosen


def current_request_id() -> str | None:
    return _request_id.get()


def sane_request_id(value: str | None) -> str | None:
    """``value`` when it may be used as the request id as it is, else None."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    """32 hex digits, like nginx's $request_id."""
    return uuid.uuid4().hex


def escape_for_line(text: str, *, quotes: bool = False) -> str:
    """``text`` with nothing that could end the line (or, with ``quotes``, a quoted field)."""
    out = []
    for char in text:
        if char.isprintable() and not (quotes and char in '"\\'):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return "".join(out)


class _ReleaseOnClose:
    """The response's body, passed through; closing it ends the request's id."""

    def __init__(self, body):
        self._body = body

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            _request_id.set(None)


def with_request_id(application):
    """The WSGI ``application``, every request given an id (see the module's docstring)."""

    def serve(environ, start_response):
        request_id = sane_request_id(environ.get(REQUEST_ID_ENVIRON_KEY)) or new_request_id()
        # Django and anything below read the id the response will carry.
        environ[REQUEST_ID_ENVIRON_KEY] = request_id
        _request_id.set(request_id)

        def start_with_id(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            return start_response(status, [*kept, (REQUEST_ID_HEADER, request_id)], exc_info)

        # An exception leaves the id set: gunicorn logs it next, for this request; the next
        # request sets its own.
        return _ReleaseOnClose(application(environ, start_with_id))

    return serve


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def _request_id_of(record: logging.LogRecord) -> str | None:
    return getattr(record, "request_id", None) or current_request_id()


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    parts = []
    if record.exc_info:
        parts.append(formatter.formatException(record.exc_info))
    elif record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


class TextFormatter(logging.Formatter):
    """``time level logger [req=id] message``, one line (a traceback indented below it)."""

    def format(self, record: logging.LogRecord) -> str:
        message = escape_for_line(record.getMessage())
        request_id = escape_for_line(_request_id_of(record) or NO_REQUEST_ID)
        line = f"{_time(record)} {record.levelname} {record.name} [req={request_id}] {message}"
        details = _exception_text(self, record)
        if details:
            indented = (
                CONTINUATION_INDENT + escape_for_line(part) for part in details.splitlines()
            )
            line += "\n" + "\n".join(indented)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        details = _exception_text(self, record)
        if details:
            entry["exception"] = details
        # ensure_ascii: also U+2028 and friends leave as \\u escapes, never raw.
        return json.dumps(entry, ensure_ascii=True, default=str)


FORMATTER_CLASSES = {"text": TextFormatter, "json": JsonFormatter}


def formatter_config() -> dict:
    """The ``formatters`` entry of a logging dictConfig, for the format chosen."""
    formatter = FORMATTER_CLASSES[log_format_choice()]
    return {"one_line": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}}


def _access_message(resp, environ, request_time) -> str:
    status = str(resp.status).split(None, 1)[0]
    request_line = "{} {} {}".format(
        environ.get("REQUEST_METHOD", "-"),
        environ.get("RAW_URI") or environ.get("PATH_INFO", "-"),
        environ.get("SERVER_PROTOCOL", "-"),
    )
    sent = getattr(resp, "sent", None)
    return (
        f"{escape_for_line(environ.get('HTTP_X_FORWARDED_FOR', '-'))} "
        f'"{escape_for_line(request_line, quotes=True)}" {status} '
        f"{sent if sent is not None else '-'} {request_time.total_seconds():.3f}s "
        f'"{escape_for_line(environ.get("HTTP_USER_AGENT", "-"), quotes=True)}"'
    )


def _response_request_id(resp, environ) -> str | None:
    for name, value in getattr(resp, "headers", None) or ():
        if name.lower() == "x-request-id":
            return value
    return sane_request_id(environ.get(REQUEST_ID_ENVIRON_KEY))


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger, its access line in the shared shape (same fields as nginx's line).

    The message: reader's address (X-Forwarded-For, set by nginx), "method path protocol",
    status, bytes sent, seconds taken, "user agent"; the request id from the response.
    """

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(
                "%s",
                _access_message(resp, environ, request_time),
                extra={"request_id": _response_request_id(resp, environ)},
            )
        except Exception:  # a log line must never fail a request
            self.exception("Could not write the access log line")


def gunicorn_logging_config() -> dict:
    """gunicorn's ``logconfig_dict``: its error and access loggers in the shared format."""
    handler = {"class": "logging.StreamHandler", "formatter": "one_line"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatter_config(),
        "handlers": {
            "console": {**handler, "stream": "ext://sys.stdout"},
            "error_console": {**handler, "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
