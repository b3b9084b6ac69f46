from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from articles.admin.dashboard import newsroom_index
from articles.admin.shortcuts import NulSafeAutocompleteJsonView, view_on_site
from articles.reader.media import media_file
from articles.reader.sitemaps import SITEMAPS, news_sitemap, robots_txt
from authors.sign_in import views as sign_in
from smartchunks.bad_requests import bad_request
from smartchunks.health import healthz, readyz
from smartchunks.media.editor_uploads import ckeditor_browse, ckeditor_upload

# A database outage that escapes the middleware is still a 503 (smartchunks/outage.py).
handler500 = "smartchunks.outage.server_error"

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Newsroom"
handler400 = bad_request

urlpatterns = [
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view_on_site",
    ),
    path(
        "admin/autocomplete/",
        admin.site.admin_view(NulSafeAutocompleteJsonView.as_view(admin_site=admin.site)),
        name="admin-autocomplete",
    ),
    # The second sign-in step (authors/sign_in/): only for signed-in newsroom accounts.
    path(
        "admin/two-factor/setup/",
        admin.site.admin_view(sign_in.setup),
        name="two_factor_setup",
    ),
    path(
        "admin/two-factor/verify/",
        admin.site.admin_view(sign_in.verify),
        name="two_factor_verify",
    ),
    # The admin index with the newsroom dashboard (articles/admin/dashboard.py); the name
    # "admin:index" still reverses to this address.
    path("admin/", admin.site.admin_view(newsroom_index), name="newsroom-dashboard"),
    path("admin/", admin.site.urls),
    # Our views check permission, size and image validity before django-ckeditor's.  Its
    # own URLs are not included: they match any path below upload/ and browse/, which
    # would skip these checks.
    re_path(r"^ckeditor/upload/", ckeditor_upload, name="ckeditor_upload"),
    re_path(r"^ckeditor/browse/", ckeditor_browse, name="ckeditor_browse"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("", include("articles.reader.urls")),
]

if settings.SERVE_MEDIA:
    # Django decides who may have each file (articles/reader/media.py); with
    # MEDIA_ACCEL_PREFIX the front server sends the bytes.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media_file, name="media")]
