"""Previews and share links of an article with staged changes show the changes, exactly as
publishing them would render the page, while readers and the database keep the published
version."""

import re

import pytest
from django.test import Client

from articles.models import Article, RenderedArticle
from articles.workflow import page_generation, staging
from tests.factories import make_article, make_role_user
from tests.helpers.html import jsonld_of_type, reading_order, soup_of

pytestmark = pytest.mark.django_db

STAGED = {
    "title": "Staged headline zqxpreview",
    "body": "<p>Staged body zqxpreview.</p>",
    "tldr": [{"text": f"Staged bullet {n} zqxpreview"} for n in range(3)],
    "faq": [{"question": "Staged question zqxpreview?", "answer": "<p>Staged answer.</p>"}],
}


@pytest.fixture
def live(writer_author):
    article = make_article(author=writer_author, title="Published headline")
    staging.save_changes(article, STAGED, by=make_role_user("Editor"))
    return article


def _share_path(client, article) -> str:
    page = client.post(f"/admin/articles/article/{article.pk}/share/", {"hours": "2"})
    return re.search(
        r'id="new-share-link" value="http://testserver([^"]+)"', page.content.decode()
    )[1]


def test_the_preview_shows_the_changes_as_the_page_would(editor_client, live):
    response = editor_client.get(f"/preview/articles/{live.pk}/")
    assert response.status_code == 200
    text = reading_order(response.content)
    assert "Preview of unpublished changes: readers see the published version" in text
    for part in ("Staged headline", "Staged body", "Staged bullet 2", "Staged question"):
        assert f"{part}" in text
    assert "Published headline" not in text
    assert jsonld_of_type(response, "NewsArticle")["headline"] == STAGED["title"]
    assert "no-store" in response["Cache-Control"]


def test_readers_and_the_rows_keep_the_published_version(editor_client, live):
    page_generation.current_or_renewed()
    before = page_generation.current()
    editor_client.get(f"/preview/articles/{live.pk}/")
    reader_page = Client().get(live.get_absolute_url()).content.decode()
    assert "Published headline" in reader_page and "zqxpreview" not in reader_page
    row = Article.objects.get(pk=live.pk)
    assert row.title == "Published headline" and row.tldr_bullets.count() == 3
    assert RenderedArticle.objects.filter(article=live).exists()
    assert page_generation.current() == before


def test_a_writer_previews_the_changes_to_their_own_live_article(client, writer, live):
    client.force_login(writer)
    assert "Staged headline" in client.get(f"/preview/articles/{live.pk}/").content.decode()


def test_someone_who_may_not_preview_gets_a_plain_404(client, live):
    client.force_login(make_role_user("Writer"))
    assert client.get(f"/preview/articles/{live.pk}/").status_code == 404


def test_a_share_link_shows_the_changes(editor_client, live):
    path = _share_path(editor_client, live)
    response = Client().get(path)
    assert response.status_code == 200
    text = reading_order(response.content)
    assert "Staged headline zqxpreview" in text
    assert "these changes are not published yet" in text
    assert soup_of(response).select_one("h1").get_text(strip=True) == STAGED["title"]


def test_after_publishing_the_preview_is_the_article_itself(editor_client, editor, live):
    staging.publish_changes(live, by=editor)
    response = editor_client.get(f"/preview/articles/{live.pk}/")
    text = reading_order(response.content)
    assert "Staged headline" in text and "Preview of unpublished changes" not in text
