"""Two admin URLs answered here, in front of Django's own (see smartchunks/urls.py).

* "View on site" (/admin/r/<type>/<id>/): Django's shortcut redirects any staff member to
  any object's public URL, so a writer could learn the slug (often the headline) of a
  colleague's unpublished article from its id alone.
* Autocomplete (/admin/autocomplete/): Django passes the typed term to the database as is,
  and PostgreSQL refuses a NUL character in text, so ``term=%00`` was a server error.
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

from articles.models import Article
from articles.workflow import permissions


def view_on_site(request, content_type_id, object_id):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    if content_type is not None and content_type.model_class() is Article:
        article = Article.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if article is None or not permissions.can_view(request.user, article):
            raise Http404("No article with that id that you may see.")
    return shortcut(request, content_type_id, object_id)


class NulSafeAutocompleteJsonView(AutocompleteJsonView):
    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        return term.replace("\x00", ""), model_admin, source_field, to_field_name
