"""The record of which stored files an article shows (ArticleMedia), rewritten on every save.

save_edit (articles/workflow/services.py) calls it, so every write (the admin, restore,
load_demo) keeps it current; the media view reads it to decide who may have a file.
"""

from articles.models import Article, ArticleMedia, FaqEntry
from smartchunks.media.media_paths import names_in_html, stored_name
from smartchunks.media.share_cards import FOLDER as CARDS_FOLDER
from smartchunks.media.share_cards import source_name as card_source_name


def shown_media(article) -> set[str]:
    """The hero image and the files the body and FAQ answers show, as stored names."""
    answers = FaqEntry.objects.filter(article=article).values_list("answer", flat=True)
    return media_in(article.body, answers, article.hero_image.name)


def media_in(body: str | None, answers, hero_name: str | None) -> set[str]:
    """The stored names a body, FAQ answers and hero image (by name) show: an article's, or
    its staged changes' (articles/workflow/staging.py)."""
    names = names_in_html(body)
    for answer in answers:
        names |= names_in_html(answer)
    hero = stored_name(hero_name or "")
    if hero:
        names.add(hero)
    return names


def record_media(article) -> None:
    """Make the article's ArticleMedia rows exactly the files it shows now."""
    # Its share cards are named after one name of its own (smartchunks/media/share_cards.py).
    names = shown_media(article) | {card_source_name(article.pk)}
    ArticleMedia.objects.filter(article=article).exclude(path__in=names).delete()
    ArticleMedia.objects.bulk_create(
        [ArticleMedia(article=article, path=name) for name in sorted(names)],
        ignore_conflicts=True,
    )


def record_cards() -> None:
    """List every article's share cards among its files, for articles saved before cards
    (``manage.py prerender_articles``): two queries when all are listed."""
    listed = ArticleMedia.objects.filter(path__startswith=f"{CARDS_FOLDER}/")
    missing = Article.objects.exclude(pk__in=listed.values("article_id")).values_list(
        "pk", flat=True
    )
    ArticleMedia.objects.bulk_create(
        [ArticleMedia(article_id=pk, path=card_source_name(pk)) for pk in missing.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )
