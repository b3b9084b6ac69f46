"""Every save records which stored files an article shows (ArticleMedia), so /media/ can
tell whose a file is: the hero, body images and links, FAQ answer images; an edit that drops
an image drops its record; a restore records the files of the version it brings back."""

import importlib

import pytest
from django.apps import apps

from articles.models import Article, ArticleMedia, FaqEntry
from articles.workflow import revisions, services, staging
from articles.workflow.media_record import shown_media
from smartchunks.media.share_cards import source_name as card_source_name
from tests.factories import image_upload, make_article, make_role_user

pytestmark = pytest.mark.django_db

BODY = (
    '<p><img src="/media/uploads/3/2026/01/02/Chart.png" alt="Chart">'
    '<a href="https://news.example.org/media/uploads/3/Full.jpg">full size</a>'
    '<a href="https://fortune.com/story">elsewhere</a>'
    '<img src="/static/img/logo.png" alt=""></p>'
)


def recorded(article) -> set[str]:
    return set(ArticleMedia.objects.filter(article=article).values_list("path", flat=True))


def test_save_edit_records_the_hero_and_the_files_body_and_faq_show():
    editor = make_role_user("Editor")
    article = Article(
        title="Headline",
        slug="recorded-article",
        body=BODY,
        author=make_article().author,
        hero_image=image_upload("hero.png"),
    )

    def write_children():
        FaqEntry.objects.create(
            article=article, question="Q?", answer='<p><img src="/media/uploads/3/Faq.png"></p>'
        )

    services.save_edit(article, by=editor, created=True, write_children=write_children)
    assert recorded(article) == {
        article.hero_image.name,
        "uploads/3/2026/01/02/Chart.png",
        "uploads/3/Full.jpg",
        "uploads/3/Faq.png",
        card_source_name(article.pk),  # its share cards' name, kept on every save
    }


def test_an_edit_that_drops_an_image_drops_its_record_and_keeps_the_rest():
    editor = make_role_user("Editor")
    article = make_article(body=BODY, faq=0)
    article.body = '<p>Text.<img src="/media/uploads/3/2026/01/02/Chart.png" alt="Chart"></p>'
    services.save_edit(article, by=editor)
    assert recorded(article) == {"uploads/3/2026/01/02/Chart.png", card_source_name(article.pk)}


def test_a_restore_records_the_files_of_the_version_it_brings_back():
    editor = make_role_user("Editor")
    article = make_article(body=BODY, faq=0)
    services.save_edit(article, by=editor)
    version = revisions.revisions_of(article).first()
    article.body = "<p>No pictures now.</p>"
    services.save_edit(article, by=editor)
    card_only = {card_source_name(article.pk)}
    assert recorded(article) == card_only
    revisions.restore_revision(article, version, by=editor)
    # Published: the version waits as unpublished changes, whose files the newsroom may see
    # (readers may not) until they are published.
    assert recorded(article) == card_only
    assert "uploads/3/2026/01/02/Chart.png" in staging.staged_edit_of(article).media
    staging.publish_changes(article, by=editor)
    assert "uploads/3/2026/01/02/Chart.png" in recorded(article)


def test_the_migration_records_articles_saved_before_the_record_existed():
    with_images = make_article(body=BODY, hero_image=image_upload("hero.png"), faq=0)
    FaqEntry.objects.create(
        article=with_images, question="Q?", answer='<img src="/media/uploads/9/Faq.png">'
    )
    plain = make_article()
    expected = {article.pk: shown_media(article) for article in (with_images, plain)}
    ArticleMedia.objects.all().delete()
    migration = importlib.import_module("articles.migrations.0007_article_media")
    migration.record_existing_articles(apps, schema_editor=None)
    assert {article.pk: recorded(article) for article in (with_images, plain)} == expected
    assert "uploads/9/Faq.png" in expected[with_images.pk]
    assert expected[plain.pk] == set()
