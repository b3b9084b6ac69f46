"""A new editor's first ten minutes in the newsroom, in Chromium, as the editor's guide
(docs/editor-guide.md) tells them: sign in with a second factor, read the dashboard, write an article part by part while the
checklist turns ready, publish it, change the live article (the change waits, readers keep the
published text) and publish the change, then compare the two versions in History; and where a
writer differs: they hand their work to an editor instead of publishing it.

Every step asserts what the person sees and saves a screenshot of it. The screenshots go to the
folder named by $EDITOR_GUIDE_SHOTS (`make editor-guide-shots` writes the guide's
docs/editor-guide/), otherwise to the test's tmp_path, so a plain test run never rewrites
tracked files.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from articles.models import Article, TldrBullet
from tests.browser.test_editor_flow import (
    choose_in_autocomplete,
    inline_input,
    type_into_ckeditor,
)
from tests.factories import make_article, make_author, make_role_user, make_section
from tests.helpers.two_factor import code_for, enrolled

PASSWORD = "correct-horse-42!"
WINDOW = {"width": 1280, "height": 800}

HEADLINE = "Why the tide comes in twice a day"
STANDFIRST = "The moon pulls the sea into two bulges, and the Earth turns through both."
BULLETS = [
    "The moon's pull raises a bulge of water on the side facing it.",
    "A second bulge forms on the far side, where the pull is weakest.",
    "The Earth turns through both bulges: two high tides a day.",
]
BODY = [
    "Twice a day the sea climbs the beach and slips back again.",
    "The moon's gravity pulls hardest on the water nearest to it.",
]
QUESTION = "Why are some tides higher than others?"
ANSWER = "When the sun and moon line up, their pulls add up: spring tides."
SOURCE_NAME = "NOAA"
SOURCE_URL = "https://oceanservice.noaa.gov/facts/tides.html"
META = "Two bulges of water and a spinning Earth: the tides in one minute."
OWL_BULLETS = [
    "An owl's eyes are tubes, not balls: they cannot move in their sockets.",
    "Its retina is packed with rods, the cells that see in dim light.",
    "It turns its head up to 270 degrees instead.",
]
NEW_STANDFIRST = "The moon pulls the sea into two bulges, and the Earth spins through both."


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("EDITOR_GUIDE_SHOTS") or tmp_path / "editor-guide")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, shots: Path, name: str, *parts, margin: int = 16) -> Path:
    """Save the window, or the full-width strip of it holding ``parts``, as ``name``.png."""
    path = shots / f"{name}.png"
    page.wait_for_load_state("load")  # the form's scripts have drawn the bar and previews
    clip = None
    if parts:
        boxes = [part.bounding_box() for part in parts]
        top = max(0, min(box["y"] for box in boxes) - margin)
        bottom = min(WINDOW["height"], max(box["y"] + box["height"] for box in boxes) + margin)
        clip = {"x": 0, "y": top, "width": WINDOW["width"], "height": bottom - top}
    page.screenshot(path=path, clip=clip, animations="disabled", caret="hide")
    return path


def sign_in(page, live_server, user, device, *, shots: Path | None = None) -> None:
    """Password, then the authenticator's code, as a newsroom account does in production."""
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/two-factor/verify/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    page.get_by_label("Code", exact=True).fill(code_for(device))
    if shots:
        shoot(page, shots, "01-sign-in-code", page.locator("#container"))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Newsroom")


def hero_picture(folder: Path) -> Path:
    """A picture that reads as one at a glance: sky, sea and a beach."""
    picture = Image.new("RGB", (1200, 675), "#8ec5e8")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 330, 1200, 520), fill="#1f5f8b")
    draw.rectangle((0, 520, 1200, 675), fill="#e8d3a2")
    draw.ellipse((930, 70, 1050, 190), fill="#f4f1e8")
    path = folder / "beach.png"
    picture.save(path)
    return path


