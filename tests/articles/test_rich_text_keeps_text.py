"""Cleaning rich text removes markup, never the editor's words.

An unclosed ``<title>``, ``<textarea>``, ``<script>``, ``<!--`` (and the like) makes the
HTML parser read everything after it as that element's content; the cleaner then dropped it
(or turned the paragraphs into literal tags), so the article was saved cut short with no
word of warning.  Now the form refuses, quotes what would be lost and keeps the input.
"""

import pytest

from articles.models import Article
from authors.models import Author
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.factories import make_article
from tests.helpers.admin import change_form, change_url, inline_prefix
from tests.helpers.html import error_texts, field_errors, soup_of

# Each hides "After" from the cleaner: html5ever reads the rest as the element's content.
SWALLOWERS = [
    "<title>",
    "<textarea>",
    "<noscript>",
    "<xmp>",
    "<style>",
    "<!--",
    "<script>",
    "<plaintext>",
    "<iframe>",
    "<noembed>",
    "<noframes>",
    "<template>",
]
HARMLESS = (
    '<p onclick="steal()">Before <span style="color:red">the middle</span> after.</p>'
    "<script>alert('code, not text')</script><!-- a note -->"
    '<p><a href="javascript:alert(1)">a link</a></p>'
)


def _swallowing_body(opener):
    return f"<p>Before it</p>{opener}<p>After it comes the rest of the article.</p>"


def _textarea(response, name):
    return soup_of(response).find("textarea", attrs={"name": name}).string


@pytest.fixture
def article(db):
    return make_article(body="<p>The saved body.</p>")


@pytest.mark.parametrize("opener", SWALLOWERS)
def test_body_that_cleaning_would_cut_short_is_refused_with_what_would_be_lost(
    editor_client, article, opener
):
    saved = Article.objects.values("body", "version", "modified_at").get(pk=article.pk)
    body = _swallowing_body(opener)
    response = editor_client.post(
        change_url(article), change_form(editor_client, article, body=body)
    )
    assert response.status_code == 200
    (message,) = field_errors(response.content, "body")
    assert "would lose text, starting with “After it comes the rest of the article.”" in message
    assert "Nothing has been saved" in message
    # The editor's input is back in the form, as typed, for correcting.
    assert _textarea(response, "body") == body
    assert Article.objects.values("body", "version", "modified_at").get(pk=article.pk) == saved


def test_faq_answer_that_cleaning_would_cut_short_is_refused(editor_client, article):
    saved_answer = article.faq_entries.get().answer
    data = change_form(editor_client, article)
    name = f"{inline_prefix(data, 'question')}-0-answer"
    data[name] = _swallowing_body("<title>")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    (message,) = field_errors(response.content, "answer")
    assert "“After it comes the rest of the article.”" in message
    assert _textarea(response, name) == data[name]
    assert article.faq_entries.get().answer == saved_answer


def test_a_new_article_that_would_lose_text_is_not_created(editor_client):
    data = article_form(editor_client, publish=None, body=_swallowing_body("<!--"))
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert field_errors(response.content, "body"), error_texts(response.content)
    assert not Article.objects.filter(slug="how-batteries-age").exists()


def test_writer_gets_the_same_refusal_on_their_own_draft(writer_client, writer_author):
    draft = make_article(author=writer_author, status=Article.Status.DRAFT, body="<p>Mine.</p>")
    body = _swallowing_body("<textarea>")
    response = writer_client.post(change_url(draft), change_form(writer_client, draft, body=body))
    assert response.status_code == 200
    assert field_errors(response.content, "body")
    draft.refresh_from_db()
    assert draft.body == "<p>Mine.</p>"


def test_a_long_loss_is_quoted_short_from_where_it_starts(editor_client, article):
    words = " ".join(f"word{n}" for n in range(40))
    # SVG text is dropped whole; the unclosed <title> later turns "Tail" into literal tags.
    body = f"<p>Start</p><svg><text>{words}</text></svg><p>Middle</p><title><p>Tail</p>"
    response = editor_client.post(
        change_url(article), change_form(editor_client, article, body=body)
    )
    (message,) = field_errors(response.content, "body")
    assert (
        "starting with “word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11…”"
        in (message)
    )


def test_removing_only_markup_still_saves_the_cleaned_text(editor_client, article):
    data = change_form(editor_client, article, body=HARMLESS, _publish_changes="Publish changes")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.body == (
        '<p>Before the middle after.</p><p><a rel="noopener noreferrer">a link</a></p>'
    )


def test_author_bio_that_cleaning_would_cut_short_is_refused(admin_client, writer_author):
    url = f"/admin/authors/author/{writer_author.pk}/change/"
    from tests.helpers.html import rendered_form_data

    data = rendered_form_data(admin_client.get(url).content)
    data["bio"] = _swallowing_body("<script>")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "“After it comes the rest of the article.”" in " ".join(
        field_errors(response.content, "bio")
    )
    assert Author.objects.get(pk=writer_author.pk).bio == writer_author.bio

    data["bio"] = HARMLESS
    assert admin_client.post(url, data).status_code == 302
    assert Author.objects.get(pk=writer_author.pk).bio.startswith("<p>Before the middle after.</p>")


def test_only_the_lost_passage_is_quoted(editor_client, article):
    body = "<p>Kept before.</p><svg><text>Drawn words</text></svg><p>Kept after.</p>"
    response = editor_client.post(
        change_url(article), change_form(editor_client, article, body=body)
    )
    (message,) = field_errors(response.content, "body")
    assert "would lose text, starting with “Drawn words”, because" in message
