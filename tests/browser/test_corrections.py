"""Corrections in Chromium: the note on the article is in the first screen on a desktop and a
phone, light and dark; the article and /corrections/ stay axe-clean and never scroll sideways.

With CORRECTIONS_SHOTS=<dir> set, each page is also saved there as a screenshot.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Correction
from articles.workflow import prerender
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_reader_layout import small_targets
from tests.factories import make_article, make_complete_article

SHOTS = os.environ.get("CORRECTIONS_SHOTS", "")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TEXT = (
    "An earlier version of this article said chip prices fell 12% in 2025. "
    "They fell 21%, according to the industry association."
)


@pytest.fixture
def corrected():
    article = make_complete_article(
        title="Why chip prices swing",
        standfirst="Memory chips boom and bust on a cycle. Here is why, and what breaks it.",
    )
    Correction.objects.create(article=article, text=TEXT)
    prerender.store_parts(article.pk)  # as the save that publishes it does
    other = make_article(title="How fabs are built")
    Correction.objects.create(
        article=other,
        text="An earlier version misnamed the company's chief executive. She is Lisa Chen.",
        published_at=timezone.now() - timedelta(days=3),
    )
    return article


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_correction_is_in_the_first_screen_and_both_pages_hold_up(
    page, live_server, corrected, scheme, screen
):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[screen])
    page.goto(f"{live_server.url}{corrected.get_absolute_url()}")
    note = page.get_by_role("region", name="Correction")
    assert note.is_visible()
    assert TEXT in note.inner_text()
    box = note.bounding_box()
    assert box["y"] + 40 < VIEWPORTS[screen]["height"], "the note starts in the first screen"
    _check(page, f"article-{screen}-{scheme}")

    page.goto(f"{live_server.url}/corrections/")
    assert page.get_by_role("heading", level=1).inner_text() == "Corrections"
    links = page.locator(".corrections-list__title a")
    assert links.all_inner_texts() == ["Why chip prices swing", "How fabs are built"]
    _check(page, f"list-{screen}-{scheme}")
    links.first.click()
    page.wait_for_url(f"**{corrected.get_absolute_url()}")


def _check(page, name):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, name
    assert axe_violations(page) == [], name
    if "phone" in name:
        page.evaluate("() => document.fonts.ready.then(() => true)")
        assert small_targets(page) == [], name
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_editor_adds_a_correction_in_the_form_and_publishes_it_with_the_fix(
    page, live_server, admin_login, editor
):
    article = make_article(title="How tides turn", body="<p>High tide is at 6 am.</p>")
    admin_login(editor.username)
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    group = page.locator("#corrections-group")
    group.get_by_text("Add another Correction").click()
    group.locator("textarea[name='corrections-0-text']").fill(
        "An earlier version of this article said high tide was at 6 am. It is at 7 am."
    )
    if SHOTS:
        group.screenshot(path=str(Path(SHOTS) / "admin-inline.png"))
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.get_by_role("region", name="Correction")).to_contain_text("It is at 7 am.")
