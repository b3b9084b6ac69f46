"""The one reader module that reads unpublished articles: the newsroom's previews and share
links.  Everything else in the reader reads through ``Article.objects.published()``
(checked by tests/reader/test_reads_only_published.py).

Previews render the real article page, so they look exactly as the article will.  They
answer anyone else exactly like an unknown URL (404), send ``X-Robots-Tag: noindex`` and
are never stored by a shared cache.  The images of an unpublished article follow the same
rules (``may_preview_media``, asked by media.py).

An article with staged changes (articles/workflow/staging.py) is previewed with them: the
page is rendered inside ``staging.rehearsed``, where this request's connection sees the rows
as publishing the changes would write them, and everything written is rolled back.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from articles.models import Article, ArticleMedia, ShareLink, StagedEdit
from articles.reader.article_page import ArticlePageView, article_page_queryset
from articles.reader.privacy import keep_private
from articles.workflow import permissions, sharing, staging
from smartchunks.media import media_paths
from smartchunks.media.editor_uploads import _may_use_editor_images as may_use_editor_images

# The share links this browser has opened, so the shared page's images load too.
SHARED_LINKS_KEY = "shared_preview_links"
SHARED_LINKS_KEPT = 20


def articles_visible_to(user):
    """Published articles, and for the newsroom also the unpublished ones it may preview
    (writers: their own; editors: all)."""
    published = Article.objects.published()
    if not permissions.is_newsroom(user):
        return published
    return Article.objects.filter(
        Q(pk__in=published.values("pk")) | permissions.previewable_q(user)
    )


def may_preview_media(request, name: str) -> bool:
    """Whether this person may have a stored file no published article shows.

    The newsroom: the files of every article it may preview.  Whoever uploaded an editor
    image: that image, even before a saved article shows it (superusers, who browse every
    upload folder, too).  A share link's visitor: that article's files while the link works.
    """
    sources = media_paths.source_names(name)
    return (
        _shown_in_previewable_article(request.user, sources)
        or _own_upload(request.user, name)
        or _shown_in_shared_article(request, sources)
    )


def _shown_in_previewable_article(user, sources: list[str]) -> bool:
    if not permissions.is_newsroom(user):
        return False
    visible = articles_visible_to(user)
    return (
        ArticleMedia.objects.filter(path__in=sources, article__in=visible).exists()
        or StagedEdit.objects.filter(media__overlap=sources, article__in=visible).exists()
    )


def _own_upload(user, name: str) -> bool:
    uploader = media_paths.uploader_pk(name)
    if uploader is None or not may_use_editor_images(user):
        return False
    return user.pk == uploader or user.is_superuser


def _shown_in_shared_article(request, sources: list[str]) -> bool:
    links = request.session.get(SHARED_LINKS_KEY)
    if not links:
        return False
    working = ShareLink.objects.working().filter(pk__in=links)
    return (
        working.filter(article__media_files__path__in=sources).exists()
        or working.filter(article__staged_edit__media__overlap=sources).exists()
    )


def usual_session_length_after_sign_in(sender, request, user, **kwargs):
    """A share link's visitor who then signs in (Django keeps the session's data, its end
    included) gets a staff session's usual length back, not the link's."""
    if request is not None and SHARED_LINKS_KEY in request.session:
        request.session.set_expiry(None)


def keep_working_links(request, opening: ShareLink | None = None) -> None:
    """The share links this browser opened that still work, for their pages' images: the one
    being opened, then those ending last (at most SHARED_LINKS_KEPT).

    A visitor without an account has a session for the links alone, and a session cookie
    keeps every public page private and uncached: so their session ends when the last working
    link does, and ends at once when none works any more (the 410 of a revoked or expired
    link).  A signed-in user's session keeps its own length."""
    opened = request.session.get(SHARED_LINKS_KEY, [])
    if opening is None and not opened:
        return  # no session made for a stranger's dead link
    opening_pk = opening.pk if opening is not None else None
    ends = dict(
        ShareLink.objects.working()
        .filter(pk__in=[*opened, opening_pk])
        .values_list("pk", "expires_at")
    )
    kept = sorted(ends, key=lambda pk: (pk != opening_pk, -ends[pk].timestamp()))
    kept = kept[:SHARED_LINKS_KEPT]
    if kept or request.user.is_authenticated:
        request.session[SHARED_LINKS_KEY] = kept
        if not request.user.is_authenticated:
            request.session.set_expiry(max(ends[pk] for pk in kept))
    elif set(request.session.keys()) <= {SHARED_LINKS_KEY, "_session_expiry"}:
        request.session.flush()  # the links were all it held: the cookie goes too
    else:  # something else lives in it (a sign-in half done): only the links go
        del request.session[SHARED_LINKS_KEY]
        request.session.set_expiry(None)


class ShowsStagedChanges:
    """A preview shows the article with its staged changes, as publishing would make it."""

    def render_rehearsed(self, request, article_id, *args, **kwargs):
        with staging.rehearsed(article_id) as staged:
            self.staged_edit = staged
            response = super().get(request, *args, **kwargs)
            response.render()  # now, while this connection still sees the changes
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(staged_changes=self.staged_edit, **kwargs)


class StaffPreviewView(ShowsStagedChanges, ArticlePageView):
    """/preview/articles/<id>/: any state, for staff who may edit (or wrote) the article."""

    always_private = True

    def get(self, request, *args, **kwargs):
        # Who may preview is asked of the article as it is, before any change is rehearsed.
        article = Article.objects.filter(pk=kwargs["pk"]).first()
        if article is None or not permissions.can_preview(request.user, article):
            raise Http404
        return self.render_rehearsed(request, article.pk, *args, **kwargs)

    def get_object(self, queryset=None):
        article = get_object_or_404(
            article_page_queryset(Article.objects.all()), pk=self.kwargs["pk"]
        )
        if not permissions.can_preview(self.request.user, article):
            raise Http404
        return article

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class SharedPreviewView(ShowsStagedChanges, ArticlePageView):
    """/preview/share/<token>/: the article for someone without an account, while the link lasts."""

    always_private = True

    def get(self, request, *args, **kwargs):
        link = sharing.share_link_for_token(kwargs["token"])
        if link is None:
            raise Http404
        if not link.is_active:
            keep_working_links(request)
            response = TemplateResponse(
                request, "articles/share_unavailable.html", {"link": link}, status=410
            )
            return keep_private(response)
        self.share_link = link
        keep_working_links(request, opening=link)
        return self.render_rehearsed(request, link.article_id, *args, **kwargs)

    def get_object(self, queryset=None):
        return article_page_queryset(Article.objects.all()).get(pk=self.share_link.article_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(share_link=self.share_link, **kwargs)
