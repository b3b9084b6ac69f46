"""Django's deployment checklist passes under production settings."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "news.example.org",
        # check --deploy reads settings only; it never connects.
        "DATABASE_URL": "postgres://smartchunks@db.example.org:5432/smartchunks",
    }
    for name in ("DJANGO_DEBUG", "DJANGO_HTTPS", "DJANGO_HSTS_SECONDS", "DJANGO_SSL_REDIRECT"):
        env.pop(name, None)
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
