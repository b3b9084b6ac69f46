"""The second factor (django-otp): an authenticator app (TOTP), plus one-use recovery codes.

Every newsroom (staff) account needs one when ``SMARTCHUNKS_REQUIRE_2FA`` is on.  A wrong
code counts as a failed sign-in for django-axes, so guessing codes ends in the same lockout
as guessing passwords.  django-otp refuses a TOTP code of a time step already used (replay)
and deletes a recovery code once it has worked.
"""

from __future__ import annotations

import base64
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as remember_verified_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
_TOTP_CODE = re.compile(r"\d{6}")


def second_factor_required(user) -> bool:
    """Whether ``user`` must pass a second factor before reaching the newsroom."""
    return bool(
        settings.SMARTCHUNKS_REQUIRE_2FA
        and user is not None
        and user.is_authenticated
        and user.is_staff
    )


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


# --- Enrolment -------------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The not yet confirmed authenticator the set-up page shows.

    Made once and kept until confirmed, so reloading the page shows the same secret the
    person may already have scanned.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def readable_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (made here, no network)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


def confirm_authenticator(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; on success return new recovery codes.

    The session counts as verified with this device from here on.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(normalise(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = replace_recovery_codes(device.user)
    mark_verified(request, device)
    return codes


def replace_recovery_codes(user) -> list[str]:
    """A fresh set of one-use recovery codes (any older set stops working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- Signing in ------------------------------------------------------------------------------


def normalise(code: str) -> str:
    """People type codes with spaces or capitals; neither is part of the code."""
    return "".join(code.split()).lower()


def matching_device(user, code: str) -> Device | None:
    """The device that accepts ``code``: six digits go to the app, anything else to the
    recovery codes, so a mistyped code of one kind does not slow down the other."""
    code = normalise(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def check_code(request, user, code: str) -> Device | None:
    """Verify ``code`` for ``user``; a wrong one is a failed sign-in for the lockout."""
    device = matching_device(user, code)
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        return None
    mark_verified(request, device)
    return device


def mark_verified(request, device: Device) -> None:
    # A new session key once the sign-in is complete, as Django does at login.
    request.session.cycle_key()
    remember_verified_device(request, device)


# --- Reset -----------------------------------------------------------------------------------


def remove_second_factor(user) -> list[str]:
    """Delete every second-factor device of ``user``; return what was removed.

    Sessions already verified with a removed device stop counting as verified at once
    (django-otp's middleware drops a device it cannot find), so the person sets up a new
    authenticator at their next request.
    """
    removed = []
    for device in list(devices_for_user(user, confirmed=None)):
        removed.append(device.name or type(device)._meta.verbose_name)
        device.delete()
    return removed
