"""An article's one history page: revisions and events in time order, one line per act,
comparing two versions, restoring one, and who may see it."""

from datetime import timedelta
from urllib.parse import urljoin

import pytest
import reversion
import time_machine
from django.utils import timezone

from articles.admin import pages
from articles.models import Article, ArticleEvent
from articles.workflow import revisions, services, sharing
from tests.factories import make_article, make_author
from tests.helpers.admin import change_form, change_url
from tests.helpers.history import compared_fields, history_lines, history_url
from tests.helpers.html import error_texts, soup_of

pytestmark = pytest.mark.django_db


def _link(response, text: str, row: int | None = None) -> str:
    """The address of the link reading ``text`` (in the history's line ``row``, if given)."""
    soup = soup_of(response)
    scope = soup.select(".history-table tbody tr")[row] if row is not None else soup
    links = [a for a in scope.select("a") if a.get_text(" ", strip=True).startswith(text)]
    assert links, f"no link {text!r}"
    return links[0]["href"]


def _saved(article, by, **changes):
    for name, value in changes.items():
        setattr(article, name, value)
    services.save_edit(article, by=by)


def test_history_is_one_list_newest_first_with_one_line_per_act(editor_client, editor):
    article = make_article(status=Article.Status.DRAFT, title="Heat pumps")
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):
        _saved(article, editor, title="Heat pumps, explained")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        services.publish(article, by=editor)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        sharing.create_share_link(article, by=editor)
    # A script's revision: no audit event comes with it.
    with time_machine.travel(start + timedelta(hours=3), tick=False), reversion.create_revision():
        reversion.set_comment("Imported from the old site")
        reversion.add_to_revision(article)

    lines = history_lines(editor_client.get(history_url(article)).content)

    who = editor.get_username()
    assert [(line["what"], line["who"], line["version"]) for line in lines] == [
        ("Imported from the old site", "a script", "Version 3"),
        ("Created a share link", who, ""),
        ("Published", who, "Version 2"),
        ("Edited", who, "Version 1"),
    ]
    assert lines[1]["detail"] == "Valid for 48 hours"


def test_the_act_of_an_edit_that_also_publishes_stays_two_lines_in_order(editor_client, editor):
    """ "Save and publish" is two acts in one transaction: an edit, then the publication."""
    article = make_article(status=Article.Status.DRAFT)
    data = change_form(editor_client, article, title="Ready to go", _publish="Publish now")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    lines = history_lines(editor_client.get(history_url(article)).content)
    assert [(line["what"], line["version"]) for line in lines] == [
        ("Published", "Version 2"),
        ("Edited", "Version 1"),
    ]


def test_a_long_history_is_paginated_newest_first(editor_client, editor, monkeypatch):
    monkeypatch.setattr(pages, "HISTORY_PAGE_SIZE", 2)
    article = make_article(status=Article.Status.DRAFT)
    start = timezone.now() - timedelta(days=1)
    for number in range(3):
        with time_machine.travel(start + timedelta(minutes=number), tick=False):
            _saved(article, editor, title=f"Headline {number + 1}")
    first = history_lines(editor_client.get(history_url(article)).content)
    second = history_lines(editor_client.get(history_url(article, page=2)).content)
    assert [line["version"] for line in first] == ["Version 3", "Version 2"]
    assert [line["version"] for line in second] == ["Version 1"]


def test_the_changes_of_a_standfirst_edit_of_a_live_article_are_the_standfirst_alone(
    editor_client, editor
):
    """The form writes back the publication time to the second and the body as posted: in
    the comparison neither is a change."""
    article = make_article(standfirst="Batteries age faster when they are kept full.")
    assert article.published_at.microsecond  # stored with microseconds, as publishing does
    services.save_edit(article, by=editor)
    data = change_form(
        editor_client,
        article,
        standfirst="Batteries age faster when they are kept hot.",
        _publish_changes="1",  # a plain Save would keep the change unpublished
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)

    page = editor_client.get(history_url(article))
    comparison = editor_client.get(urljoin(history_url(article), _link(page, "Changes", row=0)))

    fields = compared_fields(comparison.content)
    assert list(fields) == ["Standfirst"]
    assert (fields["Standfirst"].removed, fields["Standfirst"].added) == (["full"], ["hot"])
    assert fields["Standfirst"].after == "Batteries age faster when they are kept hot."


