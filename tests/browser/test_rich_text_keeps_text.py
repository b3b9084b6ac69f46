"""In a real Chromium: HTML pasted in CKEditor's Source view that cleaning would cut short
is refused on the body field, the editor still sees all of their text, and saving again
keeps all of it."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import make_article

BODY = "<p>Before it</p><title><p>After it comes the rest of the article.</p>"
# Where to write screenshots of the refusal (1280 and 390 px wide), when set.
SHOTS = os.environ.get("SMARTCHUNKS_SCREENSHOTS")


def _wait_for_body_editor(page):
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body "
        "&& CKEDITOR.instances.id_body.status === 'ready'"
    )


@pytest.mark.django_db(transaction=True)
def test_editor_sees_what_would_be_lost_and_keeps_their_text(
    page, live_server, editor, admin_login
):
    article = make_article(body="<p>The saved body.</p>")
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    _wait_for_body_editor(page)
    page.locator("#cke_id_body .cke_button__source").click()
    page.locator("#cke_id_body textarea.cke_source").fill(BODY)
    page.get_by_role("button", name="Publish changes").click()  # a live article's edit

    error = page.locator(".field-body .errorlist")
    expect(error).to_contain_text(
        "would lose text, starting with “After it comes the rest of the article.”"
    )
    article.refresh_from_db()
    assert article.body == "<p>The saved body.</p>"
    # The posted HTML is back in the form, and the editor shows every word of it.
    assert page.locator("textarea#id_body").input_value() == BODY
    _wait_for_body_editor(page)
    editable = page.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")
    expect(editable).to_contain_text("Before it")
    expect(editable).to_contain_text("After it comes the rest of the article.")
    if SHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            error.scroll_into_view_if_needed()
            page.screenshot(path=f"{SHOTS}/lost-text-{width}.png")

    # CKEditor drops the stray <title> from what it sends: saving again keeps all the text.
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    article.refresh_from_db()
    assert "Before it" in article.body
    assert "After it comes the rest of the article." in article.body
    assert "<title" not in article.body and "&lt;p&gt;" not in article.body
