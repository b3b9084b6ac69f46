"""The article page's frame (head tags, structured data, header, hero, TL;DR, body, FAQ,
sources, tags, author box) is stored at save (articles/pages/frame.py) and served to readers
in two queries; it is never stale, never carries the article's state, and serves every host."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, RenderedArticle
from articles.pages import frame
from articles.reader import article_page
from articles.reader.compiled_query import CompiledQuery, CompileError
from articles.workflow import prerender, services
from tests.factories import make_article, make_role_user, make_section, make_tag
from tests.helpers.fresh_settings import in_fresh_interpreter
from tests.helpers.html import jsonld_of_type, soup_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """Rendering, not the page cache; some writes here go straight to the database."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def article():
    return make_article(
        title="Harbour cranes", section=make_section(), tags=[make_tag(name="Ports")]
    )


def frame_row(article):
    return RenderedArticle.objects.filter(article=article).exclude(head="").first()


def rename_author(article):
    article.author.name = "Renamed Writer"
    article.author.save()
    return "Renamed Writer"


def change_author_links(article):
    type(article.author).objects.filter(pk=article.author_id).update(job_title="Night editor")
    return "Night editor"


def rename_section(article):
    article.section.name = "Renamed Section"
    article.section.save()
    return "Renamed Section"


def rename_tag(article):
    article.tags.update(name="Renamed Tag")
    return "Renamed Tag"


def add_tag(article):
    article.tags.add(make_tag(name="Added Tag"))
    return "Added Tag"


def remove_tag(article):
    article.tags.clear()
    return "!Ports"


def change_hero_alt_by_sql(article):
    Article.objects.filter(pk=article.pk).update(meta_description="A new description.")
    return "A new description."


def move_publication_time(article):
    earlier = timezone.now() - timedelta(days=3)
    Article.objects.filter(pk=article.pk).update(published_at=earlier)
    return earlier.strftime("%-d %B %Y")


@pytest.mark.parametrize(
    "change",
    [
        rename_author,
        change_author_links,
        rename_section,
        rename_tag,
        add_tag,
        remove_tag,
        change_hero_alt_by_sql,
        move_publication_time,
    ],
)
def test_any_change_to_what_the_frame_shows_drops_it(client, article, change):
    assert frame_row(article) is not None
    expected = change(article)
    assert frame_row(article) is None
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    if expected.startswith("!"):
        assert expected[1:] not in html
    else:
        assert expected in html


def test_a_change_of_state_keeps_the_frame_and_the_state_is_never_in_it(client, article):
    editor = make_role_user("Editor")
    services.unpublish(article, by=editor)
    assert frame_row(article) is not None
    row = frame_row(article)
    assert "noindex" not in row.head + row.body
    assert "staff-notice" not in row.body
    assert client.get(article.get_absolute_url()).status_code == 404


def test_publishing_a_draft_stores_the_frame_again_without_its_draft_notices(client):
    draft = make_article(status=Article.Status.DRAFT, title="A draft to publish")
    services.publish(draft, by=make_role_user("Editor"))
    row = frame_row(draft)
    assert row is not None and row.format == prerender.current_format()
    page = client.get(draft.get_absolute_url())
    assert page.status_code == 200
    assert soup_of(page).find("meta", attrs={"name": "robots"}) is None
    assert soup_of(page).select_one(".staff-notice") is None
    assert "A draft to publish" in soup_of(page).select_one("h1").get_text()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000"])
def test_one_stored_frame_serves_every_host_with_its_own_absolute_urls(client, article, host):
    page = client.get(article.get_absolute_url(), HTTP_HOST=host)
    html = page.content.decode()
    assert frame.ORIGIN not in html
    origin = f"http://{host}"
    canonical = soup_of(page).find("link", rel="canonical")["href"]
    assert canonical == f"{origin}{article.get_absolute_url()}"
    news = jsonld_of_type(page, "NewsArticle")
    assert news["url"] == canonical
    assert news["publisher"]["logo"]["url"].startswith(origin + "/static/")
    assert soup_of(page).find("meta", property="og:url")["content"] == canonical


def test_the_stored_origin_stand_in_never_reaches_a_page_even_in_json(client, article):
    row = frame_row(article)
    assert frame.ORIGIN in row.head  # stored against the stand-in ...
    for block in soup_of(client.get(article.get_absolute_url())).select(
        'script[type="application/ld+json"]'
    ):
        assert frame.ORIGIN not in json.dumps(json.loads(block.string))  # ... never shown


def test_a_frame_made_under_other_settings_is_not_shown(client, article, settings):
    settings.SITE_NAME = "Other Chunks"
    prerender.current_format.cache_clear()
    try:
        page = client.get(article.get_absolute_url())
        assert soup_of(page).find("meta", property="og:site_name")["content"] == "Other Chunks"
    finally:
        prerender.current_format.cache_clear()


def test_readers_and_the_newsroom_get_the_same_live_page(client, article):
    reader_page = client.get(article.get_absolute_url()).content
    client.force_login(make_role_user("Editor"))
    newsroom_page = client.get(article.get_absolute_url())
    assert newsroom_page.content == reader_page


