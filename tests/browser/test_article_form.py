"""The article form in Chromium: rows ordered by dragging (and by ↑ ↓), the live checklist, a
refused publish that keeps the draft, the previews and counters, and the layout at 1280 and
390 px: nothing wider than the window, the tools clear of the title, the buttons in view.

Screenshots of the add form and of a filled change form go to $ARTICLE_FORM_SHOTS (or the
test's tmp_path): look at them after a change to the form.
"""

import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, FaqEntry
from tests.browser.test_accessibility import AXE_SCRIPT, BLOCKING_IMPACTS
from tests.browser.test_editor_flow import inline_input, save_and_expect_success, type_into_ckeditor
from tests.browser.test_newsroom_content_security_policy import LISTEN, VIOLATIONS
from tests.factories import make_article, make_complete_article
from tests.helpers.html import assert_in_order, reading_order

ADD = "/admin/articles/article/add/"
BULLETS = [
    "Tides follow the moon, not the sun.",
    "Two high tides a day, about 12 hours 25 minutes apart.",
    "Spring tides come with full and new moons.",
]
# Tall enough that a dragged row and its drop target are both in view: no scrolling mid-drag.
TALL = {"width": 1280, "height": 2400}
VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("ARTICLE_FORM_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rows(page, group: str):
    return page.locator(f"#{group}-group .ordered-row:not(.empty-form)")


def drag(page, group: str, source: int, target: int) -> None:
    """Drag row ``source`` of ``group`` by its handle onto row ``target``'s handle."""
    found = rows(page, group)
    found.nth(source).locator(".ordered-row-grip").drag_to(
        found.nth(target).locator(".ordered-row-handle")
    )


def bullet_texts(page) -> list[str]:
    found = rows(page, "tldr_bullets")
    return [found.nth(i).locator("textarea").input_value() for i in range(found.count())]


def checklist_items(page):
    return page.locator("#article-checklist .article-checklist-problems li")


# --- Ordering ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_dragging_a_new_bullet_to_the_top_is_the_order_readers_see(
    page, browser, live_server, admin_login, editor
):
    page.set_viewport_size(TALL)
    admin_login(editor.username)
    page.goto(f"{live_server.url}{ADD}")
    page.get_by_label("Headline").press_sequentially("How tides turn")
    type_into_ckeditor(page, "id_body", "The moon pulls the sea towards it.")
    for row, bullet in enumerate(BULLETS):
        inline_input(page, "text", row).fill(bullet)
    inline_input(page, "name").fill("NOAA")
    inline_input(page, "url").fill("https://oceanservice.noaa.gov/facts/tides.html")

    drag(page, "tldr_bullets", 2, 0)
    assert bullet_texts(page)[:3] == [BULLETS[2], BULLETS[0], BULLETS[1]]
    expect(rows(page, "tldr_bullets").first.locator(".inline_label")).to_have_text("#1")
    save_and_expect_success(page, "Save and publish now")

    article = Article.objects.get(slug="how-tides-turn")
    assert article.is_published
    reader = browser.new_context().new_page()
    try:
        reader.goto(f"{live_server.url}{article.get_absolute_url()}")
        text = reading_order(reader.content())
        assert_in_order(text, "TL;DR", BULLETS[2], BULLETS[0], BULLETS[1])
    finally:
        reader.context.close()


@pytest.mark.django_db(transaction=True)
def test_faq_entries_dragged_keep_their_answers(page, live_server, admin_login, editor):
    article = make_article(status=Article.Status.DRAFT, faq=2, title="Two questions")
    page.set_viewport_size({"width": 1280, "height": 3200})
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.wait_for_function(
        "() => window.CKEDITOR && Object.keys(CKEDITOR.instances).length >= 3 && "
        "Object.values(CKEDITOR.instances).every(e => e.status === 'ready')"
    )
    drag(page, "faq_entries", 1, 0)
    questions = rows(page, "faq_entries").locator('input[name$="-question"]')
    expect(questions.first).to_have_value("Question 2?")
    # The moved editor still shows its answer, and takes more typing.
    moved = page.frame_locator(
        "#faq_entries-group .ordered-row:first-of-type iframe.cke_wysiwyg_frame"
    ).first.locator("body")
    expect(moved).to_have_text("Answer 2.")
    save_and_expect_success(page, "Save and continue editing")
    assert [(e.question, e.answer.strip()) for e in article.faq_entries.all()] == [
        ("Question 2?", "<p>Answer 2.</p>"),
        ("Question 1?", "<p>Answer 1.</p>"),
    ]


