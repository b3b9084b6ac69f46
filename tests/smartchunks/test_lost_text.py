"""Which rich text cleaning would cut short (refused) and which only loses markup (saved)."""

import pytest
from django.core.exceptions import ValidationError

from smartchunks.media.richtext import clean_html, refuse_lost_text

LOSES_TEXT = [
    "<p>Before</p><title><p>After</p>",
    "<p>Before</p><textarea><p>After</p>",
    "<p>Before</p><noscript><p>After</p>",
    "<p>Before</p><xmp><p>After</p>",
    "<p>Before</p><style><p>After</p>",
    "<p>Before</p><STYLE><p>After</p>",
    "<p>Before</p><!--<p>After</p>",
    "<p>Before</p><script><p>After</p>",
    "<p>Before</p><script>x</style><p>After</p>",
    "<p>Before</p><plaintext><p>After</p>",
    "<p>Before</p><iframe><p>After</p>",
    "<p>Before</p><noembed><p>After</p>",
    "<p>Before</p><noframes><p>After</p>",
    "<p>Before</p><template><p>After</p>",
    "<p>Before</p><svg><text>After</text></svg>",
    "<p>Before</p><math><mi>After</mi></math>",
    '<p>Before</p><a title="x><p>After</p>',
    '<p>Before</p><a b="1" c="2>After',
]
KEEPS_TEXT = [
    "<p>Before</p><p>After</p>",
    '<p onclick="x()">Before <span style="color:red">mid</span> After</p>',
    "<p>Before</p><script>alert(1)</script><p>After</p>",
    "<p>Before</p><SCRIPT type='x'>alert(1)</script ><p>After</p>",
    "<p>Before</p><style>p { color: red }</style><p>After</p>",
    "<p>Before</p><template>inert</template><p>After</p>",
    "<p>Before</p><!-- a note --><p>After</p>",
    "<p>Before</p><!--><p>After</p>",
    "<p>Before</p><!-- a --!><p>After</p>",
    "<p>Before</p><title>x</title><p>After</p>",
    "<p>Before</p><textarea>x</textarea><p>After</p>",
    "<p>Before</p><select><option>x</option></select><p>After</p>",
    "<p>Before</p><svg><p>After</p>",
    "<p>Before</p><table><tr><td>cell</td></tr></table><p>After</p>",
    "<div>a</div><div>b</div>",
    "<p>a &lt; b &amp; c&nbsp;d</p>\n\n<p>  spaced   out </p>",
    "<p>a < b and a<3 and <é</p>",
    "<p>Before</p><?php echo 1 ?><!DOCTYPE html><p>After</p>",
    '<p><a href="javascript:alert(1)">a link</a> <img src="x.png" alt="pic" onerror="y()"></p>',
    "<p>After <b",
    "<p>Before</p><!x <p>After</p>",
    '<p>Before</p><a href=x"y>After</a>',
    "<p>Before</p><![CDATA[ x ]]><p>After</p>",
    "<p>Before</p></><p>After</p>",
    "<p>Before</p><!DOCTYPE <p>After",
    "",
]


@pytest.mark.parametrize("html", LOSES_TEXT)
def test_rich_text_that_cleaning_would_cut_short_is_refused(html):
    with pytest.raises(ValidationError) as refused:
        refuse_lost_text(html)
    assert refused.value.code == "lost_text"
    assert "After”" in refused.value.messages[0]
    # What the cleaner makes of it: "After" gone, or only as literal tags.
    assert "<p>After</p>" not in clean_html(html)


@pytest.mark.parametrize("html", KEEPS_TEXT)
def test_rich_text_that_only_loses_markup_passes(html):
    refuse_lost_text(html)
