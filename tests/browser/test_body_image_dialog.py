"""The body's image dialog in a real Chromium: it refuses an image without alt text, offers
only what the article page keeps (no alignment, border or spacing), and the image it inserts
is saved with its alt text, width and height.  The link dialog offers only an address (no
target or advanced attributes, which the cleaner drops).

Screenshots of the dialog at 1280 and 390 px wide are left in ``tmp_path``; on both, the
whole dialog fits on the screen.
"""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import make_article
from tests.helpers.ckeditor_dialog import upload_through_image_dialog

EDITOR_READY = (
    "() => window.CKEDITOR && CKEDITOR.instances.id_body && "
    "CKEDITOR.instances.id_body.status === 'ready'"
)
DIALOG = ".cke_dialog_container:visible"
IMAGES_IN_EDITOR = """() => [...document.querySelector('#cke_id_body iframe').contentDocument
    .images].map(image => image.getAttribute('alt'))"""
GONE = ["Border", "HSpace", "VSpace", "Alignment"]


@pytest.fixture
def draft(editor):
    return make_article(
        status=Article.Status.DRAFT, title="Why tides turn", body="<p>The moon pulls.</p>"
    )


@pytest.fixture
def on_draft(page, live_server, admin_login, editor, draft):
    """The editor on the draft's change page, alerts collected in ``page.alerts``."""
    page.alerts = []
    page.on("dialog", lambda dialog: (page.alerts.append(dialog.message), dialog.accept()))
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    page.wait_for_function(EDITOR_READY)
    return page


def field(dialog, label):
    """The visible input labelled ``label`` (each tab has its own "URL" field)."""
    return dialog.get_by_label(label).filter(visible=True)


def upload_in_dialog(page, picture):
    """Open the image dialog and upload ``picture``; the dialog is back on "Image Info"."""
    upload_through_image_dialog(page, picture)
    dialog = page.locator(DIALOG)
    expect(field(dialog, "URL")).to_have_value(re.compile(r"^/media/uploads/.+\.png$"))
    # The dialog fills in the picture's own size once it has loaded it.
    expect(field(dialog, "Width")).not_to_have_value("")
    return dialog


@pytest.mark.django_db(transaction=True)
def test_image_without_alt_text_is_refused_then_saved_with_alt_width_and_height(
    on_draft, tmp_path, draft
):
    page = on_draft
    picture = tmp_path / "tide-chart.png"
    Image.new("RGB", (640, 360), "teal").save(picture)
    dialog = upload_in_dialog(page, picture)

    page.get_by_role("button", name="OK").click()
    [message] = page.alerts
    assert "Describe the image in “Alternative Text” before inserting it" in message
    expect(dialog).to_be_visible()
    expect(field(dialog, "Alternative Text")).to_be_focused()
    assert page.evaluate(IMAGES_IN_EDITOR) == []

    field(dialog, "Alternative Text").fill("   ")
    page.get_by_role("button", name="OK").click()
    assert len(page.alerts) == 2, "blank alt text was accepted"
    expect(dialog).to_be_visible()

    field(dialog, "Alternative Text").fill("Chart: high and low tide over a day")
    field(dialog, "Width").fill("")
    field(dialog, "Width").press_sequentially("320")  # as typed: the ratio lock sets the height
    expect(field(dialog, "Height")).to_have_value("180")
    page.get_by_role("button", name="OK").click()
    expect(page.locator(DIALOG)).to_have_count(0)
    assert page.evaluate(IMAGES_IN_EDITOR) == ["Chart: high and low tide over a day"]
    data = page.evaluate("CKEDITOR.instances.id_body.getData()")
    assert re.search(r'<img alt="Chart: high and low tide over a day" height="180"', data), data
    assert 'width="320"' in data
    assert "style=" not in data

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    draft.refresh_from_db()
    assert re.search(
        r'<img src="/media/uploads/[^"]+\.png" alt="Chart: high and low tide over a day" '
        r'width="320" height="180">',
        draft.body,
    ), draft.body
    assert page.alerts[2:] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_image_dialog_offers_only_what_the_page_keeps(on_draft, tmp_path, width):
    page = on_draft
    page.set_viewport_size({"width": width, "height": 800})
    page.reload()  # the dialog takes its width from the screen it first opens on
    page.wait_for_function(EDITOR_READY)
    picture = tmp_path / "wave.png"
    Image.new("RGB", (300, 200), "navy").save(picture)
    dialog = upload_in_dialog(page, picture)

    for label in ("URL", "Alternative Text", "Width", "Height"):
        expect(field(dialog, label)).to_be_visible()
    for label in GONE:
        expect(dialog.get_by_text(label, exact=True)).to_have_count(0)
    expect(dialog.locator(".cke_dialog_tab")).to_have_text(["Image Info", "Link", "Upload"])
    page.screenshot(path=tmp_path / f"image-dialog-{width}.png")
    # On a phone too, the whole dialog is on the screen, its buttons within reach.
    for name in ("OK", "Cancel", "Browse Server"):
        box = dialog.get_by_role("button", name=name).filter(visible=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name} is off the screen"

    dialog.locator(".cke_dialog_tab", has_text="Link").click()
    expect(field(dialog, "URL")).to_be_visible()
    expect(dialog.get_by_text("Target", exact=True)).to_have_count(0)

    # Whole pixels only: "50%" would mean nothing on the page.
    dialog.locator(".cke_dialog_tab", has_text="Image Info").click()
    field(dialog, "Alternative Text").fill("Waves")
    field(dialog, "Width").fill("50%")
    page.get_by_role("button", name="OK").click()
    assert page.alerts == ["Width and height are whole numbers of pixels (or leave them empty)."]
    expect(dialog).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_link_dialog_offers_only_the_address(on_draft):
    page = on_draft
    page.locator("#cke_id_body .cke_button__link").click()
    dialog = page.locator(DIALOG)
    expect(field(dialog, "URL")).to_be_visible()
    # No Target tab (a target attribute is dropped on save), no Advanced (id, class, style,
    # rel: dropped too).
    expect(dialog.locator(".cke_dialog_tab:visible")).to_have_text(["Link Info", "Upload"])
    for label in ("Target", "Advanced", "Style", "Stylesheet Classes"):
        expect(dialog.get_by_text(label, exact=True).filter(visible=True)).to_have_count(0)
