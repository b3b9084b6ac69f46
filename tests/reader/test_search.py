"""Site search: PostgreSQL full-text, ranked, highlighted, paginated, and calm with odd input."""

import pytest

from tests.factories import make_article, searchable
from tests.helpers.html import soup_of

pytestmark = pytest.mark.django_db


def result_titles(response):
    return [a.get_text() for a in soup_of(response).select(".search-results .card__title a")]


def test_headline_match_outranks_body_match(client):
    searchable(make_article(title="Ordinary news", body="<p>The semiconductor shortage.</p>"))
    searchable(make_article(title="Semiconductor explainer", body="<p>Plain words.</p>"))
    searchable(make_article(title="Unrelated", body="<p>Nothing here.</p>"))
    response = client.get("/search/", {"q": "semiconductors"})
    assert response.status_code == 200
    assert result_titles(response) == ["Semiconductor explainer", "Ordinary news"]


def test_tldr_and_faq_are_searched(client):
    article = searchable(make_article(title="Plain title", tldr=0, faq=0))
    article.tldr_bullets.create(text="Lithium prices doubled", position=0)
    article.faq_entries.create(question="Why cobalt?", answer="<p>Because.</p>", position=0)
    searchable(article)
    assert result_titles(client.get("/search/", {"q": "lithium"})) == ["Plain title"]
    assert result_titles(client.get("/search/", {"q": "cobalt"})) == ["Plain title"]


def test_snippet_highlights_matches_and_escapes_everything_else(client):
    searchable(
        make_article(
            title="Escaping",
            standfirst="",
            tldr=0,
            faq=0,
            body="<p>Tom &amp; Jerry wrote &lt;script&gt;alert(1)&lt;/script&gt; about tariffs.</p>",
        )
    )
    response = client.get("/search/", {"q": "tariffs"})
    snippet = soup_of(response).select_one(".search-snippet")
    assert [mark.get_text() for mark in snippet.find_all("mark")] == ["tariffs"]
    assert snippet.find("script") is None
    assert "Jerry wrote <script>alert(1)</script> about tariffs" in snippet.get_text()
    assert "&lt;script&gt;" in response.content.decode()


def snippet_text(client, query):
    response = client.get("/search/", {"q": query})
    return soup_of(response).select_one(".search-snippet").get_text()


def test_snippet_keeps_a_heading_apart_from_the_sentence_after_it(client):
    searchable(
        make_article(
            title="Harbours",
            standfirst="Ports are busy",
            tldr=0,
            faq=0,
            body="<h2>Why cranes matter</h2><p>Cranes lift containers all night.</p>"
            "<ul><li>Quay cranes</li><li>Gantry cranes</li></ul>"
            "<p>Each <strong>crane</strong> costs millions.</p>",
        )
    )
    text = snippet_text(client, "cranes")
    assert "Why cranes matter — Cranes lift containers all night. Quay cranes — Gantry" in text
    assert "Ports are busy — Why cranes" in text
    assert "\x1e" not in text
    assert "Each crane costs millions" in text  # inline tags are part of the words


def test_snippet_keeps_tldr_bullets_and_faq_questions_apart(client):
    article = searchable(make_article(title="Ports", standfirst="", tldr=0, faq=0, body=""))
    article.tldr_bullets.create(text="Tolls rise in spring", position=0)
    article.tldr_bullets.create(text="Shippers pay tolls", position=1)
    article.faq_entries.create(question="Who sets tolls?", answer="<p>A board.</p>", position=0)
    article.faq_entries.create(question="When", answer="<p>Yearly.</p>", position=1)
    searchable(article)
    text = snippet_text(client, "tolls")
    assert text.startswith("Tolls rise in spring — Shippers pay tolls — Who sets tolls? When")


def test_unpublished_articles_are_never_found(client):
    searchable(make_article(title="Zeppelin draft", status="draft"))
    searchable(make_article(title="Zeppelin live"))
    assert result_titles(client.get("/search/", {"q": "zeppelin"})) == ["Zeppelin live"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!! ??? ((( ))) && || :* <>",
        '"unclosed quote',
        "-",
        "a" * 5000,
        "word " * 2000,
        "日本語の記事",
        "Привет мир",
        "café naïve",
        "' OR 1=1 --",
    ],
)
def test_odd_queries_answer_cleanly(client, query):
    searchable(make_article(title="Something"))
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.h1.get_text() == "Search"
    assert len(soup.find("input", id="search-page-q")["value"]) <= 200


def test_query_with_a_nul_character_is_a_clean_400(client):
    # Refused before the view for every page (smartchunks/bad_requests.py).
    response = client.get("/search/", {"q": "null\x00byte"})
    assert response.status_code == 400
    assert soup_of(response).h1.get_text() == "We could not read that request"


def test_long_query_is_shortened_with_a_notice(client):
    response = client.get("/search/", {"q": "tariff " * 100})
    assert "only its first 200 characters were used" in response.content.decode()


def test_non_latin_words_are_found(client):
    searchable(make_article(title="Новости экономики", body="<p>日本語 テキスト</p>"))
    assert result_titles(client.get("/search/", {"q": "экономики"})) == ["Новости экономики"]


def test_results_are_paginated_and_keep_the_query(client):
    for i in range(12):
        searchable(make_article(title=f"Harbour report {i}"))
    first = client.get("/search/", {"q": "harbour"})
    assert len(result_titles(first)) == 10
    next_link = soup_of(first).select_one(".pagination a[rel=next]")["href"]
    assert "q=harbour" in next_link and "page=2" in next_link
    second = client.get("/search/" + next_link)
    assert len(result_titles(second)) == 2
    assert "12 results" in soup_of(first).select_one("#results-heading").get_text()


def test_search_page_is_not_indexed(client):
    soup = soup_of(client.get("/search/", {"q": "x"}))
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, follow"


def test_citation_markers_are_not_words_of_the_snippet_or_the_index(client):
    """A marker is a number pointing at a source: "in 2024.2 Prices" would be noise, and a
    search for the marker's number must not find the article by it."""
    searchable(
        make_article(
            title="Chip prices",
            standfirst="",
            tldr=0,
            faq=0,
            sources=2,
            body='<p>Output fell in 2024.<sup class="cite"><a href="#source-2">2</a></sup> '
            "Prices of wafers rose.</p>",
        )
    )
    snippet = soup_of(client.get("/search/", {"q": "wafers"})).select_one(".search-snippet")
    assert "Output fell in 2024. Prices of wafers rose" in snippet.get_text()
    assert result_titles(client.get("/search/", {"q": "2"})) == []
