"""Suggested follow-up questions: the cited article's other sections (its worked example, sample
clause, pitfalls, negotiation points…) that the answer has not used yet, asked as questions."""

from __future__ import annotations

from .index import Index

MAX_FOLLOW_UPS = 3

# Section kinds worth offering, most useful first, each with the question that reaches it
# ({title}: the article's title, as it reads in a sentence).
QUESTIONS = {
    "worked_example": "Show me the worked example for {title}",
    "sample_clause": "Give me sample wording for {title}",
    "pitfalls": "What are the common pitfalls with {title}?",
    "negotiation": "What should I negotiate on {title}?",
    "steps": "What are the steps for {title}?",
    "red_flags": "What are the red flags with {title}?",
    "good_clause": "What does a good clause on {title} contain?",
}
# Kinds never offered: the intro and definitions are what answers already draw on, Check yourself
# is a quiz, and Key points restates the article (asked for, only 11 of 25 answers quoted it:
# bench/follow_ups_quality.py).
SKIPPED = {"overview", "definition", "check_yourself", "key_points"}


def in_sentence(title: str) -> str:
    """ "Service credits and earn-back" reads "service credits and earn-back" mid-sentence; an
    acronym or a name ("SLA", "TUPE", "ISO 37500") keeps its capitals."""
    first = title.split(" ", 1)[0]
    return title if first.isupper() or not first[1:].islower() else title[0].lower() + title[1:]


def follow_ups(index: Index, answer: dict) -> list[str]:
    """Up to three questions about the sections of the first cited article (the glossary aside)
    that the answer does not quote.

    `answer`: the answer as the API returns it (its `abstained` flag and `citations`). Sections of
    the kinds in QUESTIONS come first, in that order; other sections are asked about by heading.
    """
    if answer.get("abstained"):
        return []
    cited = [
        c
        for c in answer.get("citations", [])
        if c.get("cited") and c["doc_id"] in index.documents and index.documents[c["doc_id"]].topic != "glossary"
    ]
    if not cited:
        return []
    doc_id = cited[0]["doc_id"]
    quoted = {c["url"].split("#", 1)[-1] for c in cited if c["doc_id"] == doc_id}
    sections: dict[str, tuple[str, str]] = {}  # anchor -> (kind, heading), in article order
    for position in index.doc_positions.get(doc_id, []):
        passage = index.passages[position]
        if passage.anchor not in quoted and passage.kind not in SKIPPED:
            sections.setdefault(passage.anchor, (passage.kind, passage.section.split(" › ")[-1]))
    title = in_sentence(index.documents[doc_id].title)
    rank = list(QUESTIONS)
    ordered = sorted(sections.values(), key=lambda s: rank.index(s[0]) if s[0] in rank else len(rank))
    questions = [
        QUESTIONS[kind].format(title=title) if kind in QUESTIONS else _about(heading, title)
        for kind, heading in ordered
    ]
    return list(dict.fromkeys(questions))[:MAX_FOLLOW_UPS]


def _about(heading: str, title: str) -> str:
    """A question about a section known only by its heading, in its article's context."""
    heading = in_sentence(heading)
    if heading.lower() in title.lower():
        return f"Tell me more about {heading}"
    return f"Tell me about {heading} in {title}"
