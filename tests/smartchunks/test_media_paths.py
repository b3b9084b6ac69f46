"""Which request paths can name a stored file, and which file a rendition was made from."""

import pytest

from smartchunks.media.media_paths import (
    names_in_html,
    source_names,
    stored_name,
    uploader_pk,
)


@pytest.mark.parametrize(
    "path",
    [
        "heroes/AbC_-9.png",
        "heroes/AbC.png.480x0_q80.webp",
        "authors/Face.jpg.96x96_q80_crop-smart.jpg",
        "uploads/12/2026/01/31/Pic.gif",
        "uploads/12/Pic_thumb.png",
    ],
)
def test_names_we_store_are_accepted(path):
    assert stored_name(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../secret",
        "heroes/../../secret",
        "heroes/./x.png",
        "/etc/passwd",
        "heroes//x.png",
        "heroes/x.png/",
        "heroes\\..\\x.png",
        "heroes/x.png\x00",
        "heroes/%2e%2e/x.png",
        ".env",
        "heroes/.x",
        "héroes/x.png",
        "heroes/x y.png",
        "a" * 256,
    ],
)
def test_anything_else_is_refused(path):
    assert stored_name(path) is None


def test_a_rendition_is_traced_back_to_each_name_it_could_come_from():
    assert source_names("heroes/AbC.png.480x0_q80.webp") == [
        "heroes/AbC.png.480x0_q80.webp",
        "heroes/AbC.png.480x0_q80",
        "heroes/AbC.png",
        "heroes/AbC",
    ]
    assert source_names("x.png") == ["x.png", "x"]


def test_uploads_name_their_uploader():
    assert uploader_pk("uploads/12/2026/01/31/Pic.gif") == 12
    assert uploader_pk("uploads/12/Pic.gif") == 12
    assert uploader_pk("uploads/12") is None
    assert uploader_pk("uploads/me/Pic.gif") is None
    assert uploader_pk("heroes/12/Pic.gif") is None


def test_rich_text_shows_the_media_its_images_and_links_name():
    html = (
        '<p><img src="/media/uploads/1/A.png" alt=""><img src="/media/uploads/1/B%2Epng">'
        '<a href="https://elsewhere.example/media/heroes/C.jpg">c</a>'
        '<a href="/media/../settings.py">bad</a><a href="http://[::1">broken</a>'
        '<img src="/static/logo.png"><img src="data:image/png;base64,AAAA"><img></p>'
    )
    assert names_in_html(html) == {"uploads/1/A.png", "uploads/1/B.png", "heroes/C.jpg"}
    assert names_in_html("") == names_in_html(None) == set()


def test_a_name_may_be_as_long_as_a_file_name_may_be_and_no_longer():
    longest = "uploads/1/" + "a" * (255 - len("uploads/1/"))
    assert stored_name(longest) == longest
    assert stored_name(longest + "a") is None


def test_an_unreadable_address_does_not_hide_the_images_after_it():
    html = '<a href="http://[::1">broken</a><img src="/media/uploads/1/After.png">'
    assert names_in_html(html) == {"uploads/1/After.png"}


def test_only_an_images_src_and_a_links_href_count_not_other_attributes():
    """A caption or title that mentions a file does not show it: the file stays private."""
    html = (
        '<img alt="/media/uploads/1/Alt.png" title="/media/uploads/1/Title.png" '
        'src="/media/uploads/1/Shown.png"><a title="/media/heroes/T.png" href="/elsewhere/">x</a>'
    )
    assert names_in_html(html) == {"uploads/1/Shown.png"}
