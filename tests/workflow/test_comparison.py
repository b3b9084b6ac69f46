"""Comparing two revisions: only what changed, word by word, with no false differences."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, FaqEntry, Source, TldrBullet
from articles.workflow import revisions, services
from articles.workflow.comparison import compare_versions, text_blocks
from articles.workflow.word_diff import diff_words
from tests.factories import make_article, make_author, make_role_user, make_section, make_tag

pytestmark = pytest.mark.django_db


def _two_versions(article, change):
    """A revision of the article as it is, then one after ``change(article)``."""
    editor = make_role_user("Editor")
    services.save_edit(article, by=editor)
    change(article)
    services.save_edit(article, by=editor)
    newer, older = list(revisions.revisions_of(article))[:2]
    return older, newer


def _edit(**values):
    def change(article):
        for name, value in values.items():
            setattr(article, name, value)

    return change


def _changed(older, newer) -> dict:
    return {diff.label: diff for diff in compare_versions(older, newer)}


def _marked(rows, kind: str) -> list[str]:
    """The words marked ``kind`` ("del" or "ins") in a field's rows."""
    side = "before" if kind == "del" else "after"
    return [
        text
        for row in rows
        for paragraph in getattr(row, side)
        for mark, text in paragraph
        if mark == kind
    ]


def test_a_standfirst_edit_lists_only_the_standfirst_word_by_word():
    article = make_article(standfirst="Batteries age faster when they are kept full.")
    older, newer = _two_versions(
        article, _edit(standfirst="Batteries age faster when they are kept hot.")
    )
    changed = _changed(older, newer)
    assert list(changed) == ["Standfirst"]
    rows = changed["Standfirst"].rows
    assert (_marked(rows, "del"), _marked(rows, "ins")) == (["full"], ["hot"])


def test_one_word_of_a_long_body_is_marked_and_the_other_paragraphs_fold_away():
    paragraphs = [f"<p>Paragraph {n} says something about batteries.</p>" for n in range(1, 6)]
    article = make_article(body="".join(paragraphs))
    edited = paragraphs.copy()
    edited[2] = "<p>Paragraph 3 says something about capacitors.</p>"
    older, newer = _two_versions(article, _edit(body="".join(edited)))
    body = _changed(older, newer)["Body"]
    assert (_marked(body.rows, "del"), _marked(body.rows, "ins")) == (["batteries"], ["capacitors"])
    assert [row.unchanged_label for row in body.rows if row.unchanged] == [
        "2 unchanged paragraphs",
        "2 unchanged paragraphs",
    ]


def test_publication_time_differing_below_a_second_is_no_change():
    """The publish step stores microseconds; the admin's form writes back whole seconds."""
    published = timezone.now().replace(microsecond=654321)
    article = make_article(published_at=published)
    older, newer = _two_versions(article, _edit(published_at=published.replace(microsecond=0)))
    article.refresh_from_db()
    assert article.published_at.microsecond == 0  # the stored value did change
    assert _changed(older, newer) == {}


def test_a_real_change_of_publication_time_is_shown_in_local_time():
    published = timezone.now().replace(microsecond=0) - timedelta(days=1)
    article = make_article(published_at=published)
    older, newer = _two_versions(article, _edit(published_at=published + timedelta(minutes=5)))
    rows = _changed(older, newer)["Publication time"].rows
    local = timezone.localtime(published + timedelta(minutes=5))
    after = "".join(text for paragraph in rows[0].after for _, text in paragraph)
    assert after.endswith(f"{local:%H:%M:%S} {local.tzname()}")


def test_body_markup_that_only_spaces_or_wraps_differently_is_no_change():
    article = make_article(body="<p>Heat pumps move heat.</p><p>They work in winter.</p>")
    older, newer = _two_versions(
        article,
        _edit(body="\n<p>\n  Heat pumps   move&nbsp;heat.\n</p>\n\n<p>They work in winter.</p>\n"),
    )
    assert _changed(older, newer) == {}


def test_a_changed_link_address_and_image_alt_text_are_shown():
    article = make_article(
        body='<p>See <a href="https://example.org/old-report">the report</a>.</p>'
        '<p><img src="/media/uploads/1/chart.png" alt="A rising line"></p>'
    )
    older, newer = _two_versions(
        article,
        _edit(
            body='<p>See <a href="https://example.org/new-report">the report</a>.</p>'
            '<p><img src="/media/uploads/1/chart.png" alt="A falling line"></p>'
        ),
    )
    rows = _changed(older, newer)["Body"].rows
    assert _marked(rows, "del") == ["https://example.org/old-report", "rising"]
    assert _marked(rows, "ins") == ["https://example.org/new-report", "falling"]


def test_parts_tags_byline_section_and_hero_text_are_compared_by_name():
    old_author, new_author = make_author(name="Ann Old"), make_author(name="Ben New")
    article = make_article(
        author=old_author, section=make_section(name="Science"), tags=[make_tag(name="Energy")]
    )

    def change(article):
        article.author = new_author
        article.section = make_section(name="Climate")
        article.hero_alt = "A heat pump outside a house"
        article.tags.add(make_tag(name="Homes"))
        TldrBullet.objects.filter(article=article, position=0).update(text="A new first bullet")
        FaqEntry.objects.filter(article=article).update(question="Is it worth it?")
        Source.objects.filter(article=article).update(url="https://example.com/better")

    older, newer = _two_versions(article, change)
    changed = _changed(older, newer)
    assert list(changed) == [
        "Author",
        "Section",
        "Tags",
        "Hero alt text",
        "TL;DR",
        "FAQ",
        "Sources",
    ]
    assert (_marked(changed["Author"].rows, "del"), _marked(changed["Author"].rows, "ins")) == (
        ["Ann Old"],
        ["Ben New"],
    )
    assert _marked(changed["Tags"].rows, "ins") == [", Homes"]
    assert _marked(changed["Sources"].rows, "ins") == ["https://example.com/better"]
    assert [row.unchanged_label for row in changed["TL;DR"].rows if row.unchanged] == [
        "2 unchanged bullets"
    ]


def test_restored_only_leaves_out_what_a_restore_keeps():
    article = make_article(status=Article.Status.DRAFT, slug="first-address")
    older, newer = _two_versions(article, _edit(slug="second-address", title="A new headline"))
    assert [d.label for d in compare_versions(older, newer)] == ["Headline", "Web address (slug)"]
    assert [d.label for d in compare_versions(older, newer, restored_only=True)] == ["Headline"]


def test_rich_text_reads_as_paragraphs_list_items_links_and_images():
    html = (
        "<h2>What\u200b changes</h2><p>One<br>two <strong>bold</strong></p>"
        '<ul><li>First</li><li><a href="https://x.org/a">https://x.org/a</a></li></ul>'
        '<figure><img src="/media/p.jpg" alt=" A  cat "><figcaption>Photo: Jo</figcaption></figure>'
        "<p>&nbsp;</p>"
    )
    assert text_blocks(html) == [
        "What changes",
        "One",
        "two bold",
        "• First",
        "• https://x.org/a",
        "[image: /media/p.jpg, alt “A cat”]",
        "Photo: Jo",
    ]


def test_words_replaced_next_to_each_other_read_as_one_change():
    before, after = diff_words(["The quick brown fox."], ["A slow brown fox."])
    assert before == [[("del", "The quick"), ("same", " brown fox.")]]
    assert after == [[("ins", "A slow"), ("same", " brown fox.")]]
