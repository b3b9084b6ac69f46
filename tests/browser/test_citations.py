"""An editor cites a source from CKEditor's "Cite source" button; the reader's superscript
number leads to the source, and the source's ↩ leads back."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Source
from articles.workflow import prerender
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article, make_complete_article

CLAIM = " Demand doubled in 2024."
AFTER = " Prices followed."


def _editable(page):
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body && "
        "CKEDITOR.instances.id_body.status === 'ready'"
    )
    return page.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")


@pytest.mark.django_db(transaction=True)
def test_editor_cites_a_source_and_the_reader_follows_it_both_ways(
    page, browser, live_server, admin_login, editor
):
    article = make_article(
        status=Article.Status.DRAFT,
        title="Why chips got expensive",
        body="<p>Chips cost more.</p>",
        sources=2,
    )
    admin_login(editor.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    # A third source, not saved yet: the dialog reads the rows as the form has them.
    page.locator('[name="sources-2-name"]').fill("Reuters")
    page.locator('[name="sources-2-url"]').fill("https://www.reuters.com/chips")

    body = _editable(page)
    body.locator("p").click()
    body.press("End")
    body.type(CLAIM)
    page.get_by_role("button", name="Cite source").click()
    dialog = page.locator(".cke_dialog_body")
    choice = dialog.get_by_label("Source")
    expect(choice.locator("option")).to_have_text(
        ["1. Outlet 1 (example.com)", "2. Outlet 2 (example.com)", "3. Reuters (www.reuters.com)"]
    )
    choice.select_option(label="3. Reuters (www.reuters.com)")
    dialog.get_by_role("button", name="OK").click()
    body.type(AFTER)  # goes on after the marker, not inside its link

    page.get_by_role("button", name="Save and publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.body == (
        '<p>Chips cost more. Demand doubled in 2024.<sup class="cite">'
        '<a href="#source-3">3</a></sup> Prices followed.</p>'
    )

    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        reader.goto(f"{live_server.url}{article.get_absolute_url()}")
        marker = reader.locator(".article-body sup.cite a")
        expect(marker).to_have_text("3")
        expect(marker).to_have_attribute("href", "#source-3")
        marker.click()
        assert reader.url.endswith("#source-3")
        source = reader.locator("#source-3")
        expect(source.get_by_role("link", name="Reuters")).to_have_attribute(
            "href", "https://www.reuters.com/chips"
        )
        expect(source).to_be_in_viewport()
        back = source.get_by_role("link", name="Back to citation 1 of source 3 in the text")
        back.click()
        assert reader.url.endswith("#cite-3-1")
        expect(reader.locator("#cite-3-1")).to_be_in_viewport()
    finally:
        reader.context.close()


@pytest.mark.django_db(transaction=True)
def test_citing_again_at_the_end_of_the_line_puts_the_marker_after_the_first(
    page, live_server, admin_login, editor
):
    """End after a marker leaves the cursor inside its link: the second marker went inside
    the first, and the cleaner unwrapped both into a plain "11" (the black-box review)."""
    article = make_article(
        status=Article.Status.DRAFT, title="Two sources", body="<p>Chips cost more.</p>", sources=2
    )
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    body = _editable(page)
    body.locator("p").click()
    for number in ("1", "2"):
        body.press("End")
        page.get_by_role("button", name="Cite source").click()
        dialog = page.locator(".cke_dialog_body")
        dialog.get_by_label("Source").select_option(value=number)
        dialog.get_by_role("button", name="OK").click()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    article.refresh_from_db()
    assert article.body == (
        '<p>Chips cost more.<sup class="cite"><a href="#source-1">1</a></sup>'
        '<sup class="cite"><a href="#source-2">2</a></sup></p>'
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_with_citations_and_several_sources_passes_axe(browser, live_server, scheme):
    cite = '<sup class="cite"><a href="#source-{0}">{0}</a></sup>'
    article = make_complete_article(
        body=f"<p>Demand doubled.{cite.format(2)} Prices followed.{cite.format(1)}</p>"
    )
    Source.objects.create(
        article=article, name="Reuters", url="https://www.reuters.com/", position=1
    )
    prerender.store_parts(article.pk)
    reader = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = reader.new_page()
        page.goto(f"{live_server.url}{article.get_absolute_url()}")
        expect(page.locator(".article-body sup.cite")).to_have_count(2)
        assert axe_violations(page) == []
    finally:
        reader.close()


def _markers(page) -> list[str]:
    """The body's markers as CKEditor would save them: "number→target" each."""
    return page.evaluate(
        """() => Array.from(
            new DOMParser().parseFromString(CKEDITOR.instances.id_body.getData(), "text/html")
                .querySelectorAll("sup.cite > a"),
            (a) => `${a.textContent}→${a.getAttribute("href")}`,
        )"""
    )


@pytest.mark.django_db(transaction=True)
def test_markers_follow_their_source_when_the_rows_move_or_go(
    page, browser, live_server, admin_login, editor
):
    cite = '<sup class="cite"><a href="#source-{0}">{0}</a></sup>'
    article = make_article(
        status=Article.Status.DRAFT,
        body=f"<p>First claim.{cite.format(1)} Second claim.{cite.format(3)}</p>",
        sources=3,
    )
    admin_login(editor.username)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    _editable(page)
    rows = page.locator("#sources-group .inline-related:not(.empty-form)")
    assert _markers(page) == ["1→#source-1", "3→#source-3"]

    # Outlet 3 moved to the top: it is source 1 now, and Outlet 1 source 2.
    rows.nth(2).get_by_role("button", name="Move source up").click()
    rows.nth(1).get_by_role("button", name="Move source up").click()
    assert _markers(page) == ["2→#source-2", "1→#source-1"]

    # Outlet 1 deleted: its marker points past the last source, and the checklist says so.
    rows.nth(1).get_by_label("Delete").check()
    assert _markers(page) == ["3→#source-3", "1→#source-1"]
    expect(page.get_by_text("Citation marker [3] in the body points to source 3")).to_be_visible()
    # Kept after all: the marker is back on it.
    rows.nth(1).get_by_label("Delete").uncheck()
    assert _markers(page) == ["2→#source-2", "1→#source-1"]

    page.get_by_role("button", name="Save and publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")
    reader = browser.new_context().new_page()
    try:
        reader.goto(f"{live_server.url}{article.get_absolute_url()}")
        first, second = reader.locator(".article-body sup.cite a").all()
        assert reader.locator(first.get_attribute("href")).locator("a").first.inner_text() == (
            "Outlet 1"
        )
        assert reader.locator(second.get_attribute("href")).locator("a").first.inner_text() == (
            "Outlet 3"
        )
    finally:
        reader.context.close()
