"""In Chromium, the reader pages load everything they need under their own policy."""

import pytest

from tests.factories import image_upload, make_article

VIOLATIONS = """() => new Promise(resolve => {
    const seen = window.__cspViolations || [];
    setTimeout(() => resolve(seen), 300);
})"""
LISTEN = """document.addEventListener('securitypolicyviolation', e => {
    (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


@pytest.mark.django_db(transaction=True)
def test_article_and_home_pages_break_no_rule_of_their_policy(page, live_server):
    article = make_article(
        title="Policy-proof page",
        hero_image=image_upload("hero.png", size=(900, 500)),
        hero_alt="A picture",
    )
    page.add_init_script(LISTEN)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    for path in (article.get_absolute_url(), "/", f"{article.author.get_absolute_url()}"):
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
        assert page.evaluate(VIOLATIONS) == [], path
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px", "site.css blocked"
    assert not [m for m in messages if "Content Security Policy" in m]
