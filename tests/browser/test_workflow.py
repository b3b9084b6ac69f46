"""A writer submits a draft for review in Chromium; an editor publishes it; a reader reads it."""

import pytest

from articles.models import Article
from tests.factories import make_article, make_author, make_role_user

PASSWORD = "correct-horse-42!"


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.mark.django_db(transaction=True)
def test_writer_submits_and_editor_publishes(page, browser, live_server):
    writer_author = make_author(name="Wendy Writer")
    writer = make_role_user("Writer", author=writer_author)
    editor = make_role_user("Editor")
    article = make_article(
        author=writer_author, status=Article.Status.DRAFT, title="Why tides turn"
    )
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    _log_in(page, live_server, writer.username)
    page.goto(change_url)
    assert page.get_by_role("button", name="Save and publish now").count() == 0
    page.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review" in page.locator(".messagelist").inner_text()
    assert "In review" in page.locator(".field-state").inner_text()

    reader = browser.new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert "Page not found" in reader.get_by_role("heading", level=1).inner_text()

    editor_page = browser.new_page()
    _log_in(editor_page, live_server, editor.username)
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
