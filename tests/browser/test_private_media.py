"""A draft's pictures in a real Chromium: the newsroom's preview shows them, a share link's
visitor sees them, an anonymous reader who has their addresses gets nothing."""

import pytest
from django.core.files.storage import default_storage

from articles.models import Article
from articles.workflow import sharing
from tests.factories import image_upload, make_article

LOADED = "img => img.complete && img.naturalWidth > 0"


def _draft_with_pictures(author):
    body_picture = image_upload("body.png", size=(300, 200), colour="teal")
    body_name = default_storage.save("uploads/1/BodyPictureOfTheDraft.png", body_picture)
    return make_article(
        status=Article.Status.DRAFT,
        author=author,
        title="A draft with pictures",
        hero_image=image_upload("hero.png", size=(900, 500), colour="navy"),
        hero_alt="The hero of the draft",
        body=f'<p>Text.</p><p><img src="/media/{body_name}" alt="The body picture"></p>',
    )


def _pictures(page) -> list[str]:
    pictures = page.locator("main img")
    return [pictures.nth(i).evaluate("img => img.currentSrc") for i in range(pictures.count())]


def _all_loaded(page) -> bool:
    pictures = page.locator("main img")
    pictures.first.wait_for()
    for i in range(pictures.count()):
        pictures.nth(i).scroll_into_view_if_needed()
        pictures.nth(i).evaluate("img => img.decode().catch(() => null)")
    return all(pictures.nth(i).evaluate(LOADED) for i in range(pictures.count()))


@pytest.mark.django_db(transaction=True)
def test_preview_and_share_link_show_the_drafts_pictures_and_nobody_else_gets_them(
    page, browser, live_server, admin_login, editor
):
    draft = _draft_with_pictures(editor.author_profile)
    admin_login(editor.username)
    page.goto(f"{live_server.url}/preview/articles/{draft.pk}/")
    assert _all_loaded(page)
    urls = _pictures(page)
    assert len(urls) == 2 and all("/media/" in url for url in urls)

    _link, path = sharing.create_share_link(draft, by=editor)
    visitor, stranger = browser.new_context(), browser.new_context()
    try:
        shared = visitor.new_page()
        shared.goto(f"{live_server.url}{path}")
        assert _all_loaded(shared)
        assert sorted(_pictures(shared)) == sorted(urls)

        reader = stranger.new_page()
        for url in urls:
            assert reader.goto(url).status == 404
    finally:
        visitor.close()
        stranger.close()
