"""Images in the body: alt text is required, width and height are whole pixels taken from the
stored file on save, and the article page shows them (so nothing moves as images load)."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article, FaqEntry
from smartchunks.media.richtext import clean_html
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.factories import make_article
from tests.helpers.admin import change_form, change_url, inline_prefix
from tests.helpers.html import error_texts, field_errors, parse_html, soup_of

ORIENTATION = 0x0112


def stored_picture(size, name="uploads/7/chart.png"):
    """A picture in media storage, as an editor upload leaves it; its URL."""
    buffer = BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return "/media/" + default_storage.save(name, ContentFile(buffer.getvalue()))


def body_image(html):
    """The one <img> of ``html``, as {attribute: value}."""
    [img] = parse_html(html).find_all("img")
    return dict(img.attrs)


# --- The cleaner -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "kept"),
    [
        ("640", "360", {"width": "640", "height": "360"}),
        (" 0640 ", "360", {"width": "640", "height": "360"}),
        ("50%", "360", {"height": "360"}),
        ("640px", "36.5", {}),
        ("0", "-360", {}),
        ("1e3", "abc", {}),
        ("²", "100001", {}),
    ],
)
def test_cleaner_keeps_width_and_height_only_as_whole_pixels(width, height, kept):
    html = clean_html(
        f'<img src="https://example.org/a.png" alt="A" width="{width}" height="{height}">'
    )
    attributes = body_image(html)
    assert {name: attributes[name] for name in ("width", "height") if name in attributes} == kept
    assert attributes["alt"] == "A"


# --- Width and height from the stored file, on save --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "saved"),
    [
        ("", ("640", "360")),  # none: the file's size
        ('width="10" height="999"', ("640", "360")),  # other proportions: the file's size
        ('width="1280" height="720"', ("640", "360")),  # larger than the file
        ('width="50%" height="50%"', ("640", "360")),  # not pixels: dropped, then filled in
        ('width="320" height="180"', ("320", "180")),  # smaller, same shape: the editor's
        ('width="321" height="181"', ("321", "181")),  # the ratio lock's rounding
        ('width="320"', ("320", "180")),  # one of the two: the other follows
        ('height="90"', ("160", "90")),
    ],
)
def test_saving_gives_our_images_the_size_of_their_file(given, saved):
    src = stored_picture((640, 360))
    article = make_article(body=f'<p>Tides.</p><p><img src="{src}" alt="Chart" {given}></p>')
    article.refresh_from_db()
    image = body_image(article.body)
    assert (image["width"], image["height"]) == saved
    assert (image["src"], image["alt"]) == (src, "Chart")


@pytest.mark.django_db
def test_sizes_survive_saving_again_unchanged():
    src = stored_picture((640, 360))
    article = make_article(body=f'<p><img src="{src}" alt="Chart &amp; &quot;key&quot;"></p>')
    article.refresh_from_db()
    first = article.body
    article.save()
    article.refresh_from_db()
    assert article.body == first
    assert body_image(first)["alt"] == 'Chart & "key"'


@pytest.mark.django_db
def test_a_turned_phone_photo_is_sized_as_browsers_show_it(settings):
    """A file stored with an EXIF quarter turn (not through our storage, which would have
    turned it upright): browsers show it turned, so width and height swap."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = settings.MEDIA_ROOT / "uploads" / "7" / "turned.jpg"
    path.parent.mkdir(parents=True)
    Image.new("RGB", (400, 300), "navy").save(path, format="JPEG", exif=exif.tobytes())
    article = make_article(body='<p><img src="/media/uploads/7/turned.jpg" alt="Portrait"></p>')
    article.refresh_from_db()
    image = body_image(article.body)
    assert (image["width"], image["height"]) == ("300", "400")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "src",
    [
        "/media/uploads/7/missing.png",  # no such file
        "/media/uploads/7/notes.png",  # not an image
        "https://example.org/elsewhere.png",  # not ours
        "/static/img/logo.png",  # not media
    ],
)
def test_images_we_cannot_measure_keep_what_they_were_given(src):
    default_storage.save("uploads/7/notes.png", ContentFile(b"not a picture"))
    article = make_article(body=f'<p><img src="{src}" alt="A" width="30" height="20"></p>')
    article.refresh_from_db()
    assert body_image(article.body) == {"src": src, "alt": "A", "width": "30", "height": "20"}


@pytest.mark.django_db
def test_faq_answers_get_sizes_too():
    src = stored_picture((200, 100))
    article = make_article(faq=0)
    entry = FaqEntry.objects.create(
        article=article, question="Q?", answer=f'<img src="{src}" alt="Curve">'
    )
    entry.refresh_from_db()
    image = body_image(entry.answer)
    assert (image["width"], image["height"]) == ("200", "100")


