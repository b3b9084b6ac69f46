"""Login lockouts are shared by every application server: django-axes keeps them in the
database (authors/sign_in/lockout.py builds on AxesDatabaseHandler), not in a process's
memory or a machine-local cache."""

from __future__ import annotations

import textwrap

import pytest
from django.conf import settings as django_settings

from tests.factories import make_user
from tests.helpers.fresh_settings import in_fresh_interpreter
from tests.helpers.stack import current_database_url

pytestmark = pytest.mark.django_db(transaction=True)  # the other process sees committed rows

PASSWORD = "correct-horse-42!"
ADDRESS = "203.0.113.7"

ANOTHER_SERVER_SIGNS_IN = textwrap.dedent(
    f"""
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client
    # As the test run's own settings (tests/conftest.py): its users' fast password hashes,
    # static files found without collectstatic.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {{
        **settings.STORAGES,
        "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    }}
    for username in ("desk", "other-desk"):
        response = Client().post(
            "/admin/login/?next=/admin/",
            {{"username": username, "password": "{PASSWORD}"}},
            REMOTE_ADDR="{ADDRESS}",
        )
        print(username, response.status_code)
    """
)


def test_a_lockout_made_through_one_server_holds_on_another(client, settings):
    assert django_settings.AXES_HANDLER == "authors.sign_in.lockout.PairAndAddressLockout"
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    make_user("desk", staff=True, password=PASSWORD)
    make_user("other-desk", staff=True, password=PASSWORD)
    for _ in range(3):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "desk", "password": "wrong-guess-123"},
            REMOTE_ADDR=ADDRESS,
        )
    done = in_fresh_interpreter(
        ANOTHER_SERVER_SIGNS_IN,
        env={
            "DATABASE_URL": current_database_url(),
            "DJANGO_SETTINGS_MODULE": "smartchunks.settings",
            "AXES_FAILURE_LIMIT": "3",
            "SMARTCHUNKS_PAGE_CACHE": "off",
        },
        drop=("DJANGO_", "SMARTCHUNKS_", "PYTEST_"),
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = dict(line.split() for line in done.stdout.split("\n") if line.strip())
    # Locked there too, with the right password; another account from the same address
    # signs in there.
    assert answers["desk"] == "429"
    assert answers["other-desk"] == "302"
