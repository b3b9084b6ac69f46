"""Django's deployment checklist passes under production settings."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings():
    # Only what a production machine has: none of the test run's own variables (the browser
    # tests' DJANGO_ALLOW_ASYNC_UNSAFE, a test database name, …).
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SMARTCHUNKS_", "AXES_"))
    }
    env = {
        **inherited,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "news.example.org",
        # check --deploy reads settings only; it never connects.
        "DATABASE_URL": "postgres://smartchunks@db.example.org:5432/smartchunks",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
