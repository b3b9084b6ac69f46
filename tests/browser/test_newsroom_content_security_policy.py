"""In Chromium, the newsroom's pages (admin, CKEditor with its dialogs and uploads,
autocomplete) work under their own Content-Security-Policy and break none of its rules."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import make_article, make_section, make_tag
from tests.helpers.ckeditor_dialog import upload_through_image_dialog

# Every frame, CKEditor's editing area and dialog frames included, reports to the top page.
LISTEN = """(() => {
    const top = window.top;
    top.__cspViolations = top.__cspViolations || [];
    document.addEventListener('securitypolicyviolation', e => top.__cspViolations.push(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.documentURI}`));
})();"""
VIOLATIONS = "() => window.__cspViolations || []"
NEWSROOM_RULES = ("object-src 'none'", "base-uri 'self'", "frame-ancestors 'self'")


@pytest.fixture
def watched(page):
    """The test's page, with every policy violation and console complaint recorded."""
    console = []
    page.add_init_script(LISTEN)
    page.on("console", lambda message: console.append(message.text))
    page.console_messages_seen = console
    return page


def assert_no_violations(page, where):
    assert page.evaluate(VIOLATIONS) == [], where
    complaints = [text for text in page.console_messages_seen if "Content Security Policy" in text]
    assert complaints == [], where


def assert_newsroom_policy(response):
    policy = response.headers["content-security-policy"]
    for rule in NEWSROOM_RULES:
        assert rule in policy
    return policy


@pytest.mark.django_db(transaction=True)
def test_article_form_with_ckeditor_dialogs_and_uploads_keeps_to_its_policy(
    watched, live_server, admin_login, editor, tmp_path
):
    page = watched
    make_section(name="Science")
    make_tag(name="Energy")
    article = make_article(status=Article.Status.DRAFT, title="Policy draft")
    admin_login(editor.username)

    for path in ("/admin/", "/admin/articles/article/", "/admin/articles/article/?q=policy"):
        assert_newsroom_policy(page.goto(f"{live_server.url}{path}"))
        assert_no_violations(page, path)

    response = page.goto(f"{live_server.url}/admin/articles/article/add/")
    assert_newsroom_policy(response)
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body && "
        "CKEDITOR.instances.id_body.status === 'ready'"
    )
    editable = page.frame_locator("#cke_id_body iframe.cke_wysiwyg_frame").locator("body")
    editable.click()
    editable.type("Typed under the policy.")

    # The select2 autocomplete widgets fetch their choices from the admin.
    page.locator("#id_section + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Sci")
    page.locator(".select2-results__option", has_text="Science").click()
    page.locator("#id_tags + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Ener")
    page.locator(".select2-results__option", has_text="Energy").click()
    expect(page.locator("#id_tags + .select2")).to_contain_text("Energy")

    # The image dialog: upload a picture (XHR, then the form posted into an iframe).
    picture = tmp_path / "chart.png"
    Image.new("RGB", (120, 80), "orange").save(picture)
    for method in ("xhr", "form"):
        page.evaluate(f"CKEDITOR.instances.id_body.config.filebrowserUploadMethod = '{method}'")
        upload_through_image_dialog(page, picture)
        url_field = page.locator(".cke_dialog_contents_body input.cke_dialog_ui_input_text").first
        expect(url_field).to_have_value(re.compile(r"^/media/uploads/"))
        dialog = page.locator(".cke_dialog_container:visible")
        dialog.get_by_label("Alternative Text").fill(f"Chart sent by {method}")
        page.get_by_role("button", name="OK").click()
    page.wait_for_function(
        "() => [...document.querySelector('#cke_id_body iframe').contentDocument.images]"
        ".filter(i => i.complete && i.naturalWidth > 0).length === 2"
    )

    # The link dialog, and the source view.
    page.locator("#cke_id_body .cke_button__link").click()
    link_dialog = page.locator(".cke_dialog_container:visible")
    link_dialog.get_by_label("Display Text").fill("an example")
    link_dialog.get_by_label("URL").fill("https://example.org/")
    page.get_by_role("button", name="OK").click()
    expect(link_dialog).to_have_count(0)
    page.locator("#cke_id_body .cke_button__source").click()
    page.locator("#cke_id_body .cke_button__source").click()
    assert_no_violations(page, "article add page")

    response = page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    assert_newsroom_policy(response)
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body && "
        "CKEDITOR.instances.id_body.status === 'ready'"
    )
    assert_no_violations(page, "article change page")


@pytest.mark.django_db(transaction=True)
def test_author_form_and_editor_image_browser_keep_to_their_policy(
    watched, live_server, admin_login, admin_user
):
    page = watched
    admin_login(admin_user.username)
    assert_newsroom_policy(page.goto(f"{live_server.url}/admin/authors/author/add/"))
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_bio && "
        "CKEDITOR.instances.id_bio.status === 'ready'"
    )
    page.locator("#id_user + .select2 .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    assert_no_violations(page, "author add page")
    assert_newsroom_policy(page.goto(f"{live_server.url}/ckeditor/browse/?CKEditorFuncNum=1"))
    assert_no_violations(page, "editor image browser")
