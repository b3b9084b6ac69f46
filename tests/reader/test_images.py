"""Responsive renditions (WebP + fallback) and metadata stripping for every stored image."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, PngImagePlugin

from tests.factories import image_upload, make_article, make_author
from tests.helpers.html import soup_of

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_with_gps(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return exif.tobytes()


def stored_image(name):
    with default_storage.open(name) as handle:
        image = Image.open(BytesIO(handle.read()))
        image.load()
        return image


def assert_no_metadata(image):
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info
    assert "comment" not in image.info


def test_uploaded_hero_loses_exif_and_gps():
    upload = image_upload("phone.jpg", size=(400, 300), image_format="JPEG", exif=exif_with_gps())
    assert Image.open(BytesIO(upload.read())).getexif().get_ifd(GPS_IFD)  # the input has GPS
    upload.seek(0)
    article = make_article(hero_image=upload, hero_alt="A street")
    assert_no_metadata(stored_image(article.hero_image.name))


def test_exif_orientation_is_applied_before_the_tag_is_dropped():
    upload = image_upload(
        "portrait.jpg", size=(400, 300), image_format="JPEG", exif=exif_with_gps(orientation=6)
    )
    author = make_author(photo=upload)
    image = stored_image(author.photo.name)
    assert image.size == (300, 400)
    assert_no_metadata(image)


def test_png_text_chunks_and_editor_uploads_are_stripped_too():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "shot at 51.5N 0.1W")
    buffer = BytesIO()
    Image.new("RGBA", (50, 40), (10, 20, 30, 128)).save(buffer, format="PNG", pnginfo=info)
    # CKEditor's uploader saves through default_storage, like this.
    name = default_storage.save("uploads/editor.png", ContentFile(buffer.getvalue()))
    image = stored_image(name)
    assert "Comment" not in image.info
    assert image.mode == "RGBA" and image.getpixel((0, 0)) == (10, 20, 30, 128)


def test_non_image_files_are_stored_unchanged():
    name = default_storage.save("uploads/notes.txt", ContentFile(b"plain text"))
    with default_storage.open(name) as handle:
        assert handle.read() == b"plain text"


@pytest.fixture
def big_hero_article():
    upload = image_upload("hero.jpg", size=(1600, 900), image_format="JPEG", exif=exif_with_gps())
    return make_article(hero_image=upload, hero_alt="Container ships at dusk")


def test_hero_is_served_as_webp_with_jpeg_fallback_at_three_widths(client, big_hero_article):
    soup = soup_of(client.get(big_hero_article.get_absolute_url()))
    picture = soup.select_one(".hero picture")
    source = picture.find("source")
    img = picture.find("img")
    assert source["type"] == "image/webp"

    def widths(srcset):
        return [(url, int(w.rstrip("w"))) for url, w in (c.split() for c in srcset.split(", "))]

    webp = widths(source["srcset"])
    fallback = widths(img["srcset"])
    assert [w for _u, w in webp] == [w for _u, w in fallback] == [480, 800, 1200]
    for url, width in webp + fallback:
        image = stored_image(url.removeprefix("/media/"))
        assert image.format == ("WEBP" if url.endswith(".webp") else "JPEG")
        assert image.size == (width, round(width * 900 / 1600))
        assert_no_metadata(image)
    assert img["src"] == fallback[-1][0]
    assert (img["width"], img["height"]) == ("1200", "675")
    assert img["alt"] == "Container ships at dusk"
    assert img.get("loading") is None  # the hero is above the fold
    assert source["sizes"] == img["sizes"]


def test_hero_is_preloaded_with_the_same_srcset(client, big_hero_article):
    soup = soup_of(client.get(big_hero_article.get_absolute_url()))
    preload = soup.find("link", rel="preload", attrs={"as": "image"})
    assert preload["as"] == "image"
    assert preload["imagesrcset"] == soup.select_one(".hero source")["srcset"]
    assert preload["imagesizes"] == soup.select_one(".hero source")["sizes"]


def test_small_images_are_not_upscaled(client):
    article = make_article(hero_image=image_upload("small.png", size=(300, 200)), hero_alt="x")
    img = soup_of(client.get(article.get_absolute_url())).select_one(".hero img")
    assert img["srcset"].split()[-1] == "300w"
    assert (img["width"], img["height"]) == ("300", "200")


def test_author_photo_below_the_fold_is_lazy_with_renditions(client):
    author = make_author(photo=image_upload("face.jpg", size=(500, 400), image_format="JPEG"))
    article = make_article(author=author)
    img = soup_of(client.get(article.get_absolute_url())).select_one(".author-box img")
    assert img["loading"] == "lazy"
    assert (img["width"], img["height"]) == ("96", "96")
    assert [c.split()[1] for c in img["srcset"].split(", ")] == ["96w", "192w", "240w"]
    assert img["alt"] == f"Photo of {author.name}"


def test_body_images_load_lazily(client):
    article = make_article(body='<p>Text</p><img src="/media/uploads/x.png" alt="Chart">')
    img = soup_of(client.get(article.get_absolute_url())).select_one(".article-body img")
    assert img["loading"] == "lazy"
    assert img["alt"] == "Chart"


def test_animated_gif_keeps_its_frames_but_loses_its_comment():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    buffer = BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=120, comment=b"GPS 51N"
    )
    name = default_storage.save("uploads/anim.gif", ContentFile(buffer.getvalue()))
    image = stored_image(name)
    assert image.n_frames == 3
    assert "comment" not in image.info
