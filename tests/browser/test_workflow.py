"""A writer submits a draft for review in Chromium; an editor publishes it; a reader reads it."""

import pytest

from articles.models import Article
from tests.factories import make_article


@pytest.mark.django_db(transaction=True)
def test_writer_submits_and_editor_publishes(
    page, browser, live_server, admin_login, writer, writer_author, editor
):
    article = make_article(
        author=writer_author, status=Article.Status.DRAFT, title="Why tides turn"
    )
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    admin_login(writer.username)
    page.goto(change_url)
    assert page.get_by_role("button", name="Save and publish now").count() == 0
    page.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review" in page.locator(".messagelist").inner_text()
    assert "In review" in page.locator(".field-state").inner_text()

    reader = browser.new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert "Page not found" in reader.get_by_role("heading", level=1).inner_text()

    editor_page = browser.new_page()
    admin_login(editor.username, on=editor_page)
    editor_page.goto(change_url)
    editor_page.get_by_role("button", name="Save and publish now").click()
    assert "Published" in editor_page.locator(".messagelist").inner_text()

    reader.goto(f"{live_server.url}/")
    reader.get_by_role("link", name="Why tides turn").click()
    assert reader.get_by_role("heading", level=1).inner_text() == "Why tides turn"
    # Close the extra browsers' keep-alive connections (and the server threads holding a
    # database connection for them) before the test database is dropped.
    reader.context.close()
    editor_page.context.close()
