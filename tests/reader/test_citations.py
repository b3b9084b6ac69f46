"""Citations on the article page: the Sources block reads like the model article, each
marker's superscript leads to its source and each source leads back, and NewsArticle.citation
lists the sources (articles/pages/citations.py, templates/includes/sources.html)."""

import pytest

from articles.models import RenderedArticle, Source
from articles.workflow import prerender
from tests.factories import make_article
from tests.helpers.html import jsonld_of_type, reading_order, soup_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """Rendering, not the page cache: a page here is asked twice, its stored frame dropped."""
    settings.PAGE_CACHE_ENABLED = False


def marker(number: int) -> str:
    return f'<sup class="cite"><a href="#source-{number}">{number}</a></sup>'


def article_with_sources(*sources, body="<p>Body text.</p>"):
    article = make_article(sources=0, body=body)
    for position, (name, url) in enumerate(sources):
        Source.objects.create(article=article, name=name, url=url, position=position)
    prerender.store_parts(article.pk)
    return article


SEVERAL = [
    ("Fortune", "https://fortune.com/chips"),
    ("Reuters", "https://www.reuters.com/chips"),
    ("TSMC annual report", "https://investor.tsmc.com/2024"),
]
CITED_BODY = (
    f"<p>Three factories make most chips.{marker(1)}</p>"
    f"<p>Demand doubled in 2024.{marker(3)} Prices followed.{marker(3)}</p>"
)


def test_one_source_is_one_line_source_colon_name(client):
    article = article_with_sources(("Fortune", "https://fortune.com/story"))
    page = soup_of(client.get(article.get_absolute_url()))
    block = page.select_one("section.sources")
    assert " ".join(block.get_text(" ").split()) == "Source: Fortune"
    assert block.find("h2") is None  # no "Sources" heading above one line
    assert block["aria-label"] == "Source"
    line = block.select_one("#source-1")
    assert line.find("a", string="Fortune")["href"] == "https://fortune.com/story"


def test_several_sources_are_a_numbered_list_under_one_heading(client):
    article = article_with_sources(*SEVERAL)
    page = soup_of(client.get(article.get_absolute_url()))
    block = page.select_one("section.sources")
    assert block.find("h2").get_text() == "Sources"
    items = block.select("ol > li")
    assert [item["id"] for item in items] == ["source-1", "source-2", "source-3"]
    assert [item.a.get_text() for item in items] == [name for name, _ in SEVERAL]
    assert [item.a["href"] for item in items] == [url for _, url in SEVERAL]
    assert "Source:" not in block.get_text()


def test_markers_link_to_their_source_and_each_source_back_to_them(client):
    article = article_with_sources(*SEVERAL, body=CITED_BODY)
    page = soup_of(client.get(article.get_absolute_url()))
    markers = page.select(".article-body sup.cite")
    assert [m.get_text() for m in markers] == ["1", "3", "3"]
    assert [m["id"] for m in markers] == ["cite-1-1", "cite-3-1", "cite-3-2"]
    for sup in markers:
        target = page.select_one(sup.a["href"])  # "#source-3": an element with that id
        assert target is not None and target.name == "li"
        backs = [a["href"] for a in target.select("a.sources__back")]
        assert f"#{sup['id']}" in backs
    # Each back link leads to a marker, and a source nobody cites has none.
    for back in page.select("a.sources__back"):
        assert page.select_one(back["href"]).name == "sup"
    assert page.select_one("#source-2").select("a.sources__back") == []
    assert markers[1].a["aria-label"] == "Source 3: TSMC annual report"
    assert [a["aria-label"] for a in page.select("#source-3 a.sources__back")] == [
        "Back to citation 1 of source 3 in the text",
        "Back to citation 2 of source 3 in the text",
    ]
    assert "Demand doubled in 2024.3 Prices followed.3" in reading_order(
        client.get(article.get_absolute_url()).content
    )


def test_a_marker_pointing_past_the_last_source_shows_no_link(client):
    """Publishing refuses it (the checklist); a page made some other way still has no
    link leading nowhere."""
    article = article_with_sources(SEVERAL[0], body=f"<p>Claim.{marker(1)}{marker(4)}</p>")
    page = soup_of(client.get(article.get_absolute_url()))
    dangling = page.select(".article-body sup.cite")[1]
    assert dangling.get_text() == "4" and dangling.find("a") is None
    for link in page.select('a[href^="#"]'):
        assert page.select_one(link["href"]) is not None, link


def test_the_stored_frame_is_the_live_render_byte_for_byte(client):
    article = article_with_sources(*SEVERAL, body=CITED_BODY)
    row = RenderedArticle.objects.get(article=article)
    assert row.format == prerender.current_format() and row.head
    article.refresh_from_db()
    live = prerender.render_frame(article, prerender.render_parts(article))
    assert (row.head, row.body) == (live.head, live.body)
    assert 'id="cite-3-2"' in row.body
    stored_page = client.get(article.get_absolute_url()).content
    RenderedArticle.objects.filter(article=article).delete()
    assert client.get(article.get_absolute_url()).content == stored_page


def test_news_article_citation_lists_the_sources_in_order(client):
    article = article_with_sources(*SEVERAL, body=CITED_BODY)
    news = jsonld_of_type(client.get(article.get_absolute_url()), "NewsArticle")
    assert news["citation"] == [
        {"@type": "CreativeWork", "name": name, "url": url} for name, url in SEVERAL
    ]


def test_an_article_without_sources_has_no_citation(client):
    article = make_article(sources=0)
    news = jsonld_of_type(client.get(article.get_absolute_url()), "NewsArticle")
    assert "citation" not in news
