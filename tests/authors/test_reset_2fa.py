"""`manage.py reset_2fa <username>`: a lost phone gets a fresh start, and says what it did."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_role_user
from tests.helpers.two_factor import enrolled

pytestmark = pytest.mark.django_db


def _reset(username) -> str:
    out = StringIO()
    call_command("reset_2fa", username, stdout=out)
    return out.getvalue()


def test_removes_the_authenticator_and_recovery_codes_and_says_so():
    lost_phone = make_role_user("Editor", username="eddie")
    colleague = make_role_user("Writer", username="wendy")
    enrolled(lost_phone)
    enrolled(colleague)
    output = _reset("eddie")
    assert output.strip() == (
        "Removed 2 two-factor devices of eddie (Authenticator app, Recovery codes). "
        "They will set up two-factor sign-in again at their next sign-in."
    )
    assert not TOTPDevice.objects.filter(user=lost_phone).exists()
    assert not StaticDevice.objects.filter(user=lost_phone).exists()
    assert StaticToken.objects.filter(device__user=lost_phone).count() == 0
    # Nobody else's second factor is touched.
    assert TOTPDevice.objects.filter(user=colleague).count() == 1
    assert StaticToken.objects.filter(device__user=colleague).count() == 10


def test_an_unfinished_setup_is_removed_too():
    user = make_role_user("Writer", username="wendy")
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    assert "Removed 1 two-factor device of wendy (Authenticator app)" in _reset("wendy")
    assert not TOTPDevice.objects.exists()


def test_an_account_without_a_second_factor_is_left_as_it_is():
    make_role_user("Writer", username="wendy")
    assert _reset("wendy").strip() == "wendy had no two-factor devices; nothing to remove."


def test_an_unknown_username_is_a_clear_error():
    with pytest.raises(
        CommandError, match="No account with the username 'ghost'; nothing changed."
    ):
        _reset("ghost")


def test_an_unknown_username_exits_non_zero_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "reset_2fa", "ghost"])
    assert exit_info.value.code != 0
    assert "No account with the username 'ghost'" in capsys.readouterr().err
