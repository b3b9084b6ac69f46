"""Two-factor sign-in in a real Chromium: a newsroom account without an authenticator signs
in, sets one up from the page (the test reads the secret off the page and computes codes the
way an authenticator app does), saves its recovery codes, signs out, and signs in again with
password and code.

Screenshots of the set-up page and the code prompt, at 1280 and 390 px wide, are left in
``tmp_path`` (run with ``--basetemp=DIR`` to keep them somewhere known).
"""

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations
from tests.factories import make_role_user

PASSWORD = "correct-horse-42!"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def app_code(secret_on_page: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret a person typed in from the page."""
    key = base64.b32decode(secret_on_page.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def screenshots(page, tmp_path, name: str) -> None:
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=tmp_path / f"{name}-{size['width']}.png", full_page=True)
        # Nothing is cut off or scrolls sideways at this width.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {label} width"
    page.set_viewport_size(WIDTHS["desktop"])


def sign_in_with_password(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_enrol_then_sign_in_with_a_code(page, live_server, settings, tmp_path):
    settings.SMARTCHUNKS_REQUIRE_2FA = True
    editor = make_role_user("Editor", username="eddie")

    # After the password, the newsroom is not open yet: the set-up page is.
    sign_in_with_password(page, live_server, editor.username)
    page.wait_for_url("**/admin/two-factor/setup/?next=%2Fadmin%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr_code).to_be_visible()
    box = qr_code.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150, "the QR code is big enough to scan"
    secret = page.locator("#secret").inner_text()
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "two-factor-setup")

    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is on for your account.")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshots(page, tmp_path, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsroom")

    # Sign out, and in again: this time the code prompt, and a wrong code is refused.
    page.get_by_role("button", name="Log out").click()
    sign_in_with_password(page, live_server, editor.username)
    page.wait_for_url("**/admin/two-factor/verify/?next=%2Fadmin%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "two-factor-code-prompt")

    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code did not work")
    screenshots(page, tmp_path, "two-factor-code-refused")
    page.wait_for_timeout(1100)  # django-otp pauses a device for a second after a wrong code

    # The code used at set-up cannot be used again, so type the app's next one.
    page.get_by_label("Code", exact=True).fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsroom")
    page.goto(f"{live_server.url}/admin/articles/article/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("article")


@pytest.mark.django_db(transaction=True)
def test_five_wrong_passwords_show_the_lockout_page(page, live_server, settings, tmp_path):
    settings.AXES_ENABLED = True
    make_role_user("Editor", username="eddie")
    for _ in range(5):
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill("eddie")
        page.get_by_label("Password").fill("wrong-guess-123")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Too many failed sign-in attempts.")
    expect(page.get_by_text("Try again in 60 minutes.")).to_be_visible()
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "sign-in-locked-out")
