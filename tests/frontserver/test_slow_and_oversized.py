"""Slow and oversized requests are nginx's problem: the site keeps answering, no worker dies.

The issue's black-box run: three sockets sending one header line a second made /healthz time
out for about 25 s and gunicorn killed every worker; a 100 MB body was refused only after it
had all arrived.  Here the real stack (nginx + 2 gunicorn workers) takes the same abuse.
"""

import time

import pytest

from smartchunks.frontserver import CLIENT_HEADER_TIMEOUT
from tests.frontserver.rawhttp import (
    SlowBody,
    SlowHeaders,
    send_until_answered,
    status_of,
    timed_get,
)

MB = 1024 * 1024
HEALTHZ_BOUND = 2.0  # seconds, the bound


def test_slow_clients_do_not_delay_healthz_or_kill_workers(stack):
    workers_before = stack.worker_pids()
    log_start = len(stack.log())
    assert len(workers_before) == 2
    window = CLIENT_HEADER_TIMEOUT + 3
    abusers = [SlowHeaders(stack.url, give_up_after=window) for _ in range(3)]
    abusers.append(SlowBody(stack.url, "/admin/login/", declared=100 * MB, give_up_after=window))
    # One more that stays within the size limit, so nginx has to hold its body meanwhile.
    trickle = SlowBody(stack.url, "/admin/login/", declared=MB, give_up_after=window)
    abusers.append(trickle)
    for abuser in abusers:
        abuser.start()
    time.sleep(1.5)  # every abuser has its connection open and has started sending

    samples = []
    while any(abuser.is_alive() for abuser in abusers[:3]):
        samples.append(timed_get(stack.url, "/healthz"))
        time.sleep(0.5)
    for abuser in abusers:
        abuser.join(timeout=window + 5)

    assert len(samples) >= 6
    slow = [(status, round(seconds, 2)) for status, seconds in samples if seconds >= HEALTHZ_BOUND]
    assert not slow, f"/healthz was slow while slow clients were connected: {slow}"
    assert {status for status, _ in samples} == {200}
    # nginx hangs up on the clients that never finish their headers...
    assert all(abuser.cut_off for abuser in abusers[:3])
    assert all(abuser.lines_sent < window for abuser in abusers[:3])
    # ...turns the declared 100 MB away at once, and was still taking the slow small body.
    assert status_of(abusers[3].answer) == 413
    assert trickle.sent > 0
    # gunicorn never saw any of it.
    assert "WORKER TIMEOUT" not in stack.log()
    assert "/admin/login/ HTTP" not in stack.log()[log_start:]
    assert stack.worker_pids() == workers_before


@pytest.mark.parametrize("path", ["/admin/login/", "/ckeditor/upload/"])
def test_a_declared_100_mb_body_gets_413_before_2_mb_are_sent(stack, path):
    sent, answer = send_until_answered(stack.url, path, declared=100 * MB, stop_at=2 * MB)
    assert status_of(answer) == 413, answer[:200]
    assert sent < 2 * MB
    assert b"<h1>Too large to send</h1>" in answer


def test_a_body_within_the_limit_still_reaches_django(stack):
    """The limit leaves room for a full-size image plus the form around it."""
    from django.conf import settings

    declared = settings.MAX_IMAGE_UPLOAD_BYTES + 256 * 1024
    sent, answer = send_until_answered(
        stack.url, "/admin/login/", declared=declared, stop_at=declared
    )
    assert sent == declared
    # Django's answer (400: the made-up multipart body does not parse), not nginx's 413.
    assert status_of(answer) == 400
