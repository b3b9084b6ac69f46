"""The admin's "View on site" redirect, which must not tell anyone where a draft will live.

Django's own shortcut (/admin/r/<type>/<id>/) redirects any staff member to any object's
public URL, so a writer could learn the slug (often the headline) of a colleague's
unpublished article from its id alone.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

from articles import permissions
from articles.models import Article


def view_on_site(request, content_type_id, object_id):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    if content_type is not None and content_type.model_class() is Article:
        article = Article.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if article is None or not (
            article.is_published or permissions.can_preview(request.user, article)
        ):
            raise Http404("No article with that id that you may see.")
    return shortcut(request, content_type_id, object_id)
