"""In Chromium: two editors on one article see each other in the form's "also editing" banner,
and the banner goes when one leaves; leaving unsaved changes asks first, saving does not."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article, EditingPresence
from articles.workflow import presence
from tests.browser.test_accessibility import AXE_SCRIPT, BLOCKING_IMPACTS
from tests.factories import make_article, make_role_user

BANNER = "#editing-presence"
LEFT_ALONE = "Ana Ruiz stopped editing this article."


@pytest.fixture
def quick_heartbeat(monkeypatch):
    """A beat a second instead of every 20 s, so the test waits for seconds, not minutes.
    People still expire only after presence.ACTIVE_SECONDS (a minute): a banner that goes
    within expect()'s few seconds went because the leaver said so."""
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 1)


def change_url(live_server, article) -> str:
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def banner_axe_violations(page) -> list[str]:
    """axe-core's serious findings in the banner alone (the admin's own widgets have some)."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make test`.")
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate(
        "async () => await axe.run({include: [['#editing-presence']]}, "
        "{resultTypes: ['violations']})"
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']})"
        for v in results["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def no_script_errors(page) -> list[str]:
    """Uncaught errors on the page, gathered as they happen."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.django_db(transaction=True)
def test_second_editor_sees_the_first_until_she_leaves(
    browser, live_server, admin_login, quick_heartbeat, tmp_path
):
    make_role_user("Editor", username="ana", first_name="Ana", last_name="Ruiz")
    make_role_user("Editor", username="ben", first_name="Ben", last_name="Okafor")
    article = make_article(status=Article.Status.DRAFT, title="Why the tide turns")
    ana, ben = browser.new_page(), browser.new_page()
    try:
        errors = no_script_errors(ana) + no_script_errors(ben)
        admin_login("ana", on=ana)
        admin_login("ben", on=ben)

        ana.goto(change_url(live_server, article))
        expect(ana.locator(BANNER)).to_be_hidden()  # alone on it

        ben.goto(change_url(live_server, article))
        banner = ben.locator(BANNER)
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(
            re.compile(
                r"Ana Ruiz is also editing this article — opened \d\d:\d\d, "
                r"active (just now|\d+ s ago)"
            )
        )
        expect(banner).not_to_contain_text("Ben Okafor")
        # Ana learns of Ben at her next beat, without reloading.
        expect(ana.locator(BANNER)).to_contain_text("Ben Okafor is also editing this article")

        for scheme in ("light", "dark"):
            ben.emulate_media(color_scheme=scheme)
            for width, height in ((1280, 800), (390, 844)):
                ben.set_viewport_size({"width": width, "height": height})
                ben.screenshot(path=tmp_path / f"banner-{scheme}-{width}.png")
                box = banner.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
                assert banner_axe_violations(ben) == [], f"{scheme}, {width} px"

        ana.goto(f"{live_server.url}/admin/")  # she leaves the form
        expect(banner).to_be_hidden()
        expect(ben.locator("#editing-presence-news")).to_have_text(LEFT_ALONE)
        assert EditingPresence.objects.get(user__username="ana").closed
        assert errors == []
    finally:
        ana.context.close()
        ben.context.close()


