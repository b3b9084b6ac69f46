"""In Chromium: an editor opens the admin and finds the week ahead on its first page; the
dashboard fits a phone's width, light and dark, with nothing axe-core calls serious; the
admin pages ask for no icon they cannot get."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article, make_author

# Where to write screenshots of the dashboard (light and dark, 1280 and 390 px wide), when set.
SHOTS = os.environ.get("SMARTCHUNKS_SCREENSHOTS")
LONG_TITLE = (
    "Why the regional grid operators' new capacity auction rules matter for "
    "every household battery owner in the north"
)


@pytest.fixture
def newsroom_week(editor):
    """A newsroom with something in every panel, one headline long enough to wrap."""
    now = timezone.now()
    colleague = make_author(name="Colleague")
    own = editor.author_profile
    make_article(author=own, status=Article.Status.DRAFT, title="Editor's own draft")
    make_article(author=colleague, status=Article.Status.IN_REVIEW, title=LONG_TITLE)
    make_article(author=colleague, status=Article.Status.IN_REVIEW, title="Heat pumps, costed")
    scheduled = make_article(
        author=colleague,
        title="Tidal power goes live",
        published_at=now + timedelta(days=2, hours=3),
    )
    make_article(author=colleague, title="Sodium batteries explained")
    make_article(
        author=colleague,
        title="Summer offer ends",
        published_at=now - timedelta(days=3),
        expires_at=now + timedelta(days=1),
    )
    return scheduled


def _fits_width(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.django_db(transaction=True)
def test_editor_sees_a_scheduled_article_with_its_time(
    page, live_server, admin_login, editor, newsroom_week
):
    scheduled = newsroom_week
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    admin_login(editor.username)

    panel = page.locator("#panel-scheduled")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Scheduled")
    goes_live = date_format(timezone.localtime(scheduled.published_at), "DATETIME_FORMAT")
    item = panel.get_by_role("listitem").filter(has_text="Tidal power goes live")
    expect(item).to_contain_text(f"Goes live {goes_live}")
    expect(page.locator("#panel-in_review .dashboard-count")).to_have_text("2 in all")

    item.get_by_role("link", name="Tidal power goes live").click()
    page.wait_for_url(f"{live_server.url}/admin/articles/article/{scheduled.pk}/change/")
    page.go_back()
    panel.get_by_role("link", name="See all scheduled").click()
    expect(page.locator("#result_list")).to_contain_text("Tidal power goes live")
    expect(page.locator("#result_list")).not_to_contain_text("Sodium batteries explained")

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/admin/")
            assert _fits_width(page), f"the dashboard overflows at {width} px"
            assert axe_violations(page) == [], f"{scheme}, {width} px"
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/dashboard-{scheme}-{width}.png", full_page=True)
    assert missing == []


@pytest.mark.django_db(transaction=True)
def test_admin_pages_show_the_site_icon_and_favicon_ico_answers(
    page, live_server, admin_login, editor
):
    admin_login(editor.username)
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    response = page.request.get(f"{live_server.url}{icon.get_attribute('href')}")
    assert response.status == 200
    assert "<svg" in response.text()

    # A browser that asks for /favicon.ico anyway is sent to the same picture.
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.status == 200
    assert response.url.endswith("/static/img/favicon.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