@pytest.mark.django_db(transaction=True)
def test_move_buttons_and_a_removed_row_keep_saved_rows_and_new_ones_apart(
    page, live_server, admin_login, editor
):
    """A new source moved above the saved ones, then another new row removed: Django's
    "remove" renames rows in page order; the form keeps saved rows first (their ids)."""
    article = make_article(status=Article.Status.DRAFT, sources=2, title="Sourced")
    page.set_viewport_size(TALL)
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    sources = rows(page, "sources")
    new_first = page.locator("#sources-2")
    inline_input(page, "name", 2).fill("New first source")
    inline_input(page, "url", 2).fill("https://example.org/first")
    page.get_by_role("button", name="Add another Source").click()
    inline_input(page, "name", 3).fill("Removed again")
    new_first.get_by_role("button", name="Move source up").click()
    new_first.get_by_role("button", name="Move source up").click()
    expect(page.locator("#sources-group .ordered-part-status")).to_have_text(
        "Moved to place 1 of 4."
    )
    expect(sources.first.locator('input[name$="-name"]')).to_have_value("New first source")
    page.locator("#sources-3 .inline-deletelink").click()
    save_and_expect_success(page, "Save and continue editing")
    assert [source.name for source in article.sources.all()] == [
        "New first source",
        "Outlet 1",
        "Outlet 2",
    ]


# --- The checklist and a refused publish ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_checklist_follows_the_typing(page, live_server, admin_login, editor):
    admin_login(editor.username)
    page.goto(f"{live_server.url}{ADD}")
    expect(checklist_items(page).filter(has_text="Add a headline.")).to_have_count(1)
    bar_summary = page.locator(".submit-row .submit-row-checklist")
    expect(bar_summary).to_have_text(re.compile(r"\d+ things to fix before publishing"))

    page.get_by_label("Headline").press_sequentially("How tides turn")
    expect(checklist_items(page).filter(has_text="Add a headline.")).to_have_count(0)
    expect(checklist_items(page).filter(has_text="Add a slug")).to_have_count(0)
    type_into_ckeditor(page, "id_body", "The moon pulls.")
    expect(checklist_items(page).filter(has_text="Write the body")).to_have_count(0)
    for row, bullet in enumerate(BULLETS):
        inline_input(page, "text", row).fill(bullet)
    inline_input(page, "name").fill("NOAA")
    inline_input(page, "url").fill("https://noaa.gov/tides")
    expect(page.locator(".article-checklist-status")).to_have_text(
        "Ready to publish: nothing missing."
    )
    expect(bar_summary).to_have_text("Ready to publish")
    assert not Article.objects.exists()  # checking saved nothing


@pytest.mark.django_db(transaction=True)
def test_a_refused_publish_keeps_the_draft_and_says_what_is_missing(
    page, live_server, admin_login, editor
):
    admin_login(editor.username)
    page.goto(f"{live_server.url}{ADD}")
    page.get_by_label("Headline").press_sequentially("Half a story")
    inline_input(page, "text", 0).fill("Only one bullet so far.")
    page.get_by_role("button", name="Save and publish now").click()

    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("Your changes are saved, but the article was not published")
    expect(messages).to_contain_text("Publishing needs 3 to 5 TL;DR bullets; this article has 1.")
    expect(messages).to_contain_text("Write the body: it is empty.")
    article = Article.objects.get(slug="half-a-story")
    assert article.status == Article.Status.DRAFT
    assert page.url.endswith(f"/admin/articles/article/{article.pk}/change/")
    expect(page.get_by_label("Headline")).to_have_value("Half a story")
    expect(inline_input(page, "text", 0)).to_have_value("Only one bullet so far.")
    expect(checklist_items(page).filter(has_text="Write the body")).to_have_count(1)


# --- Previews and counters -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_previews_and_counters_follow_the_fields(page, live_server, admin_login, editor, tmp_path):
    admin_login(editor.username)
    page.goto(f"{live_server.url}{ADD}")
    title = "Why the tide comes in twice a day, and why the second one is sometimes higher"
    page.get_by_label("Headline").fill(title)
    page.get_by_label("Standfirst").fill("The moon, the sun and a bulge on each side.")
    search_title = page.locator(".search-preview-title")
    expect(search_title).to_have_text(
        re.compile(r"^Why the tide comes in twice a day, and .{0,25}…$")
    )
    assert len(search_title.inner_text()) <= 62
    expect(page.locator(".search-preview-description")).to_have_text(
        "The moon, the sun and a bulge on each side."
    )
    expect(page.locator(".search-preview-url")).to_contain_text(
        "articles › why-the-tide-comes-in-twice-a-day"
    )

    description = page.get_by_label("Meta description")
    description.fill("m" * 170)
    counter = page.locator(".field-meta_description .char-count")
    expect(counter).to_have_text("170 / 160: 10 too many")
    expect(counter).to_have_class(re.compile("is-over"))
    assert page.locator(".search-preview-description").inner_text().endswith("…")
    description.fill("A short description.")
    expect(counter).to_have_text("20 / 160")
    expect(page.locator(".search-preview-description")).to_have_text("A short description.")

    expect(page.locator(".share-preview")).not_to_have_class(re.compile("is-large"))
    hero = tmp_path / "hero.png"
    Image.new("RGB", (1200, 630), "teal").save(hero)
    page.locator("#id_hero_image").set_input_files(hero)
    expect(page.locator(".share-preview")).to_have_class(re.compile("is-large"))
    assert page.locator(".share-preview img").get_attribute("src").startswith("data:image/png")
    expect(page.locator(".share-preview-title")).to_have_text(title)


