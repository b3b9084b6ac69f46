"""The rules that guard unpublished work, at their edges: accounts half in the newsroom, the
exact instants of publication and expiry, the checklist's boundaries, crafted share-link
lifetimes and a revision from another article."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, FaqEntry, ShareLink
from articles.workflow import checklist, permissions, revisions, services
from tests.factories import make_article, make_author, make_role_user, make_user

pytestmark = pytest.mark.django_db


# Accounts at the edges of the newsroom ---------------------------------------------------


def _own_draft(user):
    author = make_author()
    author.user = user
    author.save()
    return make_article(author=author, status=Article.Status.DRAFT)


def _sees_on_the_site(client, user, article) -> bool:
    client.force_login(user)
    by_slug = client.get(article.get_absolute_url()).status_code
    preview = client.get(f"/preview/articles/{article.pk}/").status_code
    assert by_slug == preview, (by_slug, preview)
    return by_slug == 200


@pytest.mark.parametrize("group", ["Writer", "Editor"])
def test_taken_off_staff_but_left_in_a_group_sees_no_draft(client, group):
    user = make_role_user(group)
    draft = _own_draft(user)
    colleagues_draft = make_article(status=Article.Status.DRAFT)
    user.is_staff = False
    user.save()
    assert not permissions.is_newsroom(user)
    assert not _sees_on_the_site(client, user, draft)
    assert not _sees_on_the_site(client, user, colleagues_draft)


def test_staff_in_no_group_linked_to_an_author_cannot_touch_its_own_draft(client):
    user = make_user(staff=True)
    draft = _own_draft(user)
    assert not permissions.is_newsroom(user)
    assert not _sees_on_the_site(client, user, draft)
    change = f"/admin/articles/article/{draft.pk}/change/"
    assert client.get(change).status_code == 403
    assert client.post(change, {"title": "Taken over"}).status_code == 403
    assert (
        client.post(f"/admin/articles/article/{draft.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    draft.refresh_from_db()
    assert draft.title != "Taken over"


def test_an_inactive_editor_is_nobody(client):
    editor = make_role_user("Editor", is_active=False)
    draft = make_article(status=Article.Status.DRAFT)
    assert not permissions.is_newsroom(editor)
    assert not permissions.can_publish(editor)
    assert not permissions.can_edit(editor, draft)
    assert not _sees_on_the_site(client, editor, draft)
    with pytest.raises(PermissionDenied):
        services.publish(draft, by=editor)


def test_a_writer_reads_their_own_drafts_but_no_one_elses(client):
    writer = make_role_user("Writer")
    own = _own_draft(writer)
    colleagues = make_article(status=Article.Status.DRAFT)
    assert _sees_on_the_site(client, writer, own)
    assert not _sees_on_the_site(client, writer, colleagues)


def test_a_group_member_without_staff_status_has_no_admin(client):
    user = make_user()
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_anonymous_visitor_owns_nothing_not_even_an_unlinked_authors_article():
    article = make_article(author=make_author(), status=Article.Status.DRAFT)
    assert article.author.user_id is None
    anonymous = AnonymousUser()
    assert not permissions.is_own(anonymous, article)
    assert not permissions.can_preview(anonymous, article)
    assert not permissions.can_view(anonymous, article)


def test_an_account_owns_only_articles_bylined_to_its_own_profile():
    writer = make_role_user("Writer")
    assert permissions.is_own(writer, _own_draft(writer))
    assert not permissions.is_own(writer, make_article(author=make_author()))


# The published rule at the exact instants ------------------------------------------------


@pytest.mark.parametrize(
    ("published_offset", "expires_offset", "visible"),
    [
        (timedelta(0), None, True),  # publication time reached: live
        (timedelta(microseconds=1), None, False),  # a microsecond early: not yet
        (-timedelta(hours=1), timedelta(0), False),  # expiry reached: gone
        (-timedelta(hours=1), timedelta(microseconds=1), True),  # a microsecond before expiry
    ],
)
def test_published_rule_at_the_exact_instant(client, published_offset, expires_offset, visible):
    now = timezone.now()
    article = make_article(
        published_at=now + published_offset,
        expires_at=now + expires_offset if expires_offset is not None else None,
    )
    with time_machine.travel(now, tick=False):
        assert Article.objects.published().filter(pk=article.pk).exists() is visible
        assert article.is_published is visible
        assert client.get(article.get_absolute_url()).status_code == (200 if visible else 404)


def test_only_the_published_status_is_ever_public():
    past = timezone.now() - timedelta(days=1)
    for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED):
        article = make_article(status=status, published_at=past)
        assert not article.is_published
        assert not Article.objects.published().filter(pk=article.pk).exists()


# The pre-publish checklist's boundaries ----------------------------------------------------


def _ready(**changes) -> checklist.Draft:
    fields = {
        "title": "A headline",
        "slug": "a-headline",
        "author_id": 1,
        "body": "<p>Some words.</p>",
        "tldr": ["one", "two", "three"],
        "source_urls": ["https://example.com/"],
        "meta_description": "",
    }
    return checklist.Draft(**{**fields, **changes})


def test_a_complete_draft_has_no_problems():
    assert checklist.problems(_ready()) == []


@pytest.mark.parametrize(("bullets", "accepted"), [(2, False), (3, True), (5, True), (6, False)])
def test_tldr_needs_three_to_five_bullets(bullets, accepted):
    found = checklist.problems(_ready(tldr=[f"bullet {n}" for n in range(bullets)]))
    assert (found == []) is accepted, found


def test_blank_bullets_do_not_count():
    found = checklist.problems(_ready(tldr=["one", "two", "   "]))
    assert found == ["Publishing needs 3 to 5 TL;DR bullets; this article has 2."]


@pytest.mark.parametrize(("length", "accepted"), [(160, True), (161, False)])
def test_meta_description_is_at_most_160_characters(length, accepted):
    found = checklist.problems(_ready(meta_description="m" * length))
    assert (found == []) is accepted, found


EMPTY_RICH_TEXT = ["", "   ", "<p></p>", "<p>&nbsp;</p>", "<p> &nbsp; </p><p><br></p>", None]


@pytest.mark.parametrize("body", EMPTY_RICH_TEXT)
def test_an_empty_looking_body_is_refused(body):
    assert checklist.problems(_ready(body=body)) == ["Write the body: it is empty."]


@pytest.mark.parametrize("answer", EMPTY_RICH_TEXT)
def test_an_empty_looking_faq_answer_is_refused(answer):
    found = checklist.problems(_ready(faq=[("A question?", answer)]))
    assert found == ["FAQ entry 1 needs both a question and an answer."]


def test_an_faq_entry_needs_its_question_too():
    found = checklist.problems(_ready(faq=[("  ", "<p>An answer.</p>"), ("Q?", "<p>A.</p>")]))
    assert found == ["FAQ entry 1 needs both a question and an answer."]


@pytest.mark.parametrize(
    ("urls", "accepted"),
    [
        (["https://example.com/a"], True),
        (["http://example.com/a"], True),
        (["ftp://example.com/a"], False),
        (["https://"], False),
        (["", "ftp://x.example/"], False),
        (["ftp://x.example/", "https://example.com/"], True),
    ],
)
def test_a_source_needs_an_http_address(urls, accepted):
    found = checklist.problems(_ready(source_urls=urls))
    assert (found == []) is accepted, found


@pytest.mark.parametrize(("alt", "accepted"), [("", False), ("  ", False), ("A chart", True)])
def test_a_hero_image_needs_alt_text(alt, accepted):
    found = checklist.problems(_ready(has_hero_image=True, hero_alt=alt))
    assert (found == []) is accepted, found


@pytest.mark.parametrize(
    ("expiry_offset", "accepted"),
    [(None, True), (timedelta(hours=1), True), (timedelta(0), False), (-timedelta(hours=1), False)],
)
def test_expiry_must_come_after_publication(expiry_offset, accepted):
    at = timezone.now()
    expires = at + expiry_offset if expiry_offset is not None else None
    found = checklist.problems(_ready(published_at=at, expires_at=expires))
    assert found == (
        [] if accepted else ["Set the expiry after the publication time, or clear it."]
    )


@pytest.mark.parametrize("missing", ["title", "slug", "author_id"])
def test_headline_slug_and_author_are_required(missing):
    empty = None if missing == "author_id" else "  "
    assert len(checklist.problems(_ready(**{missing: empty}))) == 1


def test_an_article_whose_editor_was_left_empty_does_not_publish():
    editor = make_role_user("Editor")
    article = make_article(status=Article.Status.DRAFT, body="<p>&nbsp;</p>")
    FaqEntry.objects.filter(article=article).update(answer="<p>&nbsp;</p>")
    with pytest.raises(services.WorkflowError) as refusal:
        services.publish(article, by=editor)
    assert refusal.value.problems == [
        "Write the body: it is empty.",
        "FAQ entry 1 needs both a question and an answer.",
    ]
    assert not Article.objects.published().filter(pk=article.pk).exists()


# Crafted share-link lifetimes and a revision from another article ---------------------------


@pytest.mark.parametrize("hours", ["0", "-1", "337", "2000", str(10**12), "9" * 5000, "two"])
def test_a_crafted_share_link_lifetime_makes_no_link(editor_client, hours):
    draft = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(f"/admin/articles/article/{draft.pk}/share/", {"hours": hours})
    assert response.status_code == 200
    page = response.content.decode()
    assert "hours" in page and "New share link" not in page
    assert not ShareLink.objects.filter(article=draft).exists()


@pytest.mark.parametrize("hours", ["1", "336"])
def test_share_links_last_from_one_hour_to_fourteen_days(editor_client, hours):
    draft = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(f"/admin/articles/article/{draft.pk}/share/", {"hours": hours})
    assert "New share link" in response.content.decode()
    link = ShareLink.objects.get(article=draft)
    lifetime = link.expires_at - link.created_at
    assert abs(lifetime - timedelta(hours=int(hours))) < timedelta(minutes=1)


def test_a_revision_of_another_article_is_never_restored():
    editor = make_role_user("Editor")
    secret = make_article(status=Article.Status.DRAFT, title="Secret draft headline")
    public = make_article(title="Public headline")
    services.save_edit(secret, by=editor)
    secrets_revision = revisions.revisions_of(secret).first()
    with pytest.raises(services.WorkflowError, match="belongs to another article"):
        revisions.restore_revision(public, secrets_revision, by=editor)
    public.refresh_from_db()
    assert public.title == "Public headline"