def test_neighbours_come_from_published_articles_only(client):
    section = make_section()
    older = make_article(section=section, published_at=timezone.now() - timedelta(days=2))
    here = make_article(section=section, published_at=timezone.now() - timedelta(days=1))
    make_article(section=section, status=Article.Status.DRAFT, title="Unpublished neighbour")
    later = make_article(
        section=section,
        published_at=timezone.now() + timedelta(hours=1),
        title="Scheduled neighbour",
    )
    page = client.get(here.get_absolute_url())
    html = page.content.decode()
    assert "Unpublished neighbour" not in html and "Scheduled neighbour" not in html
    assert soup_of(page).find("a", rel="prev")["href"] == older.get_absolute_url()
    assert soup_of(page).find("a", rel="next") is None
    assert later.pk  # (exists, just not live)


class TestCompiledQuery:
    def test_runs_the_orm_sql_with_each_calls_values(self, article):
        query = CompiledQuery(
            lambda slug, now: (
                Article.objects.published(at=now).filter(slug=slug).values_list("pk", "title")
            ),
            slug="\x1fstand-in\x1f",
            now=article_page._NOW,
        )
        assert query.rows(slug=article.slug, now=timezone.now()) == [(article.pk, article.title)]
        assert query.rows(slug=article.slug, now=article.published_at - timedelta(1)) == []
        assert query.rows(slug="no-such-article", now=timezone.now()) == []

    def test_refuses_a_stand_in_the_sql_does_not_use(self):
        query = CompiledQuery(lambda slug: Article.objects.values_list("pk"), slug="unused")
        with pytest.raises(CompileError):
            query.rows(slug="x")

    def test_refuses_missing_or_unknown_values(self):
        query = CompiledQuery(
            lambda slug: Article.objects.filter(slug=slug).values_list("pk"), slug="\x1fs\x1f"
        )
        with pytest.raises(TypeError):
            query.rows()
        with pytest.raises(TypeError):
            query.rows(slug="a", other=1)


def test_the_compiled_queries_are_prepared_so_postgresql_stops_planning_them(client, article):
    """After a few runs on a connection the article page's two queries are prepared
    statements there (DJANGO_DB_PREPARE_THRESHOLD), not planned again per request."""
    for _ in range(4):
        assert client.get(article.get_absolute_url()).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"articles_renderedarticle"."head"' in sql for sql in prepared)
    assert any("UNION" in sql for sql in prepared)


def test_the_prepared_queries_run_a_generic_plan_from_the_first_run(client, article):
    """PostgreSQL otherwise plans a prepared statement afresh for its first five runs and
    then only keeps the generic plan if its estimate looks no worse; at 100,000 articles it
    never did for the neighbour query, so every request paid the planning again."""
    for _ in range(4):
        assert client.get(article.get_absolute_url()).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements")
        plans = cursor.fetchall()
    assert plans, "no prepared statements"
    assert all(custom == 0 and generic > 0 for generic, custom in plans), plans


def test_prepared_statements_can_be_turned_off_for_poolers():
    code = (
        "from smartchunks import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['prepare_threshold'])"
    )
    assert in_fresh_interpreter(code, env={}).stdout.strip() == "2"
    off = in_fresh_interpreter(code, env={"DJANGO_DB_PREPARE_THRESHOLD": "off"})
    assert off.stdout.strip() == "None"
    options = "from smartchunks import settings; print(settings.DATABASES['default']['OPTIONS'])"
    assert (
        "plan_cache_mode"
        not in in_fresh_interpreter(options, env={"DJANGO_DB_PREPARE_THRESHOLD": "off"}).stdout
    )


def test_related_articles_are_ranked_among_each_tags_newest_only(client, monkeypatch):
    """However many articles a tag gathers, related ranks a bounded number of them: the
    newest CANDIDATES_PER_TAG of each of the article's tags (here 2)."""
    monkeypatch.setattr(article_page, "CANDIDATES_PER_TAG", 2)
    bounded = CompiledQuery(article_page._neighbours, **article_page.NEIGHBOURS._stand_ins)
    monkeypatch.setattr(article_page, "NEIGHBOURS", bounded)
    topic = make_tag(name="Shipping")
    oldest = make_article(title="Oldest on shipping", tags=[topic], section=make_section())
    newer = [
        make_article(title=f"Newer on shipping {i}", tags=[topic], section=make_section())
        for i in range(2)
    ]
    here = make_article(title="Here", tags=[topic], section=make_section())
    titles = [
        a.get_text() for a in soup_of(client.get(here.get_absolute_url())).select(".related a")
    ]
    assert titles == [a.title for a in reversed(newer)]
    assert oldest.title not in titles


def test_an_edit_is_kept_when_its_page_cannot_be_rendered(article, monkeypatch, caplog):
    """A deploy that breaks a template or setting must not cost editors their saves: the
    edit is kept, the failure logged, and nothing stale is left stored."""

    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'img/logo.png'")

    monkeypatch.setattr(frame, "render", broken)
    article.title = "Harbour cranes, kept"
    services.save_edit(article, by=make_role_user("Editor"))
    assert Article.objects.get(pk=article.pk).title == "Harbour cranes, kept"
    assert not RenderedArticle.objects.filter(article=article).exists()
    assert "were not stored" in caplog.text
