"""Read the settings as a new process would under a given environment.

Settings are read from the environment once, at import: to see what another environment
(production, HTTPS on, 2FA required) makes of them, import them in a fresh interpreter with
the test run's own variables removed and the wanted ones set.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def in_fresh_interpreter(
    code: str, *, env: dict[str, str | None], drop: tuple[str, ...] = ("DJANGO_",), check=True
) -> subprocess.CompletedProcess:
    """Run ``code`` (which imports ``smartchunks.settings``) without the variables whose names
    start with ``drop``, plus ``env`` (a value of None leaves that variable unset)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    clean.update({key: value for key, value in env.items() if value is not None})
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=clean,
        timeout=60,
        check=check,
    )
