"""Two admin URLs answered here, in front of Django's own (see smartchunks/urls.py).

* "View on site" (/admin/r/<type>/<id>/): Django's shortcut redirects any staff member to
  any object's public URL, so a writer could learn the slug (often the headline) of a
  colleague's unpublished article, or of a tag made for it, from its id alone.  It now
  redirects only to what this person may see in the admin itself.
* Autocomplete (/admin/autocomplete/): Django passes the typed term to the database as is,
  and PostgreSQL refuses a NUL character in text, so ``term=%00`` was a server error.
"""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

from articles.models import Article
from articles.workflow import permissions


def view_on_site(request, content_type_id, object_id):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type is not None else None
    if not object_id.isdigit() or not _may_see(request, model, object_id):
        raise Http404("Nothing with that id that you may see.")
    return shortcut(request, content_type_id, object_id)


def _may_see(request, model, object_id) -> bool:
    """For an article, the preview rule; for anything else, the answer the admin gives this
    person: its list and its view permission (a writer's tag list holds only tags of
    published or own work)."""
    if model is Article:
        # The admin lists a writer's own articles only; colleagues' live ones open on the site.
        article = Article.objects.filter(pk=object_id).first()
        return article is not None and permissions.can_view(request.user, article)
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return False
    found = model_admin.get_queryset(request).filter(pk=object_id).first()
    return found is not None and model_admin.has_view_permission(request, found)


class NulSafeAutocompleteJsonView(AutocompleteJsonView):
    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        return term.replace("\x00", ""), model_admin, source_field, to_field_name
