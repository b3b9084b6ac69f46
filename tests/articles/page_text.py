"""Read a page the way a reader does: its visible text in order, images as their alt text."""

from bs4 import BeautifulSoup, Comment, NavigableString

INVISIBLE = {"script", "style", "template", "head", "noscript"}


def reading_order(html: str | bytes, root: str = "main") -> str:
    """The visible text of ``root`` in document order; each <img> appears as "[img: alt]"."""
    soup = BeautifulSoup(html, "html.parser")
    container = soup.select_one(root) or soup
    tokens = []
    for node in container.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if not any(parent.name in INVISIBLE for parent in node.parents):
                tokens.append(str(node))
        elif node.name == "img":
            tokens.append(f" [img: {node.get('alt', '')}] ")
    return " ".join("".join(tokens).split())


def assert_in_order(text: str, *parts: str) -> None:
    """Each part appears in ``text``, after the one before it."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found != -1, f"{part!r} not found after position {position} in: {text}"
        position = found + len(part)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")
