"""Share cards: every article gets a 1200×630 picture when it is saved, once the save has
committed (smartchunks/media/share_cards.py, articles/workflow/prerender.py).  Without a hero
it is the page's og:image, twitter:image and NewsArticle.image; it is named after what it
shows, so it changes when that does; and like a draft's hero, the card of an article
readers cannot see answers them like an unknown name."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleMedia, RenderedArticle
from articles.workflow import prerender, services, staging
from smartchunks.media import share_cards
from smartchunks.media.share_cards import CardContent, draw_card
from tests.articles.test_admin_article_form import ADD_URL, article_form
from tests.factories import image_upload, make_article, make_author, make_section
from tests.helpers.html import error_texts, soup_of

pytestmark = pytest.mark.django_db


def saved(article, editor, capture, **changes):
    """``article`` edited through the workflow as the admin saves it, committed."""
    for field, value in changes.items():
        setattr(article, field, value)
    with capture(execute=True):
        services.save_edit(article, by=editor)
    article.refresh_from_db()
    return article


def card_urls(article) -> set[str]:
    """The URLs of the article's stored cards (what is on disk, whatever pages say)."""
    return {default_storage.url(name) for name in share_cards.cards_of(article.pk)}


def the_card_url(article) -> str:
    (url,) = card_urls(article)
    return url


def picture(client, url) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Image.open(BytesIO(body))


def social(page) -> dict[str, str]:
    soup = soup_of(page)
    found = {tag["property"]: tag["content"] for tag in soup.select("meta[property^='og:image']")}
    found |= {tag["name"]: tag["content"] for tag in soup.select("meta[name^='twitter:']")}
    return found


def news_article(page) -> dict:
    for script in soup_of(page).select("script[type='application/ld+json']"):
        data = json.loads(script.string)
        for item in data if isinstance(data, list) else [data]:
            if item.get("@type") == "NewsArticle":
                return item
    raise AssertionError("no NewsArticle on the page")


def test_an_article_saved_in_the_admin_gets_a_1200x630_card_once_the_save_commits(
    editor_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, article_form(editor_client))
        assert response.status_code == 302, error_texts(response.content)
        article = Article.objects.get(slug="how-batteries-age")
        assert article.is_published
        assert card_urls(article) == set(), "drawn after the commit, not inside the save"
    card = picture(client, the_card_url(article))
    assert (card.format, card.size) == ("JPEG", (1200, 630))


def test_without_a_hero_the_card_is_the_pages_social_and_structured_data_image(
    editor, client, django_capture_on_commit_callbacks
):
    article = saved(make_article(), editor, django_capture_on_commit_callbacks)
    card = f"http://testserver{the_card_url(article)}"
    page = client.get(article.get_absolute_url())
    assert social(page) == {
        "og:image": card,
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": article.title,
        "twitter:card": "summary_large_image",
        "twitter:image": card,
        "twitter:image:alt": article.title,
        "twitter:title": article.title,
        "twitter:description": "A short description.",
    }
    assert news_article(page)["image"] == [
        {"@type": "ImageObject", "url": card, "width": 1200, "height": 630}
    ]
    # The page is served from the frame stored again once the card was drawn.
    assert (
        card.removeprefix("http://testserver") in RenderedArticle.objects.get(article=article).head
    )


