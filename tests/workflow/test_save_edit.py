"""save_edit, the one service every save goes through, called directly: what it records,
which rule it asks before and after writing, and the old URLs it keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleEvent, SlugRedirect, TldrBullet
from articles.workflow import revisions, services
from tests.factories import make_article, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_user():
    return make_role_user("Editor", username="edna")


def test_a_plain_edit_is_recorded_as_edited_with_nothing_else(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    article.title = "A plainer headline"
    services.save_edit(article, by=editor_user)
    event = ArticleEvent.objects.get(article=article)
    assert (event.action, event.actor, event.detail) == (
        ArticleEvent.Action.EDITED,
        editor_user,
        "",
    )
    newest = revisions.revisions_of(article).first().revision
    assert (newest.comment, newest.user) == ("Edited", editor_user)
    assert not SlugRedirect.objects.exists()


def test_a_step_taken_with_an_edit_is_its_own_revision_signed_by_its_editor(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    services.save_edit(article, by=editor_user, then="publish", at=timezone.now())
    newest = revisions.revisions_of(article).first().revision
    assert (newest.comment, newest.user) == ("Published", editor_user)


def test_an_edit_that_repairs_a_broken_live_article_is_allowed(editor_user):
    live = make_article(tldr=2)  # published before the rule, say, or by hand in the database
    live.title = "Repaired"

    def third_bullet():
        TldrBullet.objects.create(article=live, text="The missing third bullet", position=9)

    services.save_edit(live, by=editor_user, write_children=third_bullet)
    live.refresh_from_db()
    assert live.title == "Repaired" and live.tldr_bullets.count() == 3


def test_an_edit_that_breaks_a_live_article_is_refused_and_nothing_is_kept(editor_user):
    live = make_article(title="Live as it is")
    live.title = "Broken"
    with pytest.raises(services.WorkflowError, match="3 to 5 TL;DR bullets"):
        services.save_edit(
            live,
            by=editor_user,
            write_children=lambda: TldrBullet.objects.filter(article=live).delete(),
        )
    live.refresh_from_db()
    assert live.title == "Live as it is" and live.tldr_bullets.count() == 3


def test_a_step_the_person_may_not_take_is_refused_but_the_edit_is_kept():
    writer = make_role_user("Writer")
    draft = make_article(status=Article.Status.DRAFT)
    draft.author.user = writer
    draft.author.save()
    draft.title = "Kept"
    with pytest.raises(services.StepRefused, match="Only editors can publish"):
        services.save_edit(draft, by=writer, then="publish", at=timezone.now())
    draft.refresh_from_db()
    assert draft.title == "Kept" and draft.status == Article.Status.DRAFT


def test_expiring_a_live_article_is_no_reader_visible_update(editor_user):
    live = make_article()
    live.expires_at = timezone.now() - timedelta(minutes=1)
    services.save_edit(live, by=editor_user)
    live.refresh_from_db()
    assert live.public_updated_at is None


def test_editing_a_live_article_stamps_the_update_readers_see(editor_user):
    live = make_article()
    live.standfirst = "A clearer standfirst."
    services.save_edit(live, by=editor_user)
    live.refresh_from_db()
    assert live.public_updated_at is not None and live.show_updated


def _rename(article, slug, by):
    old = article.slug
    article.slug = slug
    services.save_edit(article, by=by, old_slug=old)


def test_a_live_articles_old_addresses_each_redirect_to_it(editor_user):
    article = make_article(slug="first")
    for slug in ("second", "third", "first"):
        _rename(article, slug, editor_user)
    # "first" is its address again, so only the two others redirect.
    redirects = set(SlugRedirect.objects.values_list("old_slug", "article"))
    assert redirects == {("second", article.pk), ("third", article.pk)}


def test_saving_without_a_new_slug_adds_no_redirect(editor_user):
    article = make_article(slug="stays")
    services.save_edit(article, by=editor_user, old_slug="stays")
    assert not SlugRedirect.objects.exists()


def test_a_caller_that_names_no_old_slug_adds_no_redirect(editor_user):
    """Restore and load_demo save without an old slug: nothing may be taken for one."""
    article = make_article(slug="kept")
    services.save_edit(article, by=editor_user)
    assert not SlugRedirect.objects.exists()


def test_a_draft_that_was_once_published_gets_no_redirect(editor_user):
    draft = make_article(status=Article.Status.DRAFT, published_at=timezone.now())
    _rename(draft, "renamed-draft", editor_user)
    assert not SlugRedirect.objects.exists()


def test_another_articles_redirect_is_left_alone(editor_user):
    live = make_article(slug="old-name")
    _rename(live, "new-name", editor_user)
    other = make_article(slug="something-else")
    _rename(other, "old-name", editor_user)
    assert SlugRedirect.objects.filter(old_slug="old-name", article=live).exists()


def test_a_new_article_is_recorded_as_created(editor_user):
    article = make_article(status=Article.Status.DRAFT)
    fresh = Article(title="Brand new", slug="brand-new", author=article.author)
    services.save_edit(fresh, by=editor_user, created=True)
    newest = revisions.revisions_of(fresh).first().revision
    assert newest.comment == "Created" and fresh.created_by == editor_user
    assert ArticleEvent.objects.get(article=fresh).action == ArticleEvent.Action.CREATED


def test_an_edit_is_searchable_at_once(editor_user):
    from articles.reader.search import search_articles

    live = make_article(title="Plain headline")
    live.title = "Photosynthesis explained"
    services.save_edit(live, by=editor_user)
    assert list(search_articles("photosynthesis")) == [live]


def test_an_edit_that_goes_with_unpublishing_is_not_held_to_the_checklist(editor_user):
    live = make_article(tldr=2)
    live.title = "Taken down for a rewrite"
    services.save_edit(live, by=editor_user, then="unpublish")
    live.refresh_from_db()
    assert live.status == Article.Status.UNPUBLISHED and live.title == "Taken down for a rewrite"


def test_publishing_an_incomplete_article_with_an_edit_keeps_the_edit_only(editor_user):
    draft = make_article(status=Article.Status.DRAFT, tldr=1)
    draft.title = "Saved anyway"
    with pytest.raises(services.StepRefused) as refusal:
        services.save_edit(draft, by=editor_user, then="publish", at=timezone.now())
    assert refusal.value.problems == ["Publishing needs 3 to 5 TL;DR bullets; this article has 1."]
    draft.refresh_from_db()
    assert draft.title == "Saved anyway" and draft.status == Article.Status.DRAFT


def test_publishing_with_an_edit_at_a_past_time_is_judged_at_that_time(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    draft.expires_at = timezone.now() + timedelta(days=1)
    last_week = timezone.now() - timedelta(days=7)
    services.save_edit(draft, by=editor_user, then="publish", at=last_week)
    draft.refresh_from_db()
    assert draft.published_at == last_week and draft.is_published


def test_publishing_with_an_edit_checks_the_expiry_against_its_own_time(editor_user):
    draft = make_article(status=Article.Status.DRAFT)
    draft.expires_at = timezone.now() - timedelta(hours=1)  # after last week, before now
    last_week = timezone.now() - timedelta(days=7)
    services.save_edit(draft, by=editor_user, then="publish", at=last_week)
    draft.refresh_from_db()
    assert draft.published_at == last_week and draft.editorial_state == "Expired"
