"""Settings fail loudly: production refuses to start without what it needs.

Each case imports the settings in a fresh interpreter, as gunicorn would.
"""

from django.conf import settings

from tests.helpers.fresh_settings import in_fresh_interpreter

PRODUCTION_READY = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "postgres://reader@db.example.org:5432/smartchunks",
}


def _import_settings(**overrides):
    return in_fresh_interpreter(
        "import smartchunks.settings as s; print('DEBUG', s.DEBUG)",
        env=overrides,
        drop=("DJANGO_", "DATABASE_URL"),
        check=False,
    )


def _last_line(result):
    return result.stderr.strip().splitlines()[-1]


def test_production_settings_load_when_everything_is_set():
    result = _import_settings(**PRODUCTION_READY)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = _import_settings(**{**PRODUCTION_READY, "DJANGO_SECRET_KEY": None})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in _last_line(result)


def test_production_without_allowed_hosts_refuses_to_start():
    result = _import_settings(**{**PRODUCTION_READY, "DJANGO_ALLOWED_HOSTS": None})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in _last_line(result)


def test_production_without_database_url_refuses_to_start():
    result = _import_settings(**{**PRODUCTION_READY, "DATABASE_URL": None})
    assert result.returncode != 0
    assert "DATABASE_URL" in _last_line(result)


def test_a_database_other_than_postgresql_is_refused():
    result = _import_settings(DATABASE_URL="sqlite:////tmp/smartchunks.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL only" in _last_line(result)


def test_tests_run_on_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_debug_is_off_unless_asked_for():
    result = _import_settings(DATABASE_URL=PRODUCTION_READY["DATABASE_URL"])
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout
