"""Image renditions are made when the image is saved, never in a reader's request: the first
reader of a page with a 6000×6000 hero waited 2.2 s while it was scaled.  They are made once
the save has committed: made inside it, a 6000×6000 hero kept the transaction open for 29–34 s
on a loaded machine, and a worker killed at gunicorn's timeout took the editor's save with it."""

import logging
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction

from articles.models import Article, RenderedArticle
from articles.workflow import prerender
from authors.models import Author
from smartchunks.media import renditions
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.authors.test_author_admin import ADD_URL as AUTHOR_ADD_URL
from tests.authors.test_author_admin import author_form
from tests.factories import image_upload, make_article, make_author
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, soup_of

pytestmark = pytest.mark.django_db

RENDITIONS_PER_HERO = 6  # three widths, in WebP and JPEG/PNG
RENDITIONS_PER_PHOTO = 6


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def renditions_of(name: str, root: Path) -> set[str]:
    return {path for path in files_under(root) if path.startswith(f"{name}.")}


@pytest.fixture(autouse=True)
def forget_renditions_seen():
    renditions._cache.clear()  # each test starts like a fresh worker


def test_an_admin_save_makes_every_hero_rendition_once_committed_and_a_page_view_makes_none(
    editor_client, client, media_in_tmp, django_capture_on_commit_callbacks
):
    data = article_form(editor_client, hero_image=image_upload("hero.png", size=(1400, 800)))
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 302, error_texts(response.content)
        article = Article.objects.get(slug="how-batteries-age")
        assert renditions_of(article.hero_image.name, media_in_tmp) == set()  # not yet
    assert len(renditions_of(article.hero_image.name, media_in_tmp)) == RENDITIONS_PER_HERO

    before = files_under(media_in_tmp)
    page = client.get(article.get_absolute_url())
    assert files_under(media_in_tmp) == before
    srcset = soup_of(page).select_one(".hero source")["srcset"]
    assert [c.split()[1] for c in srcset.split(", ")] == ["480w", "800w", "1200w"]


def test_an_author_admin_save_makes_every_photo_rendition_once_committed(
    admin_client, media_in_tmp, django_capture_on_commit_callbacks
):
    photo = image_upload("face.png", size=(300, 300))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(AUTHOR_ADD_URL, author_form(admin_client, photo=photo))
        assert response.status_code == 302, error_texts(response.content)
        author = Author.objects.get(slug="ada-writer")
        assert renditions_of(author.photo.name, media_in_tmp) == set()  # not yet
    assert len(renditions_of(author.photo.name, media_in_tmp)) == RENDITIONS_PER_PHOTO


def without_renditions(article_or_author, field, root):
    name = getattr(article_or_author, field).name
    for rendition in renditions_of(name, root):
        (root / rendition).unlink()
    renditions._cache.clear()
    return name


def test_a_hero_without_renditions_shows_the_original_and_the_view_makes_none(client, media_in_tmp):
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="Docks")
    name = without_renditions(article, "hero_image", media_in_tmp)
    # As for an article loaded in bulk: no renditions, and no page frame stored with them.
    RenderedArticle.objects.filter(article=article).delete()
    before = files_under(media_in_tmp)
    page = client.get(article.get_absolute_url())
    assert files_under(media_in_tmp) == before
    soup = soup_of(page)
    img = soup.select_one(".hero img")
    assert img["src"] == f"/media/{name}"
    assert (img["width"], img["height"]) == ("900", "500")
    assert img["alt"] == "Docks"
    assert soup.select_one(".hero source") is None  # no WebP to offer
    assert soup.find("link", rel="preload", attrs={"as": "image"}) is None
    assert client.get(img["src"]).status_code == 200


def test_an_author_photo_without_renditions_shows_the_original(client, media_in_tmp):
    author = make_author(photo=image_upload("face.png", size=(200, 200)))
    name = without_renditions(author, "photo", media_in_tmp)
    before = files_under(media_in_tmp)
    page = client.get(make_article(author=author).get_absolute_url())
    assert files_under(media_in_tmp) == before
    img = soup_of(page).select_one(".author-box img")
    assert img["src"] == f"/media/{name}"
    assert img["alt"] == f"Photo of {author.name}"


def test_the_command_makes_the_missing_renditions(client, media_in_tmp):
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="x")
    author = make_author(photo=image_upload("face.png", size=(200, 200)))
    hero = without_renditions(article, "hero_image", media_in_tmp)
    photo = without_renditions(author, "photo", media_in_tmp)
    call_command("make_renditions")
    assert len(renditions_of(hero, media_in_tmp)) == RENDITIONS_PER_HERO
    assert len(renditions_of(photo, media_in_tmp)) == RENDITIONS_PER_PHOTO
    img = soup_of(client.get(article.get_absolute_url())).select_one(".hero img")
    assert img["srcset"].split()[-1] == "900w"


