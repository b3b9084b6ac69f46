"""`manage.py load_demo`: a real-looking publication, safe to run again."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, FaqEntry, SitePage, Source, TldrBullet
from authors.models import Author
from tests.helpers.html import reading_order


def _load():
    call_command("load_demo", stdout=StringIO())


@pytest.mark.django_db
def test_load_demo_creates_three_articles_by_two_authors():
    _load()
    assert Article.objects.count() == 3
    assert Author.objects.count() == 2
    assert Article.objects.published().count() == 3


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    _load()
    first = {
        "articles": Article.objects.count(),
        "authors": Author.objects.count(),
        "bullets": TldrBullet.objects.count(),
        "faq": FaqEntry.objects.count(),
        "sources": Source.objects.count(),
        "heroes": sorted(a.hero_image.name for a in Article.objects.all()),
        "photos": sorted(a.photo.name for a in Author.objects.all()),
    }
    _load()
    second = {
        "articles": Article.objects.count(),
        "authors": Author.objects.count(),
        "bullets": TldrBullet.objects.count(),
        "faq": FaqEntry.objects.count(),
        "sources": Source.objects.count(),
        "heroes": sorted(a.hero_image.name for a in Article.objects.all()),
        "photos": sorted(a.photo.name for a in Author.objects.all()),
    }
    assert second == first
    assert first["articles"] == 3
    assert first["authors"] == 2


@pytest.mark.django_db
def test_every_demo_article_has_every_part_filled():
    _load()
    for article in Article.objects.all():
        assert article.title and article.standfirst and article.body
        assert article.hero_image and article.hero_alt and article.hero_credit
        assert article.section is not None
        assert article.tags.exists()
        assert article.meta_description and len(article.meta_description) <= 160
        assert 3 <= article.tldr_bullets.count() <= 5
        assert article.faq_entries.exists()
        assert article.sources.exists()


@pytest.mark.django_db
def test_every_demo_author_has_a_full_profile():
    _load()
    for author in Author.objects.all():
        assert author.photo
        assert author.job_title and author.experience
        assert author.bio
        assert author.profile_links
        assert author.articles.exists()


@pytest.mark.django_db
def test_demo_articles_render_for_readers(client):
    _load()
    home = reading_order(client.get("/").content)
    for article in Article.objects.all():
        assert article.title in home
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        text = reading_order(response.content)
        assert "TL;DR" in text
        # One source reads "Source: Fortune"; several are a list under "Sources".
        assert ("Source: " in text) if article.sources.count() == 1 else ("Sources" in text)
        assert all(source.name in text for source in article.sources.all())
        assert "All articles →" in text


@pytest.mark.django_db
def test_load_demo_again_keeps_an_editors_changes():
    """`make run` loads the demo on every start; it must not undo the newsroom's edits."""
    _load()
    article = Article.objects.get(slug="why-ai-chatbots-make-things-up")
    article.title = "Edited by the desk"
    article.save()
    article.tldr_bullets.first().delete()
    author = Author.objects.get(slug="maya-okafor")
    author.job_title = "Editor at large"
    author.save()
    _load()
    article.refresh_from_db()
    author.refresh_from_db()
    assert article.title == "Edited by the desk"
    assert article.tldr_bullets.count() == 4
    assert author.job_title == "Editor at large"


@pytest.mark.django_db
def test_demo_articles_start_with_a_revision_to_compare_against():
    from reversion.models import Version

    _load()
    article = Article.objects.get(slug="why-ai-chatbots-make-things-up")
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 1
    assert versions.first().revision.get_comment() == "Demo content loaded"


@pytest.mark.django_db
def test_load_demo_publishes_about_and_editorial_standards_in_the_footer(client):
    _load()
    _load()  # create-only: still one of each
    pages = SitePage.objects.in_footer()
    assert [page.slug for page in pages] == ["about", "editorial-standards"]
    standards = client.get("/pages/editorial-standards/").content.decode()
    for promise in ("The TL;DR promise", "Sources", "Corrections"):
        assert f"<h2>{promise}</h2>" in standards
