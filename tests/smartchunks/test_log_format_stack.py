"""One log format through the real stack: nginx, gunicorn and Django writing their own logs.

A 404 leaves three lines, nginx's access line, Django's "Not Found" and gunicorn's access
line, in one shape and with the request id the response carries; a request line crafted
to forge a log line is escaped everywhere; with DJANGO_LOG_FORMAT=json every line parses.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from datetime import datetime

import pytest

from tests.helpers.stack import Stack, current_database_url

pytestmark = pytest.mark.frontserver

TEXT_LINE = re.compile(r"(?P<time>\S+) (?P<level>[A-Z]+) (?P<logger>\S+) \[req=(?P<id>[^\]]+)\] ")
# What the front server's supervisor prints itself, around the services' logs.
SUPERVISOR_LINES = ("Serving on http://", "note: ", "Stopping", "Stopped")
# Polled for, not timed: gunicorn writes its access line after the response has gone.
LOG_WAIT_SECONDS = 30
LOG_FIELDS = {"time", "level", "logger", "message", "request_id"}
# A request line that, unescaped, would end the line and start a forged one.  A raw quote
# is allowed in a request line; a raw newline would end the request itself, so it is sent
# percent-encoded (Django decodes it in the path it logs).
FORGED = '/no-such-page/%0a2026-12-01T12:00:00+00:00%20ERROR%20forged%20[req=-]%20x/"y'


@pytest.fixture(scope="module")
def text_stack(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), Stack(database_url=current_database_url()) as running:
        yield running


@pytest.fixture(scope="module")
def json_stack(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        Stack(
            database_url=current_database_url(), extra_env={"DJANGO_LOG_FORMAT": "json"}
        ) as running,
    ):
        yield running


def get(stack: Stack, path: str) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(stack.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": 'log-test "agent"'})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def service_lines(stack: Stack) -> list[str]:
    """Every line Django, gunicorn and nginx logged (the supervisor's own left out)."""
    access_log = (stack.run_dir / "logs" / "access.log").read_text(errors="replace")
    lines = stack.log().splitlines() + access_log.splitlines()
    return [line for line in lines if line and not line.startswith(SUPERVISOR_LINES)]


def parse_text(line: str) -> dict:
    match = TEXT_LINE.match(line)
    assert match, f"not in the shared shape: {line!r}"
    assert datetime.fromisoformat(match["time"]).tzinfo is not None, line
    return {**match.groupdict(), "message": line[match.end() :]}


def lines_of_request(stack: Stack, request_id: str, loggers: set[str], parse) -> list[dict]:
    """The parsed lines carrying ``request_id``, once all of ``loggers`` have written one."""
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    while True:
        parsed = [parse(line) for line in service_lines(stack)]
        mine = [entry for entry in parsed if entry_id(entry) == request_id]
        if {entry["logger"] for entry in mine} >= loggers or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def entry_id(entry: dict) -> str | None:
    return entry.get("id", entry.get("request_id"))


REQUEST_LOGGERS = {"nginx.access", "gunicorn.access", "django.request"}


def test_a_404_leaves_nginx_gunicorn_and_django_lines_of_one_shape_and_one_id(text_stack):
    response = get(text_stack, "/no-such-page-for-the-log/")

    assert response.status == 404
    request_id = response.getheader("X-Request-ID")
    assert request_id and re.fullmatch(r"[0-9a-f]{32}", request_id)
    mine = lines_of_request(text_stack, request_id, REQUEST_LOGGERS, parse_text)
    by_logger = {entry["logger"]: entry for entry in mine}
    assert set(by_logger) == REQUEST_LOGGERS
    assert by_logger["django.request"]["message"] == "Not Found: /no-such-page-for-the-log/"
    for access in ("nginx.access", "gunicorn.access"):
        message = by_logger[access]["message"]
        assert '"GET /no-such-page-for-the-log/ HTTP/1.' in message, message
        assert re.search(r'" 404 \d+ \d+\.\d{3}s "log-test \\x22agent\\x22"$', message), message


def test_every_service_line_is_in_the_shared_shape(text_stack):
    get(text_stack, "/healthz")
    lines = service_lines(text_stack)
    assert any(" gunicorn.error " in line for line in lines)
    for line in lines:
        if not line.startswith(" "):  # a traceback's lines are indented under their line
            parse_text(line)


def test_a_crafted_path_cannot_forge_a_log_line(text_stack):
    response = get(text_stack, FORGED)

    assert response.status == 404
    request_id = response.getheader("X-Request-ID")
    mine = lines_of_request(text_stack, request_id, REQUEST_LOGGERS, parse_text)
    assert {entry["logger"] for entry in mine} == REQUEST_LOGGERS
    forged = [line for line in service_lines(text_stack) if " forged " in line.split("[req=")[0]]
    assert forged == []
    for entry in mine:
        # The quote is escaped wherever it would close a quoted field.
        if entry["logger"] != "django.request":
            assert '/"y' not in entry["message"], entry


def test_json_lines_all_parse_and_share_fields_and_the_request_id(json_stack):
    response = get(json_stack, FORGED)

    assert response.status == 404
    request_id = response.getheader("X-Request-ID")
    mine = lines_of_request(json_stack, request_id, REQUEST_LOGGERS, json.loads)
    assert {entry["logger"] for entry in mine} == REQUEST_LOGGERS
    for line in service_lines(json_stack):
        entry = json.loads(line)
        assert set(entry) >= LOG_FIELDS, line
        assert datetime.fromisoformat(entry["time"]).tzinfo is not None, line
    django_line = next(entry for entry in mine if entry["logger"] == "django.request")
    assert django_line["level"] == "WARNING"
    assert django_line["message"].startswith("Not Found: /no-such-page/")


def test_a_page_from_the_cache_gets_a_new_request_id_each_time(text_stack):
    answers = [get(text_stack, "/") for _ in range(4)]

    assert [answer.status for answer in answers] == [200] * 4
    assert answers[-1].getheader("X-Page-Cache") == "hit"
    ids = [answer.getheader("X-Request-ID") for answer in answers]
    assert len(set(ids)) == len(ids), "a cached page kept the request id it was stored with"
    for answer in answers:
        assert len(answer.headers.get_all("X-Request-ID")) == 1
