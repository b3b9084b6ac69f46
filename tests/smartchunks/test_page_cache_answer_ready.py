"""The Markdown versions and /llms.txt in the page cache: stored, served with no query, and
never stale (the same publication generation as the pages; smartchunks/page_cache.py).

Each change is followed by requests through the real WSGI entry point, after this worker's
memory is dropped as well, so the shared store (what every other worker reads) is checked
too.  Across real worker processes: tests/smartchunks/test_page_cache_stack.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from articles.workflow import services, staging
from smartchunks import page_cache
from tests.factories import make_article, make_role_user
from tests.smartchunks.test_page_cache import wsgi_get

pytestmark = pytest.mark.django_db

LLMS_TXT = "/llms.txt"


def markdown_path(article) -> str:
    return f"/articles/{article.slug}.md"


def answers(path) -> list[dict]:
    """This worker's answer, then another worker's (from the shared store only)."""
    mine = wsgi_get(path)
    page_cache.memory.clear()
    return [mine, wsgi_get(path)]


@pytest.fixture
def editor():
    return make_role_user("Editor")


@pytest.mark.parametrize("path", ["markdown", LLMS_TXT])
def test_a_second_request_is_a_hit_with_no_query(path, django_assert_num_queries):
    article = make_article(title="Harbour cranes explained")
    path = markdown_path(article) if path == "markdown" else path
    first = wsgi_get(path)
    assert first["status"] == 200
    assert first["headers"]["X-Page-Cache"] == "miss"
    page_cache.memory.clear()
    with django_assert_num_queries(0):
        hit = wsgi_get(path)
    assert hit["headers"]["X-Page-Cache"] == "hit"
    assert hit["body"] == first["body"]
    assert "Harbour cranes explained" in hit["body"]
    for name in ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options", "ETag"):
        assert hit["headers"][name] == first["headers"][name]
    if path != LLMS_TXT:
        assert hit["headers"]["Link"] == first["headers"]["Link"]


def test_publishing_shows_the_article_at_once_and_unpublishing_takes_it_off(editor):
    make_article(title="Already there")
    draft = make_article(title="Fresh off the press", status=Article.Status.DRAFT)
    for answer in answers(LLMS_TXT) + answers(markdown_path(draft)) * 2:
        assert "Fresh off the press" not in answer["body"]
    assert wsgi_get(LLMS_TXT)["headers"]["X-Page-Cache"] == "hit"

    services.publish(draft, by=editor)
    for answer in answers(LLMS_TXT):
        assert "[Fresh off the press](http://127.0.0.1/articles/" in answer["body"]
    for answer in answers(markdown_path(draft)):
        assert answer["status"] == 200
        assert answer["body"].startswith("# Fresh off the press\n")
    assert wsgi_get(markdown_path(draft))["headers"]["X-Page-Cache"] == "hit"

    services.unpublish(draft, by=editor)
    for answer in answers(LLMS_TXT):
        assert "Fresh off the press" not in answer["body"]
        assert "Already there" in answer["body"]
    for answer in answers(markdown_path(draft)):
        assert answer["status"] == 404
        assert "Fresh off the press" not in answer["body"]


def test_staged_changes_reach_the_markdown_only_once_published(editor):
    live = make_article(title="Harbour cranes", standfirst="Why cranes are fast.")
    before = answers(markdown_path(live))
    staging.save_changes(
        live,
        {
            "title": "Harbour cranes, corrected",
            "tldr": [{"text": f"A corrected bullet {n}."} for n in range(3)],
        },
        by=editor,
    )
    for answer in answers(markdown_path(live)) + answers(LLMS_TXT):
        assert "corrected" not in answer["body"]
    assert wsgi_get(markdown_path(live))["body"] == before[0]["body"]

    staging.publish_changes(live, by=editor)
    for answer in answers(markdown_path(live)):
        assert answer["body"].startswith("# Harbour cranes, corrected\n")
        assert "- A corrected bullet 0.\n- A corrected bullet 1." in answer["body"]
    for answer in answers(LLMS_TXT):
        assert "[Harbour cranes, corrected]" in answer["body"]


def test_an_edit_changes_the_etag_and_an_unchanged_file_answers_304(editor):
    article = make_article(title="Harbour cranes")
    path = markdown_path(article)
    first = wsgi_get(path)
    etag = first["headers"]["ETag"]
    assert "max-age=0" in first["headers"]["Cache-Control"]
    not_modified = wsgi_get(path, headers={"HTTP_IF_NONE_MATCH": etag})
    assert not_modified["status"] == 304
    assert not_modified["body"] == ""
    llms_etag = wsgi_get(LLMS_TXT)["headers"]["ETag"]
    assert wsgi_get(LLMS_TXT, headers={"HTTP_IF_NONE_MATCH": llms_etag})["status"] == 304

    article.title = "Harbour cranes, renamed"
    services.save_edit(article, by=editor)
    for checked, old in ((path, etag), (LLMS_TXT, llms_etag)):
        answer = wsgi_get(checked, headers={"HTTP_IF_NONE_MATCH": old})
        assert answer["status"] == 200
        assert "Harbour cranes, renamed" in answer["body"]


def test_head_is_answered_from_the_cache_without_a_body():
    article = make_article()
    for path in (markdown_path(article), LLMS_TXT):
        wsgi_get(path)
        head = wsgi_get(path, method="HEAD")
        assert head["status"] == 200
        assert head["headers"]["X-Page-Cache"] == "hit"
        assert head["body"] == ""


def test_a_signed_in_request_is_never_stored(client, editor):
    article = make_article(title="Harbour cranes")
    client.force_login(editor)
    response = client.get(markdown_path(article))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert wsgi_get(markdown_path(article))["headers"]["X-Page-Cache"] == "miss"


def test_a_scheduled_article_appears_and_an_expiring_one_goes_at_its_time_with_no_write(
    settings, editor
):
    settings.PAGE_CACHE_MAX_SECONDS = 24 * 3600  # the generation's horizon alone must do it
    with time_machine.travel(timezone.now(), tick=False) as clock:
        expiring = make_article(
            title="Offer ends soon", expires_at=timezone.now() + timedelta(minutes=30)
        )
        scheduled = make_article(title="Out at noon", status=Article.Status.DRAFT)
        services.schedule(scheduled, by=editor, at=timezone.now() + timedelta(minutes=10))
        for _ in range(2):
            assert "Offer ends soon" in wsgi_get(LLMS_TXT)["body"]
            assert "Out at noon" not in wsgi_get(LLMS_TXT)["body"]
            assert wsgi_get(markdown_path(expiring))["status"] == 200
            assert wsgi_get(markdown_path(scheduled))["status"] == 404
        assert wsgi_get(LLMS_TXT)["headers"]["X-Page-Cache"] == "hit"
        clock.shift(timedelta(minutes=10))
        assert "Out at noon" in wsgi_get(LLMS_TXT)["body"]
        assert wsgi_get(markdown_path(scheduled))["status"] == 200
        clock.shift(timedelta(minutes=20))
        assert "Offer ends soon" not in wsgi_get(LLMS_TXT)["body"]
        assert wsgi_get(markdown_path(expiring))["status"] == 404
