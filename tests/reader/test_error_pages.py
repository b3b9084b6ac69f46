"""Styled 404; a static 500 that renders with no database at all."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.helpers.html import soup_of


@pytest.mark.django_db
def test_404_is_styled_and_helpful(client):
    response = client.get("/articles/does-not-exist/")
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.h1.get_text() == "Page not found"
    assert soup.find("link", rel="stylesheet")["href"].endswith("css/site.css")
    assert soup.find("a", string="Skip to content")
    assert soup.find("form", role="search")


def test_500_page_renders_without_the_database():
    """No django_db mark: pytest-django refuses every query with a RuntimeError, a bug rather
    than an outage (a real outage is a 503: tests/smartchunks/test_outage.py), so this is the
    500 page and it must render without a query."""
    browser = Client(raise_request_exception=False)
    response = browser.get("/")
    assert response.status_code == 500
    soup = soup_of(response)
    assert soup.h1.get_text() == "Something went wrong"
    stylesheet = soup.find("link", rel="stylesheet")["href"]
    assert stylesheet == f"{settings.STATIC_URL}css/error.css"
    assert finders.find("css/error.css")
    assert soup.find("main")
    assert soup.html["lang"] == "en"
