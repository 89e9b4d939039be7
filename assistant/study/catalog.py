"""The study items of the current index build, reloaded when `assistant build` swaps in a new one.

A build written before study items existed has no study_items.json: the items are then built from
the corpus in memory (a second or two), so study mode works with any index.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus import load_corpus
from ..errors import CorpusError, IndexUnavailable
from .items import Item, build_items, read_study_items

CURRENT = "current"  # the index's link to its current build (see index.py)


@dataclass
class ItemSet:
    items: list[Item]
    by_id: dict[str, Item] = field(init=False)
    topics: list[str] = field(init=False)

    def __post_init__(self):
        self.by_id = {item.id: item for item in self.items}
        self.topics = sorted({item.topic for item in self.items})

    def select(self, topics: list[str] | None = None, kind: str | None = None) -> list[Item]:
        return [
            item for item in self.items if (not topics or item.topic in topics) and (kind is None or item.kind == kind)
        ]


class ItemCatalog:
    """Loads items lazily: from the current build's study_items.json, else from the corpus."""

    def __init__(self, index_dir: Path, corpus_dir: Path):
        self.index_dir, self.corpus_dir = Path(index_dir), Path(corpus_dir)
        self._lock = threading.Lock()
        self._loaded_for: str | None = ""  # the `current` target the items were loaded for
        self._items: ItemSet | None = None

    def get(self) -> ItemSet:
        try:
            target = os.readlink(self.index_dir / CURRENT)
        except OSError:
            target = None
        if target != self._loaded_for or self._items is None:
            with self._lock:
                if target != self._loaded_for or self._items is None:
                    self._items = ItemSet(self._load(target))
                    self._loaded_for = target
        return self._items

    def _load(self, target: str | None) -> list[Item]:
        if target is not None:
            stored = read_study_items(self.index_dir / target)
            if stored is not None:
                return stored
        try:
            return build_items(load_corpus(self.corpus_dir))
        except CorpusError as err:
            raise IndexUnavailable(
                f"Study items cannot be built: {err}\nFix the corpus and run `assistant build`."
            ) from err
