"""The page cache is never stale, across real worker processes (nginx + gunicorn, 2 workers).

Each test warms the pages it changes on both workers (a dozen requests, answered from the
cache), changes something the way the newsroom does (the workflow services, model saves as
the admin makes them), then asks many times: no request may get the old page.  The writes
happen in this process, the readers are the stack's workers: they share only the page cache's
folder and the database, as the workers of one machine do.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.workflow import revisions, services, staging
from tests.factories import make_article, make_role_user, make_section, make_tag
from tests.helpers.stack import Stack, current_database_url

pytestmark = [pytest.mark.frontserver, pytest.mark.django_db(transaction=True)]

WARM_REQUESTS = 12
CHECK_REQUESTS = 24


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), Stack(database_url=current_database_url()) as running:
        yield running


class Reader:
    def __init__(self, base_url: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port

    def get(self, path: str) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            # nginx's own header on a file: a hit answered without Python (front_cache.py).
            self.from_file = response.getheader("Accept-Ranges") == "bytes"
            return response.status, body, response.getheader("X-Page-Cache", "")
        finally:
            connection.close()

    def warm(self, *paths: str) -> None:
        """Ask until every worker has served the page from the cache."""
        for path in paths:
            answers, from_files = [], 0
            for _ in range(WARM_REQUESTS):
                answers.append(self.get(path))
                from_files += self.from_file
            assert all(status == answers[0][0] for status, _, _ in answers), path
            if answers[0][0] == 200:
                hits = sum(1 for _, _, cache in answers if cache == "hit")
                assert hits >= WARM_REQUESTS - 2, f"{path} was not served from the cache"
                # The reader's HTML pages: the checks after the change then ask nginx.
                if not path.startswith("/feeds/") and not path.endswith((".xml", ".txt", ".md")):
                    assert from_files >= WARM_REQUESTS - 2, f"{path} was not answered by nginx"

    def every_answer(self, path: str) -> list[tuple[int, str]]:
        return [self.get(path)[:2] for _ in range(CHECK_REQUESTS)]


@pytest.fixture
def reader(stack):
    return Reader(stack.url)


@pytest.fixture
def editor():
    return make_role_user("Editor")


def shows(answers, text) -> bool:
    return all(status == 200 and text in body for status, body in answers)


def hides(answers, text) -> bool:
    return all(text not in body for _, body in answers)


def test_publishing_shows_the_article_on_every_worker_at_once(reader, editor):
    make_article(title="Already there")
    draft = make_article(title="Fresh off the press", status=Article.Status.DRAFT)
    reader.warm("/", draft.get_absolute_url())
    services.publish(draft, by=editor)
    assert shows(reader.every_answer("/"), "Fresh off the press")
    assert shows(reader.every_answer(draft.get_absolute_url()), "Fresh off the press")


def test_an_edit_shows_at_once_on_the_article_listings_and_feed(reader, editor):
    section = make_section()
    article = make_article(title="Harbour cranes", section=section)
    pages = ["/", article.get_absolute_url(), section.get_absolute_url(), "/feeds/rss/"]
    reader.warm(*pages)
    article.title = "Harbour cranes, corrected"
    services.save_edit(article, by=editor)
    for page in pages:
        assert shows(reader.every_answer(page), "Harbour cranes, corrected"), page


def test_unpublishing_takes_the_article_off_every_page_at_once(reader, editor):
    tag = make_tag(name="Zqx tag")
    article = make_article(title="Soon withdrawn", tags=[tag], section=make_section())
    pages = ["/", article.get_absolute_url(), tag.get_absolute_url(), "/news-sitemap.xml"]
    reader.warm(*pages)
    services.unpublish(article, by=editor)
    for page in pages:
        assert hides(reader.every_answer(page), "Soon withdrawn"), page
    assert {status for status, _ in reader.every_answer(article.get_absolute_url())} == {404}
    # Its tag was on no other published article: the tag page is gone too.
    assert {status for status, _ in reader.every_answer(tag.get_absolute_url())} == {404}


def test_deleting_an_article_takes_it_off_at_once(reader):
    article = make_article(title="Deleted soon")
    reader.warm("/", article.get_absolute_url())
    services.delete(article, by=make_role_user("Admin"))
    assert hides(reader.every_answer("/"), "Deleted soon")
    assert {status for status, _ in reader.every_answer(article.get_absolute_url())} == {404}


def test_restoring_a_revision_shows_at_once_when_its_changes_are_published(reader, editor):
    article = make_article(title="First headline")
    services.save_edit(article, by=editor)
    version = revisions.revisions_of(article).first()
    article.title = "Second headline"
    services.save_edit(article, by=editor)
    reader.warm(article.get_absolute_url())
    assert shows(reader.every_answer(article.get_absolute_url()), "Second headline")
    revisions.restore_revision(article, version, by=editor)
    # The article is live: the restored version waits as unpublished changes.
    waiting = reader.every_answer(article.get_absolute_url())
    assert shows(waiting, "<title>Second headline")  # (the TL;DR bullets name the first)
    assert hides(waiting, "<title>First headline")
    staging.publish_changes(article, by=editor)
    restored = reader.every_answer(article.get_absolute_url())
    assert shows(restored, "First headline")
    assert hides(restored, "Second headline")


def test_an_author_section_or_tag_edit_shows_on_the_pages_that_name_them(reader):
    tag = make_tag(name="Shipping")
    section = make_section(name="Transport")
    article = make_article(title="Containers", section=section, tags=[tag])
    author = article.author
    pages = [article.get_absolute_url(), author.get_absolute_url(), section.get_absolute_url()]
    reader.warm(*pages, tag.get_absolute_url())
    # As the admin saves them: ModelAdmin.save_model calls save().
    author.name = "Renamed Author"
    author.save()
    section.name = "Logistics"
    section.save()
    tag.name = "Freight"
    tag.save()
    article_page = reader.every_answer(article.get_absolute_url())
    for new_name in ("Renamed Author", "Logistics", "Freight"):
        assert shows(article_page, new_name), new_name
    assert shows(reader.every_answer(author.get_absolute_url()), "Renamed Author")
    assert shows(reader.every_answer(section.get_absolute_url()), "Logistics")
    assert shows(reader.every_answer(tag.get_absolute_url()), "Freight")


def test_removing_a_tag_from_an_article_shows_at_once(reader, editor):
    tag = make_tag(name="Removable tag")
    article = make_article(title="Tagged story", tags=[tag])
    reader.warm(article.get_absolute_url())
    assert shows(reader.every_answer(article.get_absolute_url()), "Removable tag")
    article.tags.remove(tag)
    assert hides(reader.every_answer(article.get_absolute_url()), "Removable tag")


def test_another_articles_publication_updates_next_and_related_links(reader, editor):
    section = make_section()
    older = make_article(
        title="Older story", section=section, published_at=timezone.now() - timedelta(days=2)
    )
    newer = make_article(title="Newer story", section=section, status=Article.Status.DRAFT)
    reader.warm(older.get_absolute_url())
    assert hides(reader.every_answer(older.get_absolute_url()), "Newer story")
    services.publish(newer, by=editor)
    assert shows(reader.every_answer(older.get_absolute_url()), "Newer story")


def _wait_for(reader, path, condition, *, deadline_seconds) -> float:
    """Seconds until every answer on ``path`` meets ``condition`` (polling)."""
    started = time.monotonic()
    while time.monotonic() - started < deadline_seconds:
        if condition(reader.every_answer(path)):
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"{path} did not change within {deadline_seconds} s")


def test_a_scheduled_article_appears_and_an_expiring_one_goes_with_no_write(reader, editor):
    """The issue's bound is 60 s; the generation runs out at the very instant."""
    make_article(title="Steady story")
    scheduled = make_article(title="Scheduled story", status=Article.Status.DRAFT)
    expiring = make_article(title="Expiring story")
    live_at = timezone.now() + timedelta(seconds=4)
    services.schedule(scheduled, by=editor, at=live_at)
    expiring.expires_at = live_at
    services.save_edit(expiring, by=editor)
    reader.warm("/")
    assert hides(reader.every_answer("/"), "Scheduled story")
    assert shows(reader.every_answer("/"), "Expiring story")
    waited = (live_at - timezone.now()).total_seconds()
    late = _wait_for(
        reader,
        "/",
        lambda answers: shows(answers, "Scheduled story") and hides(answers, "Expiring story"),
        deadline_seconds=max(waited, 0) + 60,
    )
    assert late <= max(waited, 0) + 60


def test_the_section_menu_and_footer_follow_a_rename_on_every_worker(reader):
    """Each worker keeps the menu and the footer's site pages per generation
    (articles/reader/navigation.py), also for pages the cache never stores (search)."""
    from articles.models import SitePage

    section = make_section(name="Zqx Science", slug="zqx-science")
    article = make_article(section=section)
    page = SitePage.objects.create(
        title="Zqx About", slug="about", body="<p>Us.</p>", published=True
    )
    pages = [article.get_absolute_url(), "/search/?q=anything"]
    reader.warm(article.get_absolute_url())
    for path in pages:
        assert shows(reader.every_answer(path), "Zqx Science"), path
    section.name = "Zqx Life sciences"
    section.save()
    page.title = "Zqx About us"
    page.save()
    for path in pages:
        answers = reader.every_answer(path)
        assert shows(answers, "Zqx Life sciences") and hides(answers, "Zqx Science<"), path
        assert shows(answers, "Zqx About us</a>"), path
