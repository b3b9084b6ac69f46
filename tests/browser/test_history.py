"""In a real Chromium: an editor changes one word of a live article's body in CKEditor, opens
the article's history, compares the two newest versions and sees that word alone marked:
side by side on a wide screen, one above the other on a phone."""

import os

import pytest
from playwright.sync_api import expect

from articles.workflow import services
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article

BODY = (
    "<p>A heat pump carries warmth from outside air into the house.</p>"
    "<p>It works like a fridge running in reverse.</p>"
    "<p>Most homes can fit one without new radiators.</p>"
)
# Where to write screenshots of the history (1280 and 390 px wide), when set.
SHOTS = os.environ.get("SMARTCHUNKS_SCREENSHOTS")

SELECT_WORD = """(body, word) => {
    const walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, at = node.data.indexOf(word);
        if (at >= 0) {
            const range = body.ownerDocument.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + word.length);
            const selection = body.ownerDocument.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return true;
        }
    }
    return false;
}"""


def _replace_word_in_body(page, old: str, new: str) -> None:
    """Select ``old`` in the body editor (as a double-click would) and type ``new`` over it."""
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body "
        "&& CKEDITOR.instances.id_body.status === 'ready'"
    )
    editable = page.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")
    editable.click()
    assert editable.evaluate(SELECT_WORD, old), f"{old!r} is not in the body"
    page.keyboard.type(new)


@pytest.mark.django_db(transaction=True)
def test_editor_changes_one_word_and_the_history_marks_that_word_alone(
    page, live_server, admin_login, editor
):
    article = make_article(title="How heat pumps work", body=BODY)
    services.save_edit(article, by=editor)  # the version before the edit
    admin_login(editor.username)

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    _replace_word_in_body(page, "fridge", "refrigerator")
    # The article is live: the change goes out with "Publish changes" (a save keeps it apart).
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()

    page.locator(".object-tools").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Every change, newest first")).to_be_visible()
    page.get_by_role("button", name="Compare the two chosen versions").click()

    comparison = page.locator("#comparison")
    expect(
        comparison.get_by_role("heading", name="Changes from version 1 to version 2")
    ).to_be_visible()
    expect(comparison.locator(".diff-field h3")).to_have_text(["Body"])
    expect(comparison.locator(".diff-field del")).to_have_text(["fridge"])
    expect(comparison.locator(".diff-field ins")).to_have_text(["refrigerator"])
    expect(comparison.locator(".diff-after")).to_contain_text(
        "It works like a refrigerator running in reverse."
    )
    expect(comparison.locator(".diff-unchanged summary")).to_have_text(
        ["1 unchanged paragraph", "1 unchanged paragraph"]
    )

    before, after = comparison.locator(".diff-before"), comparison.locator(".diff-after")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            left, right = before.bounding_box(), after.bounding_box()
            if width >= 1280:
                assert right["x"] >= left["x"] + left["width"], "sides not next to each other"
            else:
                assert right["y"] >= left["y"] + left["height"], "sides not one above the other"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert axe_violations(page) == [], f"{scheme}, {width} px"
            if SHOTS:
                os.makedirs(SHOTS, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/history-{scheme}-{width}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_standfirst_edit_in_the_browser_shows_as_the_standfirst_alone(
    page, live_server, admin_login, editor
):
    """CKEditor posts the untouched body back in its own markup, and the form writes the
    publication time back to the second: neither is shown as a change."""
    article = make_article(title="How heat pumps work", body=BODY)
    services.save_edit(article, by=editor)
    admin_login(editor.username)

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body "
        "&& CKEDITOR.instances.id_body.status === 'ready'"
    )
    page.get_by_label("Standfirst").fill("Why a heat pump beats a boiler.")
    # The article is live: the change goes out with "Publish changes" (a save keeps it apart).
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()

    page.locator(".object-tools").get_by_role("link", name="History").click()
    page.get_by_role("link", name="Changes in version 2").click()
    comparison = page.locator("#comparison")
    expect(comparison.locator(".diff-field h3")).to_have_text(["Standfirst"])
    expect(comparison.locator(".diff-after p")).to_have_text("Why a heat pump beats a boiler.")
