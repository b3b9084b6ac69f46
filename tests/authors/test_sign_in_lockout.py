"""Login that holds: a username+address pair is locked after 5 failures, an address after 20
across usernames; the answer is a 429 with Retry-After and the same page for every username.

These run with the shipped limits (smartchunks/settings.py); conftest turns axes off for
every other test, so each test here turns it back on.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import make_user

PASSWORD = "correct-horse-42!"
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
FROZEN = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
COOL_OFF_SECONDS = 3600

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def desk():
    return make_user("desk", staff=True, password=PASSWORD)


def sign_in(username, password, *, address=OFFICE, next_url="/admin/"):
    """One attempt at the admin's login form, from a fresh browser."""
    return Client().post(
        f"/admin/login/?next={next_url}",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_shipped_limits_are_five_per_account_and_address_and_twenty_per_address(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 20


def test_four_wrong_passwords_still_let_the_right_one_in(desk):
    for _ in range(4):
        assert sign_in("desk", "wrong-guess-123").status_code == 200
    assert signed_in(sign_in("desk", PASSWORD))


def test_five_wrong_passwords_lock_the_account_from_that_address(desk):
    for _ in range(4):
        sign_in("desk", "wrong-guess-123")
    fifth = sign_in("desk", "wrong-guess-123")
    assert fifth.status_code == 429
    locked = sign_in("desk", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_a_locked_account_still_signs_in_from_another_address(desk):
    for _ in range(5):
        sign_in("desk", "wrong-guess-123")
    assert signed_in(sign_in("desk", PASSWORD, address=ELSEWHERE))


def test_nineteen_guesses_across_usernames_do_not_lock_the_address(desk):
    for number in range(19):
        assert sign_in(f"guess{number}", "Winter2030!").status_code == 200
    assert signed_in(sign_in("desk", PASSWORD))


def test_twenty_guesses_across_usernames_lock_the_address_for_everyone(desk):
    for number in range(19):
        sign_in(f"guess{number}", "Winter2030!")
    twentieth = sign_in("guess19", "Winter2030!")
    assert twentieth.status_code == 429
    # Every account is shut out from that address, even with the right password...
    assert sign_in("desk", PASSWORD).status_code == 429
    assert sign_in("never-tried", "Winter2030!").status_code == 429
    # ...and nobody elsewhere is.
    assert signed_in(sign_in("desk", PASSWORD, address=ELSEWHERE))


def test_a_successful_sign_in_does_not_wipe_the_addresss_other_failures(desk):
    for number in range(19):
        sign_in(f"guess{number}", "Winter2030!")
    assert signed_in(sign_in("desk", PASSWORD))
    assert sign_in("guess19", "Winter2030!").status_code == 429


def test_the_lockout_is_a_429_with_retry_after_counting_down_to_the_end_of_the_cool_off(desk):
    with time_machine.travel(FROZEN, tick=False) as clock:
        for _ in range(5):
            sign_in("desk", "wrong-guess-123")
        clock.shift(timedelta(minutes=10))
        response = sign_in("desk", PASSWORD)
        assert response.status_code == 429
        assert response["Retry-After"] == str(COOL_OFF_SECONDS - 10 * 60)
        # Tries during the lockout do not prolong it.
        clock.shift(timedelta(minutes=15))
        assert sign_in("desk", PASSWORD)["Retry-After"] == str(COOL_OFF_SECONDS - 25 * 60)
        clock.shift(timedelta(minutes=34, seconds=59))
        assert sign_in("desk", PASSWORD)["Retry-After"] == "1"
        clock.shift(timedelta(seconds=2))
        assert signed_in(sign_in("desk", PASSWORD))


def test_retry_after_for_an_address_waits_until_it_is_under_twenty_failures_again(desk):
    with time_machine.travel(FROZEN, tick=False) as clock:
        for number in range(20):
            sign_in(f"guess{number}", "Winter2030!")
            clock.shift(timedelta(minutes=1))
        # Twenty failures from 09:00 to 09:19; at 09:20 the address opens again when the
        # 09:00 one leaves the hour's window: 40 minutes from now.
        assert Client().get("/admin/login/", REMOTE_ADDR=OFFICE).status_code == 200
        locked = sign_in("desk", PASSWORD)
        assert locked.status_code == 429
        assert locked["Retry-After"] == str(40 * 60)
        clock.shift(timedelta(minutes=40, seconds=1))
        assert signed_in(sign_in("desk", PASSWORD))


def test_the_lockout_page_is_the_same_for_an_existing_and_an_unknown_username(desk):
    with time_machine.travel(FROZEN, tick=False):
        for _ in range(5):
            sign_in("desk", "wrong-guess-123", address=OFFICE)
            sign_in("nobody-here", "wrong-guess-123", address=ELSEWHERE)
        known = sign_in("desk", "wrong-guess-123", address=OFFICE)
        unknown = sign_in("nobody-here", "wrong-guess-123", address=ELSEWHERE)
    assert known.status_code == unknown.status_code == 429
    assert known["Retry-After"] == unknown["Retry-After"]
    assert known.content == unknown.content
    assert b"desk" not in known.content and b"nobody-here" not in unknown.content


def test_the_lockout_page_is_styled_and_says_when_to_try_again(desk):
    for _ in range(5):
        sign_in("desk", "wrong-guess-123")
    page = BeautifulSoup(sign_in("desk", PASSWORD).content, "html.parser")
    assert page.select_one("link[href$='css/admin-sign-in.css']")
    assert page.select_one("#site-name")  # the newsroom's header, as on the login page
    alert = page.select_one("[role=alert]").get_text(strip=True)
    assert alert == "Too many failed sign-in attempts."
    assert "Try again in 60 minutes." in page.get_text(" ", strip=True)


def test_a_rejected_next_after_sign_in_lands_on_the_admin_index(desk):
    response = sign_in("desk", PASSWORD, next_url="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_next_on_this_site_is_kept(desk):
    response = sign_in("desk", PASSWORD, next_url="/admin/articles/article/")
    assert response["Location"] == "/admin/articles/article/"