@pytest.mark.django_db(transaction=True)
def test_hidden_tab_stops_beating_and_beats_again_when_shown(
    page, live_server, admin_login, editor, quick_heartbeat
):
    article = make_article(status=Article.Status.DRAFT)
    beats = []
    page.on("request", lambda request: "/presence/" in request.url and beats.append(request.url))
    admin_login(editor.username)
    page.goto(change_url(live_server, article))
    expect(page.locator(BANNER)).to_be_attached()
    page.wait_for_timeout(1500)
    assert beats, "the form beats while visible"

    page.evaluate(
        """() => {
            Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    page.wait_for_timeout(300)  # a beat already on its way may still land
    quiet_since = len(beats)
    page.wait_for_timeout(3000)  # three beats' time
    assert len(beats) == quiet_since

    with page.expect_request(re.compile(r"/presence/$")):
        page.evaluate(
            """() => {
                Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
                document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )


# --- Leaving with unsaved changes -----------------------------------------------------------


@pytest.fixture
def dialogs(page):
    """The type of every dialog the page opens; each is answered "stay on this page"."""
    seen = []

    def answer(dialog):
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    return seen


def leave_by_link(page):
    page.locator(".breadcrumbs a", has_text="Home").click()


@pytest.mark.django_db(transaction=True)
def test_leaving_an_edited_title_asks_and_saving_does_not(
    page, live_server, admin_login, editor, dialogs
):
    article = make_article(status=Article.Status.DRAFT, title="Before")
    url = change_url(live_server, article)
    errors = no_script_errors(page)
    admin_login(editor.username)

    page.goto(url)
    leave_by_link(page)  # nothing changed: no question
    page.wait_for_url(f"{live_server.url}/admin/")
    assert dialogs == []

    page.goto(url)
    title = page.locator("#id_title")
    title.click()
    page.keyboard.press("End")
    page.keyboard.type(" and after")
    with page.expect_event("dialog"):
        leave_by_link(page)
    assert dialogs == ["beforeunload"]
    assert page.url == url  # stayed, the edit still there
    expect(title).to_have_value("Before and after")

    with page.expect_event("dialog"):
        page.close(run_before_unload=True)
    assert dialogs == ["beforeunload", "beforeunload"]
    assert not page.is_closed()

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert dialogs == ["beforeunload", "beforeunload"]
    article.refresh_from_db()
    assert article.title == "Before and after"
    assert errors == []


def editors_ready(page):
    page.wait_for_function(
        "() => window.CKEDITOR && Object.keys(CKEDITOR.instances).length > 0 && "
        "Object.values(CKEDITOR.instances).every(editor => editor.status === 'ready')"
    )


@pytest.mark.django_db(transaction=True)
def test_editor_text_inline_rows_and_refused_saves_count_and_workflow_buttons_do_not_ask(
    page, live_server, admin_login, editor
):
    article = make_article(status=Article.Status.DRAFT, title="Rows and bodies")
    url = change_url(live_server, article)
    admin_login(editor.username)
    page.close()

    def fresh_form():
        """The article's form in a new tab of the same session, its editors ready."""
        tab = page.context.new_page()
        tab.dialogs = []
        tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.type), dialog.dismiss()))
        tab.goto(url)
        editors_ready(tab)
        return tab

    def asks_before_leaving(tab) -> bool:
        asked_before = len(tab.dialogs)
        with tab.expect_event("dialog"):
            leave_by_link(tab)
        tab.close()  # without asking again
        return tab.dialogs[asked_before:] == ["beforeunload"]

    untouched = fresh_form()
    leave_by_link(untouched)  # the editors' own start-up changes nothing
    untouched.wait_for_url(f"{live_server.url}/admin/")
    assert untouched.dialogs == []
    untouched.close()

    body = fresh_form()
    editable = body.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")
    editable.click()
    body.keyboard.type(" One more sentence.")
    assert asks_before_leaving(body)

    bullet = fresh_form()
    field = bullet.locator('[name$="-0-text"]:not([name*="__prefix__"])')
    field.click()
    bullet.keyboard.type(" (sharpened)")
    assert asks_before_leaving(bullet)

    new_row = fresh_form()
    new_row.get_by_role("button", name=re.compile("Add another source", re.I)).click()
    assert asks_before_leaving(new_row)

    refused = fresh_form()
    refused.locator("#id_title").fill("")
    refused.get_by_role("button", name="Save", exact=True).click()
    expect(refused.locator(".errornote")).to_be_visible()
    assert refused.dialogs == []  # the save itself did not ask
    assert asks_before_leaving(refused)  # what the form shows again is not saved

    workflow = fresh_form()
    workflow.locator("#id_title").click()
    workflow.keyboard.type(", submitted")
    workflow.get_by_role("button", name="Save and submit for review").click()
    expect(workflow.locator(".messagelist .success")).to_contain_text("Submitted for review")
    assert workflow.dialogs == []
    article.refresh_from_db()
    assert (article.title, article.status) == (
        "Rows and bodies, submitted",
        Article.Status.IN_REVIEW,
    )
