from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unavailable" in response.content


@pytest.mark.django_db
def test_health_check_answers_over_plain_http_when_https_is_enforced(client, settings):
    """Load balancers ask over HTTP and take a 301 for "down"; pages still go to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
