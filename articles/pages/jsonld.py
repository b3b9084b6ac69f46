"""schema.org structured data, built from the same fields the page shows.

Search engines penalise structured data that disagrees with the visible page, so every
value here comes from the article as rendered (the FAQ entries, the byline, the
breadcrumbs).  ``script_tag`` is the only way it reaches HTML: the JSON is escaped so that
no headline or FAQ answer containing ``</script>`` can end the block early.
"""

from __future__ import annotations

import html
import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
LOGO_PATH = "img/logo.png"
LOGO_SIZE = (512, 512)


def script_tag(data) -> SafeString:
    """``<script type="application/ld+json">`` whose content cannot close the tag."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


def publisher(absolute) -> dict:
    width, height = LOGO_SIZE
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute(reverse("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(LOGO_PATH)),
            "width": width,
            "height": height,
        },
    }


def person(author, absolute, image_url: str | None = None) -> dict:
    data = {
        "@type": "Person",
        "name": author.name,
        "url": absolute(author.get_absolute_url()),
    }
    if author.job_title:
        data["jobTitle"] = author.job_title
    same_as = [url for _label, url in author.profile_links]
    if same_as:
        data["sameAs"] = same_as
    if image_url:
        data["image"] = absolute(image_url)
    return data


def article_description(article) -> str:
    return article.meta_description or article.standfirst or ""


def article_graph(article, *, absolute, crumbs, hero=None, faq=None, card=None) -> list[dict]:
    """NewsArticle, FAQPage (when there are FAQ entries) and BreadcrumbList for one article.

    ``absolute`` turns a path into an absolute URL (request.build_absolute_uri);
    ``hero`` is the article's smartchunks.media.renditions.ResponsiveImage, if it has one;
    ``faq`` its (question, answer) pairs, stored at save (default: read from the article);
    ``card`` its share card (a Rendition), the image when it has no hero.
    """
    url = absolute(article.get_absolute_url())
    modified = article.public_updated_at if article.show_updated else article.published_at
    news = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article_description(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "author": [person(article.author, absolute)],
        "publisher": publisher(absolute),
        "inLanguage": settings.SITE_LANGUAGE,
    }
    if article.published_at:
        news["datePublished"] = article.published_at.isoformat()
    if modified:
        news["dateModified"] = modified.isoformat()
    if hero is not None:
        news["image"] = [
            {
                "@type": "ImageObject",
                "url": absolute(rendition.url),
                "width": rendition.width,
                "height": rendition.height,
            }
            for rendition in reversed(hero.fallback)
        ]
    elif card is not None:
        news["image"] = [share_card_image(card, absolute)]
    if article.section_id:
        news["articleSection"] = article.section.name
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        news["keywords"] = keywords
    news.update(corrections(article))
    if citation := citations(article):
        news["citation"] = citation

    graph = [news]
    if faq is None:
        faq = [(entry.question, entry.answer) for entry in article.faq_entries.all()]
    if faq:
        graph.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": question,
                        "acceptedAnswer": {"@type": "Answer", "text": answer},
                    }
                    for question, answer in faq
                ],
            }
        )
    graph.append(breadcrumb_list(crumbs, absolute))
    return graph


def corrections(article) -> dict:
    """NewsArticle.correction: the corrections printed under the byline, each a
    CorrectionComment with its text and when it was published (nothing when there are none)."""
    notes = [
        {
            "@type": "CorrectionComment",
            "text": correction.text,
            "datePublished": correction.published_at.isoformat(),
        }
        for correction in article.corrections.all()
    ]
    return {"correction": notes} if notes else {}


def citations(article) -> list[dict]:
    """The article's sources, in the order the Sources block numbers them."""
    return [
        {"@type": "CreativeWork", "name": source.name, "url": source.url}
        for source in article.sources.all()
    ]


def share_card_image(card, absolute) -> dict:
    """The share card (articles/pages/share_card.py) as the image of an article without a hero."""
    return {
        "@type": "ImageObject",
        "url": absolute(card.url),
        "width": card.width,
        "height": card.height,
    }


def breadcrumb_list(crumbs, absolute) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.name,
                "item": absolute(crumb.url),
            }
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }


def profile_page(author, *, absolute, photo=None) -> dict:
    """ProfilePage whose main entity is the author, as shown on the author page."""
    entity = person(author, absolute, image_url=photo.largest.url if photo else None)
    bio = " ".join(html.unescape(strip_tags(author.bio or "")).split())
    if bio:
        entity["description"] = bio
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute(author.get_absolute_url()),
        "mainEntity": entity,
    }


def website(absolute) -> dict:
    """The home page's WebSite, telling search engines how to use the site's search box."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute(reverse("articles:home")),
        "inLanguage": settings.SITE_LANGUAGE,
        "publisher": publisher(absolute),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(reverse("articles:search")) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }
