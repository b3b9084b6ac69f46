"""SIGTERM stops the stack without dropping a request in flight (what `make run`'s Ctrl-C
and a process manager's stop do)."""

import http.client
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


def _get(base_url: str, path: str) -> tuple[int, str]:
    host, port = host_port(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_with_a_drain_period_readiness_fails_first_while_every_request_is_still_served(
    django_db_setup,
):
    """A load balancer polling /readyz takes the machine out before nginx stops accepting."""
    with Stack(
        database_url=current_database_url(), workers=1, extra_env={"SMARTCHUNKS_DRAIN_SECONDS": "3"}
    ) as stack:
        assert _get(stack.url, "/readyz") == (200, "ready\n")
        stack.terminate(wait=False)
        deadline = time.monotonic() + 5
        while (ready := _get(stack.url, "/readyz"))[0] == 200:
            assert time.monotonic() < deadline, "readiness never failed"
            time.sleep(0.05)
        assert ready == (503, "draining: this server is stopping\n")
        assert _get(stack.url, "/healthz") == (200, "ok\n")  # alive, and serving readers
        assert _get(stack.url, "/")[0] == 200
        assert stack.terminate() == 0
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(host_port(stack.url), timeout=2).close()
