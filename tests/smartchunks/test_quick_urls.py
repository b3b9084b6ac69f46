"""quick_reverse gives exactly reverse()'s address, for every pattern and value, without
walking the resolver each time (smartchunks/quick_urls.py)."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from smartchunks.quick_urls import quick_reverse, quick_static

SLUGGED = ["articles:detail", "articles:author", "articles:section-feed-rss", "articles:tag"]


@pytest.mark.parametrize("viewname", SLUGGED)
@pytest.mark.parametrize("slug", ["why-rates-rise", "a", "x_1-2", "quickurlstandin0x"])
def test_same_address_as_reverse(viewname, slug):
    assert quick_reverse(viewname, slug=slug) == reverse(viewname, kwargs={"slug": slug})


@pytest.mark.parametrize("viewname", ["articles:home", "articles:search", "articles:feed-rss"])
def test_patterns_without_values(viewname):
    assert quick_reverse(viewname) == reverse(viewname)


def test_values_that_need_quoting_or_do_not_fit_go_to_reverse():
    # A token with characters a slug cannot hold is quoted by reverse() as before.
    token = "abc:def=="
    assert quick_reverse("articles:share", token=token) == reverse(
        "articles:share", kwargs={"token": token}
    )
    # An int converter refuses the stand-in: reverse() answers.
    assert quick_reverse("articles:preview", pk="42") == "/preview/articles/42/"
    with pytest.raises(NoReverseMatch):
        quick_reverse("articles:detail", slug="no/slashes")
    with pytest.raises(NoReverseMatch):
        quick_reverse("articles:detail", slug="")


def test_follows_the_script_prefix():
    assert quick_reverse("articles:detail", slug="one") == "/articles/one/"
    set_script_prefix("/news/")
    try:
        assert quick_reverse("articles:detail", slug="one") == "/news/articles/one/"
        assert quick_reverse("articles:home") == "/news/"
    finally:
        clear_script_prefix()
    assert quick_reverse("articles:home") == "/"


def test_static_addresses_follow_a_changed_setting():
    before = quick_static("css/site.css")
    assert before.startswith("/static/")
    with override_settings(
        STATIC_URL="https://cdn.example/static/",
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        assert quick_static("css/site.css") == "https://cdn.example/static/css/site.css"
    assert quick_static("css/site.css") == before