def scroll_to_just_above_the_bar(page, part) -> None:
    """Scroll so ``part`` ends just above the button bar that stays at the window's foot."""
    part.evaluate(
        """part => {
            const bar = document.querySelector(".submit-row").getBoundingClientRect();
            window.scrollBy(0, part.getBoundingClientRect().bottom - bar.top + 12);
        }"""
    )


def checklist_status(page):
    return page.locator("#article-checklist .article-checklist-status")


def checklist_problems(page):
    return page.locator("#article-checklist .article-checklist-problems li")


def message(page):
    return page.locator("ul.messagelist")


@pytest.fixture
def reader(browser, live_server):
    """A reader's browser, never signed in (closed before the live server stops)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def newsroom():
    """An editor (with an authenticator) joining a newsroom that already has work under way."""
    ana = make_author(name="Ana Ruiz", job_title="Science editor")
    editor = make_role_user(
        "Editor", username="ana", first_name="Ana", last_name="Ruiz", author=ana
    )
    ben = make_author(name="Ben Okafor", job_title="Science writer")
    writer = make_role_user(
        "Writer", username="ben", first_name="Ben", last_name="Okafor", author=ben
    )
    make_section(name="Science", slug="science")
    soon = timezone.now() + timedelta(days=2)
    make_article(author=ana, status=Article.Status.DRAFT, title="What makes a rainbow round")
    make_article(author=ben, status=Article.Status.IN_REVIEW, title="How bees find their way home")
    make_article(author=ben, title="Why bread rises")
    make_article(author=ben, title="The first tidal power station", published_at=soon)
    return {"editor": editor, "writer": writer}


@pytest.mark.django_db(transaction=True)
def test_an_editor_s_first_ten_minutes(
    page, live_server, reader, settings, shots, tmp_path, newsroom
):
    settings.SMARTCHUNKS_REQUIRE_2FA = True
    editor = newsroom["editor"]
    device, _ = enrolled(editor)
    page.set_viewport_size(WINDOW)

    # 1. Sign in: password, then the code from the authenticator app.
    sign_in(page, live_server, editor, device, shots=shots)

    # 2. The dashboard: own drafts, work waiting for review, what goes live next.
    drafts = page.locator("#panel-drafts")
    expect(drafts.get_by_role("link", name="What makes a rainbow round")).to_be_visible()
    review = page.locator("#panel-in_review")
    expect(review.get_by_role("link", name="How bees find their way home")).to_be_visible()
    expect(page.locator("#panel-published")).to_contain_text("Why bread rises")
    expect(page.locator("#panel-scheduled")).to_contain_text("The first tidal power station")
    shoot(page, shots, "02-dashboard", page.locator("#header"), page.locator("#content-main"))

    # 3. A new article, filled in from the top: the checklist says what is still missing.
    page.locator('#content-main a.addlink[href$="/articles/article/add/"]').click()
    page.get_by_label("Headline").press_sequentially(HEADLINE)
    expect(page.locator("#id_slug")).to_have_value(slugify(HEADLINE))
    page.get_by_label("Standfirst").fill(STANDFIRST)
    expect(checklist_problems(page)).to_have_text(
        [
            "Publishing needs 3 to 5 TL;DR bullets; this article has 0.",
            "Write the body: it is empty.",
            "Add at least one source with an http:// or https:// URL.",
        ]
    )
    expect(page.locator(".submit-row .submit-row-checklist")).to_have_text(
        "3 things to fix before publishing"
    )
    shoot(page, shots, "03-new-article")

    for row, bullet in enumerate(BULLETS):
        inline_input(page, "text", row).fill(bullet)
    page.locator("#id_hero_image").set_input_files(hero_picture(tmp_path))
    page.get_by_label("Hero alt text").fill("A beach at high tide under a pale moon")
    type_into_ckeditor(page, "id_body", *BODY)
    inline_input(page, "question").fill(QUESTION)
    type_into_ckeditor(page, inline_input(page, "answer").get_attribute("id"), ANSWER)
    inline_input(page, "name").fill(SOURCE_NAME)
    inline_input(page, "url").fill(SOURCE_URL)
    choose_in_autocomplete(page, "id_section", "Science")
    page.get_by_label("Meta description").fill(META)

    # 4. Everything the checklist asks for is there: ready to publish.
    expect(checklist_status(page)).to_have_text("Ready to publish: nothing missing.")
    expect(page.locator(".submit-row .submit-row-checklist")).to_have_text("Ready to publish")
    expect(page.locator(".search-preview-description")).to_have_text(META)
    scroll_to_just_above_the_bar(page, page.locator("#article-previews"))
    shoot(page, shots, "04-checklist-ready")

    # 5. Publish: the article is live, and readers see it.
    page.get_by_role("button", name="Save and publish now").click()
    expect(message(page)).to_contain_text("Published: it is live now.")
    article = Article.objects.get(slug=slugify(HEADLINE))
    assert article.is_published
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.locator("#staged-notice")).to_contain_text(
        "saving keeps your changes unpublished until you use “Publish changes”"
    )
    shoot(page, shots, "05-published")

    # 6. Change the live article: the change waits beside it, readers keep the published text.
    page.get_by_label("Standfirst").fill(NEW_STANDFIRST)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(message(page)).to_contain_text("Saved as unpublished changes")
    expect(page.locator("#staged-notice")).to_contain_text("Unpublished changes by Ana Ruiz")
    expect(page.locator("#staged-notice")).to_contain_text("readers see the published version")
    expect(page.get_by_label("Standfirst")).to_have_value(NEW_STANDFIRST)
    reader.reload()
    expect(reader.locator("main")).to_contain_text(STANDFIRST)
    shoot(page, shots, "06-unpublished-changes")

    page.get_by_role("button", name="Publish changes").click()
    expect(message(page)).to_contain_text("Changes published: readers see them now.")
    expect(page.locator("#staged-notice")).not_to_contain_text("Unpublished changes")
    reader.reload()
    expect(reader.locator("main")).to_contain_text(NEW_STANDFIRST)

    # 7. History: every version, and the words that changed between two of them.
    page.locator(".object-tools").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Every change, newest first")).to_be_visible()
    page.get_by_role("button", name="Compare the two chosen versions").click()
    comparison = page.locator("#comparison")
    expect(comparison.locator(".diff-field h3")).to_have_text(["Standfirst"])
    expect(comparison.locator(".diff-field del")).to_have_text(["turns"])
    expect(comparison.locator(".diff-field ins")).to_have_text(["spins"])
    shoot(
        page, shots, "07-history", page.locator("#header"), page.locator(".history-compare-submit")
    )


@pytest.mark.django_db(transaction=True)
def test_a_writer_hands_the_article_to_an_editor(page, live_server, settings, shots, newsroom):
    settings.SMARTCHUNKS_REQUIRE_2FA = True
    writer = newsroom["writer"]
    device, _ = enrolled(writer)
    page.set_viewport_size(WINDOW)
    draft = make_article(
        author=writer.author_profile,
        status=Article.Status.DRAFT,
        title="How owls see at night",
        standfirst="Huge eyes, a retina packed with rods, and a head that turns.",
        tldr=0,
    )
    for position, text in enumerate(OWL_BULLETS):
        TldrBullet.objects.create(article=draft, text=text, position=position)
    sign_in(page, live_server, writer, device)

    page.locator("#panel-drafts").get_by_role("link", name="How owls see at night").click()
    expect(checklist_status(page)).to_have_text("Ready to publish: nothing missing.")
    bar = page.locator(".submit-row")
    expect(bar.get_by_role("button", name="Save and submit for review")).to_be_visible()
    expect(bar.get_by_role("button", name=re.compile("publish", re.I))).to_have_count(0)
    expect(bar.locator(".submit-row-checklist")).to_have_text("Ready to publish")
    shoot(page, shots, "08-writer-submits")

    bar.get_by_role("button", name="Save and submit for review").click()
    expect(message(page)).to_contain_text("Submitted for review. An editor will publish it.")
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW
