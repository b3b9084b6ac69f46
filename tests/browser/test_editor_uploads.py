"""Images into the article body in a real Chromium: the image dialog's upload (both of
CKEditor's upload methods) and pasted or dropped pictures reach the editor with Django's CSRF
token; a page on another port of the same host, holding the editor's session cookie, stores
nothing."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.helpers.ckeditor_dialog import upload_through_image_dialog

ADD_ARTICLE = "/admin/articles/article/add/"
EDITABLE = "#cke_id_body iframe.cke_wysiwyg_frame"

# A picture made in the page, then pasted or dropped into the editing area as a file.
PASTE_OR_DROP = """async ([kind, selector]) => {
    const canvas = document.createElement('canvas');
    canvas.width = 90; canvas.height = 60;
    const context = canvas.getContext('2d');
    context.fillStyle = 'green'; context.fillRect(0, 0, 90, 60);
    const blob = await new Promise(done => canvas.toBlob(done, 'image/png'));
    const files = new DataTransfer();
    files.items.add(new File([blob], `${kind}.png`, {type: 'image/png'}));
    const body = document.querySelector(selector).contentDocument.body;
    const options = {bubbles: true, cancelable: true};
    if (kind === 'paste') {
        body.dispatchEvent(new ClipboardEvent('paste', {...options, clipboardData: files}));
    } else {
        for (const type of ['dragenter', 'dragover', 'drop']) {
            body.dispatchEvent(new DragEvent(type, {...options, dataTransfer: files, clientX: 20, clientY: 20}));
        }
    }
}"""
LOADED_IMAGES = """selector => [...document.querySelector(selector).contentDocument.images]
    .filter(image => image.complete && image.naturalWidth > 0)
    .map(image => new URL(image.src).pathname)"""


def _stored_images(media_root: Path) -> list[Path]:
    if not media_root.exists():
        return []
    return [path for path in media_root.rglob("*.png") if not path.stem.endswith("_thumb")]


@pytest.fixture
def site(live_server):
    """The live server as http://127.0.0.1:<port>: an attacker page on another port of
    127.0.0.1 is then the same site, so Chromium sends it the editor's SameSite=Lax cookie."""
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def editor_on_article_form(page, site, editor):
    """The editor on the new-article form; ``page.policy_complaints`` gathers what Chromium
    says about the newsroom's Content-Security-Policy, from every frame."""
    page.policy_complaints = []
    page.on(
        "console",
        lambda message: (
            page.policy_complaints.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill("correct-horse-42!")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")
    page.goto(f"{site}{ADD_ARTICLE}")
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body && "
        "CKEDITOR.instances.id_body.status === 'ready'"
    )
    return page


def _upload_answers(page) -> list[tuple[int, str]]:
    """(status, URL) of every answer from the upload URL, as the page receives them."""
    answers = []
    page.on(
        "response",
        lambda response: (
            answers.append((response.status, response.url))
            if "/ckeditor/upload/" in response.url
            else None
        ),
    )
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["xhr", "form"])
def test_image_dialog_uploads_a_picture_into_the_body(
    editor_on_article_form, method, tmp_path, media_in_tmp
):
    """Both upload methods: XHR (CKEditor's default) and the form posted into an iframe."""
    page = editor_on_article_form
    answers = _upload_answers(page)
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.evaluate(f"CKEDITOR.instances.id_body.config.filebrowserUploadMethod = '{method}'")
    picture = tmp_path / "chart.png"
    Image.new("RGB", (160, 90), "orange").save(picture)

    upload_through_image_dialog(page, picture)
    # On success the dialog fills in the picture's address and shows its "Image Info" tab.
    url_field = page.locator(".cke_dialog_contents_body input.cke_dialog_ui_input_text").first
    expect(url_field).to_have_value(re.compile(r"^/media/uploads/.+\.png$"))
    uploaded = url_field.input_value()
    page.locator(".cke_dialog_container:visible").get_by_label("Alternative Text").fill("Chart")
    page.get_by_role("button", name="OK").click()

    page.wait_for_function(f"s => ({LOADED_IMAGES})(s).length === 1", arg=EDITABLE)
    assert page.evaluate(LOADED_IMAGES, EDITABLE) == [uploaded]
    assert alerts == []
    [(status, address)] = answers
    assert status == 200
    # Only the form upload names the editor's callback; XHR uploads get JSON.
    assert ("CKEditorFuncNum=" in address) == (method == "form")
    [stored] = _stored_images(media_in_tmp)
    assert uploaded.endswith(stored.name)
    assert page.policy_complaints == []


