"""`manage.py ensure_admin`: an admin login exists, with no password in the repository."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command


def _run() -> str:
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)


@pytest.mark.django_db
def test_creates_an_admin_and_prints_the_generated_password_once():
    output = _run()
    match = re.search(r"password: (\S+)", output)
    assert match, output
    password = match.group(1)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert authenticate(username="admin", password=password) is not None

    again = _run()
    assert password not in again
    assert get_user_model().objects.filter(username="admin").count() == 1
    # The second run did not silently change the password either.
    assert authenticate(username="admin", password=password) is not None


@pytest.mark.django_db
def test_generated_passwords_differ_between_fresh_installs():
    first = re.search(r"password: (\S+)", _run()).group(1)
    get_user_model().objects.all().delete()
    second = re.search(r"password: (\S+)", _run()).group(1)
    assert first != second


@pytest.mark.django_db
def test_uses_the_password_from_the_environment_without_printing_it(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "chosen-by-the-team-2026")
    output = _run()
    assert "chosen-by-the-team-2026" not in output
    assert authenticate(username="admin", password="chosen-by-the-team-2026") is not None


@pytest.mark.django_db
def test_environment_password_is_applied_to_an_existing_admin(monkeypatch):
    _run()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "rotated-password-2026")
    output = _run()
    assert "rotated-password-2026" not in output
    assert authenticate(username="admin", password="rotated-password-2026") is not None
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_username_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "editor-in-chief")
    _run()
    assert get_user_model().objects.get(username="editor-in-chief").is_superuser


@pytest.mark.django_db
def test_existing_plain_account_with_the_admin_name_is_reported_not_promoted():
    get_user_model().objects.create_user(username="admin", password="whatever-123456")
    out, err = StringIO(), StringIO()
    call_command("ensure_admin", stdout=out, stderr=err)
    assert "not an active superuser" in err.getvalue()
    assert not get_user_model().objects.get(username="admin").is_superuser
