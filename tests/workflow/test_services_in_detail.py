"""What the workflow services leave behind, in detail: times, messages, the audit trail."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from articles.models import Article, ArticleEvent, ShareLink
from articles.workflow import checklist, permissions, services, sharing, transitions
from tests.factories import make_article, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_user():
    return make_role_user("Editor")


def test_publishing_with_a_past_time_keeps_that_time(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    yesterday = timezone.now() - timedelta(days=1)
    services.publish(article, by=editor_user, at=yesterday)
    article.refresh_from_db()
    assert article.published_at == yesterday and article.is_published


def test_publishing_with_a_future_time_schedules(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    tomorrow = timezone.now() + timedelta(days=1)
    services.publish(article, by=editor_user, at=tomorrow)
    article.refresh_from_db()
    assert article.editorial_state == "Scheduled" and article.published_at == tomorrow
    event = ArticleEvent.objects.get(article=article)
    assert event.action == ArticleEvent.Action.SCHEDULED
    assert event.detail == f"Goes live {timezone.localtime(tomorrow):%Y-%m-%d %H:%M %Z}"


def test_a_step_stamps_the_article_as_modified_then(editor_user):
    article = make_article(status=Article.Status.IN_REVIEW)
    later = timezone.now() + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        services.publish(article, by=editor_user)
    article.refresh_from_db()
    assert article.modified_at == later


def test_each_step_is_its_own_revision_with_its_comment(editor_user):
    from articles.workflow.revisions import revisions_of

    article = make_article(status=Article.Status.DRAFT)
    services.submit_for_review(article, by=editor_user)
    services.publish(article, by=editor_user)
    comments = [version.revision.comment for version in revisions_of(article)]
    assert comments == ["Published", "Submitted for review"]


def test_a_refusal_with_several_problems_reads_as_one_message():
    refusal = services.WorkflowError(["Add a headline.", "Choose an author."])
    assert str(refusal) == "Add a headline. Choose an author."
    assert refusal.problems == ["Add a headline.", "Choose an author."]
    assert services.WorkflowError("Just one.").problems == ["Just one."]


def test_the_service_checklist_judges_what_is_stored(editor_user):
    too_long = make_article(status=Article.Status.DRAFT, meta_description="m" * 161)
    with pytest.raises(services.WorkflowError, match="160 characters"):
        services.publish(too_long, by=editor_user)
    expired = make_article(
        published_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(services.WorkflowError, match="Set the expiry after"):
        services.publish(expired, by=editor_user)


def test_the_stored_article_becomes_the_checklist_draft():
    article = make_article(meta_description="A description", expires_at=None)
    draft = checklist.draft_from_article(article)
    assert draft.meta_description == "A description"
    assert draft.expires_at is None and draft.published_at == article.published_at
    later = timezone.now() + timedelta(days=5)
    article.expires_at = later
    assert checklist.draft_from_article(article).expires_at == later


def test_the_schedule_message_names_the_time_it_goes_live(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    at = timezone.now() + timedelta(days=3)
    services.schedule(article, by=editor_user, at=at)
    article.refresh_from_db()
    expected = f"Scheduled: it goes live on {timezone.localtime(at):%d %B %Y, %H:%M}."
    assert transitions.done_message("schedule", article) == expected


def test_a_share_link_is_recorded_with_its_lifetime_and_a_revocation_with_who(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    link, _ = sharing.create_share_link(draft, by=editor_user, hours=5)
    shared = ArticleEvent.objects.get(article=draft, action=ArticleEvent.Action.SHARED)
    assert (shared.actor, shared.detail) == (editor_user, "Valid for 5 hours")
    sharing.revoke_share_link(link, by=editor_user)
    revoked = ArticleEvent.objects.get(article=draft, action=ArticleEvent.Action.SHARE_REVOKED)
    assert revoked.actor == editor_user
    link.refresh_from_db()
    assert link.revoked_at is not None and not link.is_active


def test_each_share_link_has_its_own_long_random_nonce(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    first, _ = sharing.create_share_link(draft, by=editor_user)
    second, _ = sharing.create_share_link(draft, by=editor_user)
    assert first.nonce != second.nonce
    assert len(first.nonce) >= 32


def test_a_token_opens_only_the_link_it_was_made_for(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    link, path = sharing.create_share_link(draft, by=editor_user)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert sharing.share_link_for_token(token) == link
    assert sharing.share_link_for_token(token + "x") is None
    link.delete()
    assert sharing.share_link_for_token(token) is None
    assert not ShareLink.objects.exists()


def test_a_token_opens_only_the_link_it_was_made_for_even_if_its_id_comes_back(editor_user):
    """After a restore from an older backup, link ids are handed out again: a token kept
    from before must not open the new link that now has its id (the nonce tells them apart)."""
    draft = make_article(status=Article.Status.DRAFT)
    link, path = sharing.create_share_link(draft, by=editor_user)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    reused_id = link.pk
    link.delete()
    other = make_article(status=Article.Status.DRAFT, title="Another secret")
    newcomer, _ = sharing.create_share_link(other, by=editor_user)
    ShareLink.objects.filter(pk=newcomer.pk).update(id=reused_id)
    assert ShareLink.objects.get(pk=reused_id).article == other
    assert sharing.share_link_for_token(token) is None


def test_the_newsroom_can_view_what_it_may_preview_and_readers_only_what_is_live(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    assert permissions.can_view(editor_user, draft)
    assert not permissions.can_view(AnonymousUser(), draft)
    assert permissions.can_view(AnonymousUser(), live)


def test_nobody_outside_the_newsroom_is_given_a_preview_filter():
    make_article(status=Article.Status.DRAFT)
    off_staff = make_role_user("Writer")
    off_staff.is_staff = False
    for outsider in (AnonymousUser(), off_staff):
        assert not Article.objects.filter(permissions.previewable_q(outsider)).exists()


def test_listings_break_ties_by_the_newest_id():
    moment = timezone.now() - timedelta(hours=1)
    older, newer = make_article(published_at=moment), make_article(published_at=moment)
    listed = list(Article.objects.published().for_listing())
    assert listed.index(newer) < listed.index(older)
