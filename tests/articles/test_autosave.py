"""Autosave (articles/admin/staged_changes.py): the article form as typed so far goes beside
the row, never into it; only people who may edit the article may send it; it answers JSON
whatever it is sent; on the add form it creates the draft once that would validate."""

import pytest
from django.test import Client

from articles.models import Article, ArticleEvent, StagedEdit
from tests.factories import make_article, make_author, make_role_user, make_user
from tests.helpers.admin import change_form, change_url, inline_prefix
from tests.helpers.html import rendered_form_data, soup_of

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
NEW_AUTOSAVE = "/admin/articles/article/autosave/"


def autosave_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/autosave/"


@pytest.fixture
def live(writer_author):
    return make_article(author=writer_author, title="Live headline")


def test_autosave_of_a_live_article_never_touches_the_row(editor_client, live):
    data = change_form(editor_client, live, title="Typed so far")
    response = editor_client.post(autosave_url(live), data)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["saved"] is True and answer["message"].startswith("Autosaved at ")
    live.refresh_from_db()
    assert live.title == "Live headline" and answer["version"] == live.version
    staged = StagedEdit.objects.get(article=live)
    assert staged.changes == {"title": "Typed so far"} and staged.autosaved
    assert "Typed so far" not in Client().get(live.get_absolute_url()).content.decode()


def test_the_reopened_form_shows_the_autosaved_text(editor_client, live):
    editor_client.post(autosave_url(live), change_form(editor_client, live, title="Kept text"))
    page = editor_client.get(change_url(live))
    assert rendered_form_data(page.content)["title"] == "Kept text"
    assert "(autosaved)" in soup_of(page).select_one("#staged-notice").get_text()


def test_each_answer_carries_the_version_the_form_posts_next(editor_client, live):
    data = change_form(editor_client, live, title="One")
    first = editor_client.post(autosave_url(live), data).json()
    data.update(title="Two", expected_version=str(first["version"]))
    second = editor_client.post(autosave_url(live), data).json()
    assert second["saved"] and second["version"] == first["version"] + 1
    data["expected_version"] = str(second["version"])
    data["_save"] = "Save without publishing"
    assert editor_client.post(change_url(live), data).status_code == 302
    assert StagedEdit.objects.get(article=live).changes == {"title": "Two"}


def test_only_the_first_autosave_is_in_the_audit_trail(editor_client, live):
    data = change_form(editor_client, live, title="One")
    version = editor_client.post(autosave_url(live), data).json()["version"]
    data.update(title="Two", expected_version=str(version))
    editor_client.post(autosave_url(live), data)
    events = list(live.events.values_list("action", "detail"))
    assert events == [(ArticleEvent.Action.CHANGES_SAVED, "Autosaved")]


def test_an_autosave_on_a_stale_form_is_refused_and_keeps_the_other_save(client, live):
    first, second = make_role_user("Editor"), make_role_user("Editor")
    client.force_login(first)
    stale = change_form(client, live, title="From a stale tab")
    client.force_login(second)
    client.post(autosave_url(live), change_form(client, live, title="Second's text"))
    client.force_login(first)
    response = client.post(autosave_url(live), stale)
    assert response.status_code == 409
    assert response.json()["conflict"] is True
    assert "someone else" in response.json()["message"]
    assert StagedEdit.objects.get(article=live).changes == {"title": "Second's text"}


def test_an_autosave_of_a_draft_waits_for_save(editor_client):
    draft = make_article(status=Article.Status.DRAFT, title="Draft headline")
    editor_client.post(autosave_url(draft), change_form(editor_client, draft, title="Draft v2"))
    draft.refresh_from_db()
    assert draft.title == "Draft headline"
    data = change_form(editor_client, draft)
    assert data["title"] == "Draft v2"
    editor_client.post(change_url(draft), data)
    draft.refresh_from_db()
    assert draft.title == "Draft v2" and not StagedEdit.objects.exists()


def test_an_autosave_takes_no_step_whatever_it_is_sent(editor_client):
    draft = make_article(status=Article.Status.DRAFT)
    data = change_form(editor_client, draft, title="Still a draft", status="published")
    data["_publish"] = "Save and publish now"
    assert editor_client.post(autosave_url(draft), data).json()["saved"] is True
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and not draft.is_published


def test_a_field_that_does_not_validate_keeps_its_last_value_and_is_named(editor_client, live):
    data = change_form(editor_client, live, title="Good title", slug="not a slug!")
    answer = editor_client.post(autosave_url(live), data).json()
    assert answer["saved"] is True and answer["not_saved"] == ["Slug"]
    assert "Not autosaved until corrected: Slug" in answer["message"]
    assert StagedEdit.objects.get(article=live).changes == {"title": "Good title"}