def test_two_versions_picked_from_the_list_compare_older_to_newer(editor_client, editor):
    article = make_article(status=Article.Status.DRAFT, title="First title")
    for title in ("Second title", "Third title"):
        _saved(article, editor, title=title)
    versions = list(revisions.revisions_of(article))
    newest, oldest = versions[0], versions[-1]
    # The picker may be used either way round: the older one is always "Before".
    page = editor_client.get(history_url(article, a=newest.pk, b=oldest.pk))
    headline = compared_fields(page.content)["Headline"]
    assert (headline.before, headline.after) == ("Second title", "Third title")
    assert (headline.removed, headline.added) == (["Second"], ["Third"])


def test_versions_of_another_article_are_not_compared(editor_client, editor):
    article, other = make_article(), make_article()
    for each in (article, other):
        services.save_edit(each, by=editor)
    mine = revisions.revisions_of(article).first()
    theirs = revisions.revisions_of(other).first()
    for other_version in (theirs.pk, "²", "x"):
        response = editor_client.get(history_url(article, a=mine.pk, b=other_version))
        assert "Choose two versions of this article to compare." in response.content.decode()
        assert soup_of(response).select_one("#comparison") is None


def test_the_old_revisions_page_leads_to_the_history(editor_client, editor):
    article = make_article()
    response = editor_client.get(f"/admin/articles/article/{article.pk}/revisions/?a=1&b=2")
    assert response.status_code == 302
    assert response["Location"] == history_url(article, a=1, b=2)


def test_restoring_from_the_history_asks_first_then_restores(editor_client, editor):
    article = make_article(status=Article.Status.DRAFT, title="First title")
    _saved(article, editor)
    _saved(article, editor, title="Second title")

    page = editor_client.get(history_url(article))
    newest_line = soup_of(page).select(".history-table tbody tr")[0]
    assert "Restore this version" not in newest_line.get_text()  # it is what the article holds
    confirm_url = _link(page, "Restore this version", row=1)  # version 1
    confirm = editor_client.get(confirm_url)
    assert confirm.status_code == 200
    fields = compared_fields(confirm.content, root=".version-diff")
    assert list(fields) == ["Headline"]
    assert (fields["Headline"].before, fields["Headline"].after) == ("Second title", "First title")
    article.refresh_from_db()
    assert article.title == "Second title"  # asking changed nothing

    response = editor_client.post(confirm_url)
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    article.refresh_from_db()
    assert article.title == "First title"
    lines = history_lines(editor_client.get(history_url(article)).content)
    assert (lines[0]["what"], lines[0]["version"]) == ("Restored a revision", "Version 3")
    assert article.events.filter(action=ArticleEvent.Action.RESTORED, actor=editor).exists()


def test_a_writer_sees_the_history_of_their_own_article_but_cannot_restore(
    writer_client, writer, writer_author
):
    own = make_article(author=writer_author, status=Article.Status.DRAFT)
    _saved(own, writer, title="My headline")
    response = writer_client.get(history_url(own))
    assert response.status_code == 200
    assert [line["version"] for line in history_lines(response.content)] == ["Version 1"]
    assert "Restore this version" not in response.content.decode()
    version = revisions.revisions_of(own).first()
    restore = writer_client.get(f"/admin/articles/article/{own.pk}/history/{version.pk}/restore/")
    assert restore.status_code == 403
    assert "Only editors can restore revisions." in restore.content.decode()


def test_a_writer_gets_no_history_of_someone_elses_article(writer_client):
    for status in (Article.Status.DRAFT, Article.Status.PUBLISHED):
        others = make_article(author=make_author(), status=status)
        assert writer_client.get(history_url(others)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, editor):
    article = make_article()
    services.save_edit(article, by=editor)
    version = revisions.revisions_of(article).first()
    for url in (
        history_url(article),
        f"/admin/articles/article/{article.pk}/history/{version.pk}/restore/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert client.post(f"/admin/articles/article/{article.pk}/history/{version.pk}/restore/")[
        "Location"
    ].startswith("/admin/login/")


def test_the_history_reads_the_same_number_of_queries_however_long_it_is(editor_client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(saves: int) -> int:
        article = make_article(status=Article.Status.DRAFT)
        for number in range(saves):
            _saved(article, editor, title=f"Headline {number}")
            sharing.create_share_link(article, by=editor)
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(history_url(article)).status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(6)
