"""The article page's own parts (TL;DR, body, FAQ, sources, reading time, FAQ structured
data) are rendered when the article is saved (articles/workflow/prerender.py), and a reader
never sees them stale: any change to their inputs, by any path, drops the stored copy."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from articles.models import FaqEntry, RenderedArticle, Source, TldrBullet
from articles.workflow import prerender, services
from tests.factories import make_complete_article, make_role_user
from tests.helpers.html import jsonld_of_type, reading_order, soup_of

pytestmark = pytest.mark.django_db

MARKER = "Only-in-the-stored-copy"


@pytest.fixture(autouse=True)
def uncached(settings):
    """The stored parts under test, not the page cache: some writes here go straight to the
    database, past the cache's invalidation (tests/workflow/test_page_cache_invalidation.py)."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def article():
    return make_complete_article(title="Harbour cranes", body="<p>Cranes lift boxes.</p>")


def stored(article):
    return RenderedArticle.objects.filter(article=article).first()


def plant_marker(article):
    """Mark the stored copy, so the page shows whether it used it (no trigger on this table)."""
    row = RenderedArticle.objects.get(article=article)
    row.html = f"<p>{MARKER}</p>"
    row.body = row.body.replace("Cranes lift boxes.", MARKER).replace(
        f">{row.reading_minutes} min read<", ">42 min read<"
    )
    row.reading_minutes = 42
    row.save()


def test_an_edit_through_the_workflow_stores_the_parts_the_page_shows(client, article):
    RenderedArticle.objects.all().delete()
    article.body = "<p>Cranes lift boxes all night.</p>"
    services.save_edit(article, by=make_role_user("Editor"))
    row = stored(article)
    assert row is not None and row.format == prerender.current_format()
    assert "Cranes lift boxes all night." in row.html
    assert "Source:" in row.html and "FAQ" in row.html
    # The TL;DR stands above the hero, in the frame around the parts.
    assert "TL;DR" in row.body and row.body.index("TL;DR") < row.body.index('class="hero"')


def test_the_page_shows_the_stored_parts_while_they_are_current(client, article):
    plant_marker(article)
    page = client.get(article.get_absolute_url())
    assert MARKER in reading_order(page.content)
    assert "42 min read" in reading_order(page.content)


def test_stored_and_live_rendering_give_the_same_page(client, article):
    with_stored = client.get(article.get_absolute_url()).content
    RenderedArticle.objects.all().delete()
    live = client.get(article.get_absolute_url()).content
    assert live == with_stored
    assert b"Cranes lift boxes." in live


def test_parts_made_by_other_templates_are_not_shown(client, article):
    plant_marker(article)
    RenderedArticle.objects.filter(article=article).update(format="made-by-an-older-deploy")
    text = reading_order(client.get(article.get_absolute_url()).content)
    assert MARKER not in text
    assert "Cranes lift boxes." in text


def change_bullet(article):
    TldrBullet.objects.filter(article=article).update(text="A brand new bullet")
    return "A brand new bullet"


def add_bullet(article):
    TldrBullet.objects.create(article=article, text="An added bullet", position=9)
    return "An added bullet"


def delete_bullet(article):
    bullet = article.tldr_bullets.first()
    bullet.delete()
    return f"!{bullet.text}"


def change_faq(article):
    FaqEntry.objects.filter(article=article).update(question="A new question?")
    return "A new question?"


def add_source(article):
    Source.objects.create(article=article, name="Reuters", url="https://reuters.com/", position=3)
    return "Reuters"


def delete_source(article):
    Source.objects.filter(article=article).delete()
    return "!Fortune"


def change_body(article):
    type(article).objects.filter(pk=article.pk).update(body="<p>A rewritten body.</p>")
    return "A rewritten body."


def change_title(article):
    article.title = "Harbour cranes, revisited"
    article.save()
    return "Harbour cranes, revisited"


def change_standfirst(article):
    type(article).objects.filter(pk=article.pk).update(standfirst="A new standfirst.")
    return "A new standfirst."


@pytest.mark.parametrize(
    "change",
    [
        change_bullet,
        add_bullet,
        delete_bullet,
        change_faq,
        add_source,
        delete_source,
        change_body,
        change_title,
        change_standfirst,
    ],
)
def test_a_change_by_any_path_drops_the_stored_parts_at_once(client, article, change):
    client.get(article.get_absolute_url())
    plant_marker(article)
    expected = change(article)
    assert stored(article) is None
    text = reading_order(client.get(article.get_absolute_url()).content)
    assert MARKER not in text
    if expected.startswith("!"):
        assert expected[1:] not in text
    else:
        assert expected in text


def test_a_change_of_state_keeps_the_stored_parts(article):
    services.unpublish(article, by=make_role_user("Editor"))
    assert stored(article) is not None


def test_faq_structured_data_comes_with_the_stored_parts(client, article):
    FaqEntry.objects.create(article=article, question="Why cranes?", answer="<p>Boxes.</p>")
    prerender.store_parts(article.pk)
    faq = jsonld_of_type(client.get(article.get_absolute_url()), "FAQPage")
    assert [q["name"] for q in faq["mainEntity"]][-1] == "Why cranes?"
    assert stored(article).faq[-1] == ["Why cranes?", "<p>Boxes.</p>"]


def test_author_section_and_tag_edits_show_at_once(client, article):
    """The author box, section and tags are stored with the page frame, and any change to
    their rows drops it (database triggers), so readers see the edit at once."""
    client.get(article.get_absolute_url())
    author, section, tag = article.author, article.section, article.tags.get()
    author.name, author.bio = "Renamed Writer", "<p>A new biography.</p>"
    author.save()
    section.name = "Renamed Section"
    section.save()
    tag.name = "Renamed Tag"
    tag.save()
    page = client.get(article.get_absolute_url())
    text = reading_order(page.content)
    assert "By Renamed Writer" in text
    assert "A new biography." in text
    assert soup_of(page).select_one(".page-kicker").get_text() == "Renamed Section"
    assert "Renamed Tag" in soup_of(page).select_one("nav.tags").get_text()
    assert stored(article) is None  # dropped by the first of the three edits


def test_the_command_stores_missing_and_outdated_parts_only(article):
    other = make_complete_article()
    RenderedArticle.objects.filter(article=article).delete()
    RenderedArticle.objects.filter(article=other).update(format="old")
    current = make_complete_article()
    prerender.make_card(current.pk)  # as its save's commit would have (a new card is stored)
    prerender.store_parts(current.pk)
    untouched = stored(current).rendered_at
    call_command("prerender_articles")
    assert stored(article).format == stored(other).format == prerender.current_format()
    assert stored(current).rendered_at == untouched


def test_the_migration_stores_the_parts_of_articles_saved_before(article):
    expected = stored(article).html
    RenderedArticle.objects.all().delete()
    migration = importlib.import_module("articles.migrations.0009_rendered_article")
    migration.render_existing_articles(apps, schema_editor=None)
    assert stored(article).html == expected