def test_inline_rows_are_autosaved_too(editor_client, live):
    data = change_form(editor_client, live)
    prefix = inline_prefix(data, "question")
    data[f"{prefix}-0-question"] = "A typed question?"
    editor_client.post(autosave_url(live), data)
    faq = StagedEdit.objects.get(article=live).changes["faq"]
    assert [row["question"] for row in faq] == ["A typed question?"]


@pytest.mark.parametrize(
    "bad",
    [
        {},  # nothing at all
        {"expected_version": "abc"},
        {"expected_version": "9" * 40},
        {"expected_version": "1", "title": "", "tldr_bullets-TOTAL_FORMS": "x"},
    ],
)
def test_bad_input_gets_a_json_answer_never_a_server_error(editor_client, live, bad):
    response = editor_client.post(autosave_url(live), bad)
    assert response.status_code in (200, 400, 409)
    assert response["Content-Type"] == "application/json"
    assert "message" in response.json()
    assert Article.objects.get(pk=live.pk).title == "Live headline"


def test_a_get_is_answered_in_json_too(editor_client, live):
    response = editor_client.get(autosave_url(live))
    assert response.status_code == 405 and response.json()["saved"] is False


def test_a_stranger_cannot_autosave(client, live):
    client.force_login(make_role_user("Writer", author=make_author()))
    response = client.post(autosave_url(live), {"expected_version": "1", "title": "Hijack"})
    assert response.status_code == 404 and response.json()["saved"] is False
    assert not StagedEdit.objects.exists()


def test_a_writer_cannot_autosave_their_unpublished_article(client, writer, writer_author):
    gone = make_article(author=writer_author, status=Article.Status.UNPUBLISHED)
    client.force_login(writer)
    response = client.post(autosave_url(gone), {"expected_version": "1"})
    assert response.status_code == 403 and "cannot edit" in response.json()["message"]


def test_someone_signed_out_is_sent_to_sign_in(client, live):
    response = client.post(autosave_url(live), {"expected_version": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_autosave_needs_the_csrf_token(editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    article = make_article(status=Article.Status.DRAFT)
    page = browser.get(change_url(article))
    data = rendered_form_data(page.content)
    without = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    assert browser.post(autosave_url(article), without).status_code == 403
    assert browser.post(autosave_url(article), data).status_code == 200


# The add form ------------------------------------------------------------------------------


def _add_form(client, **fields) -> dict:
    data = rendered_form_data(client.get(ADD_URL).content)
    data.update(fields)
    return data


def test_the_add_form_autosaves_nothing_until_it_has_a_headline(editor_client):
    answer = editor_client.post(NEW_AUTOSAVE, _add_form(editor_client)).json()
    assert answer["saved"] is False and answer["waiting"] is True
    assert not Article.objects.exists()


def test_the_first_valid_autosave_creates_the_draft_once(editor_client, editor):
    data = _add_form(editor_client, title="A new story", slug="a-new-story")
    answer = editor_client.post(NEW_AUTOSAVE, data).json()
    article = Article.objects.get(slug="a-new-story")
    assert article.status == Article.Status.DRAFT and article.created_by == editor
    assert answer["created"] is True
    assert answer["change_url"] == change_url(article)
    assert answer["autosave_url"] == autosave_url(article)
    assert article.events.get().action == ArticleEvent.Action.CREATED
    # The page goes on as that draft's form: its Save updates the draft, no second article.
    data.update(title="A new story, longer", expected_version=str(answer["version"]))
    assert editor_client.post(answer["change_url"], data).status_code == 302
    assert list(Article.objects.values_list("title", flat=True)) == ["A new story, longer"]


def test_staff_who_may_not_add_articles_cannot_create_one_by_autosave(client):
    client.force_login(make_user(staff=True))
    response = client.post(NEW_AUTOSAVE, {"title": "x", "slug": "x"})
    assert response.status_code == 403 and response.json()["saved"] is False
    assert not Article.objects.exists()


def test_a_nul_byte_is_refused_before_autosave_sees_it(editor_client, live):
    """The site refuses NUL bytes in any request (smartchunks/bad_requests.py): a 400."""
    response = editor_client.post(autosave_url(live), {"expected_version": "1", "title": "\x00"})
    assert response.status_code == 400
    assert not StagedEdit.objects.exists()
