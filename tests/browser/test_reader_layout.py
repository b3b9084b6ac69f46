"""The reader's layout in Chromium, on the demo publication's model article: the TL;DR above
the fold on a desktop and a phone with the hero after it, tap targets a thumb can hit, the
site's own fonts (and no one else's), and axe clean in both colour schemes."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, Correction
from articles.reader import views
from articles.workflow import prerender
from tests.browser.test_accessibility import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MODEL_ARTICLE = "why-unsecured-databases-keep-leaking"
MIN_TARGET = 44
CITED_CLAIM = '<p>Scanners never sleep.<sup class="cite"><a href="#source-1">1</a></sup></p>'


@pytest.fixture
def demo(monkeypatch):
    """The demo publication (3 explainers with hero, TL;DR, FAQ and sources), one to a list
    page so that the home and author pages have pages to turn."""
    call_command("load_demo", stdout=StringIO())
    monkeypatch.setattr(views.PublishedArticleListMixin, "paginate_by", 1)
    article = Article.objects.get(slug=MODEL_ARTICLE)
    # One claim cites its first source, so the Sources list has a link back to it too.
    article.body += CITED_CLAIM
    article.save(update_fields=["body"])
    prerender.store_parts(article.pk)
    return {
        "article": article.get_absolute_url(),
        "home": "/",
        "author": article.author.get_absolute_url(),
    }


def box(page, selector):
    found = page.locator(selector)
    assert found.count() == 1, selector
    return found.bounding_box()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_tldr_starts_above_the_fold_and_the_hero_follows_it(page, live_server, demo, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{demo['article']}")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    tldr, hero = box(page, ".tldr"), box(page, ".hero")
    byline = box(page, ".byline")
    assert byline["y"] + byline["height"] <= tldr["y"]
    assert 0 < tldr["y"] < viewport["height"] - 60, tldr  # the label and a first line show
    assert hero["y"] >= tldr["y"] + tldr["height"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_long_headline_and_a_correction_still_leave_the_tldr_in_the_first_screen(
    page, live_server, demo, viewport
):
    """The black-box review's case: a 100-character headline, a two-sentence standfirst and
    a correction above the TL;DR put it at y=992 on a phone."""
    article = Article.objects.get(slug=MODEL_ARTICLE)
    article.title = (
        "Why the new European battery passport rules will change what you pay for an "
        "electric car and a home battery"
    )[:100]
    article.standfirst = (
        "From 2027 every large battery sold in the EU must carry a digital passport. "
        "Here is what it lists and what it costs."
    )
    article.save(update_fields=["title", "standfirst"])
    Correction.objects.create(
        article=article,
        text="An earlier version of this article gave the wrong year. It is 2027.",
        published_at=timezone.now(),
    )
    prerender.store_parts(article.pk)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}{demo['article']}")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    tldr = box(page, ".tldr")
    assert 0 < tldr["y"] < viewport["height"] - 60, tldr


# Every element a reader can tap, with its size.  Links inside running text (.rich-text: the
# body, FAQ answers, an author's bio) are part of a sentence, which WCAG exempts.
TAP_TARGETS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
    .filter(el => el.getClientRects().length && !el.closest('.rich-text'))
    .map(el => {
        const r = el.getBoundingClientRect();
        return {what: el.outerHTML.slice(0, 90), width: r.width, height: r.height};
    })"""


def small_targets(page):
    targets = page.evaluate(TAP_TARGETS)
    assert targets
    return [t for t in targets if t["width"] < MIN_TARGET or t["height"] < MIN_TARGET]


def test_every_tap_target_is_at_least_44_px_on_a_phone(page, live_server, demo):
    page.set_viewport_size(PHONE)
    seen = {}
    for name in ("article", "home", "author"):
        page.goto(f"{live_server.url}{demo[name]}")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        assert small_targets(page) == [], name
        seen[name] = page.evaluate(TAP_TARGETS)
    article_links = " ".join(t["what"] for t in seen["article"])
    # The links the issue names are among those measured.
    for expected in (
        'rel="noopener me">X<',
        "prev-next__link",
        '<a href="/sections/',  # the trail's section step (its last, the h1, hides)
        "/tags/",
        "sources__back",
    ):
        assert expected in article_links, expected
    assert any('rel="next"' in t["what"] for t in seen["home"])  # pagination


def test_fonts_come_from_this_site_and_are_used(page, live_server, demo):
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{live_server.url}{demo['article']}")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    site = urlsplit(live_server.url).netloc
    assert [r.url for r in requests if urlsplit(r.url).netloc != site] == []
    fonts = [r.url for r in requests if r.resource_type == "font"]
    assert any(url.endswith(".woff2") for url in fonts), fonts
    assert len(fonts) == len(set(fonts)), "a preloaded font was fetched twice"
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {'"Source Serif 4"', '"Source Sans 3"'} <= {f'"{f.strip(chr(34))}"' for f in loaded}
    heading_font = page.locator("h1").evaluate("el => getComputedStyle(el).fontFamily")
    assert heading_font.startswith('"Source Serif 4"')


def test_faq_questions_are_headings_at_least_as_large_as_the_text(page, live_server, demo):
    page.goto(f"{live_server.url}{demo['article']}")
    sizes = page.evaluate(
        """() => {
            const px = el => parseFloat(getComputedStyle(el).fontSize);
            const text = px(document.querySelector('.article-body p'));
            return [...document.querySelectorAll('.faq h2 ~ * h3, .faq h2 ~ h3')].map(
                h => ({size: px(h), weight: Number(getComputedStyle(h).fontWeight), text}));
        }"""
    )
    assert len(sizes) == 2
    for question in sizes:
        assert question["size"] >= question["text"] and question["weight"] >= 400


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_model_article_is_axe_clean(page, live_server, demo, scheme):
    page.emulate_media(color_scheme=scheme)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}{demo['article']}")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        assert axe_violations(page) == [], (scheme, viewport)
