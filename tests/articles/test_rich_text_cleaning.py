"""Rich text is cleaned on every save, whatever path the HTML took (admin, ORM, import)."""

import pytest

from articles.models import FaqEntry
from tests.factories import make_article, make_author

HOSTILE = (
    '<h2 onclick="x()">Heading</h2>'
    "<p>Kept <strong>bold</strong> and <em>italic</em>.</p>"
    "<script>document.cookie</script>"
    '<p><a href="javascript:alert(1)">js link</a> <a href="https://ok.example/">ok link</a></p>'
    '<img src="/media/p.png" alt="pic" onerror="alert(2)">'
    '<iframe src="https://evil.example/"></iframe>'
    '<p style="position:fixed">styled</p>'
)
FORBIDDEN = ("<script", "document.cookie", "onclick", "onerror", "javascript:", "<iframe", "style=")


def _assert_clean(html):
    for forbidden in FORBIDDEN:
        assert forbidden not in html, f"{forbidden!r} survived cleaning: {html}"
    assert "<strong>bold</strong>" in html
    assert 'href="https://ok.example/"' in html
    assert "Heading" in html


@pytest.mark.django_db
def test_article_body_is_cleaned_when_saved_through_the_orm():
    article = make_article(body=HOSTILE)
    article.refresh_from_db()
    _assert_clean(article.body)


@pytest.mark.django_db
def test_body_keeps_what_the_editor_toolbar_can_make():
    toolbar_html = (
        "<h2>Two</h2><h3>Three</h3><p><strong>b</strong> <em>i</em></p>"
        "<ul><li>u</li></ul><ol><li>o</li></ol><blockquote><p>q</p></blockquote>"
        '<p><a href="https://example.com/">link</a></p>'
        '<p><img alt="inline" src="/media/uploads/x.png" width="10" height="10"></p>'
    )
    article = make_article(body=toolbar_html)
    article.refresh_from_db()
    for kept in ("<h2>", "<h3>", "<strong>", "<em>", "<ul>", "<ol>", "<blockquote>", "<img"):
        assert kept in article.body
    assert 'href="https://example.com/"' in article.body


@pytest.mark.django_db
def test_faq_answer_is_cleaned_when_saved_through_the_orm():
    entry = FaqEntry.objects.create(article=make_article(faq=0), question="Q?", answer=HOSTILE)
    entry.refresh_from_db()
    _assert_clean(entry.answer)


@pytest.mark.django_db
def test_author_bio_is_cleaned_when_saved_through_the_orm():
    author = make_author(bio=HOSTILE)
    author.refresh_from_db()
    _assert_clean(author.bio)


@pytest.mark.django_db
def test_article_page_never_shows_hostile_markup(client):
    author = make_author(bio=HOSTILE)
    article = make_article(body=HOSTILE, author=author, faq=0)
    FaqEntry.objects.create(article=article, question="Q?", answer=HOSTILE)
    page = client.get(article.get_absolute_url()).content.decode()
    for forbidden in ("document.cookie", "javascript:", "onerror", "onclick", "<iframe"):
        assert forbidden not in page
