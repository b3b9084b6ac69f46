"""Author profile links point where their label says: LinkedIn to LinkedIn, X to X.

A "LinkedIn" link that leads anywhere (``https://www.linkedin.com@evil.example/`` goes to
evil.example) is refused in the admin with a message naming the allowed sites, never shown
to readers or search engines if it is already stored, and reported by
``manage.py check_profile_links``.
"""

import pytest
from django.core import checks
from django.core.management import CommandError, call_command

from authors.models import Author
from smartchunks.media.web_addresses import any_https_address, linkedin_address, x_address
from tests.authors.test_author_admin import ADD_URL, author_form
from tests.factories import make_article, make_author, make_complete_article
from tests.helpers.html import (
    error_texts,
    field_errors,
    jsonld_of_type,
    rendered_form_data,
    soup_of,
)

LINKEDIN_GOOD = [
    "https://www.linkedin.com/in/ada",
    "https://linkedin.com/in/ada",
    "https://WWW.LinkedIn.com/in/ada",
    "https://www.linkedin.com/company/example?trk=x#about",
]
LINKEDIN_BAD = [
    "https://evil.example/in/x",
    "https://www.linkedin.com@evil.example/",
    "https://user:pass@www.linkedin.com/in/x",
    "https://linkedin.com.evil.example/",
    "https://www.linkedin.com.:443/in/x",
    "https://www.linkedin.com:8443/in/x",
    "https://www.linkedin.com:443/in/x",
    "https://www.linkedin.com./in/x",
    "https://uk.linkedin.com/in/x",
    "https://evil-linkedin.com/in/x",
    "http://www.linkedin.com/in/x",
    "javascript:alert(1)",
    "ftp://www.linkedin.com/in/x",
    "https://www.linkedin.com\\@evil.example/",
    "https://www.linked\tin.com/in/x",
    "https://x.com/ada",
]
X_GOOD = [
    "https://x.com/ada",
    "https://twitter.com/ada",
    "https://www.x.com/ada",
    "https://www.twitter.com/ada",
]
X_BAD = [
    "https://evil.example/ada",
    "https://x.com@evil.example/",
    "https://x.com.evil.example/ada",
    "https://x.com:8443/ada",
    "https://mobile.twitter.com/ada",
    "http://x.com/ada",
    "javascript:alert(1)",
    "https://www.linkedin.com/in/ada",
]
WEBSITE_GOOD = ["https://ada.example.org/", "https://example.com/about?me=1", "https://x.com/ada"]
WEBSITE_BAD = ["http://ada.example.org/", "javascript:alert(1)", "ftp://example.com/", "ada"]


@pytest.mark.parametrize(
    ("validator", "value", "accepted"),
    [(linkedin_address, url, True) for url in LINKEDIN_GOOD]
    + [(linkedin_address, url, False) for url in LINKEDIN_BAD]
    + [(x_address, url, True) for url in X_GOOD]
    + [(x_address, url, False) for url in X_BAD]
    + [(any_https_address, url, True) for url in WEBSITE_GOOD]
    + [(any_https_address, url, False) for url in WEBSITE_BAD],
)
def test_profile_address_rules(validator, value, accepted):
    assert validator.accepts(value) is accepted


# --- The admin form --------------------------------------------------------------------------


@pytest.mark.parametrize("bad_url", LINKEDIN_BAD)
def test_admin_refuses_a_linkedin_link_to_anywhere_else(admin_client, bad_url):
    response = admin_client.post(ADD_URL, author_form(admin_client, linkedin_url=bad_url))
    assert response.status_code == 200
    (message,) = field_errors(response.content, "linkedin_url")
    assert message.startswith("Only LinkedIn addresses are accepted here")
    assert "https://www.linkedin.com/ or https://linkedin.com/" in message
    assert not Author.objects.exists()


@pytest.mark.parametrize("bad_url", X_BAD)
def test_admin_refuses_an_x_link_to_anywhere_else(admin_client, bad_url):
    response = admin_client.post(ADD_URL, author_form(admin_client, x_url=bad_url))
    assert response.status_code == 200
    (message,) = field_errors(response.content, "x_url")
    assert message.startswith("Only X addresses are accepted here")
    assert "https://x.com/" in message and "https://twitter.com/" in message
    assert not Author.objects.exists()


@pytest.mark.parametrize("bad_url", WEBSITE_BAD)
def test_admin_refuses_a_website_that_is_not_https(admin_client, bad_url):
    response = admin_client.post(ADD_URL, author_form(admin_client, website_url=bad_url))
    assert response.status_code == 200
    # "ada" becomes https://ada, which is no web address either (no dot in the host).
    (message,) = field_errors(response.content, "website_url")
    assert "https://" in message
    assert not Author.objects.exists()


