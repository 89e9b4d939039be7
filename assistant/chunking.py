"""Split an article into heading-aware passages with stable ids, keeping their sentences."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

from .corpus import Article
from .markdown import INTRO_ANCHOR, INTRO_SECTION, PAGE_MARKER, inline_text, parser, slugify

MIN_WORDS, MAX_WORDS = 60, 250

# Words that end in a period without ending a sentence.
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "art",
    "arts",
    "no",
    "nos",
    "approx",
    "cf",
    "inc",
    "ltd",
    "co",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "u.s",
    "u.k",
    "para",
    "sec",
    "fig",
    "min",
    "max",
    "p",
    "pp",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-Z0-9£$€*])")


@dataclass
class Passage:
    """A passage of an article, as chunking makes it and as an opened index holds it (there with
    its `position` in the index and its sentences' vectors)."""

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
    kind: str = "body"  # the section's kind (see section_kind)
    parts: list[dict] = field(default_factory=list)  # the blocks' shapes over `sentences`
    hash: str = field(default="")
    pages: str = ""  # an ingested PDF's pages the passage is on: "4" or "4-5" (see _page_of)
    position: int = -1  # its row in the index, once built
    sentence_vectors: np.ndarray | None = field(default=None, repr=False)  # read from the index

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def embed_text(self) -> str:
        """What the model sees: the title and section path give a passage its context."""
        return f"{self.title}. {self.section}. {self.text}"


def split_sentences(text: str) -> list[str]:
    """Split plain text into sentences, leaving abbreviations such as 'e.g.' and 'Art.' intact."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()].rstrip("\"'”’)")
        last_word = re.split(r"\s", before)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue
        sentences.append(text[start : match.start()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _terminated(text: str) -> str:
    return text if re.search(r"[.!?:;][\"'”’)]*$", text) else text + "."


@dataclass
class _Block:
    """One Markdown block as units (a paragraph's sentences, a list's items, a table's rows, a
    quote's paragraphs), so a long block splits between units and keeps its shape in each piece."""

    kind: str  # paragraph | list | steps | table | quote
    units: list[tuple[str, list[str]]]  # (how the unit reads, its sentences)
    header: list[str] = field(default_factory=list)  # a table's column names
    cells: list[list[str]] = field(default_factory=list)  # a table's rows, one per unit
    page: str = ""  # the ingested PDF's page the block starts on

    @property
    def text(self) -> str:
        if self.kind in ("list", "steps"):
            return "\n".join(f"- {unit}" for unit, _ in self.units)
        if self.kind == "table":
            return "\n".join(unit for unit, _ in self.units)
        text = " ".join(unit for unit, _ in self.units)
        return f"“{text}”" if self.kind == "quote" else text

    @property
    def sentences(self) -> list[str]:
        return [s for _, sentences in self.units for s in sentences]

    @property
    def words(self) -> int:
        return len(self.text.split())

    def part(self, start: int) -> dict:
        """How the block is stored with its passage: its shape and its sentences' range there."""
        part = {"type": self.kind, "start": start, "end": start + len(self.sentences)}
        if self.kind in ("list", "steps"):
            part["items"] = [unit for unit, _ in self.units]
        elif self.kind == "table":
            part["header"], part["rows"] = self.header, self.cells
        elif self.kind == "quote":
            part["lines"] = [unit for unit, _ in self.units]
        return part

    def piece(self, units: list[int]) -> _Block:
        """The block cut down to some of its units."""
        return _Block(
            self.kind,
            [self.units[u] for u in units],
            self.header,
            [self.cells[u] for u in units] if self.cells else [],
            self.page,
        )


def _blocks(tokens) -> tuple[list[tuple[int, str]], list[tuple[int, _Block]]]:
    """Headings (level, text) and content blocks, each tagged with its token position."""
    headings, blocks = [], []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            headings.append((i, (int(token.tag[1]), inline_text(tokens[i + 1]))))
            i += 3
            continue
        if token.level == 0 and token.nesting == 1:
            depth, j = 0, i
            while True:  # find the matching close token
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            block = _make_block(token.type, tokens[i : j + 1])
            if block:
                blocks.append((i, block))
            i = j + 1
            continue
        if token.type in ("fence", "code_block") and token.content.strip():
            text = token.content.strip()
            blocks.append((i, _Block("paragraph", [(text, [text])])))
        i += 1
    return headings, blocks


def _make_block(kind: str, tokens) -> _Block | None:
    if kind == "table_open":
        rows, row = [], []
        for token in tokens:
            if token.type == "tr_open":
                row = []
            elif token.type == "inline":
                row.append(inline_text(token))
            elif token.type == "tr_close":
                rows.append(row)
        if len(rows) < 2:
            return None
        header, body = rows[0], rows[1:]
        # A row reads as one sentence ("Availability: 99.9%; Downtime: 43.2 min.") for search and
        # plain-text answers; its cells are kept so an answer can show the table as a table.
        lines = ["; ".join(f"{h}: {c}" for h, c in zip(header, r) if c) + "." for r in body]
        return _Block("table", [(line, [line]) for line in lines], header, body)
    if kind in ("bullet_list_open", "ordered_list_open"):
        # Every item's own text is one unit; a nested list's items follow their parent's.
        items = [_terminated(inline_text(t)) for t in tokens if t.type == "inline" and t.content.strip()]
        return (
            _Block(
                "steps" if kind == "ordered_list_open" else "list", [(item, split_sentences(item)) for item in items]
            )
            if items
            else None
        )
    inlines = [t for t in (inline_text(t) for t in tokens if t.type == "inline") if t]
    if not inlines:
        return None
    if kind == "blockquote_open":
        return _Block("quote", [(line, split_sentences(line)) for line in inlines])
    return _Block("paragraph", [(s, [s]) for s in split_sentences(" ".join(inlines))])


# Section kinds, from the heading: what the composer looks for when a question asks for it.
_KINDS = [
    ("check_yourself", r"^check yourself"),
    ("key_points", r"^key points"),
    ("sample_clause", r"^sample\b|\bsample (clause|notice|wording|letter)"),
    ("worked_example", r"^worked (example|figures)"),
    ("red_flags", r"red flags"),
    ("negotiation", r"^negotiation"),
    ("interactions", r"interact"),
    ("jurisdiction", r"jurisdiction"),
    ("pitfalls", r"pitfalls|mistakes"),
    ("steps", r"^steps\b|step by step|^how to\b"),
    ("good_clause", r"^what a good .* contains"),
    ("when_to_use", r"^when |^which |fits\b"),
    ("comparison", r"\bvs\.?\b|versus|compar|differen"),
]


def section_kind(section: str, topic: str) -> str:
    """What a section is for (sample_clause, worked_example, pitfalls, ...), from its heading."""
    if topic == "glossary":
        return "definition"
    if section == INTRO_SECTION:
        return "overview"
    heading = section.split(" › ")[-1].lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, heading):
            return kind
    return "body"


def normalise_question(question: str) -> str:
    """A question up to case, punctuation and "whats" ("whats tupe" reads as "What is TUPE?")."""
    return " ".join(re.findall(r"[\w&]+", re.sub(r"\bwhat'?s\b", "what is", question.lower())))


def known_questions(passages: list[Passage]) -> list[dict]:
    """Question→answer pairs the corpus states: "Check yourself" Q&As and glossary terms.

    Each is {question, answer, position (of the passage holding it), source: check|glossary}.
    """
    known = []
    for position, passage in enumerate(passages):
        if passage.kind == "check_yourself":
            # "**Q:** ... ? **A:** ..." reads as a "Q: ..." sentence and its sequels (a question may
            # set a scene first: "Monthly charges are 100,000. What is ...?"), then "A: ..." and its sequels.
            pair, answering = None, False
            for sentence in passage.sentences + ["Q:"]:
                if sentence.startswith("Q:"):
                    if pair and pair["answer"]:
                        known.append(pair)
                    pair = {"question": sentence[2:].strip(), "answer": "", "position": position, "source": "check"}
                    answering = False
                elif pair is not None:
                    answering = answering or sentence.startswith("A:")
                    key = "answer" if answering else "question"
                    pair[key] = f"{pair[key]} {sentence.removeprefix('A:').strip()}".strip()
        elif passage.kind == "definition" and passage.ordinal == 1 and passage.sentences:
            term = passage.section
            names = [term] + [m.strip() for m in re.findall(r"\(([^)]{2,14})\)$", term)]
            names[0] = re.sub(r"\s*\([^)]*\)$", "", term)
            for name in dict.fromkeys(names):
                known.append(
                    {
                        "question": f"What is {name}?",
                        "answer": passage.sentences[0],
                        "position": position,
                        "source": "glossary",
                    }
                )
    return known


def _page_of(block: _Block) -> str | None:
    """The page number a page-marker block announces (an ingested PDF's, see markdown.py), else None."""
    match = PAGE_MARKER.match(block.text) if block.kind == "paragraph" else None
    return match[1] if match else None


def chunk_article(article: Article) -> list[Passage]:
    """Passages of about MIN_WORDS..MAX_WORDS words that never cross a section boundary."""
    headings, blocks = _blocks(parser.parse(article.body))
    taken = {INTRO_ANCHOR}
    sections: list[tuple[str, str, list[_Block]]] = [(INTRO_SECTION, INTRO_ANCHOR, [])]
    path: dict[int, str] = {}
    page = ""  # the page each block starts on, for ingested PDFs
    events = sorted([(pos, "h", h) for pos, h in headings] + [(pos, "b", b) for pos, b in blocks])
    for _, kind, item in events:
        if kind == "b" and _page_of(item):
            page = _page_of(item)
        elif kind == "h":
            level, heading = item
            path = {lvl: text for lvl, text in path.items() if lvl < level}
            path[level] = heading
            name = " › ".join(path[lvl] for lvl in sorted(path) if lvl >= 2)
            sections.append((name or heading, slugify(heading, taken), []))
        else:
            sections[-1][2].append(item)
            item.page = page

    passages: list[Passage] = []
    for section, anchor, section_blocks in sections:
        for ordinal, group in enumerate(_pack(section_blocks), start=1):
            parts, start = [], 0
            for block in group:
                parts.append(block.part(start))
                start = parts[-1]["end"]
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
                    kind=section_kind(section, article.topic),
                    parts=parts,
                    pages=_span(group[0].page, group[-1].page),
                )
            )
    for passage in passages:
        passage.hash = hashlib.sha256(passage.embed_text.encode()).hexdigest()
    return passages


def _span(first: str, last: str) -> str:
    return first if first == last or not last else f"{first}-{last}"


def _pack(blocks: list[_Block]) -> list[list[_Block]]:
    """Group a section's blocks into passages, splitting an oversized block between its units."""
    pieces: list[_Block] = []
    for block in blocks:
        if block.words <= MAX_WORDS:
            pieces.append(block)
            continue
        current: list[int] = []
        for u in range(len(block.units)):
            if current and sum(len(block.units[c][0].split()) for c in current + [u]) > MAX_WORDS:
                pieces.append(block.piece(current))
                current = []
            current.append(u)
        if current:
            pieces.append(block.piece(current))

    groups: list[list[_Block]] = []
    size = 0
    for piece in pieces:
        words = piece.words
        if groups and size + words <= MAX_WORDS:
            groups[-1].append(piece)
            size += words
        else:
            groups.append([piece])
            size = words
    # A short tail reads better merged into its predecessor than cited alone.
    if len(groups) > 1 and sum(b.words for b in groups[-1]) < MIN_WORDS:
        groups[-2].extend(groups.pop())
    return groups
