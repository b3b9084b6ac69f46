"""Share cards: the 1200×630 picture social sites and search engines show for an article.

A card shows the headline (wrapped, and smaller when long), the section, the site's name
and the author's; over the hero image, darkened, when there is one, otherwise over the
site's own colours.  It is drawn when the article is saved, after the save has committed
(articles/workflow/prerender.py), never in a reader's request: about 50–150 ms.

A card's name is ``cards/<pk mod 1000>/article-<pk>.<digest>.jpg``, the digest being that of everything
drawn on it, so a changed headline, section, author name or hero gives a new name and no
cache (a browser's, a social site's) can keep showing the old picture under the new one.
Like an image's renditions (``heroes/AbC.jpg.480x0_q80.webp``), every card of an article
is named after one source name, ``cards/<pk mod 1000>/article-<pk>``, which the article's ArticleMedia
rows list: the media view then serves its cards to readers only while the article is
published, and to the newsroom under the same preview rules as its hero
(articles/reader/media.py).

Fonts: Source Serif 4 and Source Sans 3 (SIL Open Font License, fonts/OFL-*.txt), drawn
with FreeType (and libraqm, when Pillow has it, for right-to-left and joined scripts).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from smartchunks.media import media_paths, renditions
from smartchunks.media.renditions import Rendition, RenditionContent

logger = logging.getLogger(__name__)

SIZE = WIDTH, HEIGHT = (1200, 630)
FOLDER = "cards"
# Cards are spread over this many folders, so finding an article's old cards lists a few
# hundred names, not one per article.
SHARDS = 1000
# Part of every card's digest: bump it when the drawing changes, so cards are drawn again.
DRAWING_VERSION = "1"
MIME_TYPE = "image/jpeg"

FONTS = Path(__file__).resolve().parent / "fonts"
HEADLINE_FONT = FONTS / "SourceSerif4-Bold.ttf"
LABEL_FONT = FONTS / "SourceSans3-SemiBold.ttf"
BYLINE_FONT = FONTS / "SourceSans3-Regular.ttf"

MARGIN = 72
TEXT_WIDTH = WIDTH - 2 * MARGIN
# The headline starts at the largest size and shrinks until it fits in MAX_LINES.
HEADLINE_SIZES = (76, 68, 60, 54, 48, 44)
MAX_LINES = 4
LINE_SPACING = 1.18
LABEL_SIZE = 30
BYLINE_SIZE = 30

# The site's colours (static/css/site.css): deep blue ground, its accent, warm TL;DR gold.
GROUND = (11, 31, 58)
GROUND_ACCENT = (11, 92, 173)
SECTION_COLOUR = (240, 190, 80)
TEXT_COLOUR = (255, 255, 255)
BYLINE_COLOUR = (214, 224, 238)
RULE_COLOUR = (240, 190, 80)
# Over a hero: how much of the picture's light is kept, at the top and at the bottom.
HERO_LIGHT_TOP, HERO_LIGHT_BOTTOM = 0.42, 0.2

_IMAGE_ERRORS = (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError)


@dataclass(frozen=True)
class CardContent:
    """Everything a card shows: the same content gives the same card and the same name."""

    headline: str
    section: str
    author: str
    site_name: str
    hero_name: str = ""  # the hero's stored name (random per upload), "" without one


def source_name(article_pk: int) -> str:
    """The name every card of the article is named after (its ArticleMedia row)."""
    return f"{FOLDER}/{article_pk % SHARDS:03d}/article-{article_pk}"


def cards_of(article_pk: int) -> list[str]:
    """The stored names of the article's cards (one, unless it is being drawn again)."""
    folder, _, base = source_name(article_pk).rpartition("/")
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(f"{folder}/{name}" for name in files if name.startswith(f"{base}."))


def card_name(article_pk: int, content: CardContent) -> str:
    digest = hashlib.sha256(repr((DRAWING_VERSION, sorted(asdict(content).items()))).encode())
    return f"{source_name(article_pk)}.{digest.hexdigest()[:20]}.jpg"


def existing_card(article_pk: int, content: CardContent) -> Rendition | None:
    """The article's card for this content, if it has been drawn (a page never draws one)."""
    name = card_name(article_pk, content)
    try:
        if not default_storage.exists(name):
            return None
    except OSError:  # the storage did not answer (StorageUnavailable): a page without card
        logger.warning("Could not look for the share card %s", name, exc_info=True)
        return None
    return Rendition(default_storage.url(name), WIDTH, HEIGHT)


def make_card(article_pk: int, content: CardContent, *, still_current=lambda: True) -> bool:
    """Draw and store the article's card for this content unless it exists (True when
    drawn); then, if ``still_current()`` says this content is still the article's, remove
    its cards for other content."""
    name = card_name(article_pk, content)
    if default_storage.exists(name):
        return False
    buffer = BytesIO()
    draw_card(content).save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    default_storage.save(name, RenditionContent(buffer.getvalue()))
    if still_current():
        _remove_older_cards(article_pk, keep=name)
    return True


def _remove_older_cards(article_pk: int, *, keep: str) -> None:
    for name in cards_of(article_pk):
        if name != keep:
            default_storage.delete(name)


# Drawing ------------------------------------------------------------------------------


