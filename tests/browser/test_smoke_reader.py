import pytest

from tests.factories import make_article


@pytest.mark.django_db(transaction=True)
def test_reader_sees_published_article_in_chromium(page, live_server):
    article = make_article(title="Browser headline")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Browser headline").click()
    assert page.url == f"{live_server.url}{article.get_absolute_url()}"
    assert page.get_by_role("heading", level=1).inner_text() == "Browser headline"
    assert page.get_by_role("heading", name="TL;DR").is_visible()