def test_a_page_cached_while_renditions_were_missing_is_renewed_once_they_are_made(
    client, media_in_tmp, django_capture_on_commit_callbacks
):
    """As a save goes: the page frame is stored in its transaction, before the renditions;
    a reader caches the page with the original; then the renditions and the frame again."""
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="x")
    name = without_renditions(article, "hero_image", media_in_tmp)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        prerender.refresh(article)
    url = article.get_absolute_url()
    assert soup_of(client.get(url)).select_one(".hero img")["src"] == f"/media/{name}"
    for callback in after_commit:
        callback()
    img = soup_of(client.get(url)).select_one(".hero img")
    assert img["src"] != f"/media/{name}"
    assert img["srcset"].split()[-1] == "900w"


def test_a_page_cached_while_the_command_worked_is_renewed_when_it_ends(client, media_in_tmp):
    """After a media outage (the bucket down when the article was published, so its stored
    frame has no hero), make_renditions makes the renditions, which renews the pages, then
    stores the frame again: a reader in between cached the hero-less frame under the new
    generation, and it stayed until the generation ran out.  The command renews at its end."""
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="x")
    without_renditions(article, "hero_image", media_in_tmp)
    with mock.patch.object(renditions, "responsive_image", return_value=None):
        prerender.store_parts(article.pk)  # the frame stored while the storage failed
    url = article.get_absolute_url()
    seen = []

    def a_reader_in_between(**kwargs):
        seen.append(client.get(url))

    renditions.renditions_made.connect(a_reader_in_between)
    try:
        call_command("make_renditions")
    finally:
        renditions.renditions_made.disconnect(a_reader_in_between)
    assert soup_of(seen[0]).select_one(".hero img") is None  # the old frame, now cached
    img = soup_of(client.get(url)).select_one(".hero img")
    assert img is not None, "the hero-less page stayed in the cache"
    assert img["srcset"].split()[-1] == "900w"


def test_a_rendition_still_being_written_shows_the_original_and_is_remade(client, media_in_tmp):
    """After the commit, a reader can ask for the page while a rendition file exists but is
    still empty: the page shows the original, not no picture at all."""
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="x")
    name = article.hero_image.name
    being_written = media_in_tmp / f"{name}.800x0_q80.webp"
    being_written.write_bytes(b"")
    renditions._cache.clear()
    RenderedArticle.objects.filter(article=article).delete()  # the page rendered live
    url = article.get_absolute_url()
    assert soup_of(client.get(url)).select_one(".hero img")["src"] == f"/media/{name}"

    call_command("make_renditions")
    assert len(renditions_of(name, media_in_tmp)) == RENDITIONS_PER_HERO
    assert being_written.stat().st_size > 0
    source = soup_of(client.get(url)).select_one(".hero source")
    assert f"/media/{name}.800x0_q80.webp 800w" in source["srcset"]


# --- Committed for real: the save is kept whatever the renditions do ------------------------


@pytest.mark.django_db(transaction=True)
def test_renditions_are_made_after_the_save_has_committed(editor_client, media_in_tmp):
    in_transaction = []
    real_source = renditions._Source

    def decoding(*args, **kwargs):
        in_transaction.append(transaction.get_connection().in_atomic_block)
        return real_source(*args, **kwargs)

    data = article_form(editor_client, hero_image=image_upload("hero.png", size=(1400, 800)))
    with mock.patch.object(renditions, "_Source", side_effect=decoding):
        response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    assert in_transaction == [False]
    article = Article.objects.get(slug="how-batteries-age")
    assert len(renditions_of(article.hero_image.name, media_in_tmp)) == RENDITIONS_PER_HERO
    # The page frame stored in the save's transaction had none; it is stored again with them.
    frame = RenderedArticle.objects.get(article=article)
    assert f"{article.hero_image.name}.800x0_q80.webp 800w" in frame.body


@pytest.mark.django_db(transaction=True)
def test_an_edit_whose_renditions_fail_is_kept_and_its_page_shows_the_original(
    editor_client, client, media_in_tmp, caplog
):
    article = make_article(hero_image=image_upload("old.png", size=(900, 500)), hero_alt="x")
    data = change_form(
        editor_client,
        article,
        title="Cranes at midnight",
        hero_image=image_upload("new.png", size=(1400, 800)),
        _publish_changes="Publish changes",  # a live article's edit goes out
    )
    with (
        mock.patch.object(renditions, "_Source", side_effect=MemoryError),
        caplog.at_level(logging.ERROR, logger="smartchunks.media.renditions"),
    ):
        response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)

    saved = Article.objects.get(pk=article.pk)
    assert saved.title == "Cranes at midnight"
    assert saved.hero_image.name != article.hero_image.name
    assert saved.version == article.version + 1
    assert renditions_of(saved.hero_image.name, media_in_tmp) == set()
    assert f"Renditions of {saved.hero_image.name} were not made" in caplog.text

    page = soup_of(client.get(saved.get_absolute_url()))
    assert page.select_one("h1").get_text(strip=True) == "Cranes at midnight"
    assert page.select_one(".hero img")["src"] == f"/media/{saved.hero_image.name}"
