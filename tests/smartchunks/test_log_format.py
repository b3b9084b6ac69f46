"""One log format (smartchunks/logging_format.py): the lines themselves, and the request id.

The whole stack (nginx, gunicorn, Django writing to real files) is in
test_log_format_stack.py; here the formatters and the WSGI wrapper run in this process.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import datetime

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from smartchunks import logging_format
from smartchunks.frontserver import access_log_format
from smartchunks.logging_format import JsonFormatter, TextFormatter, with_request_id

# Imported now, not in a test: setting Django up again reconfigures its loggers.
from smartchunks.wsgi import application
from tests.helpers.fresh_settings import in_fresh_interpreter

# time level logger [req=id] message
TEXT_LINE = re.compile(r"(?P<time>\S+) (?P<level>[A-Z]+) (?P<logger>\S+) \[req=(?P<id>[^\]]+)\] ")


def parse_text_line(line: str) -> dict:
    match = TEXT_LINE.match(line)
    assert match, f"not in the shared shape: {line!r}"
    assert datetime.fromisoformat(match["time"]).tzinfo is not None, line
    return {**match.groupdict(), "message": line[match.end() :]}


def record(message: str, *args, exc_info=None, **extra) -> logging.LogRecord:
    made = logging.getLogger("smartchunks.test").makeRecord(
        "smartchunks.test", logging.WARNING, __file__, 1, message, args, exc_info, extra=extra
    )
    return made


def test_text_line_has_time_with_zone_level_logger_request_id_and_message():
    line = TextFormatter().format(record("Not Found: %s", "/x/", request_id="3f2a0000beef"))

    parsed = parse_text_line(line)
    assert parsed["level"] == "WARNING"
    assert parsed["logger"] == "smartchunks.test"
    assert parsed["id"] == "3f2a0000beef"
    assert parsed["message"] == "Not Found: /x/"


def test_a_line_outside_any_request_says_so_in_the_same_place():
    line = TextFormatter().format(record("Booting worker"))
    assert parse_text_line(line)["id"] == "-"


FORGERY = '/x\n2026-12-01T12:00:00+00:00 ERROR forged [req=-] "quoted"\r\u2028/'


def test_user_input_with_newlines_cannot_start_a_second_text_line():
    line = TextFormatter().format(record("Not Found: %s", FORGERY))

    assert line.splitlines() == [line]
    assert parse_text_line(line)["logger"] == "smartchunks.test"
    assert "\\x0a2026-12-01T12:00:00+00:00 ERROR forged" in line


def test_a_traceback_follows_its_line_indented_so_no_forged_line_starts_with_a_time():
    try:
        raise ValueError(FORGERY)
    except ValueError as error:
        line = TextFormatter().format(record("Failed", exc_info=(type(error), error, None)))

    first, *rest = line.splitlines()
    assert parse_text_line(first)["message"] == "Failed"
    assert rest and all(part.startswith(" ") for part in rest)
    assert "ValueError" in line


def test_json_lines_parse_and_carry_every_field_even_with_hostile_input():
    try:
        raise ValueError(FORGERY)
    except ValueError as error:
        line = JsonFormatter().format(
            record("Not Found: %s", FORGERY, exc_info=(type(error), error, None), request_id="r1")
        )

    assert line.splitlines() == [line]
    entry = json.loads(line)
    assert entry["message"] == f"Not Found: {FORGERY}"
    assert entry["logger"] == "smartchunks.test"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == "r1"
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None
    assert "ValueError" in entry["exception"]


def test_an_unknown_log_format_refuses_to_start(monkeypatch):
    monkeypatch.setenv("DJANGO_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="DJANGO_LOG_FORMAT"):
        logging_format.formatter_config()


def test_nginx_json_access_format_is_a_json_object_once_nginx_fills_it_in():
    line = access_log_format("json").split("'", 2)[1]
    # nginx reads \\ as \ and \" as " inside the quoted format, then puts in the values.
    filled = line.replace("\\\\", "\\").replace('\\"', '"')
    filled = re.sub(r"\$\{?[a-z_0-9]+\}?", "v", filled)
    entry = json.loads(filled)
    assert set(entry) == {"time", "level", "logger", "message", "request_id"}
    assert entry["message"] == 'v "v" v v vs "v"'


class CapturedLines:
    """Django's request logger, formatted as the site formats it, into a string."""

    def __init__(self, formatter: logging.Formatter):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)

    def __enter__(self):
        logging.getLogger("django").addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        logging.getLogger("django").removeHandler(self.handler)

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


def serve(path: str, **headers) -> tuple[str, dict[str, str]]:
    environ = RequestFactory().get(path, **headers).environ
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered["status"] = status
        answered["headers"] = dict(response_headers)

    # As Django's test client does: the test's database connection must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = application(environ, start_response)
        b"".join(body)
        body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered["status"], answered["headers"]


@pytest.mark.django_db
def test_a_404_is_logged_with_the_id_the_response_carries():
    with CapturedLines(TextFormatter()) as captured:
        status, headers = serve("/no-such-page/")

    assert status.startswith("404")
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    not_found = [parse_text_line(line) for line in captured.lines() if "Not Found" in line]
    assert [(line["logger"], line["id"]) for line in not_found] == [("django.request", request_id)]


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept():
    status, headers = serve("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3e9a21-0001")
    assert headers["X-Request-ID"] == "lb-7f3e9a21-0001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "has space-in-it", 'quote"and\\backslash', "new\nline-here"]
)
def test_an_insane_incoming_request_id_is_replaced(incoming):
    status, headers = serve("/no-such-page/", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


def test_the_id_is_only_set_while_the_request_runs():
    seen = []

    def application(environ, start_response):
        seen.append(logging_format.current_request_id())
        start_response("200 OK", [("X-Request-ID", "from-the-app-itself")])
        return [b"ok"]

    answered = {}
    body = with_request_id(application)(
        {"HTTP_X_REQUEST_ID": "abcdef0123"},
        lambda status, headers, exc_info=None: answered.update(headers=headers),
    )
    body.close()

    assert seen == ["abcdef0123"]
    assert [value for name, value in answered["headers"] if name == "X-Request-ID"] == [
        "abcdef0123"
    ]
    assert logging_format.current_request_id() is None


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_python_warnings_are_log_lines_in_the_same_format(log_format):
    """A library's warning (Django's CacheKeyWarning for a crafted URL) was a raw two-line
    stderr message, which broke the format and every JSON parser (black-box review)."""
    code = (
        "import os, warnings; os.environ['DJANGO_SETTINGS_MODULE'] = 'smartchunks.settings'; "
        "import django; django.setup(); warnings.warn('key has a\\nnewline')"
    )
    result = in_fresh_interpreter(
        code,
        env={"DJANGO_LOG_FORMAT": log_format, "PYTHONWARNINGS": "always"},
        drop=("DJANGO_LOG",),
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    if log_format == "json":
        record = json.loads(lines[0])
        assert record["logger"] == "py.warnings" and "newline" in record["message"]
    else:
        assert " WARNING py.warnings " in lines[0]
