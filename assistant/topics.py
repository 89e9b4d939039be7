"""The /topics catalogue: articles grouped by topic folder, narrowed by a search and by audience
and topic filters, with how many articles each choice would show."""

from __future__ import annotations

from dataclasses import dataclass, field

from .corpus import Article

AUDIENCES = ("candidate", "manager")


def search_text(document: Article) -> str:
    """What the search box looks in: title, summary and tags, lowercased."""
    return " ".join([document.title, document.summary, *document.tags]).lower()


def matches(document: Article, words: list[str], audience: str | None, topic: str | None) -> bool:
    return (
        all(word in search_text(document) for word in words)
        and (not audience or audience in document.audience)
        and (not topic or document.topic == topic)
    )


@dataclass
class Catalogue:
    groups: list[tuple[str, list[Article]]]  # (topic, its matching articles by title), by topic
    total: int  # articles in the index
    shown: int  # articles that match
    topic_counts: dict[str, int] = field(default_factory=dict)  # matches per topic, ignoring the topic filter
    audience_counts: dict[str, int] = field(default_factory=dict)  # likewise per audience


def browse(
    documents: list[Article], query: str = "", audience: str | None = None, topic: str | None = None
) -> Catalogue:
    """The articles matching every word of `query` (in title, summary or tags), `audience` and
    `topic` (None: any), with the counts the filters show beside each choice."""
    words = query.lower().split()
    ordered = sorted(documents, key=lambda d: d.title.lower())
    chosen = [d for d in ordered if matches(d, words, audience, topic)]
    groups: dict[str, list[Article]] = {}
    for document in chosen:
        groups.setdefault(document.topic, []).append(document)
    topics = sorted({d.topic for d in ordered})
    return Catalogue(
        groups=sorted(groups.items()),
        total=len(ordered),
        shown=len(chosen),
        topic_counts={t: sum(matches(d, words, audience, t) for d in ordered) for t in topics},
        audience_counts={a: sum(matches(d, words, a, topic) for d in ordered) for a in AUDIENCES},
    )
