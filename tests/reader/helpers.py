"""Small readers of what a page says to machines: JSON-LD blocks, meta tags, XML."""

import json
from xml.etree import ElementTree

from bs4 import BeautifulSoup

from articles.workflow.search_index import refresh_search_vector


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def jsonld_blocks(response) -> list[dict]:
    soup = soup_of(response)
    return [
        json.loads(script.string)
        for script in soup.find_all("script", attrs={"type": "application/ld+json"})
    ]


def jsonld_of_type(response, schema_type: str) -> dict:
    matches = [block for block in jsonld_blocks(response) if block.get("@type") == schema_type]
    assert len(matches) == 1, f"expected one {schema_type}, found {len(matches)}"
    return matches[0]


def meta_content(soup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


def parse_xml(response) -> ElementTree.Element:
    # Our own responses, parsed in tests: no untrusted XML.
    return ElementTree.fromstring(response.content)  # noqa: S314


def searchable(article):
    """Tests create rows directly, so build the search vector the admin would."""
    refresh_search_vector(article.pk)
    article.refresh_from_db()
    return article
