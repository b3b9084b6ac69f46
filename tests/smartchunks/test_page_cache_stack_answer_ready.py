"""The Markdown versions and /llms.txt are never stale across real worker processes
(nginx + gunicorn, 2 workers; see test_page_cache_stack.py, whose stack and reader this uses)."""

from __future__ import annotations

import pytest

from articles.models import Article
from articles.workflow import services, staging
from tests.factories import make_article, make_role_user
from tests.smartchunks.test_page_cache_stack import Reader, hides, shows, stack  # noqa: F401

pytestmark = [pytest.mark.frontserver, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader(stack):  # noqa: F811 (the stack fixture imported above)
    return Reader(stack.url)


def test_publishing_staged_changes_and_unpublishing_show_at_once_on_every_worker(reader):
    editor = make_role_user("Editor")
    make_article(title="Already there")
    draft = make_article(title="Fresh off the press", status=Article.Status.DRAFT)
    markdown = f"/articles/{draft.slug}.md"
    reader.warm("/llms.txt", markdown)
    assert {status for status, _ in reader.every_answer(markdown)} == {404}

    services.publish(draft, by=editor)
    assert shows(reader.every_answer("/llms.txt"), "[Fresh off the press](")
    assert shows(reader.every_answer(markdown), "# Fresh off the press\n")

    reader.warm("/llms.txt", markdown)
    staging.save_changes(draft, {"title": "Fresh off the press, corrected"}, by=editor)
    assert hides(reader.every_answer(markdown), "corrected")
    staging.publish_changes(draft, by=editor)
    assert shows(reader.every_answer("/llms.txt"), "[Fresh off the press, corrected](")
    assert shows(reader.every_answer(markdown), "# Fresh off the press, corrected\n")

    reader.warm("/llms.txt", markdown)
    services.unpublish(draft, by=editor)
    assert hides(reader.every_answer("/llms.txt"), "Fresh off the press")
    assert shows(reader.every_answer("/llms.txt"), "[Already there](")
    assert {status for status, _ in reader.every_answer(markdown)} == {404}