def test_admin_accepts_each_site_and_a_typed_address_without_https(admin_client):
    response = admin_client.post(
        ADD_URL,
        author_form(
            admin_client,
            linkedin_url="linkedin.com/in/ada",
            x_url="https://twitter.com/ada",
            website_url="ada.example.org",
        ),
    )
    assert response.status_code == 302, error_texts(response.content)
    author = Author.objects.get(slug="ada-writer")
    assert (author.linkedin_url, author.x_url, author.website_url) == (
        "https://linkedin.com/in/ada",
        "https://twitter.com/ada",
        "https://ada.example.org",
    )


def test_admin_form_shows_a_stored_bad_link_and_refuses_to_keep_it(admin_client):
    author = make_author(name="Old Profile", linkedin_url="https://evil.example/in/x")
    url = f"/admin/authors/author/{author.pk}/change/"
    page = admin_client.get(url)
    data = rendered_form_data(page.content)
    assert data["linkedin_url"] == "https://evil.example/in/x"
    # Shown to correct, not as a link to follow ("Currently: <a href>").
    assert not soup_of(page).select('a[href*="evil.example"]')
    data["job_title"] = "Columnist"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert field_errors(response.content, "linkedin_url")

    data["linkedin_url"] = "https://www.linkedin.com/in/old-profile"
    assert admin_client.post(url, data).status_code == 302
    author.refresh_from_db()
    assert (author.linkedin_url, author.job_title) == (
        "https://www.linkedin.com/in/old-profile",
        "Columnist",
    )


# --- Readers and search engines never see a stored bad link ----------------------------------

STORED_BAD = {
    "linkedin_url": "https://www.linkedin.com@evil.example/",
    "x_url": "https://x.com.evil.example/ada",
    "website_url": "javascript:alert(1)",
}


@pytest.fixture
def article_by_bad_profile(db):
    # Stored past the form, as a value saved before the rule existed would be.
    author = make_author(name="Bad Links", **STORED_BAD)
    return make_article(author=author)


@pytest.mark.django_db
def test_author_box_and_jsonld_show_no_stored_bad_link(client, article_by_bad_profile):
    response = client.get(article_by_bad_profile.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for value in STORED_BAD.values():
        assert value not in html
    assert "evil.example" not in html
    assert not soup_of(response).select(".author-box .profile-links a")
    person = jsonld_of_type(response, "NewsArticle")["author"][0]
    assert "sameAs" not in person


@pytest.mark.django_db
def test_author_page_shows_no_stored_bad_link(client, article_by_bad_profile):
    response = client.get(article_by_bad_profile.author.get_absolute_url())
    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()
    assert not soup_of(response).select(".profile-links a")


@pytest.mark.django_db
def test_good_links_stay_shown_next_to_a_bad_one(client):
    article = make_complete_article()
    Author.objects.filter(pk=article.author_id).update(linkedin_url="https://evil.example/in/x")
    response = client.get(article.get_absolute_url())
    shown = [a["href"] for a in soup_of(response).select(".author-box .profile-links a")]
    assert shown == ["https://x.com/someone", "https://someone.example.org/"]
    person = jsonld_of_type(response, "NewsArticle")["author"][0]
    assert person["sameAs"] == shown


# --- Stored bad links are reported -----------------------------------------------------------


@pytest.mark.django_db
def test_check_profile_links_lists_each_bad_link_and_fails(capsys):
    make_author(name="Fine Person")
    bad = make_author(name="Bad Links", **STORED_BAD)
    with pytest.raises(CommandError) as refused:
        call_command("check_profile_links")
    assert refused.value.returncode == 1
    assert "3 profile link(s)" in str(refused.value)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"Bad Links (author id {bad.pk}): LinkedIn URL "
        f"'https://www.linkedin.com@evil.example/' (edit at /admin/authors/author/{bad.pk}/change/)",
        f"Bad Links (author id {bad.pk}): X URL "
        f"'https://x.com.evil.example/ada' (edit at /admin/authors/author/{bad.pk}/change/)",
        f"Bad Links (author id {bad.pk}): Website "
        f"'javascript:alert(1)' (edit at /admin/authors/author/{bad.pk}/change/)",
    ]


@pytest.mark.django_db
def test_check_profile_links_passes_when_every_link_matches(capsys):
    make_author(name="Fine Person")
    make_author(name="No Links", linkedin_url="", x_url="", website_url="")
    call_command("check_profile_links")
    assert "Every stored profile link matches its site." in capsys.readouterr().out


@pytest.mark.django_db
def test_migrate_and_check_with_the_database_warn_about_stored_bad_links():
    make_author(name="Bad Links", linkedin_url="https://evil.example/in/x")
    warnings = [
        message
        for message in checks.run_checks(databases=["default"])
        if message.id == "authors.W001"
    ]
    assert len(warnings) == 1
    assert "LinkedIn URL 'https://evil.example/in/x'" in warnings[0].msg
    assert "check_profile_links" in warnings[0].hint
    # Without a database (plain `manage.py check`) the check stays quiet.
    assert not [m for m in checks.run_checks() if m.id == "authors.W001"]
