"""Staged edits through the article admin: a published article's form saves its changes
beside the row; editors publish them (or publish at once), writers submit them, anyone who
may edit discards them; the form, the list and the dashboard say that changes are waiting."""

import pytest
from django.test import Client

from articles.models import Article, ArticleEvent, StagedEdit
from articles.workflow import staging
from tests.factories import image_upload, make_article, make_role_user
from tests.helpers.admin import change_form, change_url, fill_inline, inline_prefix
from tests.helpers.html import (
    error_texts,
    rendered_form_data,
    soup_of,
    submit_buttons,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/articles/article/"


@pytest.fixture
def live(writer_author):
    return make_article(author=writer_author, title="Tides explained", slug="tides")


def _messages(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in soup_of(response).select(".messagelist li")]


def _public_text(article) -> str:
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _bullets(data) -> dict:
    prefix = inline_prefix(data, "text")
    rows = [{"text": "New first bullet"}, {"text": "New second bullet"}, {"text": "New third"}]
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        data.pop(f"{prefix}-{index}-text", None)
    fill_inline(data, prefix, rows)
    return data


def test_an_editor_s_save_keeps_the_published_version_for_readers(editor_client, live):
    data = change_form(editor_client, live, title="Tides, corrected")
    response = editor_client.post(change_url(live), data, follow=True)
    assert _messages(response) == [
        "Saved as unpublished changes: readers see the published version until you use "
        "“Publish changes”."
    ]
    live.refresh_from_db()
    assert live.title == "Tides explained"
    assert "Tides, corrected" not in _public_text(live)
    # The form shows the changes, and says what readers see.
    page = editor_client.get(change_url(live))
    assert rendered_form_data(page.content)["title"] == "Tides, corrected"
    notice = soup_of(page).select_one("#staged-notice").get_text(" ", strip=True)
    assert "Unpublished changes by" in notice and "readers see the published version" in notice
    links = {a.get_text(strip=True): a["href"] for a in soup_of(page).select("#staged-notice a")}
    assert links == {
        "Preview the changes": f"/preview/articles/{live.pk}/",
        "Discard changes": f"/admin/articles/article/{live.pk}/changes/discard/",
    }
    assert submit_buttons(page.content)["_save"] == "Save without publishing"


def test_publish_changes_puts_the_staged_rows_live_exactly(editor_client, live):
    editor_client.post(change_url(live), _bullets(change_form(editor_client, live)))
    assert live.tldr_bullets.count() == 3 and not live.tldr_bullets.filter(text="New third")
    # The form shows the staged bullets (as new rows) and a second save keeps them once.
    data = change_form(editor_client, live, standfirst="A sharper standfirst.")
    prefix = inline_prefix(data, "text")
    shown = [data[f"{prefix}-{n}-text"] for n in range(3)]
    assert shown == ["New first bullet", "New second bullet", "New third"]
    data["_publish_changes"] = "Publish changes"
    response = editor_client.post(change_url(live), data, follow=True)
    assert "Changes published: readers see them now." in _messages(response)
    assert list(live.tldr_bullets.values_list("text", flat=True)) == [
        "New first bullet",
        "New second bullet",
        "New third",
    ]
    text = _public_text(live)
    assert "A sharper standfirst." in text and "New third" in text
    assert not StagedEdit.objects.exists()


def test_a_correction_goes_out_in_one_click(editor_client, live):
    data = change_form(editor_client, live, title="Tides, corrected now")
    data["_publish_changes"] = "Publish changes"
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 302
    assert response["Location"] == change_url(live)
    assert "Tides, corrected now" in _public_text(live)
    # One step: one new version, one line in the trail.
    assert Article.objects.get(pk=live.pk).version == live.version + 1
    assert list(live.events.values_list("action", "detail")) == [
        (ArticleEvent.Action.CHANGES_PUBLISHED, "Published from the article form")
    ]


def test_changes_that_fail_the_checklist_are_not_published_and_the_form_says_why(
    editor_client, editor, live
):
    staging.save_changes(live, {"title": "Staged earlier"}, by=editor)
    data = change_form(editor_client, live)
    prefix = inline_prefix(data, "text")
    data[f"{prefix}-0-DELETE"] = "on"
    data["_publish_changes"] = "Publish changes"
    response = editor_client.post(change_url(live), data)
    assert response.status_code == 200
    assert "Publishing needs 3 to 5 TL;DR bullets; this article has 2." in error_texts(
        response.content
    )
    live.refresh_from_db()
    assert live.title == "Tides explained" and live.tldr_bullets.count() == 3
    assert StagedEdit.objects.get(article=live).changes == {"title": "Staged earlier"}


def test_a_writer_submits_changes_and_editors_see_them_waiting(client, writer, editor, live):
    client.force_login(writer)
    page = client.get(change_url(live))
    buttons = submit_buttons(page.content)
    assert "_submit_changes" in buttons and "_publish_changes" not in buttons
    data = change_form(client, live, title="Tides, as the writer fixed it")
    data["_submit_changes"] = buttons["_submit_changes"]
    response = client.post(change_url(live), data, follow=True)
    assert _messages(response) == [
        "Changes submitted for review. Readers see the published version until an editor "
        "publishes them."
    ]
    live.refresh_from_db()
    assert live.title == "Tides explained"
    assert live.staged_edit.submitted_by == writer

    client.force_login(editor)
    listed = soup_of(client.get(f"{LIST_URL}?changes=review"))
    assert [a.get_text() for a in listed.select("#result_list tbody th a")] == ["Tides explained"]
    state = listed.select_one("#result_list tbody td.field-state").get_text()
    assert state == "Published · changes waiting for review"
    panel = soup_of(client.get("/admin/")).select_one("#panel-changes_in_review")
    assert [a.get_text() for a in panel.select(".dashboard-items li > a")] == ["Tides explained"]
    # The editor opens it, sees the writer's text and publishes it.
    data = change_form(client, live)
    assert data["title"] == "Tides, as the writer fixed it"
    data["_publish_changes"] = "Publish changes"
    client.post(change_url(live), data)
    assert "Tides, as the writer fixed it" in _public_text(live)


def test_a_writer_cannot_publish_changes_by_crafting_the_button(client, writer, live):
    client.force_login(writer)
    data = change_form(client, live, title="Straight out")
    data["_publish_changes"] = "Publish changes"
    response = client.post(change_url(live), data)
    assert response.status_code == 200
    assert any("Only editors can publish changes" in e for e in error_texts(response.content))
    assert Article.objects.get(pk=live.pk).title == "Tides explained"
    assert not StagedEdit.objects.exists()


def test_discard_asks_first_then_leaves_the_article_as_it_was(editor_client, editor, live):
    staging.save_changes(live, {"title": "To be thrown away"}, by=editor)
    url = f"/admin/articles/article/{live.pk}/changes/discard/"
    confirm = editor_client.get(url)
    text = soup_of(confirm).select_one("#content-main").get_text(" ", strip=True)
    assert "will be thrown away" in text and "Readers keep seeing the published version" in text
    assert StagedEdit.objects.exists(), "asking changes nothing"
    response = editor_client.post(url, follow=True)
    assert _messages(response) == ["Unpublished changes discarded: the article is as it was."]
    assert rendered_form_data(response.content)["title"] == "Tides explained"
    assert not StagedEdit.objects.exists()


def test_a_writer_discards_their_own_changes_but_not_a_colleague_s(client, writer, live):
    staging.save_changes(live, {"title": "Mine"}, by=writer)
    colleague_article = make_article(title="Not mine")
    staging.save_changes(colleague_article, {"title": "Theirs"}, by=make_role_user("Editor"))
    client.force_login(writer)
    assert client.post(f"/admin/articles/article/{live.pk}/changes/discard/").status_code == 302
    assert not StagedEdit.objects.filter(article=live).exists()
    other = client.post(f"/admin/articles/article/{colleague_article.pk}/changes/discard/")
    assert other.status_code == 404
    assert StagedEdit.objects.filter(article=colleague_article).exists()


def test_two_editors_staging_the_same_article_do_not_overwrite_each_other(client, live):
    first, second = make_role_user("Editor"), make_role_user("Editor")
    client.force_login(first)
    first_form = change_form(client, live, title="First editor's headline")
    client.force_login(second)
    second_form = change_form(client, live, title="Second editor's headline")
    client.force_login(first)
    assert client.post(change_url(live), first_form).status_code == 302
    client.force_login(second)
    response = client.post(change_url(live), second_form)
    assert response.status_code == 200
    assert any("saved" in error and "while you" in error for error in error_texts(response.content))
    assert StagedEdit.objects.get(article=live).changes == {"title": "First editor's headline"}


def test_a_new_hero_image_waits_with_the_changes(editor_client, live):
    data = change_form(editor_client, live, hero_alt="A new picture")
    data["hero_image"] = image_upload("new-hero.png", size=(300, 200))
    editor_client.post(change_url(live), data)
    live.refresh_from_db()
    staged_name = StagedEdit.objects.get(article=live).changes["hero_image"]
    assert staged_name.startswith("heroes/") and not live.hero_image
    assert staged_name not in _public_text(live)
    file_url = f"/media/{staged_name}"
    assert Client().get(file_url).status_code == 404, "readers cannot fetch it"
    assert editor_client.get(file_url).status_code == 200, "the newsroom's preview can"
    preview = editor_client.get(f"/preview/articles/{live.pk}/").content.decode()
    assert staged_name in preview
    # Saving again without uploading keeps the staged picture.
    editor_client.post(change_url(live), change_form(editor_client, live, standfirst="More."))
    assert StagedEdit.objects.get(article=live).changes["hero_image"] == staged_name


def test_the_list_shows_and_filters_pending_changes(editor_client, editor, live):
    untouched = make_article(title="Untouched")
    staging.save_changes(live, {"title": "Pending"}, by=editor)
    page = soup_of(editor_client.get(f"{LIST_URL}?changes=pending"))
    rows = page.select("#result_list tbody tr")
    assert [row.select_one("th a").get_text() for row in rows] == ["Tides explained"]
    assert rows[0].select_one("td.field-state").get_text() == "Published · changes pending"
    everything = editor_client.get(LIST_URL).content.decode()
    assert "Untouched" in everything and untouched.title


def test_unpublishing_from_the_form_takes_the_shown_changes_into_the_row(
    editor_client, editor, live
):
    staging.save_changes(live, {"title": "Staged before unpublishing"}, by=editor)
    data = change_form(editor_client, live)
    data["_unpublish"] = "Unpublish"
    assert editor_client.post(change_url(live), data).status_code == 302
    live.refresh_from_db()
    assert live.status == Article.Status.UNPUBLISHED
    assert live.title == "Staged before unpublishing"
    assert not StagedEdit.objects.exists()
    assert live.tldr_bullets.count() == 3, "the rows the form showed, once"


def test_saving_a_draft_with_autosaved_rows_replaces_its_rows(editor_client, editor):
    draft = make_article(status=Article.Status.DRAFT, title="A draft")
    rows = [{"text": "Autosaved one"}, {"text": "Autosaved two"}]
    staging.save_changes(draft, {"tldr": rows}, by=editor, autosave=True)
    page = editor_client.get(change_url(draft))
    notice = soup_of(page).select_one("#staged-notice").get_text(" ", strip=True)
    assert "autosaved by" in notice and "not in the article until you save it" in notice
    data = rendered_form_data(page.content)
    assert editor_client.post(change_url(draft), data).status_code == 302
    assert list(draft.tldr_bullets.values_list("text", flat=True)) == [
        "Autosaved one",
        "Autosaved two",
    ]
    assert not StagedEdit.objects.exists()


def test_a_save_that_changes_nothing_stages_nothing(editor_client, live):
    response = editor_client.post(change_url(live), change_form(editor_client, live), follow=True)
    assert _messages(response) == ["Nothing to save: the form holds the published version."]
    assert not StagedEdit.objects.exists()


def test_a_writer_s_save_keeps_a_tag_they_cannot_see(client, writer, editor, live):
    from tests.factories import make_tag

    unreleased = make_tag(name="Project Orion")  # on no published or own work: hidden
    staging.save_changes(live, {"tags": [unreleased.pk]}, by=editor)
    client.force_login(writer)
    data = change_form(client, live, title="Writer's wording")
    assert "tags" not in data or str(unreleased.pk) not in data["tags"]
    client.post(change_url(live), data)
    assert StagedEdit.objects.get(article=live).changes == {
        "tags": [unreleased.pk],
        "title": "Writer's wording",
    }


def test_discard_names_everyone_whose_work_is_in_the_changes(editor_client, editor, live):
    ana = make_role_user("Editor", username="ana", first_name="Ana", last_name="Ruiz")
    staging.save_changes(live, {"standfirst": "Ana's autosaved standfirst"}, by=ana, autosave=True)
    staging.save_changes(live, {"title": "Editor's headline"}, by=editor)
    confirm = editor_client.get(f"/admin/articles/article/{live.pk}/changes/discard/")
    text = soup_of(confirm).select_one("#content-main").get_text(" ", strip=True)
    assert "Ana Ruiz" in text
    assert staging.person_name(editor) in text
    assert "last saved by" in text
