"""Staged edits and autosave in a real Chromium: an editor's change to a live article stays
off the public page until "Publish changes"; a writer hands changes to a live article over
for review; autosaved text survives closing the tab."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, StagedEdit
from tests.browser.test_editor_flow import type_into_ckeditor
from tests.factories import make_article


def _close(*pages):
    # Close the extra browsers' keep-alive connections (and the server threads holding a
    # database connection for them) before the test database is dropped.
    for other in pages:
        other.context.close()


@pytest.mark.django_db(transaction=True)
def test_an_editor_s_change_stays_off_the_site_until_published(
    page, browser, live_server, admin_login, editor
):
    article = make_article(title="How tides turn", body="<p>The moon pulls the sea.</p>")
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    public_url = f"{live_server.url}{article.get_absolute_url()}"
    reader = browser.new_page()
    reader.goto(public_url)
    expect(reader.locator("main")).to_contain_text("The moon pulls the sea.")

    admin_login(editor.username)
    page.goto(change_url)
    expect(page.locator("#staged-notice")).to_contain_text("saving keeps your changes unpublished")
    type_into_ckeditor(page, "id_body", " And the sun, a little.")
    page.get_by_role("button", name="Save without publishing").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as unpublished changes")

    reader.reload()
    expect(reader.locator("main")).not_to_contain_text("And the sun, a little.")
    page.goto(change_url)
    expect(page.locator("#staged-notice")).to_contain_text("readers see the published version")
    with page.expect_popup() as opened:
        page.locator("#staged-notice").get_by_role("link", name="Preview the changes").click()
    preview = opened.value
    expect(preview.locator("main")).to_contain_text("And the sun, a little.")

    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    reader.reload()
    expect(reader.locator("main")).to_contain_text("And the sun, a little.")
    _close(reader, preview)


@pytest.mark.django_db(transaction=True)
def test_a_writer_submits_changes_to_their_live_article_for_review(
    page, browser, live_server, admin_login, writer, writer_author, editor
):
    article = make_article(author=writer_author, title="Why bread rises")
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    admin_login(writer.username)
    page.goto(change_url)
    expect(page.get_by_role("button", name="Publish changes")).to_have_count(0)
    page.get_by_label("Headline").fill("Why bread rises, explained")
    page.get_by_role("button", name="Save and submit changes for review").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes submitted for review")
    expect(page.locator("#staged-notice")).to_contain_text("Waiting for an editor’s review")

    reader = browser.new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Why bread rises")

    editor_page = browser.new_page()
    admin_login(editor.username, on=editor_page)
    panel = editor_page.locator("#panel-changes_in_review")
    panel.get_by_role("link", name="Why bread rises").click()
    expect(editor_page.get_by_label("Headline")).to_have_value("Why bread rises, explained")
    editor_page.get_by_role("button", name="Publish changes").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("Changes published")
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Why bread rises, explained")
    _close(reader, editor_page)


@pytest.mark.django_db(transaction=True)
def test_autosaved_text_survives_closing_the_tab(page, browser, live_server, admin_login, editor):
    article = make_article(title="Where rivers begin", body="<p>Rain falls on hills.</p>")
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    admin_login(editor.username)
    tab = page.context.new_page()
    tab.goto(change_url)
    type_into_ckeditor(tab, "id_body", " Springs join it.")
    tab.get_by_label("Headline").fill("Where rivers really begin")
    expect(tab.locator("#autosave-status")).to_have_text("Unsaved changes")
    tab.close(run_before_unload=True)  # before the 10-second autosave: the tab sends it

    for _ in range(20):  # the closed tab's last request may still be on its way
        if StagedEdit.objects.filter(article=article).exists():
            break
        page.wait_for_timeout(250)
    page.goto(change_url)
    expect(page.get_by_label("Headline")).to_have_value("Where rivers really begin")
    expect(page.locator("#staged-notice")).to_contain_text("(autosaved)")
    body = page.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")
    expect(body).to_contain_text("Springs join it.")
    assert Article.objects.get(pk=article.pk).title == "Where rivers begin"


@pytest.mark.django_db(transaction=True)
def test_autosave_goes_out_while_typing_and_a_save_after_it_is_not_a_conflict(
    page, live_server, admin_login, editor
):
    article = make_article(status=Article.Status.DRAFT, title="Clouds")
    change_url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    admin_login(editor.username)
    page.goto(change_url)
    page.get_by_label("Headline").fill("Clouds, and why they float")
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at", timeout=20000)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)
    assert Article.objects.get(pk=article.pk).title == "Clouds, and why they float"
