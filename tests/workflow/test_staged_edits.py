"""Staged edits called directly (articles/workflow/staging.py): the row readers get stays as
it is until an editor publishes the changes, which then go out as any edit does."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from articles.models import (
    Article,
    ArticleEvent,
    RenderedArticle,
    SlugRedirect,
    StagedEdit,
    TldrBullet,
)
from articles.reader.search import search_articles
from articles.workflow import page_generation, revisions, services, staging
from tests.factories import make_article, make_author, make_role_user, make_tag, searchable

pytestmark = pytest.mark.django_db

BULLETS = [{"text": "First new bullet"}, {"text": "Second new bullet"}, {"text": "Third one"}]


@pytest.fixture
def editor_user():
    return make_role_user("Editor", username="edna")


@pytest.fixture
def live():
    return searchable(make_article(title="The published headline", slug="published"))


def _page(article) -> str:
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_staged_changes_leave_the_row_and_the_page_as_they_are(live, editor_user):
    version = live.version
    staged = staging.save_changes(
        live, {"title": "A staged headline", "tldr": BULLETS}, by=editor_user
    )
    live.refresh_from_db()
    assert live.title == "The published headline" and live.version == version + 1
    assert list(live.tldr_bullets.values_list("text", flat=True)) == [
        f"Bullet {n} of The published headline" for n in (1, 2, 3)
    ]
    assert staged.changes == {"title": "A staged headline", "tldr": BULLETS}
    assert staged.saved_by == editor_user and staged.based_on_version == version
    page = _page(live)
    assert "The published headline" in page and "staged headline" not in page
    assert "First new bullet" not in page
    assert not search_articles("staged").exists()
    event = ArticleEvent.objects.get(article=live)
    assert (event.action, event.actor) == (ArticleEvent.Action.CHANGES_SAVED, editor_user)


def test_only_what_differs_from_the_row_is_staged(live, editor_user):
    staged = staging.save_changes(
        live, {"title": "The published headline", "standfirst": "New"}, by=editor_user
    )
    assert staged.changes == {"standfirst": "New"}
    # Changing it back leaves nothing staged, and says so.
    assert staging.save_changes(live, {"standfirst": live.standfirst}, by=editor_user) is None
    assert not StagedEdit.objects.exists()


def test_fields_not_sent_again_keep_their_staged_change(live, editor_user):
    staging.save_changes(live, {"title": "Staged first"}, by=editor_user)
    staged = staging.save_changes(live, {"standfirst": "Then this"}, by=editor_user)
    assert staged.changes == {"title": "Staged first", "standfirst": "Then this"}


def test_publishing_the_changes_puts_them_in_the_row_as_an_edit(live, editor_user):
    tag = make_tag(name="Harbours")
    staging.save_changes(
        live,
        {
            "title": "A corrected headline",
            "body": "<p>Corrected paragraph about harbours.</p>",
            "tags": [tag.pk],
            "tldr": BULLETS,
            "faq": [{"question": "Why?", "answer": "<p>Because.</p>"}],
        },
        by=editor_user,
    )
    published = staging.publish_changes(live, by=editor_user)
    assert published.title == "A corrected headline"
    live.refresh_from_db()
    assert live.title == "A corrected headline" and live.show_updated
    assert list(live.tldr_bullets.values_list("text", "position")) == [
        ("First new bullet", 0),
        ("Second new bullet", 1),
        ("Third one", 2),
    ]
    assert list(live.faq_entries.values_list("question", flat=True)) == ["Why?"]
    assert list(live.tags.all()) == [tag]
    assert not StagedEdit.objects.exists()
    page = _page(live)
    assert "A corrected headline" in page and "Corrected paragraph about harbours." in page
    assert "First new bullet" in page
    assert [article.pk for article in search_articles("corrected")] == [live.pk]
    assert RenderedArticle.objects.filter(article=live).exists(), "stored again at publish"
    event = live.events.first()
    assert (event.action, event.actor) == (ArticleEvent.Action.CHANGES_PUBLISHED, editor_user)
    assert revisions.revisions_of(live).first().revision.comment == "Published changes"


def test_a_new_slug_keeps_the_old_address_answering(live, editor_user):
    staging.save_changes(live, {"slug": "renamed"}, by=editor_user)
    assert not SlugRedirect.objects.exists(), "nothing changes before publishing"
    staging.publish_changes(live, by=editor_user)
    assert SlugRedirect.objects.filter(old_slug="published", article=live).exists()


def test_changes_that_fail_the_checklist_are_kept_and_say_what_is_missing(live, editor_user):
    staging.save_changes(live, {"title": "Kept", "tldr": BULLETS[:2]}, by=editor_user)
    with pytest.raises(services.WorkflowError) as refusal:
        staging.publish_changes(live, by=editor_user)
    assert refusal.value.problems == [
        "These changes cannot be published yet:",
        "Publishing needs 3 to 5 TL;DR bullets; this article has 2.",
    ]
    live.refresh_from_db()
    assert live.title == "The published headline" and live.tldr_bullets.count() == 3
    assert StagedEdit.objects.get(article=live).changes["title"] == "Kept"


def test_a_change_made_to_the_row_meanwhile_survives_publishing(live, editor_user):
    staging.save_changes(live, {"standfirst": "Staged standfirst"}, by=editor_user)
    later = timezone.now() + timedelta(days=1)
    services.schedule(live, by=editor_user, at=later)  # moved while the changes waited
    staging.publish_changes(live, by=editor_user)
    live.refresh_from_db()
    assert live.standfirst == "Staged standfirst"
    assert live.published_at == later and live.editorial_state == "Scheduled"


def test_an_author_deleted_since_leaves_the_row_s_author(live, editor_user):
    gone = make_author(name="Gone")
    staging.save_changes(live, {"author": gone.pk, "title": "Also changed"}, by=editor_user)
    gone.delete()
    staging.publish_changes(live, by=editor_user)
    live.refresh_from_db()
    assert live.title == "Also changed" and live.author.name != "Gone"


def test_a_slug_taken_meanwhile_is_refused_with_what_to_do(live, editor_user):
    staging.save_changes(live, {"slug": "wanted"}, by=editor_user)
    make_article(slug="wanted")
    with pytest.raises(services.WorkflowError, match="Another article now uses the address"):
        staging.publish_changes(live, by=editor_user)
    assert StagedEdit.objects.filter(article=live).exists()


def test_discarding_leaves_the_article_as_it_was(live, editor_user):
    staging.save_changes(live, {"title": "Thrown away"}, by=editor_user)
    version = Article.objects.get(pk=live.pk).version
    staging.discard_changes(live, by=editor_user)
    live.refresh_from_db()
    assert live.title == "The published headline" and live.version == version + 1
    assert not StagedEdit.objects.exists()
    assert live.events.first().action == ArticleEvent.Action.CHANGES_DISCARDED
    with pytest.raises(services.WorkflowError, match="no unpublished changes to discard"):
        staging.discard_changes(live, by=editor_user)


def test_a_writer_stages_and_submits_but_never_writes_the_live_row(writer, writer_author):
    live = make_article(author=writer_author, title="Writer's live piece")
    staged = staging.save_changes(live, {"title": "Writer's fix"}, by=writer, submit=True)
    assert staged.is_waiting_for_review and staged.submitted_by == writer
    assert live.events.first().action == ArticleEvent.Action.CHANGES_SUBMITTED
    with pytest.raises(PermissionDenied, match="Only editors can publish changes"):
        staging.publish_changes(live, by=writer)
    live.title = "Straight into the row"
    with pytest.raises(PermissionDenied, match="Only editors can publish changes"):
        services.save_edit(live, by=writer)
    assert Article.objects.get(pk=live.pk).title == "Writer's live piece"


def test_submitting_nothing_is_refused(writer, writer_author):
    live = make_article(author=writer_author)
    with pytest.raises(services.WorkflowError, match="no changes to submit"):
        staging.submit_changes(live, by=writer)


def test_someone_else_s_changes_are_not_overwritten_unseen(live, editor_user):
    other_editor = make_role_user("Editor")
    loaded_at = Article.objects.get(pk=live.pk).version  # both open the article now
    staging.save_changes(live, {"title": "First"}, by=editor_user, expected_version=loaded_at)
    with pytest.raises(staging.ChangedMeanwhile):
        staging.save_changes(live, {"title": "Second"}, by=other_editor, expected_version=loaded_at)
    assert StagedEdit.objects.get(article=live).changes == {"title": "First"}


def test_staging_leaves_cached_pages_valid_and_publishing_renews_them(live, editor_user):
    page_generation.current_or_renewed()
    before = page_generation.current()
    staging.save_changes(live, {"title": "Not yet"}, by=editor_user)
    assert page_generation.current() == before
    staging.publish_changes(live, by=editor_user)
    assert page_generation.current() != before


def test_a_rehearsal_shows_the_changes_on_this_connection_and_keeps_nothing(live, editor_user):
    staging.save_changes(live, {"title": "Rehearsed", "tldr": BULLETS}, by=editor_user)
    page_generation.current_or_renewed()
    before = page_generation.current()
    with staging.rehearsed(live.pk) as staged:
        assert staged is not None
        assert Article.objects.get(pk=live.pk).title == "Rehearsed"
        assert TldrBullet.objects.filter(article=live, text="Third one").exists()
    live.refresh_from_db()
    assert live.title == "The published headline"
    assert not TldrBullet.objects.filter(article=live, text="Third one").exists()
    assert RenderedArticle.objects.filter(article=live).exists()
    assert page_generation.current() == before, "a preview makes no cached page miss"


def test_a_rehearsal_of_an_article_without_changes_writes_nothing(live):
    with staging.rehearsed(live.pk) as staged:
        assert staged is None
    assert Article.objects.get(pk=live.pk).version == live.version


def test_the_staged_files_are_recorded_for_previews(live, editor_user):
    body = '<p><img src="/media/uploads/7/abc.png" alt="A figure" width="4" height="3"></p>'
    staged = staging.save_changes(live, {"body": body}, by=editor_user)
    assert staged.media == ["uploads/7/abc.png"]
