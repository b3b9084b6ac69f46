"""Revisions (with inlines) compare and restore; stale edits are refused; old slugs redirect."""

import pytest

from articles.models import Article, ArticleEvent, StagedEdit, TldrBullet
from articles.workflow import revisions
from tests.factories import make_article, make_role_user
from tests.helpers.admin import change_form, change_url, inline_prefix
from tests.helpers.history import compared_fields, history_url
from tests.helpers.html import error_texts

pytestmark = pytest.mark.django_db


def _save(client, article, **changes):
    response = client.post(change_url(article), change_form(client, article, **changes))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    return response


def test_restoring_a_revision_brings_back_text_and_inlines(client, editor):
    article = make_article(status=Article.Status.DRAFT, title="First title")
    client.force_login(editor)
    _save(client, article)  # revision 1: the original, with its three bullets
    data = change_form(client, article, title="Second title")
    prefix = inline_prefix(data, "text")
    data[f"{prefix}-0-text"] = "A rewritten bullet"
    data[f"{prefix}-2-DELETE"] = "on"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "Second title"
    assert article.tldr_bullets.count() == 2

    newer, older = list(revisions.revisions_of(article))[:2]
    compare = compared_fields(
        client.get(history_url(article, a=older.pk, b=newer.pk)).content.decode()
    )
    assert (compare["Headline"].before, compare["Headline"].after) == (
        "First title",
        "Second title",
    )
    assert "A rewritten bullet" in compare["TL;DR"].after

    response = client.post(f"/admin/articles/article/{article.pk}/history/{older.pk}/restore/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "First title"
    assert [b.text for b in article.tldr_bullets.all()] == [
        f"Bullet {n} of First title" for n in (1, 2, 3)
    ]
    assert article.status == Article.Status.DRAFT
    assert article.events.filter(action=ArticleEvent.Action.RESTORED, actor=editor).exists()


def test_writer_cannot_restore_revisions(client, writer, writer_author, editor):
    article = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    _save(client, article, title="Writer title")
    version = revisions.revisions_of(article).first()
    url = f"/admin/articles/article/{article.pk}/history/{version.pk}/restore/"
    assert client.post(url).status_code == 403


def test_second_save_of_a_stale_form_is_refused_and_shows_the_text_back(client, editor):
    from django.test import Client

    article = make_article(status=Article.Status.DRAFT, title="Original")
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    first_form = change_form(first, article, title="First person's headline")
    second_form = change_form(second, article, title="Second person's headline")
    assert first.post(change_url(article), first_form).status_code == 302
    response = second.post(change_url(article), second_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this article" in page
    assert "Second person&#x27;s headline" in page or "Second person's headline" in page
    article.refresh_from_db()
    assert article.title == "First person's headline"
    assert TldrBullet.objects.filter(article=article).count() == 3


def test_changing_a_published_slug_redirects_the_old_url(client, editor):
    article = make_article(slug="old-address")
    client.force_login(editor)
    _save(client, article, slug="new-address", _publish_changes="Publish changes")
    client.logout()
    response = client.get("/articles/old-address/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/new-address/"
    assert client.get("/articles/new-address/").status_code == 200


def test_old_slug_of_an_unpublished_article_is_a_plain_404(client, editor):
    article = make_article(slug="was-live")
    client.force_login(editor)
    _save(client, article, slug="renamed")
    _save(client, article, _unpublish="1")
    client.logout()
    assert client.get("/articles/was-live/").status_code == 404


def test_a_live_article_restored_to_a_revision_that_fails_the_checklist_stays_as_it_was(
    client, editor
):
    from articles.workflow import services

    article = make_article(status=Article.Status.DRAFT, tldr=2, title="Two bullets")
    client.force_login(editor)
    _save(client, article)  # a revision with only two bullets
    TldrBullet.objects.create(article=article, text="Third bullet", position=3)
    services.publish(article, by=editor)
    two_bullet_revision = list(revisions.revisions_of(article))[-1]
    response = client.post(
        f"/admin/articles/article/{article.pk}/revisions/{two_bullet_revision.pk}/restore/",
        follow=True,
    )
    # The old version waits as unpublished changes; publishing them is refused.
    assert "restored as unpublished changes" in response.content.decode()
    data = change_form(client, article, _publish_changes="1")
    refused = client.post(change_url(article), data)
    assert "3 to 5 TL;DR bullets; this article has 2" in refused.content.decode()
    article.refresh_from_db()
    assert article.is_published
    assert article.tldr_bullets.count() == 3


def test_writer_cannot_save_an_open_form_once_the_article_is_published(
    client, editor, writer, writer_author
):
    from django.test import Client

    from articles.workflow import services

    article = make_article(author=writer_author, status=Article.Status.IN_REVIEW)
    writer_client = Client()
    writer_client.force_login(writer)
    stale = change_form(writer_client, article, title="Late change")
    services.publish(article, by=editor)
    response = writer_client.post(change_url(article), stale)
    # Live now, a writer's edit would only be staged; this one is refused as out of date.
    assert response.status_code == 200
    assert "Someone else saved this article" in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Late change"
    assert not StagedEdit.objects.exists()


def test_an_open_form_goes_stale_when_someone_publishes_meanwhile(client, editor):
    from articles.workflow import services

    article = make_article(status=Article.Status.IN_REVIEW)
    client.force_login(editor)
    stale = change_form(client, article, title="Edited in an old tab")
    services.publish(article, by=make_role_user("Editor"))
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    assert "Someone else saved this article" in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Edited in an old tab"


def test_revisions_record_faq_and_sources_and_survive_a_deleted_tag(client, editor):
    from tests.factories import make_tag

    doomed = make_tag(name="Soon gone")
    article = make_article(status=Article.Status.DRAFT, tags=[doomed])
    client.force_login(editor)
    _save(client, article)
    data = change_form(client, article)
    data[f"{inline_prefix(data, 'question')}-0-question"] = "A sharper question?"
    data[f"{inline_prefix(data, 'url')}-0-url"] = "https://example.org/better-source"
    assert client.post(change_url(article), data).status_code == 302
    newer, older = list(revisions.revisions_of(article))[:2]
    compare = compared_fields(client.get(history_url(article, a=older.pk, b=newer.pk)).content)
    assert "Q: A sharper question?" in compare["FAQ"].after
    assert compare["Sources"].added == ["https://example.org/better-source"]
    article.tags.clear()
    doomed.delete()
    revisions.restore_revision(article, older, by=editor)
    article.refresh_from_db()
    assert article.faq_entries.get().question == "Question 1?"
    assert article.sources.get().url == "https://example.com/1"
    assert not article.tags.exists()


def test_a_writers_draft_taking_an_old_slug_does_not_break_a_live_articles_redirect(
    writer_client, writer_author
):
    from articles.workflow import services

    live = make_article(slug="battery-explainer")
    services.note_slug_change(live, "old-battery-url")  # an editor renamed it earlier
    draft = make_article(status=Article.Status.DRAFT, author=writer_author, slug="wendys-draft")
    data = change_form(writer_client, draft, slug="old-battery-url")
    assert writer_client.post(change_url(draft), data).status_code == 302

    writer_client.logout()
    response = writer_client.get("/articles/old-battery-url/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/battery-explainer/"


def test_a_stale_form_names_the_colleague_whose_unpublished_changes_came_first():
    from django.test import Client

    ana = make_role_user("Editor", username="ana", first_name="Ana", last_name="Ruiz")
    ben = make_role_user("Editor", username="ben")
    article = make_article(title="Live headline")  # published: saves are staged
    first, second = Client(), Client()
    first.force_login(ana)
    second.force_login(ben)
    anas_form = change_form(first, article, title="Ana's headline")
    bens_form = change_form(second, article, title="Ben's headline")
    assert first.post(change_url(article), anas_form).status_code == 302
    response = second.post(change_url(article), bens_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana Ruiz saved this article at" in page
    assert StagedEdit.objects.get(article=article).changes["title"] == "Ana's headline"
