"""Checklist, scheduling (with a moved clock), expiry and the "Updated" line."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article, FaqEntry, Source
from articles.workflow import services
from articles.workflow.checklist import Draft, problems
from tests.factories import image_upload, make_article
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, reading_order, rendered_form_data

pytestmark = pytest.mark.django_db


def test_checklist_lists_every_problem_at_once():
    found = problems(
        Draft(
            has_hero_image=True,
            meta_description="x" * 161,
            tldr=["one"],
            faq=[("Question?", "")],
            source_urls=["ftp://example.com/file"],
        )
    )
    assert found == [
        "Add a headline.",
        "Add a slug (the article's URL).",
        "Choose an author.",
        "Publishing needs 3 to 5 TL;DR bullets; this article has 1.",
        "Write the body: it is empty.",
        "Add at least one source with an http:// or https:// URL.",
        "Describe the hero image in its alt text.",
        "Shorten the meta description to 160 characters at most (it has 161).",
        "FAQ entry 1 needs both a question and an answer.",
    ]


def messages_on(response) -> str:
    return reading_order(response.content, root=".messagelist")


def test_admin_publish_is_refused_with_every_failure_and_the_edit_is_kept(client, editor):
    article = make_article(
        status=Article.Status.DRAFT,
        tldr=2,
        sources=0,
        body="",
        meta_description="m" * 200,
    )
    client.force_login(editor)
    data = change_form(client, article, _publish="1", title="A sharper headline")
    response = client.post(change_url(article), data, follow=True)
    shown = messages_on(response)
    assert "Your changes are saved, but the article was not published" in shown
    for expected in (
        "3 to 5 TL;DR bullets; this article has 2",
        "Write the body",
        "at least one source",
        "160 characters",
    ):
        assert expected in shown
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.title == "A sharper headline"


def test_service_refuses_to_publish_an_incomplete_article(editor):
    article = make_article(status=Article.Status.DRAFT, faq=0, sources=0)
    with_hero = make_article(status=Article.Status.DRAFT, hero_image=image_upload(), hero_alt="")
    with pytest.raises(services.WorkflowError, match="Describe the hero image in its alt text."):
        services.publish(with_hero, by=editor)
    FaqEntry.objects.create(article=article, question="Why?", answer="")
    with pytest.raises(services.WorkflowError) as refusal:
        services.publish(article, by=editor)
    assert "FAQ entry 1 needs both a question and an answer." in refusal.value.problems
    assert "Describe the hero image in its alt text." not in refusal.value.problems
    assert "Add at least one source with an http:// or https:// URL." in refusal.value.problems
    Source.objects.create(article=article, name="Outlet", url="https://example.com/")
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_scheduled_article_goes_live_at_its_time_and_leaves_at_expiry(client, editor):
    start = timezone.now()
    article = make_article(status=Article.Status.DRAFT, expires_at=start + timedelta(hours=5))
    client.force_login(editor)
    go_live = timezone.localtime(start + timedelta(hours=2))
    data = change_form(
        client,
        article,
        _schedule="1",
        published_at_0=go_live.strftime("%Y-%m-%d"),
        published_at_1=go_live.strftime("%H:%M:%S"),
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.editorial_state == "Scheduled"
    client.logout()
    url = article.get_absolute_url()
    assert client.get(url).status_code == 404
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert client.get(url).status_code == 200
        assert article.title in client.get("/").content.decode()
    with time_machine.travel(start + timedelta(hours=6), tick=False):
        assert client.get(url).status_code == 404


def test_schedule_needs_a_future_time(client, editor):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    data = change_form(client, article, _schedule="1")
    response = client.post(change_url(article), data, follow=True)
    shown = messages_on(response)
    assert "the article was not scheduled" in shown
    assert "To schedule, set a publication time in the future." in shown
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_updated_line_appears_only_for_edits_after_publishing(client, editor):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    client.post(change_url(article), change_form(client, article, _publish="1"))
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        data = change_form(client, article, title="Fixed", _publish_changes="Publish changes")
        response = client.post(change_url(article), data)
        assert response.status_code == 302, error_texts(response.content)
        assert "Updated" in client.get(article.get_absolute_url()).content.decode()


def test_article_with_a_stored_hero_image_can_be_edited_and_published(client, editor):
    article = make_article(
        status=Article.Status.DRAFT, hero_image=image_upload(), hero_alt="A picture"
    )
    stored_name = article.hero_image.name
    client.force_login(editor)
    response = client.post(change_url(article), change_form(client, article, _publish="1"))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.is_published
    assert article.hero_image.name == stored_name


def test_author_with_a_photo_can_edit_their_profile(client, writer, writer_author):
    writer_author.photo = image_upload("face.png")
    writer_author.save()
    client.force_login(writer)
    url = f"/admin/authors/author/{writer_author.pk}/change/"
    data = rendered_form_data(client.get(url).content)
    data["job_title"] = "Science writer"
    response = client.post(url, data)
    assert response.status_code == 302, error_texts(response.content)
    writer_author.refresh_from_db()
    assert writer_author.job_title == "Science writer"
