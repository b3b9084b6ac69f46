"""JSON-LD, Open Graph, Twitter card, canonical and description on reader pages."""

from datetime import datetime, timedelta

import pytest
from django.utils.html import strip_tags

from articles.models import FaqEntry
from tests.factories import make_article, make_complete_article, make_section
from tests.helpers.html import jsonld_blocks, jsonld_of_type, meta_content, soup_of

pytestmark = pytest.mark.django_db

NASTY_TITLE = 'Chips & "quotes" <b>bold</b> </script><script>alert(1)</script>'
NASTY_QUESTION = "Is 1 < 2 & does </script> end the block?"


@pytest.fixture
def article():
    article = make_complete_article(
        title=NASTY_TITLE,
        meta_description="Why chips matter & what </script> does.",
        faq=0,
    )
    FaqEntry.objects.create(
        article=article, question=NASTY_QUESTION, answer="<p>No: it is escaped &amp; safe.</p>"
    )
    FaqEntry.objects.create(article=article, question="Second?", answer="<p>Yes.</p>", position=1)
    return article


def test_article_jsonld_survives_script_breakout_attempts(client, article):
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    # Every JSON-LD block still parses, so nothing ended the script early.
    types = [block["@type"] for block in jsonld_blocks(response)]
    assert types == ["NewsArticle", "FAQPage", "BreadcrumbList"]
    news = jsonld_of_type(response, "NewsArticle")
    assert news["headline"] == NASTY_TITLE


def test_news_article_matches_the_visible_page(client, article):
    response = client.get(article.get_absolute_url())
    soup = soup_of(response)
    news = jsonld_of_type(response, "NewsArticle")
    url = f"http://testserver{article.get_absolute_url()}"

    assert news["headline"] == soup.h1.get_text() == NASTY_TITLE
    assert news["description"] == article.meta_description
    assert news["url"] == url
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    shown = datetime.fromisoformat(soup.select_one(".byline time")["datetime"])
    assert datetime.fromisoformat(news["datePublished"]) == article.published_at
    assert shown == article.published_at
    assert news["dateModified"] == news["datePublished"]

    (author,) = news["author"]
    assert author["@type"] == "Person"
    assert author["name"] == soup.select_one(".byline a[rel=author]").get_text()
    assert author["url"] == f"http://testserver{article.author.get_absolute_url()}"
    visible_profiles = [a["href"] for a in soup.select(".author-box .profile-links a")]
    assert (
        author["sameAs"]
        == visible_profiles
        == [
            "https://www.linkedin.com/in/someone",
            "https://x.com/someone",
            "https://someone.example.org/",
        ]
    )

    publisher = news["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "Smart Chunks"
    assert publisher["logo"]["url"].endswith("/static/img/logo.png")

    hero_img = soup.select_one(".hero img")
    largest = news["image"][0]
    assert largest["url"] == f"http://testserver{hero_img['src']}"
    assert (largest["width"], largest["height"]) == (
        int(hero_img["width"]),
        int(hero_img["height"]),
    )
    assert news["articleSection"] == article.section.name
    assert news["keywords"] == [tag.name for tag in article.tags.all()]


def test_faq_page_lists_exactly_the_visible_questions_and_answers(client, article):
    response = client.get(article.get_absolute_url())
    soup = soup_of(response)
    faq = jsonld_of_type(response, "FAQPage")
    visible = [
        (
            entry.select_one(".faq__question").get_text(),
            entry.select_one(".faq__answer").get_text(),
        )
        for entry in soup.select(".faq__entry")
    ]
    structured = [
        (question["name"], strip_tags(question["acceptedAnswer"]["text"]).replace("&amp;", "&"))
        for question in faq["mainEntity"]
    ]
    assert structured == visible
    assert structured[0][0] == NASTY_QUESTION


def test_article_without_faq_has_no_faq_page(client):
    article = make_article(faq=0)
    response = client.get(article.get_absolute_url())
    assert [b["@type"] for b in jsonld_blocks(response)] == ["NewsArticle", "BreadcrumbList"]


def test_updated_article_reports_the_visible_update_date(client):
    article = make_article()
    article.public_updated_at = article.published_at + timedelta(minutes=30)
    article.save()
    response = client.get(article.get_absolute_url())
    news = jsonld_of_type(response, "NewsArticle")
    assert news["dateModified"] == article.public_updated_at.isoformat()
    assert "Updated" in soup_of(response).select_one(".byline").get_text()


def test_breadcrumb_list_matches_the_visible_breadcrumbs(client, article):
    response = client.get(article.get_absolute_url())
    soup = soup_of(response)
    crumbs = jsonld_of_type(response, "BreadcrumbList")["itemListElement"]
    visible = [
        (a.get_text(), f"http://testserver{a['href']}") for a in soup.select("nav.breadcrumbs a")
    ]
    assert [(c["name"], c["item"]) for c in crumbs] == visible
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert visible[1][0] == article.section.name
    assert visible[2][0] == NASTY_TITLE


def test_article_head_has_canonical_description_open_graph_and_twitter(client, article):
    response = client.get(article.get_absolute_url() + "?utm_source=x")
    soup = soup_of(response)
    url = f"http://testserver{article.get_absolute_url()}"
    assert soup.find("link", rel="canonical")["href"] == url
    assert meta_content(soup, name="description") == article.meta_description
    assert meta_content(soup, property="og:type") == "article"
    assert meta_content(soup, property="og:title") == NASTY_TITLE
    assert meta_content(soup, property="og:description") == article.meta_description
    assert meta_content(soup, property="og:url") == url
    hero_src = soup.select_one(".hero img")["src"]
    assert meta_content(soup, property="og:image") == f"http://testserver{hero_src}"
    assert meta_content(soup, property="og:image:alt") == article.hero_alt
    assert meta_content(soup, name="twitter:card") == "summary_large_image"
    assert meta_content(soup, name="twitter:title") == NASTY_TITLE


def test_author_page_carries_profile_page_with_person(client, article):
    author = article.author
    response = client.get(author.get_absolute_url())
    soup = soup_of(response)
    profile = jsonld_of_type(response, "ProfilePage")
    person = profile["mainEntity"]
    assert person["@type"] == "Person"
    assert person["name"] == soup.h1.get_text() == author.name
    assert person["url"] == f"http://testserver{author.get_absolute_url()}"
    assert person["jobTitle"] == author.job_title
    assert person["sameAs"] == [a["href"] for a in soup.select(".profile-links a")]
    assert person["description"] == "Writes explainers about chips."
    assert person["image"].startswith("http://testserver/media/authors/")
    assert meta_content(soup, property="og:type") == "profile"


def test_list_pages_have_a_canonical_without_stray_parameters(client):
    section = make_section()
    make_article(section=section)
    response = client.get(section.get_absolute_url() + "?ref=newsletter")
    soup = soup_of(response)
    assert soup.find("link", rel="canonical")["href"] == (
        f"http://testserver{section.get_absolute_url()}"
    )
    assert meta_content(soup, name="twitter:card") == "summary"


def test_home_page_describes_the_website_and_its_search(client):
    make_article()
    website = jsonld_of_type(client.get("/"), "WebSite")
    assert website["url"] == "http://testserver/"
    target = website["potentialAction"]["target"]["urlTemplate"]
    assert target == "http://testserver/search/?q={search_term_string}"
    assert client.get("/search/?q=anything").status_code == 200
