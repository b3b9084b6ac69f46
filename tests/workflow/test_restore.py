"""Restoring a revision, through the workflow service: what comes back, what stays, what the
history says, and what is refused."""

from datetime import timedelta

import pytest
import reversion
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, ArticleEvent, Section, TldrBullet
from articles.workflow import revisions, services, staging
from tests.factories import make_article, make_author, make_role_user, make_section, make_tag

pytestmark = pytest.mark.django_db


def _revision_then_change(article, editor, **changes):
    """Record a revision of the article as it is, then change it (a later edit)."""
    services.save_edit(article, by=editor)
    version = revisions.revisions_of(article).first()
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    return version


def test_restore_brings_back_text_tags_and_parts_and_keeps_state_time_and_slug():
    editor = make_role_user("Editor")
    old_tag, new_tag = make_tag(name="Old tag"), make_tag(name="New tag")
    article = make_article(title="Old headline", tags=[old_tag])
    published_at, slug = article.published_at, article.slug
    version = _revision_then_change(article, editor, title="New headline")
    article.tags.set([new_tag])
    TldrBullet.objects.filter(article=article).update(text="Rewritten bullet")
    revisions.restore_revision(article, version, by=editor)
    # Published: the old version waits as unpublished changes; readers keep the row.
    article.refresh_from_db()
    assert article.title == "New headline"
    assert staging.staged_edit_of(article).changes["title"] == "Old headline"
    staging.publish_changes(article, by=editor)
    article.refresh_from_db()
    assert article.title == "Old headline"
    assert list(article.tags.all()) == [old_tag]
    assert "Rewritten bullet" not in [b.text for b in article.tldr_bullets.all()]
    assert (article.status, article.published_at, article.slug) == (
        Article.Status.PUBLISHED,
        published_at,
        slug,
    )


def test_restore_is_recorded_with_the_revision_it_went_back_to():
    editor = make_role_user("Editor", username="eddie")
    article = make_article(status=Article.Status.DRAFT)
    made_at = timezone.now() - timedelta(days=3)
    with time_machine.travel(made_at, tick=False):
        version = _revision_then_change(article, editor, title="Later")
    revisions.restore_revision(article, version, by=editor)
    when = timezone.localtime(made_at)
    expected = f"Revision of {when:%Y-%m-%d %H:%M} by eddie"
    event = ArticleEvent.objects.get(article=article, action=ArticleEvent.Action.RESTORED)
    assert (event.actor, event.detail) == (editor, expected)
    newest = revisions.revisions_of(article).first()
    assert newest.revision.comment == f"Restored the revision of {when:%Y-%m-%d %H:%M} by eddie"


def test_a_revision_nobody_signed_is_credited_to_unknown():
    editor = make_role_user("Editor")
    article = make_article(status=Article.Status.DRAFT)
    with reversion.create_revision():  # e.g. the demo content, loaded by a command
        reversion.add_to_revision(article)
    version = revisions.revisions_of(article).first()
    revisions.restore_revision(article, version, by=editor)
    event = ArticleEvent.objects.get(article=article, action=ArticleEvent.Action.RESTORED)
    assert event.detail.endswith(" by unknown")


def test_restore_keeps_the_current_section_and_author_when_the_old_ones_are_gone():
    editor = make_role_user("Editor")
    old_section, old_author = make_section(name="Closed desk"), make_author(name="Gone Author")
    article = make_article(status=Article.Status.DRAFT, section=old_section, author=old_author)
    new_section, new_author = make_section(name="New desk"), make_author(name="Current Author")
    version = _revision_then_change(article, editor, section=new_section, author=new_author)
    old_section.delete()
    old_author.delete()
    revisions.restore_revision(article, version, by=editor)
    article.refresh_from_db()
    assert (article.section, article.author) == (new_section, new_author)


def test_restore_brings_back_a_section_and_author_that_still_exist():
    editor = make_role_user("Editor")
    old_section, old_author = make_section(name="Old desk"), make_author(name="Old Author")
    article = make_article(status=Article.Status.DRAFT, section=old_section, author=old_author)
    version = _revision_then_change(article, editor, section=make_section(), author=make_author())
    revisions.restore_revision(article, version, by=editor)
    article.refresh_from_db()
    assert (article.section, article.author) == (old_section, old_author)