# --- Layout --------------------------------------------------------------------------------

TOO_WIDE = """() => [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > innerWidth + 0.5 && getComputedStyle(el).visibility !== 'hidden';
}).map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`.slice(0, 80))"""


def overlaps(first, second) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


def assert_fits(page, where: str) -> None:
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth"), where
    assert page.evaluate(TOO_WIDE) == [], where


FIRST_WORKFLOW_BUTTON = """() => {
    const django = ["_save", "_continue", "_addanother"];
    const steps = [...document.querySelectorAll(".submit-row input[type=submit]")]
        .filter(button => !django.includes(button.name))
        .map(button => ({name: button.value, ...button.getBoundingClientRect().toJSON()}))
        .sort((a, b) => a.left - b.left);
    return steps[0] || null;
}"""


def assert_buttons_in_reach(page, where: str) -> None:
    # A published article's Save keeps the changes unpublished, and says so.
    save = page.get_by_role("button", name=re.compile(r"^Save( without publishing)?$"))
    for position in ("top", "middle"):
        page.evaluate(
            "where => scrollTo(0, where === 'top' ? 0 : "
            "(document.scrollingElement.scrollHeight - innerHeight) / 2)",
            position,
        )
        expect(save).to_be_in_viewport()
        bar = page.locator(".submit-row").bounding_box()
        height = page.viewport_size["height"]
        assert bar["y"] >= 0 and bar["y"] + bar["height"] <= height + 1, (where, position)
        assert bar["height"] < height * 0.2, (where, position, bar)
        # The first workflow step (Publish changes, Save and publish now...) is on screen
        # beside Save, not a swipe away.
        first_step = page.evaluate(FIRST_WORKFLOW_BUTTON)
        assert first_step and first_step["right"] <= page.viewport_size["width"], (
            where,
            first_step,
        )
    page.evaluate("() => scrollTo(0, 0)")


def assert_tools_clear_of_the_title(page, where: str) -> None:
    titles = page.locator("#content h1, #content-main > h2, #content > h2")
    tools = page.locator(".object-tools li")
    for t in range(titles.count()):
        title = titles.nth(t).bounding_box()
        for i in range(tools.count()):
            assert not overlaps(title, tools.nth(i).bounding_box()), (where, t, i)


def assert_checklist_placed(page, viewport: str) -> None:
    checklist = page.locator("#article-checklist").bounding_box()
    parts = page.locator(".article-form-parts").bounding_box()
    if viewport == "1280":
        assert checklist["x"] >= parts["x"] + parts["width"]  # beside the form
    else:
        assert checklist["y"] + checklist["height"] <= parts["y"]  # above it


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["1280", "390"])
def test_the_form_fits_the_window_and_keeps_its_buttons_in_reach(
    page, live_server, admin_login, editor, shots, viewport
):
    page.add_init_script(LISTEN)
    article = make_complete_article(
        title="Why chip prices swing when a single factory in Taiwan closes for a week",
        standfirst="One plant makes most of the world's most advanced chips.",
        meta_description="A week-long closure at one factory moves prices for a year. "
        "Here is why, in five minutes.",
    )
    FaqEntry.objects.create(
        article=article, question="Will my phone cost more?", answer="<p>Maybe.</p>"
    )
    page.set_viewport_size(VIEWPORTS[viewport])
    admin_login(editor.username)
    pages = {"add": ADD, "change": f"/admin/articles/article/{article.pk}/change/"}
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        expect(page.locator(".article-checklist-status")).not_to_have_text("")
        where = f"{name} at {viewport}px"
        page.screenshot(path=shots / f"{name}-{viewport}-full.png", full_page=True)
        page.screenshot(path=shots / f"{name}-{viewport}-viewport.png")
        assert_fits(page, where)
        assert_checklist_placed(page, viewport)
        if name == "change":
            assert_tools_clear_of_the_title(page, where)
        assert_buttons_in_reach(page, where)
        assert page.evaluate(VIOLATIONS) == [], where


# --- Accessibility of the form's own parts -------------------------------------------------
# Django's own widgets (select2, the split date and time) have axe findings of their own; the
# parts this form adds are checked here.

OWN_PARTS = [[".ordered-part"], ["#article-checklist"], ["#article-previews"], [".submit-row"]]


@pytest.mark.django_db(transaction=True)
def test_the_forms_own_parts_have_no_serious_axe_violations(page, live_server, admin_login, editor):
    article = make_complete_article()
    admin_login(editor.username)
    for path in (ADD, f"/admin/articles/article/{article.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(".submit-row .submit-row-checklist")).to_be_visible()
        page.evaluate(AXE_SCRIPT.read_text())
        results = page.evaluate(
            "async parts => await axe.run({include: parts}, {resultTypes: ['violations']})",
            OWN_PARTS,
        )
        serious = [
            f"{v['impact']}: {v['id']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert serious == [], path
