"""Two-factor sign-in: with SMARTCHUNKS_REQUIRE_2FA on, every newsroom account needs an
authenticator code (or a one-use recovery code) after the password, and sees nothing of the
newsroom before it; off (development, tests), nothing changes.
"""

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from authors.sign_in.two_factor import qr_code_svg, remove_second_factor
from tests.factories import make_article, make_role_user, make_user
from tests.helpers.fresh_settings import in_fresh_interpreter
from tests.helpers.two_factor import code_for, enrolled

PASSWORD = "correct-horse-42!"
FROZEN = datetime(2030, 1, 8, 9, 0, 10, tzinfo=UTC)
SETUP = "/admin/two-factor/setup/"
VERIFY = "/admin/two-factor/verify/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.SMARTCHUNKS_REQUIRE_2FA = True
    return settings


@pytest.fixture
def frozen():
    """TOTP codes depend on the clock: tests compute them for a fixed time."""
    with time_machine.travel(FROZEN, tick=False) as clock:
        yield clock


@pytest.fixture
def editor(db):
    return make_role_user("Editor", username="eddie")


def password_step(client, username="eddie", next_url="/admin/"):
    response = client.post(
        f"/admin/login/?next={next_url}", {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, "the password step should succeed"
    return client.get(response["Location"])


def send_code(client, code, next_url="/admin/"):
    return client.post(VERIFY, {"otp_token": code, "next": next_url})


def error_of(response) -> str:
    return BeautifulSoup(response.content, "html.parser").select_one(".errornote").get_text()


# --- Off unless set ----------------------------------------------------------------------------


def test_off_in_development_and_tests_a_password_is_enough(client, editor):
    assert django_settings.SMARTCHUNKS_REQUIRE_2FA is False
    enrolled(editor)
    response = password_step(client)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/"


def _setting_in(env_overrides) -> str:
    result = in_fresh_interpreter(
        "import smartchunks.settings as s; print(s.SMARTCHUNKS_REQUIRE_2FA)",
        env=env_overrides,
        drop=("DJANGO_", "SMARTCHUNKS_"),
    )
    return result.stdout.strip()


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "postgres://reader@db.example.org:5432/smartchunks",
}


def test_on_by_default_in_production_and_off_elsewhere_unless_set():
    assert _setting_in(PRODUCTION) == "True"
    assert _setting_in({**PRODUCTION, "SMARTCHUNKS_REQUIRE_2FA": "false"}) == "False"
    assert _setting_in({}) == "False"
    assert _setting_in({"SMARTCHUNKS_REQUIRE_2FA": "true"}) == "True"


# --- Nothing before the second factor ----------------------------------------------------------


def test_an_account_without_an_authenticator_is_sent_to_set_one_up(client, editor, required):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "eddie", "password": PASSWORD}
    )
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_an_account_with_an_authenticator_is_asked_for_its_code(client, editor, required):
    enrolled(editor)
    response = client.get("/admin/articles/article/?status__exact=draft", follow=False)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(editor)
    response = client.get("/admin/articles/article/?status__exact=draft")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{VERIFY}?next=%2Fadmin%2Farticles%2Farticle%2F%3Fstatus__exact%3Ddraft"
    )
    # Back on the login page, where a half-signed-in account would otherwise bounce around.
    login_page = client.get("/admin/login/?next=/admin/auth/user/")
    assert login_page["Location"] == f"{VERIFY}?next=%2Fadmin%2Fauth%2Fuser%2F"


