"""The front page and the section menu in a real browser: the menu works from the keyboard,
no page scrolls sideways on a 390 px phone however many sections there are, and axe finds
nothing serious on the front page or a site page, light or dark."""

import pytest

from articles.models import SitePage
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article, make_complete_article, make_section

SECTION_NAMES = [
    "Technology",
    "Science",
    "Climate and energy",
    "Health",
    "Money",
    "Space",
    "Internet culture",
]
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
FOCUSED_LINK = "() => document.activeElement.closest('nav[aria-label=Sections]') ? [document.activeElement.textContent, document.activeElement.getAttribute('href')] : null"


@pytest.fixture
def publication():
    sections = [make_section(name=name) for name in SECTION_NAMES]
    lead = make_complete_article(title="Why chip prices swing", section=sections[0])
    for section in sections:
        make_article(title=f"What is new in {section.name.lower()}", section=section)
    about = SitePage.objects.create(
        title="Editorial standards",
        slug="editorial-standards",
        description="How we source, cite and correct.",
        body="<p>Every claim rests on a named source.</p><h2>Corrections</h2>"
        "<p>We correct mistakes on the article, dated.</p>",
        published=True,
    )
    return {"sections": sections, "lead": lead, "site_page": about.get_absolute_url()}


@pytest.mark.django_db(transaction=True)
def test_the_section_menu_is_reached_with_tab_and_followed_with_enter(
    page, live_server, publication
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    focused = None
    for _ in range(8):  # skip link, logo, search field and button come first
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_LINK)
        if focused:
            break
    first = sorted(publication["sections"], key=lambda section: section.name)[0]
    assert focused == [first.name, first.get_absolute_url()]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Tab")
    second = page.evaluate(FOCUSED_LINK)
    assert second is not None and second[0] != first.name
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{second[1]}")
    assert page.get_by_role("heading", level=1).inner_text() == second[0]
    current = page.locator("nav[aria-label=Sections] a[aria-current=page]")
    assert current.inner_text() == second[0]


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_nothing_scrolls_sideways_and_every_section_can_be_reached(
    page, live_server, publication
):
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/", publication["site_page"], publication["sections"][2].get_absolute_url()):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate(OVERFLOW) <= 0, url
    page.goto(f"{live_server.url}/")
    menu = page.locator("nav[aria-label=Sections]")
    links = menu.get_by_role("link")
    assert links.count() == len(SECTION_NAMES)
    # Seven sections are wider than a phone: the row scrolls inside itself, not the page.
    assert menu.evaluate("el => el.scrollWidth > el.clientWidth")
    last = links.nth(links.count() - 1)
    last.focus()  # as Tab reaching it would: the row scrolls the link into view
    box = last.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 44  # a comfortable tap target
    assert page.evaluate(OVERFLOW) <= 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_front_page_and_a_site_page_have_no_serious_axe_violations(
    page, live_server, publication, scheme
):
    page.emulate_media(color_scheme=scheme)
    failures = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in ("/", publication["site_page"]):
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200
            violations = axe_violations(page)
            if violations:
                failures[(url, width)] = violations
    assert failures == {}
