"""A reader's article page is its template rendered once and filled per request
(articles/reader/page_shell.py): the filled page must be the template's own, byte for byte,
and follow every change the template would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.reader import page_shell
from articles.workflow import services
from tests.factories import make_article, make_role_user, make_section, make_tag
from tests.helpers.html import parse_html, soup_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """Every request renders: what is compared is the rendering, not the page cache."""
    settings.PAGE_CACHE_ENABLED = False


def both_ways(client, monkeypatch, article) -> tuple[bytes, bytes]:
    """The page as readers get it (from the shell), then rendered by the template alone."""
    url = article.get_absolute_url()
    filled = client.get(url)
    assert filled.status_code == 200
    with monkeypatch.context() as patched:
        patched.setattr(page_shell, "shell_for", lambda request: None)
        rendered = client.get(url)
    assert rendered.status_code == 200
    return filled.content, rendered.content


def test_the_filled_page_is_the_templates_own(client, monkeypatch):
    section = make_section(name="Markets & <Money>")
    tag = make_tag(name="Rates")
    now = timezone.now()
    make_article(section=section, title="Older", published_at=now - timedelta(days=3), tags=[tag])
    article = make_article(
        section=section,
        title='Why "rates" <rise> & fall',
        published_at=now - timedelta(days=2),
        tags=[tag],
    )
    make_article(section=section, title="Newer", published_at=now - timedelta(days=1), tags=[tag])
    make_article(title="Shares a tag", tags=[tag])
    filled, rendered = both_ways(client, monkeypatch, article)
    assert filled == rendered
    page = parse_html(filled.decode())
    # The title is escaped once, as the template escapes it.
    assert page.title.get_text() == 'Why "rates" <rise> & fall — Smart Chunks'
    assert b"&lt;rise&gt; &amp; fall" in filled
    assert page.select_one("a[rel=prev]").get_text(" ", strip=True).endswith("Older")
    assert page.select_one("a[rel=next]").get_text(" ", strip=True).endswith("Newer")
    assert "Shares a tag" in page.select_one(".related").get_text()
    assert [a.get_text() for a in page.select(".section-menu a")] == ["Markets & <Money>"]


def test_an_article_alone_in_no_section_is_the_templates_own_too(client, monkeypatch):
    article = make_article(title="On its own")
    filled, rendered = both_ways(client, monkeypatch, article)
    assert filled == rendered
    assert parse_html(filled.decode()).select_one("nav.prev-next") is None


def test_the_menu_follows_a_section_going_live(client):
    """The shell holds the section menu: a section whose first article goes live appears on
    every article page at once (the shell is keyed by the navigation of the generation)."""
    reader_article = make_article(section=make_section(name="Energy"))
    menu = lambda: [  # noqa: E731
        a.get_text()
        for a in soup_of(client.get(reader_article.get_absolute_url())).select(".section-menu a")
    ]
    assert menu() == ["Energy"]
    draft = make_article(section=make_section(name="Climate"), status="draft")
    assert menu() == ["Energy"]
    services.publish(draft, by=make_role_user("Editor"))
    assert menu() == ["Climate", "Energy"]


def test_a_template_that_no_longer_shows_each_part_once_is_rendered_in_full(
    client, monkeypatch, caplog
):
    """A template change the shell cannot follow costs speed, never a wrong page."""
    article = make_article(title="Harbour cranes")
    monkeypatch.setattr(page_shell, "_shells", {})
    monkeypatch.setattr(page_shell, "HOLES", (*page_shell.HOLES, "subtitle"))
    page = soup_of(client.get(article.get_absolute_url()))
    assert page.h1.get_text(strip=True) == "Harbour cranes"
    assert "shows the subtitle 0 times" in caplog.text


def test_split_needs_each_hole_exactly_once():
    marks = [page_shell._stand_in(name) for name in page_shell.HOLES]
    shell = page_shell.split("<title>" + "</title><head>".join(marks) + "</p>")
    assert shell.fill(title="A & B", head="<h>", body="<b>", neighbours="<n>") == (
        "<title>A &amp; B</title><head><h></title><head><b></title><head><n></p>"
    )
    with pytest.raises(page_shell.ShellError, match="the body 2 times"):
        page_shell.split("".join(marks) + marks[2])


def test_no_shell_is_kept_while_templates_can_change(rf, settings):
    settings.DEBUG = True
    assert page_shell.shell_for(rf.get("/articles/any/")) is None
