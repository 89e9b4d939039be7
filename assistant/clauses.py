"""The clause library: one entry per article with a sample clause, built from its marked sections.

Everything comes from the corpus: the `## Sample … clause` blockquote (verbatim), the sections whose
headings say what they are (what a good clause contains, negotiation points, red flags,
interactions, jurisdiction, pitfalls), and the optional `clause` front matter (type, name and the
client-favourable, balanced and supplier-favourable positions). Nothing about a clause is in Python.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from .corpus import Article, corpus_files, load_corpus
from .errors import NotFound
from .markdown import INTRO_ANCHOR, slugify

# A section's role, from its heading; a heading naming several ("Negotiation points, red flags and
# interactions") counts as the one it names first.
ROLES = {
    "sample": r"^sample\b.*\bclause\b",
    "good": r"^what (?:a|the) (?:good|workable|balanced)\b|^what the client should ask for|\bshould contain\b",
    "negotiation": r"\bnegotiation",
    "red_flags": r"\bred flags?\b",
    "interactions": r"\binteract",
    "jurisdiction": r"\bjurisdiction\b|\bregulation shapes\b|^how practice varies\b|^regulation and\b",
    "pitfalls": r"^common pitfalls\b",
    "does": r"^what\b(?!.*\b(?:good|workable|balanced|should)\b).*\b(?:does|do|is|are|decides|means?|requires)$",
}
CAVEAT = re.compile(r"illustrative|not legal advice", re.IGNORECASE)
POSITION_LABELS = {"client": "Client-favourable", "balanced": "Balanced", "supplier": "Supplier-favourable"}
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Part:
    """One section of an article: its heading, its anchor on the article page, and its Markdown."""

    heading: str
    anchor: str
    markdown: str
    line: int  # of the heading in the article file, for problems

    @property
    def html(self) -> Markup:
        # Corpus Markdown with raw HTML switched off, so the result is safe to place in a page.
        return Markup(_markdown.render(self.markdown))


@dataclass(frozen=True)
class Clause:
    type: str
    name: str
    doc_id: str
    title: str
    topic: str
    summary: str
    path: Path
    does: Part
    sample: Part
    wording: str  # the sample clause verbatim: its numbers and line breaks kept, emphasis marks removed
    caveat: str  # the article's "illustrative only, not legal advice" sentence
    notes: str  # anything else in the sample section, as Markdown
    parts: dict[str, Part] = field(default_factory=dict)  # good, negotiation, red_flags, ...
    positions: dict[str, str] = field(default_factory=dict)
    jurisdiction: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def notes_html(self) -> Markup:
        return Markup(_markdown.render(self.notes))

    def url(self, part: Part | None = None) -> str:
        return f"/docs/{self.doc_id}" + (f"#{part.anchor}" if part else "")

    @property
    def haystack(self) -> str:
        """Everything a search looks in, lower-cased."""
        texts = [
            self.type,
            self.name,
            self.title,
            self.summary,
            self.wording,
            " ".join(self.tags),
            *self.positions.values(),
            *(p.markdown for p in self.parts.values()),
        ]
        return " ".join(texts).lower()

    def as_dict(self, full: bool = True) -> dict:
        entry = {
            "type": self.type,
            "name": self.name,
            "doc_id": self.doc_id,
            "title": self.title,
            "topic": self.topic,
            "summary": self.summary,
            "url": f"/clauses/{self.type}",
            "jurisdiction": list(self.jurisdiction),
        }
        if not full:
            return entry
        cite = lambda part: {"heading": part.heading, "text": part.markdown, "url": self.url(part)}  # noqa: E731
        return {
            **entry,
            "does": cite(self.does),
            "sample": {"wording": self.wording, "caveat": self.caveat, "url": self.url(self.sample)},
            "positions": [
                {"side": side, "label": POSITION_LABELS[side], "text": self.positions[side]}
                for side in POSITION_LABELS
                if side in self.positions
            ],
            "sections": {role: cite(part) for role, part in self.parts.items()},
        }


def sections_of(article: Article) -> tuple[Part, list[Part]]:
    """The overview (text before the first heading) and every `##` section, with article-page anchors."""
    lines = article.body.splitlines()
    taken = {INTRO_ANCHOR}
    heads = []  # (index, level, heading, anchor); anchors are made for every heading, as the page does
    fenced = False
    for index, line in enumerate(lines):
        fenced = fenced != line.lstrip().startswith("```")
        match = None if fenced else re.match(r"(#{2,6})\s+(.+?)\s*#*\s*$", line)
        if match:
            heading = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2)).strip()
            heads.append((index, len(match.group(1)), heading, slugify(heading, taken)))
    level2 = [h for h in heads if h[1] == 2]
    first = level2[0][0] if level2 else len(lines)
    overview = Part("Overview", INTRO_ANCHOR, "\n".join(lines[:first]).strip(), article.body_line)
    parts = []
    for n, (index, _, heading, anchor) in enumerate(level2):
        end = level2[n + 1][0] if n + 1 < len(level2) else len(lines)
        parts.append(Part(heading, anchor, "\n".join(lines[index + 1 : end]).strip(), article.body_line + index))
    return overview, parts


def role(heading: str) -> str | None:
    """What a section is for in the library (see ROLES), or None."""
    found = [(m.start(), name) for name, pattern in ROLES.items() if (m := re.search(pattern, heading.lower()))]
    return min(found)[1] if found else None


def _split_sample(part: Part) -> tuple[str, str, str]:
    """(wording, caveat, notes) of a sample section: the blockquote verbatim, the caveat, the rest."""
    quoted, caveat, notes = [], "", []
    for block in re.split(r"\n\s*\n", part.markdown):
        if block.lstrip().startswith(">"):
            quoted.append("\n".join(re.sub(r"^>\s?", "", line) for line in block.splitlines()))
        elif not caveat and CAVEAT.search(block):
            caveat = " ".join(block.split())
        elif block.strip():
            notes.append(block.strip())
    wording = re.sub(r"\*\*|__", "", "\n\n".join(quoted))
    return re.sub(r"\n{3,}", "\n\n", wording).strip(), caveat, "\n\n".join(notes)


def _name(heading: str) -> str:
    """'Sample clause: transition milestones' → 'Transition milestones'; 'Sample escalation clause' →
    'Escalation clause'; a plain 'Sample clause' names nothing."""
    if ":" in heading:
        named = heading.split(":", 1)[1].strip()
    else:
        named = re.sub(r"^sample\s*", "", heading, flags=re.I).strip()
        named = "" if named.lower() == "clause" else named
    return named[:1].upper() + named[1:]


def clause_of(article: Article) -> Clause | None:
    """The library entry of an article, or None when it has no `## Sample … clause` section."""
    overview, sections = sections_of(article)
    parts: dict[str, Part] = {}
    for part in sections:
        name = role(part.heading)
        if name and name not in parts:
            parts[name] = part
    sample = parts.pop("sample", None)
    if sample is None:
        return None
    wording, caveat, notes = _split_sample(sample)
    meta = article.clause or {}
    name = meta.get("name") or _name(sample.heading) or re.sub(r"\s*\([^)]*\)", "", article.title).strip()
    return Clause(
        type=meta.get("type") or article.id,
        name=name,
        doc_id=article.id,
        title=article.title,
        topic=article.topic,
        summary=article.summary,
        path=article.path,
        does=parts.pop("does", overview),
        sample=sample,
        wording=wording,
        caveat=caveat,
        notes=notes,
        parts=parts,
        positions=dict(meta.get("positions") or {}),
        jurisdiction=article.jurisdiction,
        tags=article.tags,
    )


def check(articles: list[Article], corpus_dir: Path) -> list[str]:
    """Problems of the clause library as 'file:line: message' (`assistant corpus check` reports them)."""
    problems, seen = [], {}
    for article in articles:
        name = (
            article.path.relative_to(corpus_dir).as_posix() if corpus_dir in article.path.parents else str(article.path)
        )
        entry = clause_of(article)
        if entry is None:
            if article.clause:
                problems.append(
                    f"{name}:1: front matter 'clause' is set but the article has no '## Sample … clause' section"
                )
            continue
        if not entry.wording:
            problems.append(
                f"{name}:{entry.sample.line}: the sample clause section has no '>' blockquote with the clause wording"
            )
        if not entry.caveat:
            problems.append(
                f"{name}:{entry.sample.line}: the sample clause needs its caveat (a sentence "
                "saying it is illustrative only and not legal advice)"
            )
        if entry.type in seen:
            problems.append(f"{name}:1: clause type '{entry.type}' is also used by {seen[entry.type]}")
        seen[entry.type] = name
    return problems


class ClauseLibrary:
    """Every clause entry, by type, with filtering and search."""

    def __init__(self, clauses: list[Clause]):
        self.clauses = sorted(clauses, key=lambda c: c.name.lower())
        self.by_type = {c.type: c for c in self.clauses}
        self.topics = sorted({c.topic for c in self.clauses})

    def get(self, clause_type: str) -> Clause:
        clause = self.by_type.get(clause_type)
        if clause is None:
            raise NotFound(f"There is no clause type '{clause_type[:60]}'. The clause library lists them all.")
        return clause

    def search(self, query: str = "", topic: str = "") -> list[Clause]:
        """Entries in `topic` (all when empty) whose text holds every word of `query`."""
        words = query.lower().split()
        return [
            c for c in self.clauses if (not topic or c.topic == topic) and all(word in c.haystack for word in words)
        ]


_cache: dict[Path, tuple[tuple, ClauseLibrary]] = {}
_lock = threading.Lock()


def library(corpus_dir: Path) -> ClauseLibrary:
    """The library of a corpus folder, rebuilt only when one of its files changes."""
    corpus_dir = Path(corpus_dir)
    files = corpus_files(corpus_dir)
    signature = tuple((str(p), os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in files)
    with _lock:
        cached = _cache.get(corpus_dir)
        if cached and cached[0] == signature:
            return cached[1]
        built = ClauseLibrary([c for a in load_corpus(corpus_dir) if (c := clause_of(a))])
        _cache[corpus_dir] = (signature, built)
        return built
