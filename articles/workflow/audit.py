"""The record of what happened: audit events (who did what, when) and revisions (what the
article held), written by the workflow services and nowhere else."""

import reversion

from articles.models import ArticleEvent


def record(article, *, by, action, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        article_title=article.title[:200],
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        detail=detail[:300],
    )


def add_revision(article, *, by, comment: str) -> None:
    """Add the article (with its TL;DR, FAQ and sources) to the revision being recorded."""
    if by is not None and by.is_authenticated:
        reversion.set_user(by)
    reversion.set_comment(comment)
    reversion.add_to_revision(article)
