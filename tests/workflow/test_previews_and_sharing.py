"""Staff previews, share links (expiry, revocation, headers) and private caching."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.reader import preview
from articles.workflow import sharing
from tests.factories import make_article
from tests.helpers.admin import change_url

pytestmark = pytest.mark.django_db


def _create_share_link(client, article, hours=None):
    data = {"hours": str(hours)} if hours else {}
    page = client.post(f"/admin/articles/article/{article.pk}/share/", data).content.decode()
    match = re.search(r'id="new-share-link" value="http://testserver([^"]+)"', page)
    assert match, "the new link is shown to the editor"
    return match.group(1)


def test_staff_preview_shows_the_draft_privately(client, writer, writer_author):
    draft = make_article(author=writer_author, status=Article.Status.DRAFT, title="Draft headline")
    client.force_login(writer)
    response = client.get(f"/preview/articles/{draft.pk}/")
    assert response.status_code == 200
    assert "Draft headline" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert "Preview" in client.get(change_url(draft)).content.decode()


def test_share_link_lets_a_reader_without_account_see_the_draft(client, editor):
    draft = make_article(status=Article.Status.DRAFT, title="Shared headline")
    client.force_login(editor)
    path = _create_share_link(client, draft)
    reader = Client()
    response = reader.get(path)
    assert response.status_code == 200
    assert "Shared headline" in response.content.decode()
    # When it ends, with the site's time zone named (a reader may be anywhere).
    ends = timezone.localtime(draft.share_links.get().expires_at)
    assert f"stops working on {ends:%-d %B %Y, %H:%M} {ends.tzname()}." in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert reader.get(draft.get_absolute_url()).status_code == 404


def test_share_link_expires_after_48_hours_by_default(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    path = _create_share_link(client, draft)
    reader = Client()
    with time_machine.travel(timezone.now() + timedelta(hours=47)):
        assert reader.get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        response = reader.get(path)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert draft.title not in response.content.decode()


def test_a_visitors_session_from_share_links_ends_with_the_last_of_them(client, editor, settings):
    """The session a share link gives a visitor without an account makes their public pages
    private and uncached while it lasts: it lasts as long as the links, not two weeks."""
    first, second = (
        make_article(status=Article.Status.DRAFT),
        make_article(status=Article.Status.DRAFT),
    )
    client.force_login(editor)
    reader = Client()
    reader.get(_create_share_link(client, first, hours=72))
    second_path = _create_share_link(client, second, hours=6)
    cookie = reader.get(second_path).cookies["sessionid"]
    expected = (first.share_links.get().expires_at - timezone.now()).total_seconds()
    assert expected - 60 < cookie["max-age"] <= expected
    assert cookie["max-age"] < settings.SESSION_COOKIE_AGE
    # The longer link revoked: opening the other one again ends the session with it.
    sharing.revoke_share_link(first.share_links.get(), by=editor)
    cookie = reader.get(second_path).cookies["sessionid"]
    assert (
        cookie["max-age"] <= (second.share_links.get().expires_at - timezone.now()).total_seconds()
    )
    # The visitor signs in (a colleague with an account): their session is a usual one again.
    reader.force_login(editor)
    assert reader.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    # A signed-in editor's session keeps its own length.
    editors_cookie = client.get(_create_share_link(client, second, hours=6)).cookies["sessionid"]
    assert editors_cookie["max-age"] == settings.SESSION_COOKIE_AGE


def test_a_visitors_session_ends_at_the_410_of_their_last_working_link(editor):
    draft = make_article(status=Article.Status.DRAFT)
    link, path = sharing.create_share_link(draft, by=editor, hours=336)
    reader = Client()
    assert reader.get(path).cookies["sessionid"]["max-age"] > 13 * 24 * 3600
    sharing.revoke_share_link(link, by=editor)
    response = reader.get(path)
    assert response.status_code == 410
    assert response.cookies["sessionid"]["max-age"] == 0  # the cookie is removed
    assert "sessionid" not in reader.cookies or not reader.cookies["sessionid"].value
    # A stranger's dead link makes no session at all.
    assert "sessionid" not in Client().get(path).cookies


def test_many_links_keep_the_one_ending_last(editor):
    """Twenty are remembered: the ones ending first make room, never the longest."""
    reader = Client()
    longest = make_article(status=Article.Status.DRAFT)
    reader.get(sharing.create_share_link(longest, by=editor, hours=336)[1])
    for _ in range(20):
        short = make_article(status=Article.Status.DRAFT)
        cookie = reader.get(sharing.create_share_link(short, by=editor, hours=1)[1]).cookies
    assert cookie["sessionid"]["max-age"] > 13 * 24 * 3600
    # The link opened last is kept too (its page's images load through it).
    assert len(reader.session[preview.SHARED_LINKS_KEY]) == preview.SHARED_LINKS_KEPT
    assert short.share_links.get().pk in reader.session[preview.SHARED_LINKS_KEY]


def test_revoked_share_link_stops_working_at_once(client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    path = _create_share_link(client, draft)
    link = draft.share_links.get()
    client.post(f"/admin/articles/article/{draft.pk}/share/", {"revoke": link.pk})
    response = Client().get(path)
    assert response.status_code == 410
    assert "revoked" in response.content.decode()


def test_forged_share_token_is_an_unknown_url(editor):
    draft = make_article(status=Article.Status.DRAFT)
    link, path = sharing.create_share_link(draft, by=editor)
    forged = path.rstrip("/")[:-3] + "abc/"
    reader = Client()
    assert reader.get(forged).status_code == 404
    assert reader.get("/preview/share/not-a-token/").status_code == 404


def test_writer_cannot_create_share_links(client, writer, writer_author):
    draft = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    assert client.post(f"/admin/articles/article/{draft.pk}/share/").status_code == 403
    assert not draft.share_links.exists()


def test_staff_responses_are_never_publicly_cacheable(client, editor):
    article = make_article()
    anonymous = Client().get(article.get_absolute_url())
    assert "public" in anonymous["Cache-Control"]
    client.force_login(editor)
    for url in (article.get_absolute_url(), "/", change_url(article)):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url
    assert "private" in Client().get("/admin/login/")["Cache-Control"]


def test_editor_sees_any_draft_and_writer_their_own_at_the_article_url(
    client, editor, writer, writer_author
):
    own = make_article(author=writer_author, status=Article.Status.DRAFT)
    someone_elses = make_article(status=Article.Status.IN_REVIEW)
    client.force_login(editor)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(someone_elses.get_absolute_url()).status_code == 200
    client.force_login(writer)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(someone_elses.get_absolute_url()).status_code == 404


def test_revoking_with_a_malformed_link_id_is_not_a_server_error(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    response = editor_client.post(f"/admin/articles/article/{article.pk}/share/", {"revoke": "abc"})
    assert response.status_code in (400, 404)


def test_redirects_a_signed_in_user_gets_are_never_stored_by_shared_caches(editor_client):
    article = make_article()
    # Django's add-a-slash redirect is made by a middleware, outside the views.
    for url in (f"/articles/{article.slug}", "/admin", f"/preview/articles/{article.pk}"):
        response = editor_client.get(url)
        assert response.status_code == 301, url
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, url


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.UNPUBLISHED])
def test_a_writer_previews_their_own_article_after_it_leaves_their_hands(
    writer_client, writer_author, status
):
    own = make_article(author=writer_author, status=status, published_at=timezone.now())
    assert writer_client.get(f"/preview/articles/{own.pk}/").status_code == 200
