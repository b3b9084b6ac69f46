"""The real front server for these tests: nginx + gunicorn with the project's settings."""

import pytest

from tests.helpers.stack import Stack, current_database_url

# Few enough workers that four slow clients would hold every one of them without nginx.
STACK_WORKERS = 2
# Lock-outs come sooner than in production, so the address test needs few (slow) logins.
STACK_ENV = {"AXES_FAILURE_LIMIT": "3"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/frontserver/" in str(item.fspath):
            item.add_marker(pytest.mark.frontserver)


@pytest.fixture(scope="session")
def stack(django_db_setup):
    """One stack for every test here: pytest-django runs tests that commit data
    (transactional_db) apart from the others, so a module-scoped one would start twice.

    The stack reaches the database from its own processes, so this fixture never unblocks
    database access in this one: a session-long unblock would let later tests that must run
    without a database (tests/reader/test_error_pages.py) query it."""
    with Stack(
        database_url=current_database_url(), extra_env=STACK_ENV, workers=STACK_WORKERS
    ) as running:
        yield running
