"""The gate that keeps browser requests away from the database while it is emptied."""

import threading

import pytest

from tests.browser.conftest import QuietGate


def _call(app):
    statuses = []
    body = app({}, lambda status, headers: statuses.append(status))
    return statuses, body


def test_a_closed_gate_answers_503_without_calling_the_site():
    calls = []
    gate = QuietGate()
    app = gate.wrap(lambda environ, start_response: calls.append(1) or [b"page"])

    gate.close_and_wait(timeout=1)
    statuses, body = _call(app)

    assert statuses == ["503 Service Unavailable"]
    assert calls == []
    gate.open()
    _, body = _call(app)
    assert list(body) == [b"page"] and calls == [1]


def test_closing_waits_for_the_request_inside_to_be_closed():
    gate = QuietGate()
    app = gate.wrap(lambda environ, start_response: [b"page"])
    _, response = _call(app)  # inside: not yet closed by the server
    closed = threading.Event()

    def shut():
        gate.close_and_wait(timeout=5)
        closed.set()

    waiter = threading.Thread(target=shut)
    waiter.start()
    assert not closed.wait(0.2), "the gate closed while a request was still inside"
    response.close()
    assert closed.wait(5)
    waiter.join()


def test_a_request_that_never_finishes_is_reported_not_ignored():
    gate = QuietGate()
    app = gate.wrap(lambda environ, start_response: [b"page"])
    _call(app)
    with pytest.raises(RuntimeError, match="1 live-server request"):
        gate.close_and_wait(timeout=0.1)
