"""Every rendition of an image is drawn from one decoding of its original
(smartchunks/media/renditions.py), and they are the files easy-thumbnails made when it decoded
the original once per rendition: the same names, the same sizes, the same picture.  Decoding a
6000×6000 hero six times took 29–34 s on a loaded 2-core machine."""

from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageStat

from articles.models import Article
from smartchunks.media import renditions
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.helpers.html import error_texts, soup_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget_renditions_seen():
    renditions._cache.clear()


def picture(size, mode="RGB") -> Image.Image:
    """Something with detail in every direction, quick to make at any size."""
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    rings = Image.radial_gradient("L").resize(size)
    bands = (across, down, rings, ImageChops.invert(rings))
    return Image.merge(mode, bands[: len(mode)])


def stored(image: Image.Image, name: str, image_format: str) -> str:
    """Stored as the upload's storage leaves it (the re-encoding it does is not under test)."""
    buffer = BytesIO()
    image.save(buffer, format=image_format)
    return default_storage.save(name, renditions.RenditionContent(buffer.getvalue()))


def made_by_easy_thumbnails(name: str, kind: str) -> dict[str, Image.Image]:
    """What easy-thumbnails itself makes for each alias and format (decoding each time)."""
    made = {}
    for options in renditions._alias_options(kind):
        for extension, transparency_extension in (("webp", "webp"), ("jpg", "png")):
            thumbnailer = renditions._thumbnailer(name, extension, transparency_extension)
            thumbnail = thumbnailer.generate_thumbnail(options)
            made[thumbnail.name] = Image.open(BytesIO(thumbnail.read()))
    return made


def renditions_on_disk(name: str, root: Path) -> dict[str, Image.Image]:
    found = {}
    for path in root.rglob("*"):
        relative = str(path.relative_to(root))
        if path.is_file() and relative.startswith(f"{name}."):
            with Image.open(path) as image:
                image.load()
                found[relative] = image
    return found


def alike(a: Image.Image, b: Image.Image) -> bool:
    """The same picture to the eye: on average within 3 of 255 in each channel (WebP's lossy
    encoder turns resampling differences of under 1 into up to 2.2)."""
    mode = "RGBA" if "A" in a.mode else "RGB"
    difference = ImageChops.difference(a.convert(mode), b.convert(mode))
    return max(ImageStat.Stat(difference).mean) < 3


def make_counting_opens(name: str, kind: str) -> tuple[renditions.ResponsiveImage, int]:
    with mock.patch.object(Image, "open", wraps=Image.open) as opened:
        result = renditions.make_renditions(SimpleNamespace(name=name), kind)
    return result, opened.call_count


@pytest.mark.parametrize(
    ("size", "mode", "image_format", "kind"),
    [
        # A JPEG decoded at half its size (draft): 1200 × 1907/5 rounds to 381, while the
        # half-size copy's 1200 × 954/3000 would round to 382.
        ((6000, 1907), "RGB", "JPEG", "hero"),
        # A transparent PNG (PNG fallbacks), reduced to half after decoding: 1200 × 901/4800
        # rounds to 225, the half-size copy's 1200 × 451/2400 to 226.
        ((4800, 901), "RGBA", "PNG", "hero"),
        # Smart-cropped squares.
        ((500, 400), "RGB", "JPEG", "author"),
        # Smaller than the largest alias: not upscaled, so two aliases give one width.
        ((200, 200), "RGB", "PNG", "author"),
    ],
)
def test_renditions_drawn_from_one_decoding_are_those_easy_thumbnails_made(
    size, mode, image_format, kind, media_in_tmp
):
    extension = image_format.lower()
    name = stored(picture(size, mode), f"heroes/original.{extension}", image_format)
    expected = made_by_easy_thumbnails(name, kind)

    result, opens = make_counting_opens(name, kind)

    assert opens == 1
    made = renditions_on_disk(name, media_in_tmp)
    assert sorted(made) == sorted(expected)
    for rendition_name, image in made.items():
        assert image.size == expected[rendition_name].size, rendition_name
        assert alike(image, expected[rendition_name]), rendition_name
    widths = [rendition.width for rendition in result.fallback]
    assert [rendition.width for rendition in result.webp] == widths
    assert {(r.width, r.height) for r in result.fallback} == {i.size for i in made.values()}


def test_only_the_missing_renditions_are_drawn_and_the_others_are_left_alone(media_in_tmp):
    name = stored(picture((1600, 900)), "heroes/original.jpg", "JPEG")
    renditions.make_renditions(SimpleNamespace(name=name), "hero")
    kept = media_in_tmp / f"{name}.1200x0_q80.jpg"
    kept_file = (kept.stat().st_ino, kept.stat().st_mtime_ns)
    (media_in_tmp / f"{name}.480x0_q80.webp").unlink()
    renditions._cache.clear()

    result, opens = make_counting_opens(name, "hero")

    assert opens == 1 + 5  # the original, once; the five that exist, for their sizes
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == kept_file
    assert [(r.width, r.height) for r in result.webp] == [(480, 270), (800, 450), (1200, 675)]


def test_nothing_is_decoded_when_every_rendition_exists(media_in_tmp):
    name = stored(picture((1600, 900)), "heroes/original.jpg", "JPEG")
    renditions.make_renditions(SimpleNamespace(name=name), "hero")
    renditions._cache.clear()
    with mock.patch.object(renditions, "_Source") as source:
        result = renditions.make_renditions(SimpleNamespace(name=name), "hero")
    source.assert_not_called()
    assert [r.width for r in result.fallback] == [480, 800, 1200]


def test_a_6000_by_6000_hero_saved_through_the_admin_gets_every_rendition(
    editor_client, client, media_in_tmp, django_capture_on_commit_callbacks
):
    buffer = BytesIO()
    picture((6000, 6000)).save(buffer, format="JPEG", quality=80)
    upload = ContentFile(buffer.getvalue(), name="huge.jpg")
    data = article_form(editor_client, hero_image=upload)
    opened_sizes = []

    def open_and_note(*args, **kwargs):
        image = real_open(*args, **kwargs)
        opened_sizes.append(image.size)
        return image

    real_open = Image.open
    with (
        mock.patch.object(Image, "open", side_effect=open_and_note),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 302, error_texts(response.content)
        opens_while_saving = len(opened_sizes)
    assert callbacks, "the renditions were left to the commit"
    # The original once, for every rendition; the share card then reads the largest of them.
    assert opened_sizes[opens_while_saving:] == [(6000, 6000), (1200, 1200)]

    article = Article.objects.get(slug="how-batteries-age")
    made = renditions_on_disk(article.hero_image.name, media_in_tmp)
    assert sorted(image.size for image in made.values()) == [
        (480, 480),
        (480, 480),
        (800, 800),
        (800, 800),
        (1200, 1200),
        (1200, 1200),
    ]
    hero = soup_of(client.get(article.get_absolute_url())).select_one(".hero")
    assert [c.split()[1] for c in hero.select_one("source")["srcset"].split(", ")] == [
        "480w",
        "800w",
        "1200w",
    ]
    assert (hero.img["width"], hero.img["height"]) == ("1200", "1200")
