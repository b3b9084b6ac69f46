"""/media/<name>: a stored file, to whoever may see an article that shows it.

Readers get a hero image, its renditions and a body image only while an article showing it
is published (``Article.objects.published()``, one indexed query on ArticleMedia); the
newsroom gets unpublished ones through the preview rules (preview.py).  Anyone else gets
the same 404 as an unknown name, so a URL says nothing about a story before it is live.
Author photos are public, like the author pages that show them.

Published files may be kept for a minute by the reader's own browser, never by a shared
cache (``s-maxage=0``, ``must-revalidate``): what a browser already holds was already seen
by that reader, while a proxy or CDN would hand an unpublished file to someone new.  Every
other request asks Django again, which answers from the one query and lets the front
server send the bytes (smartchunks/media/serving.py).
"""

from django.http import Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from articles.models import Article, ArticleMedia
from articles.reader import preview
from articles.reader.privacy import keep_private
from smartchunks.media import media_paths, serving

BROWSER_CACHE_SECONDS = 60


@require_safe
def media_file(request, path):
    name = media_paths.stored_name(path)
    if name is None:
        raise Http404
    if media_paths.is_public(name) or _shown_by_published_article(name):
        response = serving.file_response(request, name)
        if response.status_code < 500:  # a bucket outage (503) is kept by nobody
            patch_cache_control(
                response,
                public=True,
                max_age=BROWSER_CACHE_SECONDS,
                s_maxage=0,
                must_revalidate=True,
            )
        return response
    if preview.may_preview_media(request, name):
        return keep_private(serving.file_response(request, name))
    raise Http404


def _shown_by_published_article(name: str) -> bool:
    return ArticleMedia.objects.filter(
        path__in=media_paths.source_names(name), article__in=Article.objects.published()
    ).exists()