@pytest.mark.django_db(transaction=True)
def test_upload_with_a_stale_token_tells_the_editor_what_to_do(
    editor_on_article_form, tmp_path, media_in_tmp
):
    page = editor_on_article_form
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    # As if the session changed in another tab since this page was loaded.
    page.evaluate(
        "document.querySelector('input[name=csrfmiddlewaretoken]').value = 'x'.repeat(64)"
    )
    picture = tmp_path / "chart.png"
    Image.new("RGB", (40, 40), "orange").save(picture)
    upload_through_image_dialog(page, picture)
    for _ in range(100):  # the editor's alert, or give up after about 10 s
        if alerts:
            break
        page.wait_for_timeout(100)
    [message] = alerts
    assert "valid security token" in message
    assert "Reload the page and try again" in message
    assert _stored_images(media_in_tmp) == []


@pytest.mark.django_db(transaction=True)
def test_pasted_and_dropped_pictures_are_uploaded_into_the_body(
    editor_on_article_form, media_in_tmp
):
    page = editor_on_article_form
    answers = _upload_answers(page)
    page.frame_locator(EDITABLE).locator("body").click()
    for count, kind in enumerate(["paste", "drop"], start=1):
        page.evaluate(PASTE_OR_DROP, [kind, EDITABLE])
        page.wait_for_function(
            f"([s, n]) => ({LOADED_IMAGES})(s).filter(p => p.startsWith('/media/uploads/')).length === n",
            arg=[EDITABLE, count],
        )
    assert [status for status, _ in answers] == [200, 200]
    body = page.evaluate("CKEDITOR.instances.id_body.getData()")
    assert body.count(' src="/media/uploads/') == 2
    assert len(_stored_images(media_in_tmp)) == 2
    assert page.policy_complaints == []


ATTACK_PAGE = """<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="attack" method="post" enctype="multipart/form-data" target="sink"
      action="{site}/ckeditor/upload/?CKEditorFuncNum=1">
  <input type="file" name="upload"><input type="hidden" name="ckCsrfToken" value="{ck_token}">
</form>
<script>
(async () => {{
  // CKEditor's double-submit token: a cookie this page may set for the whole host.
  document.cookie = "ckCsrfToken={ck_token}; path=/";
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 40;
  const blob = await new Promise(done => canvas.toBlob(done, 'image/png'));
  const file = new File([blob], 'planted.png', {{type: 'image/png'}});
  const data = new FormData();
  data.append('upload', file);
  data.append('ckCsrfToken', '{ck_token}');
  await fetch('{site}/ckeditor/upload/', {{method: 'POST', body: data, credentials: 'include', mode: 'no-cors'}});
  const files = new DataTransfer();
  files.items.add(file);
  document.querySelector('#attack input[type=file]').files = files.files;
  document.getElementById('attack').submit();
  document.title = 'sent';
}})();
</script></body></html>"""


@pytest.fixture
def attacker_origin(site):
    """A page on another port of 127.0.0.1 that posts a picture to the upload URL."""
    page = ATTACK_PAGE.format(site=site, ck_token="a" * 40).encode()

    class AttackPage(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), AttackPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_page_on_another_port_cannot_upload_with_the_editors_session(
    editor_on_article_form, attacker_origin, media_in_tmp
):
    page = editor_on_article_form
    answers = _upload_answers(page)
    page.goto(f"{attacker_origin}/")
    expect(page).to_have_title("sent")
    for _ in range(100):  # both posts answered, or give up after about 10 s
        if len(answers) == 2:
            break
        page.wait_for_timeout(100)
    statuses = [status for status, _ in answers]
    assert statuses == [403, 403], "both posts should reach the server and be refused"
    assert _stored_images(media_in_tmp) == []