def test_restore_to_no_section_is_kept():
    editor = make_role_user("Editor")
    article = make_article(status=Article.Status.DRAFT, section=None)
    version = _revision_then_change(article, editor, section=make_section())
    revisions.restore_revision(article, version, by=editor)
    article.refresh_from_db()
    assert article.section is None


def test_a_live_article_restored_to_a_revision_that_would_break_it_keeps_readers_safe():
    editor = make_role_user("Editor")
    article = make_article(tldr=2, status=Article.Status.DRAFT)
    version = _revision_then_change(article, editor)
    TldrBullet.objects.create(article=article, text="A third bullet", position=5)
    services.publish(article, by=editor)
    revisions.restore_revision(article, version, by=editor)  # waits as unpublished changes
    assert len(staging.staged_edit_of(article).changes["tldr"]) == 2
    with pytest.raises(services.WorkflowError) as refusal:
        staging.publish_changes(article, by=editor)
    assert "Publishing needs 3 to 5 TL;DR bullets; this article has 2." in refusal.value.problems
    assert article.tldr_bullets.count() == 3


def test_only_editors_restore_and_a_refusal_changes_nothing():
    writer = make_role_user("Writer")
    article = make_article(status=Article.Status.DRAFT, title="As it is")
    version = _revision_then_change(article, make_role_user("Editor"), title="As it is")
    with pytest.raises(PermissionDenied, match="Only editors can restore revisions."):
        revisions.restore_revision(article, version, by=writer)
    assert not ArticleEvent.objects.filter(action=ArticleEvent.Action.RESTORED).exists()


def test_a_revision_of_another_article_is_refused_in_so_many_words():
    editor = make_role_user("Editor")
    first, second = make_article(), make_article()
    services.save_edit(first, by=editor)
    with pytest.raises(services.WorkflowError) as refusal:
        revisions.restore_revision(second, revisions.revisions_of(first).first(), by=editor)
    assert refusal.value.problems == ["That revision belongs to another article."]


def test_a_section_that_exists_is_not_mistaken_for_a_deleted_one():
    assert Section.objects.filter(pk=make_section().pk).exists()
    section = make_section()
    assert not revisions._points_at_deleted_row("section_id", section.pk)
    assert revisions._points_at_deleted_row("section_id", section.pk + 1000)
    assert not revisions._points_at_deleted_row("section_id", None)
    assert not revisions._points_at_deleted_row("title", 12345)


def test_rows_that_share_a_position_come_back_in_the_order_they_were_written():
    """The admin's inline gives every new row position 0 unless the editor types one, and a
    revision hands its rows back newest first: the id breaks the tie, or a restore reverses
    the editor's bullets."""
    editor = make_role_user("Editor")
    article = make_article(status=Article.Status.DRAFT, tldr=0)
    for text in ("first", "second", "third"):
        TldrBullet.objects.create(article=article, text=text, position=0)
    services.save_edit(article, by=editor)
    version = revisions.revisions_of(article).first()
    article.title = "Changed since"
    services.save_edit(article, by=editor)
    revisions.restore_revision(article, version, by=editor)
    assert [bullet.text for bullet in article.tldr_bullets.all()] == ["first", "second", "third"]


def test_readers_see_a_restored_version_of_a_live_article_only_once_it_is_published(client):
    editor = make_role_user("Editor")
    article = make_article(title="Retracted claim")
    version = _revision_then_change(article, editor, title="Corrected claim")
    revisions.restore_revision(article, version, by=editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<title>Corrected claim" in page and "<title>Retracted claim" not in page
    event = ArticleEvent.objects.get(article=article, action=ArticleEvent.Action.RESTORED)
    assert event.detail.endswith("as unpublished changes")
    staging.publish_changes(article, by=editor)
    assert "<title>Retracted claim" in client.get(article.get_absolute_url()).content.decode()
