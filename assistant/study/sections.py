"""An article's sections as the study items see them: anchor, heading, paragraphs and tables.

Anchors are made exactly as `markdown.render_article` makes the heading ids of an article page
(`slugify` over each heading's text, the intro reserved as "overview"), so an item's `url` opens
the section that teaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..markdown import INTRO_ANCHOR, INTRO_SECTION, inline_text, parser, slugify
from .text import plain


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    anchor: str
    heading: str
    level: int
    paragraphs: list[str] = field(default_factory=list)  # inline Markdown of each paragraph or item
    tables: list[Table] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The section's prose and table cells as plain text."""
        cells = [" ".join(c for row in [t.header, *t.rows] for c in row) for t in self.tables]
        return " ".join([plain(p) for p in self.paragraphs] + cells)


def split_sections(body: str) -> list[Section]:
    """The intro ("Overview") and every heading's section, in reading order."""
    tokens = parser.parse(body)
    taken = {INTRO_ANCHOR}
    found = [Section(INTRO_ANCHOR, INTRO_SECTION, 1)]
    table: Table | None = None
    row: list[str] | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            heading = inline_text(tokens[i + 1])
            found.append(Section(slugify(heading, taken), heading, int(token.tag[1])))
            i += 3
            continue
        if token.type == "table_open":
            table = Table([], [])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and table is not None and row is not None:
            if table.header:
                table.rows.append(row)
            else:
                table.header = row
            row = None
        elif token.type == "table_close" and table is not None:
            if table.header and table.rows:
                found[-1].tables.append(table)
            table = None
        elif token.type == "inline":
            if row is not None:
                row.append(plain(token.content))
            elif token.content.strip():
                found[-1].paragraphs.append(token.content)
        i += 1
    return found
