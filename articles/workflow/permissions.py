"""Who may do what to which article: the one place the admin, the views and tests ask.

Groups (created by migration articles/0003) grant model permissions; these rules narrow them
per article.  Writers hold ``change_article`` but only for their own drafts; editors hold
``edit_any_article`` and ``publish_article``; superusers hold everything.
"""

from django.db.models import Q

from articles.models import Article, Tag, states


def _is_staff(user) -> bool:
    return bool(user and user.is_active and user.is_staff)


def is_newsroom(user) -> bool:
    """Active staff who work on articles: the only people who may see any unpublished one."""
    return _is_staff(user) and user.has_perm("articles.change_article")


def can_edit_any(user) -> bool:
    return _is_staff(user) and user.has_perm("articles.edit_any_article")


def can_publish(user) -> bool:
    """Publish, schedule, unpublish, restore revisions and create share links."""
    return _is_staff(user) and user.has_perm("articles.publish_article")


def is_own(user, article) -> bool:
    """Whether the article is bylined to the author profile this account writes as."""
    return bool(
        user and user.is_authenticated and article.author_id and article.author.user_id == user.pk
    )


def can_edit(user, article) -> bool:
    """May work on the article in the admin.  On a Published article that work is staged
    (articles/workflow/staging.py): a writer's changes to their own live article wait for an
    editor, who alone may put them in the row (the rulebook's "publish_changes")."""
    if not is_newsroom(user):
        return False
    if article.pk is None:
        # A new article, not saved yet: whoever may add articles edits it.
        return user.has_perm("articles.add_article")
    if can_edit_any(user):
        return True
    return is_own(user, article) and article.status in states.WRITER_EDITABLE | states.STAGED


def can_preview(user, article) -> bool:
    """Staff may see an unpublished article they may edit; writers always see their own."""
    if can_edit(user, article):
        return True
    return is_newsroom(user) and is_own(user, article)


def can_view(user, article) -> bool:
    """May open the article's page: readers once it is live, the newsroom as for previews."""
    return article.is_published or can_preview(user, article)


def can_delete(user, article) -> bool:
    if not (_is_staff(user) and user.has_perm("articles.delete_article")):
        return False
    if can_edit_any(user):
        return True
    return is_own(user, article) and article.status in states.WRITER_EDITABLE


def previewable_q(user) -> Q:
    """Filter for the unpublished articles this user may look at on the site."""
    if not is_newsroom(user):
        return Q(pk__in=[])
    if can_edit_any(user):
        # Not Q(): an empty Q vanishes when OR-ed with another condition.
        return Q(pk__isnull=False)
    return Q(author__user=user)


def visible_tags(user, tags=None):
    """The tags this person may see in the admin (list, filters, autocomplete, pickers).

    Editors see all.  Anyone else sees tags on a published article or on their own work:
    a tag is often made for one story ("Project Orion"), so its name alone would leak a
    colleague's unreleased article.
    """
    tags = Tag.objects.all() if tags is None else tags
    if can_edit_any(user):
        return tags
    on_own_work = Article.tags.through.objects.filter(article__author__user=user)
    return tags.filter(
        Q(pk__in=Tag.objects.public().values("pk")) | Q(pk__in=on_own_work.values("tag_id"))
    )
