"""Items from an article: its "Check yourself" questions and multiple choice from its tables."""

from __future__ import annotations

import math
import random
import re
from collections import Counter

from ..corpus import Article
from .items import Item, item_id
from .numbers import first_number
from .sections import Section, split_sections
from .text import content_stems, plain

_QA = re.compile(r"^\*\*Q:\*\*\s*(?P<q>.+?)\s*\*\*A:\*\*\s*(?P<a>.+)$", re.DOTALL)
# "24,000, because ...", "About 1.3 years.", "10 Erlangs.": a figure, perhaps a unit, then reasons.
_FIGURE_FIRST = re.compile(
    r"^(?P<about>(?:about|roughly|around|approximately) )?[£$€]?[−-]?\d[\d,]*(?:\.\d+)?"
    r"(?:\s*%|\s+[A-Za-z]+(?:[- ][A-Za-z]+)?)?$",
    re.IGNORECASE,
)
_NOT_TEACHING = re.compile(r"^(check yourself|key points)", re.IGNORECASE)
_MAX_OPTION = 120  # longer cells make poor options
# Tables whose rows are unlike things ("Aspect": nature, duration, cost...) give no sibling options.
_MIXED_ROWS = re.compile(r"^(aspect|dimension|feature|characteristic|attribute)s?$", re.IGNORECASE)


def _url(article: Article, anchor: str) -> str:
    return f"/docs/{article.id}#{anchor}"


class _Teaching:
    """Finds the section whose words best cover a question and its answer, weighted by rarity."""

    def __init__(self, sections: list[Section]):
        self.fallback = sections[0]
        self.candidates = [s for s in sections if not _NOT_TEACHING.match(s.heading) and s.text]
        self.stems = {s.anchor: set(content_stems(s.text)) for s in self.candidates}
        self.spread = Counter(stem for stems in self.stems.values() for stem in stems)

    def __call__(self, text: str) -> Section:
        if not self.candidates:
            return self.fallback
        wanted = set(content_stems(text))

        def score(section: Section) -> float:
            return sum(math.log(1 + len(self.candidates) / self.spread[w]) for w in wanted & self.stems[section.anchor])

        return max(self.candidates, key=score)


def _clause(answer: str) -> str:
    """The answer up to its first comma, 'because', bracket or final full stop."""
    return re.split(r",\s|\s\(|\s(?:because|since|as|so)\s|;", answer, maxsplit=1)[0].strip().rstrip(".")


def check_items(article: Article) -> list[Item]:
    """Every "**Q:** ...? **A:** ..." line of the article's "Check yourself" section."""
    sections = split_sections(article.body)
    teaching = None
    items = []
    for section in sections:
        if not section.heading.lower().startswith("check yourself"):
            continue
        for paragraph in section.paragraphs:
            match = _QA.match(paragraph.strip())
            if not match:
                continue
            question, answer = plain(match["q"]), plain(match["a"])
            teaching = teaching or _Teaching(sections)
            teaches = teaching(f"{question} {answer}")
            figure = _FIGURE_FIRST.match(_clause(answer))
            number = first_number(_clause(answer)) if figure else None
            items.append(
                Item(
                    id=item_id("chk", article.id, question),
                    kind="check",
                    topic=article.topic,
                    difficulty=3 if number else 2,
                    prompt=question,
                    answer=answer,
                    grading="number" if number else "text",
                    url=_url(article, teaches.anchor),
                    source=article.id,
                    section=teaches.heading,
                    title=article.title,
                    value=number.value if number else None,
                    unit=number.unit if number else "",
                    decimals=number.decimals if number else 0,
                    approx=bool(figure and figure["about"]),
                )
            )
    return items


def _eligible_column(table, column: int) -> bool:
    values = [row[column].strip() if column < len(row) else "" for row in table.rows]
    return (
        all(values) and len({v.lower() for v in values}) == len(values) and max(len(v) for v in values) <= _MAX_OPTION
    )


def table_items(article: Article) -> list[Item]:
    """Multiple choice from each table of four or more rows: the right cell among its column's others.

    A row's first cell names it ("99.9%", "Mediation"); the options are the same column's cells in
    other rows, so every distractor is a sibling: a number from the same table, another model.
    """
    items = []
    for section in split_sections(article.body):
        for table in section.tables:
            if (
                len(table.rows) < 4
                or len(table.header) < 2
                or _MIXED_ROWS.match(table.header[0])
                or not _eligible_column(table, 0)
            ):
                continue
            columns = [c for c in range(1, len(table.header)) if _eligible_column(table, c)][:3]
            for column in columns:
                header = table.header[column]
                for r, row in enumerate(table.rows):
                    key, right = row[0].strip(), row[column].strip()
                    iid = item_id("tab", article.id, section.heading, table.header[0], key, header)
                    rng = random.Random(iid)
                    others = [other[column].strip() for k, other in enumerate(table.rows) if k != r]
                    options = rng.sample(others, 3) + [right]
                    rng.shuffle(options)
                    items.append(
                        Item(
                            id=iid,
                            kind="choice",
                            topic=article.topic,
                            difficulty=2,
                            prompt=f"{article.title} — {section.heading}: for “{key}” "
                            f"({table.header[0]}), which is the {header}?",
                            answer=right,
                            grading="choice",
                            url=_url(article, section.anchor),
                            source=article.id,
                            section=section.heading,
                            title=article.title,
                            options=options,
                            explanation=f"In the table of “{section.heading}”, the row “{key}” gives "
                            f"{header}: {right}.",
                        )
                    )
    return items
