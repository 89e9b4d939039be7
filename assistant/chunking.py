"""Split an article into heading-aware passages with stable ids, keeping their sentences."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .corpus import Article

MIN_WORDS, MAX_WORDS = 60, 250
INTRO_SECTION, INTRO_ANCHOR = "Overview", "overview"
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

# Words that end in a period without ending a sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "art", "arts", "no", "nos", "approx", "cf", "inc", "ltd", "co",
    "mr", "mrs", "ms", "dr", "st", "u.s", "u.k", "para", "sec", "fig", "min", "max", "p", "pp",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-Z0-9£$€*])")


@dataclass
class Passage:
    id: str
    doc_id: str
    title: str
    section: str
    anchor: str
    ordinal: int
    sentences: list[str]
    text: str
    topic: str
    audience: tuple[str, ...]
    hash: str = field(default="")

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def embed_text(self) -> str:
        """What the model sees: the title and section path give a passage its context."""
        return f"{self.title}. {self.section}. {self.text}"


def slugify(heading: str, taken: set[str]) -> str:
    """A GitHub-style anchor for a heading, made unique within one document via `taken`."""
    base = re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-") or "section"
    slug, n = base, 1
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def split_sentences(text: str) -> list[str]:
    """Split plain text into sentences, leaving abbreviations such as 'e.g.' and 'Art.' intact."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        before = text[start:match.start()].rstrip("\"'”’)")
        last_word = re.split(r"\s", before)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        sentences.append(text[start:match.start()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _terminated(text: str) -> str:
    return text if re.search(r"[.!?:;][\"'”’)]*$", text) else text + "."


@dataclass
class _Block:
    text: str  # how the block reads in a passage
    sentences: list[str]


def _blocks(tokens) -> tuple[list[tuple[int, str]], list[tuple[int, _Block]]]:
    """Headings (level, text) and content blocks, each tagged with its token position."""
    headings, blocks = [], []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            headings.append((i, (int(token.tag[1]), _inline_text(tokens[i + 1]))))
            i += 3
            continue
        if token.level == 0 and token.nesting == 1:
            depth, j = 0, i
            while True:  # find the matching close token
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            block = _make_block(token.type, tokens[i:j + 1])
            if block:
                blocks.append((i, block))
            i = j + 1
            continue
        if token.type in ("fence", "code_block") and token.content.strip():
            text = token.content.strip()
            blocks.append((i, _Block(text, [text])))
        i += 1
    return headings, blocks


def _make_block(kind: str, tokens) -> _Block | None:
    if kind == "table_open":
        rows, row = [], []
        for token in tokens:
            if token.type == "tr_open":
                row = []
            elif token.type == "inline":
                row.append(_inline_text(token))
            elif token.type == "tr_close":
                rows.append(row)
        if not rows:
            return None
        header, body = rows[0], rows[1:]
        lines = ["; ".join(f"{h}: {c}" for h, c in zip(header, r) if c) + "." for r in body]
        return _Block("\n".join(lines), lines)
    inlines = [_inline_text(t) for t in tokens if t.type == "inline"]
    inlines = [t for t in inlines if t]
    if not inlines:
        return None
    if kind in ("bullet_list_open", "ordered_list_open"):
        items = [_terminated(t) for t in inlines]
        return _Block("\n".join(f"- {t}" for t in items), [s for t in items for s in split_sentences(t)])
    text = " ".join(inlines)
    if kind == "blockquote_open":
        return _Block(f"“{text}”", split_sentences(text))
    return _Block(text, split_sentences(text))


def render_article(body: str) -> str:
    """HTML for an article body whose heading ids are exactly the anchors passages cite."""
    tokens = _markdown.parse(body)
    taken = {INTRO_ANCHOR}
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", slugify(_inline_text(tokens[i + 1]), taken))
    return _markdown.renderer.render(tokens, _markdown.options, {})


def chunk_article(article: Article) -> list[Passage]:
    """Passages of about MIN_WORDS..MAX_WORDS words that never cross a section boundary."""
    headings, blocks = _blocks(_markdown.parse(article.body))
    taken = {INTRO_ANCHOR}
    sections: list[tuple[str, str, list[_Block]]] = [(INTRO_SECTION, INTRO_ANCHOR, [])]
    path: dict[int, str] = {}
    events = sorted([(pos, "h", h) for pos, h in headings] + [(pos, "b", b) for pos, b in blocks])
    for _, kind, item in events:
        if kind == "h":
            level, heading = item
            path = {lvl: text for lvl, text in path.items() if lvl < level}
            path[level] = heading
            name = " › ".join(path[lvl] for lvl in sorted(path) if lvl >= 2)
            sections.append((name or heading, slugify(heading, taken), []))
        else:
            sections[-1][2].append(item)

    passages: list[Passage] = []
    for section, anchor, section_blocks in sections:
        for ordinal, group in enumerate(_pack(section_blocks), start=1):
            passages.append(
                Passage(
                    id=f"{article.id}#{anchor}:{ordinal}",
                    doc_id=article.id,
                    title=article.title,
                    section=section,
                    anchor=anchor,
                    ordinal=ordinal,
                    sentences=[s for b in group for s in b.sentences],
                    text="\n\n".join(b.text for b in group),
                    topic=article.topic,
                    audience=article.audience,
                )
            )
    for passage in passages:
        passage.hash = hashlib.sha256(passage.embed_text.encode()).hexdigest()
    return passages


def _pack(blocks: list[_Block]) -> list[list[_Block]]:
    """Group a section's blocks into passages, splitting an oversized block at sentences."""
    pieces: list[_Block] = []
    for block in blocks:
        if len(block.text.split()) <= MAX_WORDS:
            pieces.append(block)
            continue
        current: list[str] = []
        for sentence in block.sentences:
            if current and len(" ".join(current + [sentence]).split()) > MAX_WORDS:
                pieces.append(_Block(" ".join(current), current))
                current = []
            current.append(sentence)
        if current:
            pieces.append(_Block(" ".join(current), current))

    groups: list[list[_Block]] = []
    size = 0
    for piece in pieces:
        words = len(piece.text.split())
        if groups and size + words <= MAX_WORDS:
            groups[-1].append(piece)
            size += words
        else:
            groups.append([piece])
            size = words
    # A short tail reads better merged into its predecessor than cited alone.
    if len(groups) > 1 and sum(len(b.text.split()) for b in groups[-1]) < MIN_WORDS:
        groups[-2].extend(groups.pop())
    return groups
