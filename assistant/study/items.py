"""Study items built from the corpus at index time, stored with the index as study_items.json."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..corpus import Article

FILE = "study_items.json"
FORMAT = 1
KINDS = ("check", "flashcard", "choice", "calculation")


@dataclass(frozen=True)
class Item:
    """One question a learner can answer, with what grading needs and the section that teaches it.

    kind: check (an article's "Check yourself" Q&A), flashcard (glossary, either way, and acronyms),
    choice (multiple choice), calculation (a corpus formula with varied numbers).
    grading: choice (exact option), number (value with unit and tolerance), term (a name or its
    acronym), text (free text, by the embedding model plus key-term overlap).
    """

    id: str
    kind: str
    topic: str
    difficulty: int  # 1 recall of a fact or term, 2 understanding, 3 a calculation or applied figure
    prompt: str
    answer: str  # the model answer shown after grading
    grading: str
    url: str  # /docs/{article}#{section anchor}
    source: str  # article id
    section: str  # the heading of the section the url opens
    title: str  # the article's title
    options: list[str] | None = None
    aliases: list[str] = field(default_factory=list)  # other accepted forms (term grading)
    value: float | None = None  # number grading: the expected value ...
    unit: str = ""  # ... its unit: "%", "min", "money" or "" (a plain count)
    decimals: int = 0  # ... and the decimals it is stated with (sets the tolerance)
    approx: bool = False  # the model answer says "about": a wider tolerance
    explanation: str = ""  # how the answer follows: a calculation's working or the source's context

    def public(self) -> dict:
        """What a learner sees before answering: never the answer."""
        return {
            "id": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "prompt": self.prompt,
            "options": self.options,
            "url": self.url,
        }


def item_id(prefix: str, *parts: object) -> str:
    """A stable id from where an item comes from (and its parameters), e.g. 'chk-3f9a1c0b2e4d'."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}-{digest[:12]}"


def build_items(articles: list[Article]) -> list[Item]:
    """Every study item of a corpus, in a stable order, ids unique."""
    from .calculations import calculation_items
    from .glossary import glossary_items
    from .sources import check_items, table_items

    items: list[Item] = []
    for article in articles:
        if article.topic != "glossary":
            items += check_items(article)
            items += table_items(article)
    items += glossary_items(articles)
    items += calculation_items(articles)
    unique: dict[str, Item] = {}
    for item in items:
        unique.setdefault(item.id, item)
    return list(unique.values())


def write_study_items(build_dir: Path, articles: list[Article]) -> int:
    """Write the corpus's study items into a build folder (called by `build_index`); returns the count."""
    items = build_items(articles)
    payload = {
        "format": FORMAT,
        "count": len(items),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "items": [asdict(item) for item in items],
    }
    (Path(build_dir) / FILE).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return len(items)


def read_study_items(build_dir: Path) -> list[Item] | None:
    """The items stored in a build folder, or None when it has none (or of another format)."""
    try:
        payload = json.loads((Path(build_dir) / FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    if payload.get("format") != FORMAT:
        return None
    return [Item(**row) for row in payload["items"]]