def draw_card(content: CardContent) -> Image.Image:
    """The card as an RGB picture of SIZE."""
    card = _hero_ground(content.hero_name) or _branded_ground()
    draw = ImageDraw.Draw(card)
    label = _font(LABEL_FONT, LABEL_SIZE)
    byline = _font(BYLINE_FONT, BYLINE_SIZE)

    top = MARGIN
    section = _drawable(content.section.upper(), label)
    if section:
        draw.text((MARGIN, top), _fit(section, label, TEXT_WIDTH), font=label, fill=SECTION_COLOUR)
    draw.rectangle(
        (MARGIN, HEIGHT - MARGIN - 58, WIDTH - MARGIN, HEIGHT - MARGIN - 55), RULE_COLOUR
    )

    headline_top = top + LABEL_SIZE + 40
    headline_bottom = HEIGHT - MARGIN - 58 - 36
    _draw_headline(draw, content.headline, headline_top, headline_bottom)

    foot = HEIGHT - MARGIN - BYLINE_SIZE
    site = _drawable(content.site_name, label)
    site_width = label.getlength(site) if site else 0
    author = _drawable(content.author, byline)
    if author:
        room = TEXT_WIDTH - site_width - 40
        draw.text(
            (MARGIN, foot), _fit(f"By {author}", byline, room), font=byline, fill=BYLINE_COLOUR
        )
    if site:
        draw.text((WIDTH - MARGIN - site_width, foot), site, font=label, fill=TEXT_COLOUR)
    return card


def _draw_headline(draw, headline: str, top: int, bottom: int) -> None:
    for size in HEADLINE_SIZES:
        font = _font(HEADLINE_FONT, size)
        text = _drawable(" ".join(headline.split()), font)
        lines = _wrap(text, font, TEXT_WIDTH)
        line_height = round(size * LINE_SPACING)
        if len(lines) <= MAX_LINES and len(lines) * line_height <= bottom - top:
            break
    else:
        lines = lines[:MAX_LINES]
        lines[-1] = _fit(lines[-1] + " …", font, TEXT_WIDTH, force_ellipsis=True)
    # Set low in its space, close to the byline, as a page's headline sits above its text.
    y = max(top, bottom - len(lines) * line_height)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=TEXT_COLOUR)
        y += line_height


def _wrap(text: str, font, width: int) -> list[str]:
    """Words in lines no wider than ``width``; a word wider than that is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = _longest_prefix(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _longest_prefix(word: str, font, width: int) -> int:
    cut = 1
    while cut < len(word) and font.getlength(word[: cut + 1]) <= width:
        cut += 1
    return cut


def _fit(text: str, font, width: float, *, force_ellipsis: bool = False) -> str:
    """``text``, cut with an ellipsis when wider than ``width``."""
    if not force_ellipsis and font.getlength(text) <= width:
        return text
    text = text.removesuffix(" …").rstrip()
    while text and font.getlength(text + "…") > width:
        text = text[:-1].rstrip()
    return text + "…"


def _drawable(text: str, font) -> str:
    """``text`` without the characters the font has no glyph for (emoji, most scripts
    beyond Latin, Greek and Cyrillic) and without control characters: a missing glyph
    would be drawn as an empty box.  Spaces are kept; the result is stripped."""
    missing = _missing_glyph(font)
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char)[0] == "C":
            continue
        elif _glyph(font, char) != missing:
            kept.append(char)
    return " ".join("".join(kept).split())


@cache
def _missing_glyph(font) -> bytes:
    return _glyph(font, "\U0010fffd")  # a private-use code point no font draws


@lru_cache(maxsize=4096)  # bounded: headlines in a script of thousands of characters
def _glyph(font, char: str) -> bytes:
    mask = font.getmask(char)
    return bytes(mask) + repr(mask.size).encode()


@cache
def _font(path: Path, size: int):
    return ImageFont.truetype(str(path), size)


def _branded_ground() -> Image.Image:
    """The site's accent blue at the left, deepening to its dark blue, with a gold edge."""
    across = Image.linear_gradient("L").rotate(90).resize(SIZE)  # 255 at the left edge
    accent = across.point(lambda v: (255 - v) * 3 // 5)
    ground = Image.composite(
        Image.new("RGB", SIZE, GROUND_ACCENT), Image.new("RGB", SIZE, GROUND), accent
    )
    ImageDraw.Draw(ground).rectangle((0, 0, 15, HEIGHT), fill=SECTION_COLOUR)
    return ground


def _hero_picture(hero_name: str) -> str:
    """The hero's largest rendition (1200 px wide, drawn just before the card when the hero
    is new), so the original (6000×6000 at worst) is decoded once per save; the original
    while there is none."""
    hero = renditions.responsive_image(SimpleNamespace(name=hero_name), "hero")
    largest = media_paths.name_of_url(hero.largest.url) if hero else None
    return largest or hero_name


def _hero_ground(hero_name: str) -> Image.Image | None:
    """The hero filling the card, darkened most towards the bottom where the text is; None
    when there is no hero or it cannot be read (the branded ground stands in)."""
    if not hero_name:
        return None
    try:
        with default_storage.open(_hero_picture(hero_name)) as handle:
            image = Image.open(BytesIO(handle.read()))
            image.draft("RGB", SIZE)  # a JPEG is decoded at a fraction, still no smaller
            image = ImageOps.exif_transpose(image).convert("RGB")
    except _IMAGE_ERRORS as error:
        logger.warning("The share card is drawn without the hero %s: %s", hero_name, error)
        return None
    factor = min(image.width // (WIDTH * 2), image.height // (HEIGHT * 2))
    if factor > 1:  # a big PNG or WebP: halve the work of the resampling below
        image = image.reduce(factor)
    image = ImageOps.fit(image, SIZE, Image.Resampling.LANCZOS)
    shade = Image.linear_gradient("L").resize(SIZE)  # 0 at the top, 255 at the bottom
    top, bottom = round(255 * HERO_LIGHT_TOP), round(255 * HERO_LIGHT_BOTTOM)
    light = shade.point(lambda v: top + (bottom - top) * v // 255)
    return Image.composite(image, Image.new("RGB", SIZE, GROUND), light)
