"""axe-core in Chromium on every kind of reader page, light and dark, plus layout checks.

axe-core comes from the npm registry (tests/browser/axe, installed by `make test`) and is
injected into each page by Playwright.  Any serious or critical violation fails the test.
"""

from pathlib import Path

import pytest

from tests.factories import make_article, make_complete_article, searchable

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def reader_site():
    article = searchable(make_complete_article(title="Why chip prices swing"))
    for i in range(2):
        searchable(
            make_article(
                title=f"Chip supply note {i}",
                author=article.author,
                section=article.section,
                tags=list(article.tags.all()),
            )
        )
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": article.author.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": article.tags.first().get_absolute_url(),
        "search": "/search/?q=chip",
        "404": "/articles/no-such-article/",
    }


def axe_violations(page):
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is missing at {AXE_SCRIPT}: run `make test`, or "
            "`npm ci --prefix tests/browser/axe`. Accessibility tests never skip."
        )
    # Evaluated through the DevTools protocol, not injected as a <script>: the page's
    # Content-Security-Policy stays on while axe checks it.
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


PAGES = ["home", "article", "author", "section", "tag", "search", "404"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_have_no_serious_axe_violations(page, live_server, reader_site, scheme):
    page.emulate_media(color_scheme=scheme)
    failures = {}
    for name in PAGES:
        response = page.goto(f"{live_server.url}{reader_site[name]}")
        assert response.status == (404 if name == "404" else 200), name
        violations = axe_violations(page)
        if violations:
            failures[name] = violations
    assert failures == {}


HEADING_LEVELS = """() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))"""


@pytest.mark.django_db(transaction=True)
def test_one_h1_and_headings_never_skip_a_level(page, live_server, reader_site):
    for name in PAGES:
        page.goto(f"{live_server.url}{reader_site[name]}")
        levels = page.evaluate(HEADING_LEVELS)
        assert levels.count(1) == 1 and levels[0] == 1, (name, levels)
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (name, levels)
        assert page.locator("img:not([alt])").count() == 0, name
        for landmark in ("header", "main", "footer"):
            assert page.locator(landmark).count() >= 1, (name, landmark)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 320, "height": 640},
        # 200% zoom of a 1280px window lays out like a 640px one.
        {"width": 640, "height": 400},
    ],
)
def test_pages_fit_narrow_screens_and_zoom_without_sideways_scrolling(
    page, live_server, reader_site, viewport
):
    page.set_viewport_size(viewport)
    for name in PAGES:
        page.goto(f"{live_server.url}{reader_site[name]}")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, viewport, overflow)
        assert page.get_by_role("heading", level=1).is_visible(), name


@pytest.mark.django_db(transaction=True)
def test_skip_link_appears_on_focus_and_focus_is_visible(page, live_server, reader_site):
    page.goto(f"{live_server.url}{reader_site['article']}")
    skip = page.get_by_role("link", name="Skip to content")
    page.keyboard.press("Tab")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.django_db(transaction=True)
def test_hero_does_not_shift_layout_while_loading(page, live_server, reader_site):
    page.goto(f"{live_server.url}{reader_site['article']}")
    img = page.locator(".hero img")
    img.evaluate("el => el.decode()")
    natural = img.evaluate("el => [el.naturalWidth, el.naturalHeight]")
    attributes = [int(img.get_attribute("width")), int(img.get_attribute("height"))]
    assert natural[0] * attributes[1] == natural[1] * attributes[0]
    assert img.evaluate("el => el.currentSrc").endswith(".webp")