# --- Alt text is required ----------------------------------------------------------------


@pytest.fixture
def article(db):
    return make_article(title="Why tides turn", body="<p>The saved body.</p>")


@pytest.mark.parametrize("alt", ["", ' alt=""', ' alt="   "'])
def test_body_image_without_alt_text_is_refused_naming_it_and_nothing_is_lost(
    editor_client, article, alt
):
    saved = Article.objects.values("body", "title", "version").get(pk=article.pk)
    src = stored_picture((640, 360), name="uploads/7/tide-table.png")
    body = (
        f'<p>First picture:</p><p><img src="{src}" alt="A tide table"></p>'
        f'<p>Second picture, undescribed:</p><p><img src="{src}"{alt}></p>'
    )
    data = change_form(editor_client, article, body=body, title="Why tides turn twice a day")
    response = editor_client.post(change_url(article), data)

    assert response.status_code == 200
    [message] = field_errors(response.content, "body")
    name = src.rpartition("/")[2]
    assert f"Describe every image in its alt text: image 2 ({name}) has none." in message
    assert "Double-click the image in the editor and fill in “Alternative Text”" in message
    # The form comes back with everything as typed; the article is as it was.
    page = soup_of(response)
    assert page.find("textarea", attrs={"name": "body"}).string == body
    assert page.find("input", attrs={"name": "title"})["value"] == "Why tides turn twice a day"
    assert Article.objects.values("body", "title", "version").get(pk=article.pk) == saved


def test_every_undescribed_image_is_named_at_once(editor_client, article):
    body = '<p><img src="/media/uploads/7/a.png"><img src="/media/uploads/7/b.png" alt="B">'
    body += '<img src="https://example.org/pictures/c%20d.jpg"></p>'
    response = editor_client.post(
        change_url(article), change_form(editor_client, article, body=body)
    )
    [message] = field_errors(response.content, "body")
    assert "image 1 (a.png), image 3 (c d.jpg) have none." in message


def test_a_new_article_with_an_undescribed_image_is_not_created(editor_client):
    body = '<p>Text.</p><img src="/media/uploads/7/a.png">'
    response = editor_client.post(ADD_URL, article_form(editor_client, publish=None, body=body))
    assert response.status_code == 200
    assert "has none" in " ".join(field_errors(response.content, "body"))
    assert not Article.objects.filter(slug="how-batteries-age").exists()


def test_faq_answer_with_an_undescribed_image_is_refused(editor_client, article):
    saved_answer = article.faq_entries.get().answer
    data = change_form(editor_client, article)
    data[f"{inline_prefix(data, 'question')}-0-answer"] = '<p>See <img src="/media/x.png"></p>'
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    [message] = field_errors(response.content, "answer")
    assert "image 1 (x.png) has none" in message
    assert article.faq_entries.get().answer == saved_answer


def test_described_image_is_saved_through_the_admin_with_its_size(editor_client, article):
    src = stored_picture((640, 360))
    # As CKEditor sends it (static/editor/imagerules/plugin.js): half the file's size.
    body = f'<p>Tides.</p><p><img alt="A tide table" height="180" src="{src}" width="320" /></p>'
    data = change_form(editor_client, article, body=body, _publish_changes="Publish changes")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert f'<img src="{src}" alt="A tide table" width="320" height="180">' in article.body


# --- The article page --------------------------------------------------------------------


@pytest.mark.django_db
def test_article_page_gives_body_images_their_width_and_height(client):
    src = stored_picture((640, 360))
    article = make_article(body=f'<p>Tides.</p><p><img src="{src}" alt="A tide table"></p>')
    img = soup_of(client.get(article.get_absolute_url())).select_one(".article-body img")
    assert (img["width"], img["height"]) == ("640", "360")
    assert (img["src"], img["alt"], img["loading"]) == (src, "A tide table", "lazy")


@pytest.mark.django_db
def test_article_page_drops_sizes_that_are_not_pixels_from_rows_saved_before(client):
    """A row written before this cleaning (or by SQL) is cleaned again when shown."""
    article = make_article(body="<p>Tides.</p>")
    Article.objects.filter(pk=article.pk).update(
        body='<p><img src="https://example.org/a.png" alt="A" width="50%" height="120"></p>'
    )
    img = soup_of(client.get(article.get_absolute_url())).select_one(".article-body img")
    assert "width" not in img.attrs
    assert img["height"] == "120"
