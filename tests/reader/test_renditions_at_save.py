"""Image renditions are made when the image is saved, never in a reader's request: the first
reader of a page with a 6000×6000 hero waited 2.2 s while it was scaled."""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, RenderedArticle
from authors.models import Author
from smartchunks.media import renditions
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.authors.test_author_admin import ADD_URL as AUTHOR_ADD_URL
from tests.authors.test_author_admin import author_form
from tests.factories import image_upload, make_article, make_author
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


def test_an_admin_save_makes_every_hero_rendition_and_a_page_view_makes_none(
    editor_client, client, media_in_tmp
):
    data = article_form(editor_client, hero_image=image_upload("hero.png", size=(1400, 800)))
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-batteries-age")
    assert len(renditions_of(article.hero_image.name, media_in_tmp)) == RENDITIONS_PER_HERO

    before = files_under(media_in_tmp)
    page = client.get(article.get_absolute_url())
    assert files_under(media_in_tmp) == before
    srcset = soup_of(page).select_one(".hero source")["srcset"]
    assert [c.split()[1] for c in srcset.split(", ")] == ["480w", "800w", "1200w"]


def test_an_author_admin_save_makes_every_photo_rendition(admin_client, media_in_tmp):
    photo = image_upload("face.png", size=(300, 300))
    response = admin_client.post(AUTHOR_ADD_URL, author_form(admin_client, photo=photo))
    assert response.status_code == 302, error_texts(response.content)
    author = Author.objects.get(slug="ada-writer")
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
    assert soup.find("link", rel="preload") is None
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