@pytest.mark.parametrize("has_authenticator", [False, True])
def test_no_admin_page_opens_before_the_second_factor(client, editor, required, has_authenticator):
    if has_authenticator:
        enrolled(editor)
    draft = make_article(status=Article.Status.DRAFT, title="Secret merger plans")
    client.force_login(editor)
    step = VERIFY if has_authenticator else SETUP
    for url in [
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{draft.pk}/change/",
        f"/admin/articles/article/{draft.pk}/history/",
        "/admin/autocomplete/?app_label=articles&model_name=article&field_name=tags&term=S",
        "/admin/auth/user/",
        "/admin/password_change/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(step), url
    response = client.post(f"/admin/articles/article/{draft.pk}/change/", {"title": "Changed"})
    assert response.status_code == 302 and response["Location"].startswith(step)
    draft.refresh_from_db()
    assert draft.title == "Secret merger plans"


def test_outside_the_admin_an_unverified_account_is_an_anonymous_reader(client, editor, required):
    draft = make_article(status=Article.Status.DRAFT, title="Secret merger plans")
    client.force_login(editor)
    for url in [f"/preview/articles/{draft.pk}/", f"/articles/{draft.slug}/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Secret merger plans" not in response.content
    browse = client.get("/ckeditor/browse/")
    assert browse.status_code == 302 and browse["Location"].startswith("/admin/login/")


def test_the_same_account_sees_the_draft_once_verified(client, editor, required, frozen):
    device, _ = enrolled(editor)
    draft = make_article(status=Article.Status.DRAFT, title="Secret merger plans")
    password_step(client)
    assert send_code(client, code_for(device)).status_code == 302
    assert b"Secret merger plans" in client.get(f"/preview/articles/{draft.pk}/").content
    assert client.get(f"/admin/articles/article/{draft.pk}/change/").status_code == 200


def test_signing_out_works_before_the_second_factor(client, editor, required):
    client.force_login(editor)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Enrolment -----------------------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_and_the_secret_and_keeps_them_on_reload(
    client, editor, required
):
    client.force_login(editor)
    first = client.get(f"{SETUP}?next=/admin/")
    assert first.status_code == 200
    page = BeautifulSoup(first.content, "html.parser")
    assert page.select_one("h1").get_text() == "Set up two-factor sign-in"
    assert page.select_one(".sign-in-qr svg path")  # drawn here, not fetched from anywhere
    device = TOTPDevice.objects.get(user=editor)
    assert not device.confirmed
    secret = page.select_one("#secret").get_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert base64.b32decode(secret) == device.bin_key
    second = BeautifulSoup(client.get(SETUP).content, "html.parser")
    assert second.select_one("#secret").get_text().replace(" ", "") == secret
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_the_qr_code_holds_the_authenticator_address():
    user = make_user("qr-person", staff=True)
    device = TOTPDevice.objects.create(user=user, confirmed=False)
    svg = qr_code_svg(device)
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert device.config_url.startswith("otpauth://totp/Smart%20Chunks%3Aqr-person?secret=")


def test_enrolment_confirms_with_a_code_and_shows_recovery_codes_once(
    client, editor, required, frozen
):
    client.force_login(editor)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=editor)

    wrong = client.post(SETUP, {"otp_token": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "That code did not match" in error_of(wrong)
    device.refresh_from_db()
    assert not device.confirmed

    frozen.shift(timedelta(seconds=2))  # past django-otp's one-second pause after a wrong code
    done = client.post(SETUP, {"otp_token": code_for(device), "next": "/admin/"})
    assert done.status_code == 200
    page = BeautifulSoup(done.content, "html.parser")
    codes = [item.get_text(strip=True) for item in page.select("#recovery-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert "only time they are shown" in page.get_text()
    assert page.select_one("a.button")["href"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    # Signed in with the new device: the newsroom opens, and the codes are not shown again.
    assert client.get("/admin/").status_code == 200
    again = client.get(SETUP)
    assert again.status_code == 302 and again["Location"] == "/admin/"


# --- Signing in with a code ----------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_lets_the_right_one_in(client, editor, required, frozen):
    device, _ = enrolled(editor)
    prompt = password_step(client, next_url="/admin/articles/article/")
    assert prompt.status_code == 302
    prompt = client.get(prompt["Location"])
    assert prompt.status_code == 200
    page = BeautifulSoup(prompt.content, "html.parser")
    assert page.select_one("h1").get_text() == "Enter your sign-in code"
    assert page.select_one("input[name=otp_token]")["autocomplete"] == "one-time-code"
    assert page.select_one("input[name=next]")["value"] == "/admin/articles/article/"
    response = send_code(client, code_for(device), next_url="/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/article/"
    assert client.get("/admin/articles/article/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, editor, required, frozen):
    enrolled(editor)
    password_step(client)
    response = send_code(client, "123456")
    assert response.status_code == 200
    assert "That code did not work" in error_of(response)
    assert client.get("/admin/").status_code == 302


def test_a_replayed_code_is_refused(editor, required, frozen):
    device, _ = enrolled(editor)
    code = code_for(device)
    first = Client()
    password_step(first)
    assert send_code(first, code).status_code == 302
    # Someone who saw the code (over a shoulder, in a phishing page) tries it again.
    second = Client()
    password_step(second)
    replay = send_code(second, code)
    assert replay.status_code == 200
    assert "That code did not work" in error_of(replay)
    assert second.get("/admin/").status_code == 302
    # The next code the app shows still works.
    frozen.shift(timedelta(seconds=30))
    assert send_code(second, code_for(device)).status_code == 302


def test_a_recovery_code_works_once(editor, required, frozen):
    _, codes = enrolled(editor)
    first = Client()
    password_step(first)
    assert send_code(first, codes[0].upper()).status_code == 302  # typed in capitals: fine
    assert first.get("/admin/").status_code == 200
    second = Client()
    password_step(second)
    again = send_code(second, codes[0])
    assert again.status_code == 200
    assert "That code did not work" in error_of(again)
    frozen.shift(timedelta(seconds=2))  # past django-otp's one-second pause after a wrong code
    assert send_code(second, codes[1]).status_code == 302
    assert StaticToken.objects.count() == 8


@pytest.mark.parametrize("typed", ["x" * 500, "", "<script>"])
def test_odd_input_in_the_code_field_is_a_clear_error(client, editor, required, typed):
    enrolled(editor)
    password_step(client)
    response = send_code(client, typed)
    assert response.status_code == 200
    assert error_of(response).strip()
    assert b"<script>" not in response.content


def test_a_nul_in_the_code_field_is_the_sites_clean_400_and_signs_no_one_in(
    client, editor, required
):
    enrolled(editor)
    password_step(client)
    response = send_code(client, "12\x003456")
    assert response.status_code == 400
    assert b"NUL character" in response.content
    assert client.get("/admin/").status_code == 302  # still at the code step


def test_an_external_next_after_the_code_lands_on_the_admin_index(client, editor, required, frozen):
    device, _ = enrolled(editor)
    password_step(client)
    response = send_code(client, code_for(device), next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_wrong_codes_count_toward_the_lockout(client, editor, required, settings, frozen):
    settings.AXES_ENABLED = True
    device, _ = enrolled(editor)
    password_step(client)
    for attempt in range(4):
        assert send_code(client, f"00000{attempt}").status_code == 200
        frozen.shift(timedelta(seconds=20))
    locked = send_code(client, "000009")
    assert locked.status_code == 429
    assert locked.has_header("Retry-After")
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # The half-signed-in session is gone, and the password alone does not get back in.
    assert "_auth_user_id" not in client.session
    again = client.post("/admin/login/", {"username": "eddie", "password": PASSWORD})
    assert again.status_code == 429
    assert code_for(device)  # a valid code exists; nobody gets far enough to type it


def test_a_correct_password_does_not_wipe_the_count_of_wrong_codes(
    client, editor, required, settings, frozen
):
    settings.AXES_ENABLED = True
    enrolled(editor)
    for _ in range(2):
        password_step(client)
        for attempt in range(2):
            send_code(client, f"00000{attempt}")
            frozen.shift(timedelta(seconds=20))
        client.post("/admin/logout/")
    # Four wrong codes over two password sign-ins: the fifth failure locks.
    password_step(client)
    assert send_code(client, "000007").status_code == 429


def test_removing_the_authenticator_ends_verified_sessions(client, editor, required, frozen):
    device, _ = enrolled(editor)
    password_step(client)
    send_code(client, code_for(device))
    assert client.get("/admin/").status_code == 200
    remove_second_factor(editor)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_superusers_and_every_role_need_it(client, required):
    for user in [
        make_user("root", superuser=True),
        make_role_user("Writer"),
        make_role_user("Admin"),
    ]:
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_the_admin_never_shows_anyones_authenticator_secret(client):
    device, _ = enrolled(make_role_user("Editor", username="eddie"))
    client.force_login(make_user("root", superuser=True))
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key.encode() not in change.content
    assert base64.b32encode(device.bin_key) not in change.content
    for view in ("config", "qrcode"):
        assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/").status_code == 403
