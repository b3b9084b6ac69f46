"""Second-factor codes computed the way an authenticator app does (RFC 6238, django_otp.oath)."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from authors.sign_in.two_factor import replace_recovery_codes


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The six digits an app shows now, or ``steps_ahead`` 30-second steps from now.

    django-otp accepts the code of one step either side of now (clock skew), so a test that
    needs a second, fresh code without waiting uses ``steps_ahead=1``.
    """
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{value:0{device.digits}d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` a confirmed authenticator and recovery codes, as the set-up page does."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, replace_recovery_codes(user)
