import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import make_author, make_role_user
from tests.helpers.databases import on_server
from tests.mutation.database import slot_database


def pytest_configure(config):
    # Fast hashing: tests create many users; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest needs collectstatic; tests find static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # whitenoise warns about a missing STATIC_ROOT; tests never collect static files.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="smartchunks-static-")
    # The page cache's files in a throwaway folder (tests/helpers/stack.py passes it on to a
    # real stack, so pages and generation are shared with it).
    settings.PAGE_CACHE_DIR = Path(tempfile.mkdtemp(prefix="smartchunks-page-cache-"))
    # nginx's workers (another user) read the front cache's files under it.
    settings.PAGE_CACHE_DIR.chmod(0o755)
    settings.CACHES["pages"]["LOCATION"] = str(settings.PAGE_CACHE_DIR / "pages")
    # Each login attempt in tests must not lock the test client out.
    settings.AXES_ENABLED = False
    if os.environ.get("SMARTCHUNKS_MUTATION"):
        database = settings.DATABASES["default"]
        base_name = database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
        database["TEST"] = {**database.get("TEST", {}), "NAME": slot_database(base_name)}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, dropped at the end even if a connection is still open.

    A connection a finished thread opened (a live server's, a background worker's) can outlive
    it; DROP DATABASE then fails, pytest-django only warns, and the database stays behind.
    So: close this process's connections, end any other session on it, then let it drop."""
    yield
    with django_db_blocker.unblock():
        connection.close()
        name = connection.settings_dict["NAME"]
        on_server(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with no cached page: a test's rolled-back rows must not be served to
    the next one from the page cache (smartchunks/page_cache.py)."""
    from smartchunks import page_cache

    page_cache.clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- The newsroom's real roles -------------------------------------------------------------
# A test about what a writer, an editor or an admin may do logs in as a member of that group
# (articles/workflow/roles.py), never as a superuser: a superuser passes every permission
# check, so it would prove nothing about the roles.


@pytest.fixture
def writer_author(db):
    """The Author profile the ``writer`` fixture writes as."""
    return make_author(name="Wendy Writer")


@pytest.fixture
def writer(writer_author):
    return make_role_user("Writer", author=writer_author)


@pytest.fixture
def editor(db):
    return make_role_user("Editor", author=make_author(name="Eddie Editor"))


@pytest.fixture
def admin_user(db):
    """A member of the Admin group (replaces pytest-django's superuser ``admin_user``)."""
    return make_role_user("Admin")


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """The test client signed in as an Admin-group member (not pytest-django's superuser)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def restored_database():
    """An empty database beside the test database, for restores (make restore)."""
    name = f"{connection.settings_dict['NAME']}_restored"
    on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    on_server(f'CREATE DATABASE "{name}"')
    yield name
    on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