def test_with_a_hero_the_page_keeps_the_hero_and_the_card_is_drawn_over_it(
    editor, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    hero = image_upload("hero.png", size=(1400, 800), colour="red")
    article = saved(make_article(hero_image=hero, hero_alt="Cells"), editor, capture)
    page = client.get(article.get_absolute_url())
    tags = social(page)
    assert f"/media/{article.hero_image.name}." in tags["og:image"]
    assert tags["og:image:width"] == "1200" and tags["og:image:alt"] == "Cells"
    images = news_article(page)["image"]
    assert all(f"/media/{article.hero_image.name}." in image["url"] for image in images)
    assert "/cards/" not in page.content.decode()
    # Drawn anyway: the red hero, darkened, behind the text (the branded ground is blue).
    card = picture(client, the_card_url(article))
    red, _green, blue = card.getpixel((600, 10))
    assert card.size == (1200, 630)
    assert 100 < red < 200 and blue < 60


def test_the_card_changes_with_the_headline_section_hero_and_author_name(
    editor, client, django_capture_on_commit_callbacks
):
    article = saved(
        make_article(section=make_section()), editor, django_capture_on_commit_callbacks
    )
    seen = [the_card_url(article)]

    for change in (
        {"title": "A new headline for the same story"},
        {"section": make_section(name="Economy")},
        {"hero_image": image_upload("hero.png", size=(1300, 700)), "hero_alt": "Port"},
    ):
        article = saved(article, editor, django_capture_on_commit_callbacks, **change)
        url = the_card_url(article)  # one card: the old one is gone
        assert url not in seen, change
        seen.append(url)
        if not article.hero_image:
            page = client.get(article.get_absolute_url())
            assert social(page)["twitter:image"] == f"http://testserver{url}"
    assert client.get(seen[0]).status_code == 404  # the old card is gone

    # An author renamed in the author admin: the next prerender (run by `make run`) draws it.
    article.author.name = "Renamed Writer"
    article.author.save()
    call_command("prerender_articles", verbosity=0)
    assert the_card_url(article) not in seen


def test_the_headline_on_the_card_is_the_new_one(
    editor, client, django_capture_on_commit_callbacks
):
    """The picture itself changes, not only its name."""
    article = saved(make_article(title="Short"), editor, django_capture_on_commit_callbacks)
    before = picture(client, the_card_url(article)).convert("L")
    article = saved(
        article, editor, django_capture_on_commit_callbacks, title="A much longer headline " * 3
    )
    after = picture(client, the_card_url(article)).convert("L")
    changed = sum(a != b for a, b in zip(before.tobytes(), after.tobytes(), strict=True))
    assert changed > 10_000  # pixels: the headline's lines, not JPEG noise


def test_saving_again_without_a_change_keeps_the_card(editor, django_capture_on_commit_callbacks):
    article = saved(make_article(), editor, django_capture_on_commit_callbacks)
    url = the_card_url(article)
    article = saved(article, editor, django_capture_on_commit_callbacks, standfirst="New words.")
    assert card_urls(article) == {url}


@pytest.mark.parametrize("state", ["draft", "scheduled", "unpublished", "in review"])
def test_the_card_of_an_article_readers_cannot_see_is_the_404_of_an_unknown_name(
    state, editor, editor_client, django_capture_on_commit_callbacks
):
    status = Article.Status.IN_REVIEW if state == "in review" else Article.Status.DRAFT
    article = saved(make_article(status=status), editor, django_capture_on_commit_callbacks)
    if state == "scheduled":
        services.schedule(article, by=editor, at=timezone.now() + timedelta(days=2))
    if state == "unpublished":
        services.publish(article, by=editor)
        services.unpublish(article, by=editor)
    url = the_card_url(article)
    reader = Client()
    unknown = reader.get(url.replace(f"/article-{article.pk}.", "/article-987654.")).content
    response = reader.get(url)
    assert (response.status_code, response.content) == (404, unknown)
    # The newsroom sees it, as it sees the article's hero (the preview rules).
    preview = editor_client.get(f"/preview/articles/{article.pk}/")
    assert url in social(preview)["og:image"]
    assert editor_client.get(url).status_code == 200


def test_a_card_is_public_only_while_its_article_is(editor, django_capture_on_commit_callbacks):
    article = saved(
        make_article(status=Article.Status.DRAFT), editor, django_capture_on_commit_callbacks
    )
    url = the_card_url(article)
    reader = Client()
    assert reader.get(url).status_code == 404
    services.publish(article, by=editor)
    response = reader.get(url)
    assert response.status_code == 200
    assert "s-maxage=0" in response["Cache-Control"]
    services.unpublish(article, by=editor)
    assert reader.get(url).status_code == 404


def test_the_command_draws_the_cards_of_articles_saved_before_cards(client):
    """Articles loaded in bulk, or saved before cards existed: `make run` draws theirs."""
    articles = [make_article(), make_article(section=None)]  # no commit: no card yet
    assert all(card_urls(article) == set() for article in articles)
    ArticleMedia.objects.filter(path__startswith="cards/").delete()  # saved before cards
    call_command("prerender_articles", verbosity=0)
    for article in articles:
        url = the_card_url(article)
        assert picture(Client(), url).size == (1200, 630)  # public: the article is
        assert social(client.get(article.get_absolute_url()))["og:image"].endswith(url)
    call_command("prerender_articles", verbosity=0)  # nothing new to draw
    assert all(len(card_urls(article)) == 1 for article in articles)


def test_the_demo_articles_get_cards(client):
    call_command("load_demo", verbosity=0)
    call_command("prerender_articles", verbosity=0)
    for article in Article.objects.published():
        assert picture(client, the_card_url(article)).size == (1200, 630)


@pytest.mark.parametrize(
    "content",
    [
        CardContent("Word " * 400, "Section " * 30, "An Author " * 30, "Site " * 30),
        CardContent("Supercalifragilistic" * 20, "", "", ""),
        CardContent(
            "🔋🔥 مرحبا بالعالم שלום עולם 電池 Ελληνικά Кириллица",
            "🧪",
            "José Ñoño",
            "Smart Chunks",
        ),
        CardContent("", "", "", "", hero_name="heroes/not-there.png"),
        CardContent("Control\x00characters\u200b and\ttabs\n", "Sci\x07ence", "A", "S"),
    ],
    ids=["very-long", "one-long-word", "emoji-and-rtl", "empty-with-missing-hero", "controls"],
)
def test_awkward_content_draws_a_card_without_raising(content):
    assert draw_card(content).size == (1200, 630)


def test_an_unreadable_hero_gives_the_branded_card(
    editor, client, django_capture_on_commit_callbacks
):
    article = make_article(hero_image=image_upload("hero.png", size=(900, 500)), hero_alt="x")
    default_storage.delete(article.hero_image.name)
    with default_storage.open(article.hero_image.name, "wb") as broken:
        broken.write(b"not a picture")
    article = saved(article, editor, django_capture_on_commit_callbacks, title="Broken hero")
    assert picture(client, the_card_url(article)).size == (1200, 630)


def test_an_author_without_a_photo_and_an_article_without_a_section_get_cards(
    editor, client, django_capture_on_commit_callbacks
):
    article = make_article(section=None, author=make_author(photo=None))
    article = saved(article, editor, django_capture_on_commit_callbacks)
    assert picture(client, the_card_url(article)).size == (1200, 630)


def test_renaming_the_author_or_section_draws_their_articles_cards_again(
    client, django_capture_on_commit_callbacks
):
    section = make_section(name="Science")
    article = make_article(section=section)
    call_command("prerender_articles", verbosity=0)
    first = the_card_url(article)

    with django_capture_on_commit_callbacks(execute=True):
        article.author.name = "Renamed Writer"
        article.author.save()
    second = the_card_url(article)
    assert second != first
    page = client.get(article.get_absolute_url())
    assert social(page)["og:image"] == f"http://testserver{second}"

    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Physics"
        section.save()
    third = the_card_url(article)
    assert third not in (first, second)
    assert social(client.get(article.get_absolute_url()))["og:image"].endswith(third)


def test_staged_changes_to_a_live_article_draw_no_card_until_published(
    editor, django_capture_on_commit_callbacks
):
    """A published article's cards are public: one showing an unpublished headline must not
    exist before the changes are published."""
    article = saved(make_article(), editor, django_capture_on_commit_callbacks)
    live_card = the_card_url(article)
    with django_capture_on_commit_callbacks(execute=True):
        staging.save_changes(article, {"title": "A headline not yet public"}, by=editor)
    assert card_urls(article) == {live_card}
    with django_capture_on_commit_callbacks(execute=True):
        staging.publish_changes(article, by=editor)
    assert card_urls(article) - {live_card}, "published: the card shows the new headline"


def test_a_card_drawn_from_content_changed_meanwhile_removes_no_newer_card(
    editor, client, django_capture_on_commit_callbacks
):
    """Two saves close together: the first's card, drawn from the headline it read, finishes
    after the second's.  The second's card, which the page links to, stays."""
    article = saved(make_article(), editor, django_capture_on_commit_callbacks)
    newest = the_card_url(article)
    article.title = "The headline the first save read"  # not saved: the row has moved on
    assert prerender._make_card_of(article)
    assert newest in card_urls(article) and len(card_urls(article)) == 2
    page = client.get(article.get_absolute_url())
    assert social(page)["og:image"] == f"http://testserver{newest}"
