"""Markdown shared by chunking and the article pages: one parser, heading anchors, plain inline text."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# An article's text before its first heading: the section passages cite as #overview.
INTRO_SECTION, INTRO_ANCHOR = "Overview", "overview"
parser = MarkdownIt("commonmark", {"html": False}).enable("table")


def slugify(heading: str, taken: set[str]) -> str:
    """A GitHub-style anchor for a heading, made unique within one document via `taken`."""
    base = re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-") or "section"
    slug, n = base, 1
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def inline_text(token) -> str:
    """An inline token's text as readers see it: text and code, line breaks as spaces."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def render_article(body: str) -> str:
    """HTML for an article body whose heading ids are exactly the anchors passages cite."""
    tokens = parser.parse(body)
    taken = {INTRO_ANCHOR}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", slugify(inline_text(tokens[i + 1]), taken))
    return parser.renderer.render(tokens, parser.options, {})
