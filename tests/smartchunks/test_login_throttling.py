"""Guessing admin passwords gets a client locked out (django-axes), with a clear answer."""

import pytest

from tests.factories import make_user

PASSWORD = "correct-horse-42!"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def _log_in(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_out_even_the_right_one(client, throttled):
    make_user("desk", staff=True, password=PASSWORD)
    for _ in range(3):
        _log_in(client, "desk", "wrong-guess-123")
    locked = _log_in(client, "desk", PASSWORD)
    assert locked.status_code == 429
    assert "too many failed sign-in attempts" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lockout_does_not_shut_out_the_same_user_from_another_address(client, throttled):
    make_user("desk", staff=True, password=PASSWORD)
    for _ in range(3):
        _log_in(client, "desk", "wrong-guess-123", ip="203.0.113.7")
    response = _log_in(client, "desk", PASSWORD, ip="198.51.100.20")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_few_typos_do_not_lock_anyone_out(client, throttled):
    make_user("desk", staff=True, password=PASSWORD)
    for _ in range(2):
        _log_in(client, "desk", "typo")
    assert _log_in(client, "desk", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_one_readers_guesses_do_not_lock_out_another(client, throttled):
    throttled.TRUSTED_PROXY_COUNT = 1
    make_user("desk", staff=True, password=PASSWORD)
    for _ in range(3):
        client.post(
            "/admin/login/",
            {"username": "desk", "password": "wrong-guess-123"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    colleague = client.post(
        "/admin/login/?next=/admin/",
        {"username": "desk", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert colleague.status_code == 302
