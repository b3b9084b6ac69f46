"""The newsroom's whole path in a real Chromium: an Admin-group member adds an author with a
photo; an Editor-group member writes an article with every part (body typed into CKEditor) and
publishes it; then the public page."""

import re

import pytest
from django.utils.text import slugify
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import make_section

AUTHOR = "Ada Browserton"
TITLE = "How heat pumps move heat"
BODY_FIRST = "A heat pump carries warmth from outside air into the house."
BODY_SECOND = "It works like a fridge running in reverse."
BULLETS = [
    "Heat pumps move heat rather than making it.",
    "They deliver about three units of heat per unit of electricity.",
    "They work in cold weather, just less efficiently.",
]
QUESTION = "Do heat pumps work below freezing?"
ANSWER = "Yes, modern ones keep working well below zero."
SOURCE_NAME = "Fortune"
SOURCE_URL = "https://fortune.com/heat-pumps"


@pytest.fixture
def picture(tmp_path):
    def make(name, size, colour):
        path = tmp_path / name
        Image.new("RGB", size, colour).save(path, format="PNG")
        return path

    return make


def type_into_ckeditor(page, field_id: str, *paragraphs: str) -> None:
    """Click into the CKEditor that replaced textarea ``field_id`` and type like a person."""
    page.wait_for_function(
        "id => window.CKEDITOR && CKEDITOR.instances[id] && "
        "CKEDITOR.instances[id].status === 'ready'",
        arg=field_id,
    )
    editable = page.frame_locator(f"#cke_{field_id} iframe.cke_wysiwyg_frame").locator("body")
    editable.click()
    for number, text in enumerate(paragraphs):
        if number:
            editable.press("Enter")
        editable.type(text)


def choose_in_autocomplete(page, field_id: str, text: str) -> None:
    """Pick ``text`` in the admin's select2 autocomplete that replaced select ``field_id``."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).click()


def inline_input(page, field: str, row: int = 0):
    """The inline input named ``<prefix>-<row>-<field>``, whatever the admin's prefix is."""
    return page.locator(f'[name$="-{row}-{field}"]:not([name*="__prefix__"])')


def save_and_expect_success(page, button_name: str) -> None:
    page.get_by_role("button", name=button_name).first.click()
    expect(page.locator(".messagelist .success, ul.messagelist li.success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_admin_adds_author_editor_publishes_article_and_reader_sees_every_part(
    page, live_server, admin_login, browser, picture, tmp_path, admin_user, editor
):
    """Screenshots of the filled form and the public page are left in ``tmp_path``."""
    make_section(name="Science", slug="science")
    admin = f"{live_server.url}/admin"

    # The author, with a photo uploaded from disk: author profiles are the Admin group's.
    admin_login(admin_user.username)
    page.goto(f"{admin}/authors/author/add/")
    page.get_by_label("Name").press_sequentially(AUTHOR)  # keyup fills the slug
    expect(page.locator("#id_slug")).to_have_value(slugify(AUTHOR))
    page.get_by_label("Job title").fill("Energy correspondent")
    page.get_by_label("Experience").fill("9 years on the climate beat")
    page.locator("#id_photo").set_input_files(picture("ada.png", (240, 240), "teal"))
    type_into_ckeditor(page, "id_bio", "Ada explains energy for people who pay the bills.")
    page.get_by_label("LinkedIn URL").fill("https://www.linkedin.com/in/ada-browserton")
    page.get_by_label("Website").fill("https://ada.example.org/")
    save_and_expect_success(page, "Save")

    # The article, every part filled in through the form, by a member of the Editor group.
    page.context.clear_cookies()
    admin_login(editor.username)
    page.goto(f"{admin}/articles/article/add/")
    page.get_by_label("Headline").press_sequentially(TITLE)
    expect(page.locator("#id_slug")).to_have_value(slugify(TITLE))
    page.get_by_label("Standfirst").fill("Why a box outside can heat a whole house.")
    choose_in_autocomplete(page, "id_author", AUTHOR)
    choose_in_autocomplete(page, "id_section", "Science")
    page.locator("#id_hero_image").set_input_files(picture("hero.png", (1200, 675), "navy"))
    page.get_by_label("Hero alt text").fill("A heat pump unit outside a brick house")
    page.get_by_label("Hero caption / credit").fill("Photo: Test Studio")
    type_into_ckeditor(page, "id_body", BODY_FIRST, BODY_SECOND)
    page.get_by_label("Meta description").fill("How heat pumps move heat, in one minute.")
    for row, bullet in enumerate(BULLETS):
        inline_input(page, "text", row).fill(bullet)
    inline_input(page, "question").fill(QUESTION)
    answer_id = inline_input(page, "answer").get_attribute("id")
    type_into_ckeditor(page, answer_id, ANSWER)
    inline_input(page, "name").fill(SOURCE_NAME)
    inline_input(page, "url").fill(SOURCE_URL)
    page.screenshot(path=tmp_path / "article-form.png", full_page=True)
    publish_button = page.get_by_role("button", name=re.compile("publish", re.I))
    if publish_button.count():
        save_and_expect_success(page, publish_button.first.get_attribute("value"))
    else:
        page.get_by_label("Status").select_option(label="Published")
        save_and_expect_success(page, "Save")

    article = Article.objects.get(slug=slugify(TITLE))
    assert article.is_published

    # A reader who has never logged in opens the public page.
    reader = browser.new_context().new_page()
    try:
        reader.goto(f"{live_server.url}{article.get_absolute_url()}")
        reader.screenshot(path=tmp_path / "public-page.png", full_page=True)
        expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(reader.get_by_text("Why a box outside can heat a whole house.")).to_be_visible()
        byline_author = reader.locator("main a", has_text=AUTHOR).first
        expect(byline_author).to_have_attribute("href", f"/authors/{slugify(AUTHOR)}/")
        hero = reader.get_by_role("img", name="A heat pump unit outside a brick house")
        expect(hero).to_be_visible()
        expect(reader.get_by_text("Photo: Test Studio")).to_be_visible()
        expect(reader.get_by_role("heading", name="TL;DR")).to_be_visible()
        for bullet in BULLETS:
            expect(reader.get_by_text(bullet)).to_be_visible()
        expect(reader.get_by_text(BODY_FIRST)).to_be_visible()
        expect(reader.get_by_text(BODY_SECOND)).to_be_visible()
        expect(reader.get_by_role("heading", name=QUESTION)).to_be_visible()
        expect(reader.get_by_text(ANSWER)).to_be_visible()
        source = reader.get_by_role("link", name=SOURCE_NAME, exact=True)
        expect(source).to_have_attribute("href", SOURCE_URL)
        expect(reader.locator("#source-1")).to_have_text(f"Source: {SOURCE_NAME}")
        expect(reader.get_by_role("img", name=f"Photo of {AUTHOR}").last).to_be_visible()
        expect(
            reader.get_by_text("Energy correspondent · 9 years on the climate beat")
        ).to_be_visible()
        expect(
            reader.get_by_text("Ada explains energy for people who pay the bills.")
        ).to_be_visible()
        expect(reader.get_by_role("link", name="LinkedIn")).to_have_attribute(
            "href", "https://www.linkedin.com/in/ada-browserton"
        )
        # "All articles →" leads to the author page, which lists the new article.
        reader.get_by_role("link", name="All articles →").click()
        expect(reader.get_by_role("heading", level=1)).to_have_text(AUTHOR)
        expect(reader.get_by_role("link", name=TITLE)).to_be_visible()
    finally:
        reader.context.close()
