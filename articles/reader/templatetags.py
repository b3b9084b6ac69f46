"""Template helpers for reader pages: absolute URLs, JSON-LD, responsive images."""

import re

from django import template
from django.utils.safestring import mark_safe

from articles.pages import citations, jsonld
from articles.reader import search
from articles.reader.xmltext import xml_text as _xml_text
from smartchunks.media import renditions
from smartchunks.media.richtext import clean_html
from smartchunks.quick_urls import quick_reverse, quick_static

register = template.Library()

_IMG_TAG = re.compile(r"<img(?![^>]*\bloading=)", re.IGNORECASE)


@register.simple_tag
def quick_url(viewname, **kwargs):
    """``{% url %}`` for the addresses on every page (smartchunks/quick_urls.py)."""
    return quick_reverse(viewname, **kwargs)


@register.simple_tag(name="quick_static")
def quick_static_tag(path):
    """``{% static %}``, looked up once per process."""
    return quick_static(path)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without query string, keeping ``?page=N`` beyond page 1."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


@register.filter
def jsonld_script(data):
    """Structured data as a script block no value can break out of (articles/pages/jsonld.py)."""
    return jsonld.script_tag(data)


@register.simple_tag(takes_context=True)
def author_profile_jsonld(context, author):
    request = context["request"]
    photo = renditions.responsive_image(author.photo, "author")
    return jsonld.script_tag(
        jsonld.profile_page(author, absolute=request.build_absolute_uri, photo=photo)
    )


@register.simple_tag
def responsive(fieldfile, kind):
    """The renditions of an image field (smartchunks.media.renditions.ResponsiveImage) or None."""
    return renditions.responsive_image(fieldfile, kind)


@register.filter
def rich_text(html):
    """Rich text for a page, cleaned again with the same nh3 allowlist as on save.

    Saving already cleans it; this also covers rows that never went through save()
    (fixtures, SQL, restored backups).  nh3 takes microseconds per article.
    """
    return mark_safe(clean_html(str(html or "")))  # noqa: S308 (nh3-cleaned)


@register.simple_tag
def cited_body(article):
    """The body as ``rich_text`` cleans it, with its citation markers linked to the article's
    sources, and those sources with the markers citing each (articles/pages/citations.py)."""
    return citations.cite(clean_html(str(article.body or "")), article.sources.all())


@register.filter
def lazy_images(html):
    """Body images are below the TL;DR, so they load lazily and decode off the main thread."""
    return mark_safe(_IMG_TAG.sub('<img loading="lazy" decoding="async"', str(html)))  # noqa: S308


@register.filter
def search_snippet(raw_snippet):
    """A search headline as HTML where only the highlight marks are markup."""
    return search.snippet_html(raw_snippet)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This page's query string with ``page`` replaced, so search pages keep ``q``."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def website_jsonld(context):
    return jsonld.script_tag(jsonld.website(context["request"].build_absolute_uri))


@register.filter
def xml_text(value):
    """Text for an XML document: without the control characters XML 1.0 forbids."""
    return _xml_text(value)
