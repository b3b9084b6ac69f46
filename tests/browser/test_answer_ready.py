"""A browser shows the Markdown version and /llms.txt as text (no download, no policy error)."""

import pytest

from tests.factories import make_article


@pytest.mark.django_db(transaction=True)
def test_the_advertised_markdown_opens_as_text_in_chromium(page, live_server):
    make_article(title="Browser headline", slug="browser-headline")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/articles/browser-headline/")
    alternate = page.locator('link[rel="alternate"][type="text/markdown"]')
    href = alternate.get_attribute("href")
    assert href == f"{live_server.url}/articles/browser-headline.md"
    response = page.goto(href)
    assert response.status == 200
    assert response.header_value("content-type") == "text/markdown; charset=utf-8"
    text = page.locator("body").inner_text()
    assert text.startswith("# Browser headline\n")
    assert "## TL;DR" in text
    response = page.goto(f"{live_server.url}/llms.txt")
    assert response.status == 200
    assert "[Browser headline](" in page.locator("body").inner_text()
    assert errors == []
