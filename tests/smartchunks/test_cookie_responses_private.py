"""A public page answered with a cookie, or to a request with a session cookie, is private:
a CDN in front of the site (operator's guide) stores ``public`` answers, and must never hand
one reader's new CSRF token, or a session's clearing, to the next."""

import pytest
from django.test import Client

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def article():
    return make_article(title="Harbour cranes explained")


@pytest.mark.parametrize(
    "cookie",
    ["csrftoken=abc", "sessionid=not-a-session"],
    ids=["a malformed CSRF cookie (a new token is set)", "a session cookie (cleared)"],
)
def test_an_answer_with_a_cookie_is_never_public(article, cookie):
    response = Client().get(article.get_absolute_url(), HTTP_COOKIE=cookie)
    assert response.status_code == 200
    assert "Harbour cranes explained" in response.content.decode()
    assert response.cookies, "the case needs a Set-Cookie"
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


def test_a_plain_readers_page_stays_public(article):
    response = Client().get(article.get_absolute_url())
    assert not response.cookies
    assert {"public", "max-age=0", "must-revalidate"} <= cache_control(response)
