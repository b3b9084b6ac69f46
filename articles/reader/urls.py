from django.urls import path

from articles.reader import answer_ready, corrections, feeds, preview, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    # The same article as Markdown, and the publication for language models (answer_ready.py).
    path(
        "articles/<slug:slug>.md",
        answer_ready.article_markdown_view,
        name="detail-markdown",
    ),
    path("llms.txt", answer_ready.llms_txt_view, name="llms-txt"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("sections/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    # Site pages under /pages/: an admin's new slug can never shadow another address.
    path("pages/<slug:slug>/", views.SitePageView.as_view(), name="site-page"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("corrections/", corrections.CorrectionsView.as_view(), name="corrections"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("preview/articles/<int:pk>/", preview.StaffPreviewView.as_view(), name="preview"),
    path("preview/share/<str:token>/", preview.SharedPreviewView.as_view(), name="share"),
    path("feeds/rss/", feeds.ArticleFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("authors/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-feed-rss"),
    path("authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("sections/<slug:slug>/rss/", feeds.SectionFeed(), name="section-feed-rss"),
    path("sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    path("tags/<slug:slug>/rss/", feeds.TagFeed(), name="tag-feed-rss"),
    path("tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
]
