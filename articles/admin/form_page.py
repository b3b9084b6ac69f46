"""The article form's page: its parts in the order of the article they make, the live
pre-publish checklist beside them, and the search and share previews.

The checklist is answered here, from the form as the editor has it (POSTed by
static/js/admin-article-form.js as they type), through the very form and inline formsets a
save would use: one definition of the rules (articles/workflow/checklist.py), never a copy in
JavaScript.  Nothing is saved and no lock is taken.
"""

from django import forms
from django.http import JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from articles.models import Correction, FaqEntry, Source, TldrBullet
from articles.workflow import checklist

# Section names never contain a field's label: a label finds its field, not a section.
HEADLINE = None  # the top of the form, as of the page: no heading of its own
HERO = "Picture"
BODY = "Story"
BYLINE = "Byline and filing"
PUBLISHING = "Publishing"
SEARCH = "Search and sharing"

# The article page, top to bottom: fieldsets by name, inlines by model.
# Corrections sit with publishing: an editor adds one to a live article and publishes it.
PAGE_ORDER = (
    HEADLINE,
    TldrBullet,
    HERO,
    BODY,
    FaqEntry,
    Source,
    BYLINE,
    Correction,
    PUBLISHING,
    SEARCH,
)


def parts_in_page_order(adminform, inline_admin_formsets) -> list[tuple[str, object]]:
    """("fieldset", fieldset) and ("inline", inline formset) pairs in PAGE_ORDER; a part the
    order does not name still shows, at the end."""
    parts = {}
    for fieldset in adminform:
        parts.setdefault(fieldset.name, ("fieldset", fieldset))
    for inline in inline_admin_formsets:
        parts.setdefault(inline.opts.model, ("inline", inline))
    in_order = [parts.pop(key) for key in PAGE_ORDER if key in parts]
    return in_order + list(parts.values())


class ArticleFormPageMixin:
    """For the article ModelAdmin: the form page's layout, scripts and checklist endpoint."""

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["css/admin-article-form.css"]}, js=["js/admin-article-form.js"]
        )

    def get_urls(self):
        def checklist_url(route, name):
            view = self.admin_site.admin_view(require_POST(self.checklist_view))
            return path(route, view, name=name)

        return [
            checklist_url("checklist/", "articles_article_checklist"),
            checklist_url("<int:pk>/checklist/", "articles_article_change_checklist"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if obj is None:
            editable = self.has_add_permission(request)
        else:
            editable = self.has_change_permission(request, obj)
        context.update(
            form_parts=parts_in_page_order(context["adminform"], context["inline_admin_formsets"]),
            previews_after=SEARCH,
            checklist_url=self._checklist_url(obj) if editable else "",
            checklist_problems=self._problems_on_show(form, obj),
            article_url_pattern=request.build_absolute_uri(
                reverse("articles:detail", kwargs={"slug": "SLUG"})
            ),
            hero_url=obj.hero_image.url if obj is not None and obj.hero_image else "",
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _checklist_url(obj):
        if obj is None:
            return reverse("admin:articles_article_checklist")
        return reverse("admin:articles_article_change_checklist", args=[obj.pk])

    @staticmethod
    def _problems_on_show(form, obj) -> list[str]:
        """The panel's first answer, before any script runs: the form as re-shown after a
        refused save, else the article as stored (or a new one)."""
        if form.is_bound:
            return form.publishing_problems()
        if obj is not None:
            return checklist.problems(checklist.draft_from_article(obj))
        return checklist.problems(checklist.Draft(author_id=form.initial.get("author")))

    def checklist_view(self, request, pk=None):
        """What is missing before publishing, for the form as POSTed: {"ready", "problems"}.

        The same people as the form: whoever may edit the article (or add one); others get the
        admin's answers (login, 403, or 404 for an article they may not see).
        """
        obj = None
        if pk is not None:
            obj = self.get_object(request, str(pk))
            if obj is None:
                return JsonResponse(
                    {"error": "No article with that id that you may edit."}, status=404
                )
            if not self.has_change_permission(request, obj):
                return JsonResponse({"error": "You may not edit this article."}, status=403)
        elif not self.has_add_permission(request):
            return JsonResponse({"error": "You may not add articles."}, status=403)
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, instance=obj)
        form.checking_only = True
        form.is_valid()
        problems = form.publishing_problems(hero_chosen=request.POST.get("_hero_chosen") == "1")
        return JsonResponse({"ready": not problems, "problems": problems})
