"""Glossary items: flashcards both ways (term → definition, definition → term), acronym →
expansion, and multiple choice whose distractors are sibling terms of the same topic."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from ..corpus import Article
from .items import Item, item_id
from .sections import split_sections
from .text import content_stems, plain

# "Full term (ACRONYM)": the last parenthesis holds the short form (as the index reads acronyms).
_ACRONYM = re.compile(r"^(?P<term>.+?)\s*\((?P<short>[A-Za-z0-9&/\-\. ]{2,14})\)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
BLANK = "___"


@dataclass
class Term:
    name: str  # without the acronym
    short: str  # the acronym, or ""
    definition: str  # the whole first paragraph
    anchor: str
    heading: str
    topic: str = "glossary"
    qualified: bool = False  # the heading adds a context in brackets: "Deployer (AI Act)"

    @property
    def first_sentence(self) -> str:
        return _SENTENCE_END.split(self.definition, maxsplit=1)[0]

    @property
    def rest(self) -> str:
        parts = _SENTENCE_END.split(self.definition, maxsplit=1)
        return parts[1] if len(parts) > 1 else ""


def _terms(article: Article) -> list[Term]:
    terms = []
    for section in split_sections(article.body):
        if section.level != 2 or not section.paragraphs:
            continue
        match = _ACRONYM.match(section.heading)
        short = match["short"] if match and any(c.isupper() for c in match["short"]) else ""
        name = match["term"].strip() if short else section.heading
        # "Deployer (AI Act)" names a context, not an acronym (as the index reads it): a short form
        # of several words must at least start like its term ("DPDP Act").
        qualified = bool(short and " " in short and short[0].lower() != name[0].lower())
        if qualified:
            short = ""
        terms.append(
            Term(name, short, plain(section.paragraphs[0]), section.anchor, section.heading, qualified=qualified)
        )
    return terms


def _assign_topics(terms: list[Term], articles: list[Article]) -> None:
    """A term belongs to the topic whose articles mention it most (else it stays 'glossary')."""
    shorts = sorted({t.short for t in terms if t.short}, key=len, reverse=True)
    acronyms = re.compile(r"\b(" + "|".join(map(re.escape, shorts)) + r")\b") if shorts else None
    mentions: dict[str, Counter] = {}
    for article in articles:
        if article.topic == "glossary":
            continue
        # What an article is about (title, tags) counts three times as much as a passing mention.
        text = f"{article.body}\n" + 3 * f"{article.title}\n{' '.join(article.tags)}\n"
        found = Counter(acronyms.findall(text)) if acronyms else Counter()
        lower = text.lower()
        for term in terms:
            count = lower.count(term.name.lower()) + found[term.short]
            if count:
                mentions.setdefault(term.name, Counter())[article.topic] += count
    for term in terms:
        counts = mentions.get(term.name)
        if counts:
            term.topic = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def mask(sentence: str, term: Term) -> str:
    """The sentence with the term, its plural and its acronym blanked out."""
    masked = sentence
    for name in sorted({term.name, term.heading}, key=len, reverse=True):
        masked = re.sub(rf"\b{re.escape(name)}(?:e?s)?\b", BLANK, masked, flags=re.IGNORECASE)
    if term.short:
        masked = re.sub(rf"(\(\s*)?\b{re.escape(term.short)}s?\b(\s*\))?", BLANK, masked)
    masked = re.sub(rf"{BLANK}(\s*{BLANK})+", BLANK, masked)
    return masked


def _siblings(term: Term, terms: list[Term], stems: dict[str, set[str]], count: int = 3) -> list[Term]:
    """The most similar other terms, from the same topic first: plausible, never random words."""
    mine = stems[term.name]

    def closest(candidates: list[Term]) -> list[Term]:
        def closeness(other: Term) -> tuple:
            theirs = stems[other.name]
            return (-len(mine & theirs) / (len(mine | theirs) or 1), other.name)

        return sorted(candidates, key=closeness)

    others = [t for t in terms if t.name.lower() != term.name.lower()]
    chosen = closest([t for t in others if t.topic == term.topic])[:count]
    if len(chosen) < count:
        chosen += closest([t for t in others if t.topic != term.topic])[: count - len(chosen)]
    return chosen


def _label(term: Term) -> str:
    if term.qualified:
        return term.heading
    return f"{term.name} ({term.short})" if term.short else term.name


def _clue_items(article: Article, term, terms: list, stems: dict[str, set[str]], common: dict) -> list[Item]:
    """The term for its definition with the term blanked out: typed, and chosen among similar terms."""
    clue = mask(term.first_sentence, term)
    if BLANK not in clue:
        return []
    aliases = [term.name] + ([term.short] if term.short else [])
    items = []
    items.append(
        Item(
            id=item_id("term", article.id, term.name),
            kind="flashcard",
            difficulty=2,
            prompt=f"Which term fills the blank? {clue}",
            answer=_label(term),
            grading="term",
            aliases=aliases,
            explanation=term.first_sentence,
            **common,
        )
    )
    rng = random.Random(item_id("mcq", article.id, term.name))
    options = [_label(t) for t in _siblings(term, terms, stems)] + [_label(term)]
    rng.shuffle(options)
    items.append(
        Item(
            id=item_id("mcq", article.id, term.name),
            kind="choice",
            difficulty=1,
            prompt=f"Which term fits? {clue}",
            answer=_label(term),
            grading="choice",
            options=options,
            explanation=term.first_sentence,
            **common,
        )
    )
    return items


def _term_items(article: Article, term, terms: list, stems: dict[str, set[str]]) -> list[Item]:
    """One glossary term's items: its definition, the term for a clue, a choice of terms, its acronym."""
    items = []
    url = f"/docs/{article.id}#{term.anchor}"
    common = dict(topic=term.topic, url=url, source=article.id, section=term.heading, title=article.title)
    items.append(
        Item(
            id=item_id("def", article.id, term.name),
            kind="flashcard",
            difficulty=1,
            prompt=f"What is meant by “{_label(term)}”?",
            answer=term.first_sentence,
            grading="text",
            explanation=term.rest,
            **common,
        )
    )
    items += _clue_items(article, term, terms, stems, common)
    if term.short:
        items.append(
            Item(
                id=item_id("acr", article.id, term.short),
                kind="flashcard",
                difficulty=1,
                prompt=f"What does {term.short} stand for?",
                answer=term.name,
                grading="term",
                aliases=[term.name],
                explanation=term.first_sentence,
                **common,
            )
        )
    return items


def glossary_items(articles: list[Article]) -> list[Item]:
    """Four kinds of item per glossary term (three for a term without an acronym)."""
    items = []
    for article in articles:
        if article.topic != "glossary":
            continue
        terms = _terms(article)
        _assign_topics(terms, articles)
        stems = {t.name: set(content_stems(t.definition)) for t in terms}
        for term in terms:
            items += _term_items(article, term, terms, stems)
    return items
