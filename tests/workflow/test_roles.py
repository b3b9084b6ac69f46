"""Each role's allowed and refused actions, through the real admin, crafted POSTs included."""

import pytest
from django.contrib.auth.models import Group

from articles.models import Article, ArticleEvent, Section
from tests.factories import make_article, make_author, make_role_user
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, rendered_form_data

pytestmark = pytest.mark.django_db


def test_the_three_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Writer", "Editor", "Admin"}


def test_writer_submits_own_draft_for_review(client, writer, writer_author):
    article = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    response = client.post(change_url(article), change_form(client, article, _submit_review="1"))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.events.filter(action=ArticleEvent.Action.SUBMITTED, actor=writer).exists()


def test_writer_change_page_offers_submit_but_not_publish(client, writer, writer_author):
    article = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    page = client.get(change_url(article)).content.decode()
    assert "Save and submit for review" in page
    assert "Save and publish now" not in page
    assert 'name="status"' not in page


def test_writer_crafted_publish_button_is_refused(client, writer, writer_author):
    article = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    response = client.post(change_url(article), change_form(client, article, _publish="1"))
    assert response.status_code == 200
    assert any("Only editors can publish" in error for error in error_texts(response.content))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_crafted_status_field_is_ignored(client, writer, writer_author):
    article = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    data = change_form(
        client,
        article,
        status="published",
        published_at_0="2020-01-01",
        published_at_1="10:00:00",
    )
    client.post(change_url(article), data)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_writer_cannot_open_or_post_someone_elses_article(client, writer):
    other = make_article(author=make_author(), status=Article.Status.DRAFT)
    client.force_login(writer)
    assert client.post(change_url(other), {"title": "Hijacked"}).status_code in (302, 403)
    other.refresh_from_db()
    assert other.title != "Hijacked"
    assert "Hijacked" not in Article.objects.values_list("title", flat=True)


def test_writer_edits_own_published_article_only_as_unpublished_changes(
    client, writer, writer_author
):
    article = make_article(author=writer_author, title="As published")
    client.force_login(writer)
    response = client.post(change_url(article), change_form(client, article, title="Changed"))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.title == "As published"
    assert article.staged_edit.changes == {"title": "Changed"}
    assert client.get(article.get_absolute_url()).content.decode().count("Changed") == 0


def test_writer_cannot_delete_a_published_article_but_can_delete_own_draft(
    client, writer, writer_author
):
    published = make_article(author=writer_author)
    draft = make_article(author=writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    url = "/admin/articles/article/{}/delete/"
    assert client.post(url.format(published.pk), {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=published.pk).exists()
    assert client.post(url.format(draft.pk), {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_writer_cannot_set_another_author_on_a_new_article(client, writer):
    stranger = make_author(name="Someone Else")
    client.force_login(writer)
    data = {"title": "Mine", "slug": "mine", "author": str(stranger.pk)}
    response = client.post("/admin/articles/article/add/", data)
    assert not Article.objects.filter(slug="mine", author=stranger).exists()
    assert response.status_code == 200


def test_writer_edits_only_their_own_author_profile(client, writer, writer_author):
    other = make_author(name="Other Person")
    client.force_login(writer)
    assert client.get(f"/admin/authors/author/{writer_author.pk}/change/").status_code == 200
    response = client.post(f"/admin/authors/author/{other.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name == "Other Person"


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/articles/section/add/"]
)
def test_writer_is_refused_users_groups_and_sections(client, writer, url):
    client.force_login(writer)
    assert client.get(url).status_code == 403


def test_editor_publishes_from_the_change_page(client, editor, writer_author):
    article = make_article(author=writer_author, status=Article.Status.IN_REVIEW)
    client.force_login(editor)
    response = client.post(change_url(article), change_form(client, article, _publish="1"))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.is_published
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.events.filter(action=ArticleEvent.Action.PUBLISHED, actor=editor).exists()


def test_editor_unpublishes_and_the_article_leaves_the_site(client, editor):
    article = make_article()
    client.force_login(editor)
    response = client.post(change_url(article), change_form(client, article, _unpublish="1"))
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in client.get("/").content.decode()


def test_editor_manages_sections_but_not_users(client, editor):
    client.force_login(editor)
    response = client.post("/admin/articles/section/add/", {"name": "Climate", "slug": "climate"})
    assert response.status_code == 302
    assert Section.objects.filter(slug="climate").exists()
    assert client.get("/admin/auth/user/").status_code == 403


def test_admin_manages_users_and_every_author_profile(client, admin_user):
    author = make_author(name="Any Author")
    client.force_login(admin_user)
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get(f"/admin/authors/author/{author.pk}/change/").status_code == 200


def test_editor_is_refused_the_audit_trail_and_admin_sees_it(client, editor, admin_user):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    client.post(change_url(article), change_form(client, article, _publish="1"))
    assert client.get("/admin/articles/articleevent/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/admin/articles/articleevent/").content.decode()
    assert editor.username in page
    assert "Published" in page


def test_writer_cannot_see_another_writers_draft_on_the_site(client, writer):
    other_writer_author = make_author()
    make_role_user("Writer", author=other_writer_author)
    draft = make_article(author=other_writer_author, status=Article.Status.DRAFT)
    client.force_login(writer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/preview/articles/{draft.pk}/").status_code == 404


def test_writer_creates_an_article_under_their_own_profile(client, writer, writer_author):
    client.force_login(writer)
    data = rendered_form_data(client.get("/admin/articles/article/add/").content)
    assert data["author"] == str(writer_author.pk)
    data.update({"title": "A writer's first draft", "slug": "writers-first-draft"})
    response = client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="writers-first-draft")
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer
    assert article.events.filter(action=ArticleEvent.Action.CREATED, actor=writer).exists()


@pytest.mark.parametrize("page", ["revisions/", "share/"])
def test_workflow_pages_of_someone_elses_draft_answer_like_an_unknown_id(writer_client, page):
    others = make_article(author=make_author(), status=Article.Status.DRAFT)
    unknown_id = others.pk + 1000
    assert writer_client.get(f"/admin/articles/article/{others.pk}/{page}").status_code == 404
    assert writer_client.get(f"/admin/articles/article/{unknown_id}/{page}").status_code == 404


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ("share/", "Only editors can create or revoke share links."),
        ("revisions/1/restore/", "Only editors can restore revisions."),
    ],
)
def test_a_refused_workflow_page_says_why(writer_client, writer_author, page, reason):
    own = make_article(author=writer_author, status=Article.Status.DRAFT)
    response = writer_client.post(f"/admin/articles/article/{own.pk}/{page}")
    assert response.status_code == 403
    assert reason in response.content.decode()
