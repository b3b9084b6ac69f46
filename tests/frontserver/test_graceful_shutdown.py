"""SIGTERM stops the stack without dropping a request in flight (what `make run`'s Ctrl-C
and a process manager's stop do)."""

import socket
import time

import pytest

from tests.frontserver.rawhttp import host_port, request_head, status_of
from tests.helpers.stack import Stack, current_database_url


@pytest.fixture
def own_stack(django_db_setup):
    with Stack(database_url=current_database_url(), workers=1) as stack:
        yield stack


def test_sigterm_finishes_the_request_in_flight_then_stops(own_stack):
    body = b"x" * 200_000
    with socket.create_connection(host_port(own_stack.url)) as uploading:
        uploading.sendall(request_head("/admin/login/", len(body)) + body[:100_000])
        time.sleep(0.3)

        own_stack.terminate(wait=False)
        time.sleep(1.0)
        # nginx has stopped taking new connections...
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(host_port(own_stack.url), timeout=2).close()
        # ...but finishes the upload it was reading, and gunicorn is still there to answer it.
        uploading.sendall(body[100_000:])
        uploading.settimeout(10)
        answer = uploading.recv(65536)

    # Django's answer to the made-up form (400: not a valid multipart body), not a dropped
    # connection or nginx's 502.
    assert status_of(answer) == 400
    assert b"Bad request" in answer or b"Bad Request" in answer
    assert b'href="/feeds/atom/"' in answer  # the site's own page: Django answered
    assert own_stack.terminate() == 0
    log = own_stack.log()
    assert "Handling signal: term" in log
    assert "Shutting down: Master" in log
