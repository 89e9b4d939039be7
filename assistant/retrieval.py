"""Hybrid search: dense (FAISS) and lexical (SQLite FTS5 bm25) fused by reciprocal rank."""

from __future__ import annotations

import re
from dataclasses import dataclass

import faiss
import numpy as np

from .corpus import AUDIENCES
from .errors import BadRequest
from .index import Index, StoredPassage

METHODS = ("hybrid", "dense", "lexical")
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of top ranks
CANDIDATES = 50  # how deep each half looks before fusion
STOPWORDS = frozenset(
    """a about an and are as at be by can could do does for from has have how i if in into is it
    its me my of on or our should so than that the their them then there these they this to us was
    we what when where which who why will with would you your vs versus whats what's""".split()
)
_WORD = re.compile(r"[\w&]+")


@dataclass
class Hit:
    passage: StoredPassage
    score: float  # fused score: higher is better
    dense: float  # cosine similarity of query and passage (0 if the dense half did not see it)


class Retriever:
    """Searches one opened Index with one embedder."""

    def __init__(self, index: Index, embedder, per_section: int = 1):
        self.index = index
        self.embedder = embedder
        self.per_section = per_section
        keys = sorted(index.acronyms, key=len, reverse=True)
        self._acronym = (
            re.compile(r"(?<![\w&])(" + "|".join(map(re.escape, keys)) + r")(?![\w&])")
            if keys else None
        )

    def expand(self, query: str) -> str:
        """Add the full term for each glossary acronym in the query, and the acronym for each term."""
        lowered = query.lower()
        extra = []
        if self._acronym:
            extra += [self.index.acronyms[m] for m in dict.fromkeys(self._acronym.findall(lowered))]
        extra += [short for short, term in self.index.acronyms.items()
                  if len(term) > 6 and term.lower() in lowered and short not in lowered]
        return f"{query} ({'; '.join(extra)})" if extra else query

    def allowed(self, filters: dict | None) -> np.ndarray | None:
        """Positions of passages that pass the filters, or None when nothing is filtered."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        if not filters:
            return None
        unknown = set(filters) - {"topic", "audience"}
        if unknown:
            raise BadRequest(f"Unknown filter {sorted(unknown)}; filters are 'topic' and 'audience'.")
        if "topic" in filters and filters["topic"] not in self.index.topics:
            raise BadRequest(
                f"Unknown topic {filters['topic']!r}; choose one of: {', '.join(self.index.topics)}."
            )
        if "audience" in filters and filters["audience"] not in AUDIENCES:
            raise BadRequest(
                f"Unknown audience {filters['audience']!r}; choose one of: {', '.join(AUDIENCES)}."
            )
        return np.array(
            [p.position for p in self.index.passages
             if filters.get("topic", p.topic) == p.topic
             and filters.get("audience", p.audience[0]) in p.audience],
            dtype=np.int64,
        )

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None, n: int = CANDIDATES):
        """(position, cosine) of the n nearest passages."""
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        scores, ids = self.index.vectors.search(vector.reshape(1, -1), n, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lexical(self, query: str, allowed: np.ndarray | None, n: int = CANDIDATES):
        """(position, bm25) of the n best full-text matches; any query word may match."""
        terms = [t for t in dict.fromkeys(_WORD.findall(query.lower())) if t not in STOPWORDS]
        terms = [t.replace('"', "") for t in terms if len(t) > 1 or t.isdigit()]
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        # Column weights: title, section, text — a hit in a heading says more than one in prose.
        rows = self.index.db.execute(
            "select rowid, bm25(passages_fts, 2.0, 3.0, 1.0) from passages_fts "
            "where passages_fts match ? order by 2 limit ?",
            (match, n if allowed is None else max(n * 4, 200)),
        ).fetchall()
        if allowed is not None:
            keep = set(allowed.tolist())
            rows = [r for r in rows if r[0] in keep]
        return [(int(position), float(score)) for position, score in rows[:n]]

    def search(self, query: str, k: int = 5, filters: dict | None = None,
               method: str = "hybrid") -> tuple[list[Hit], np.ndarray]:
        """The k best passages for a query (at most `per_section` per section), and the query vector."""
        allowed = self.allowed(filters)
        expanded = self.expand(query)
        vector = self.embedder.encode_query(expanded)
        dense = self.dense(vector, allowed) if method != "lexical" else []
        lexical = self.lexical(expanded, allowed) if method != "dense" else []
        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, (position, _) in enumerate(ranking):
                fused[position] = fused.get(position, 0.0) + 1.0 / (RRF_K + rank + 1)
        cosine = dict(dense)
        hits, per_section = [], {}
        for position in sorted(fused, key=fused.get, reverse=True):
            passage = self.index.passages[position]
            section = (passage.doc_id, passage.anchor)
            if per_section.get(section, 0) >= self.per_section:
                continue
            per_section[section] = per_section.get(section, 0) + 1
            if position not in cosine:  # a lexical-only hit: its cosine still informs abstention
                cosine[position] = float(self.index.vectors.reconstruct(position) @ vector)
            hits.append(Hit(passage, fused[position], cosine[position]))
            if len(hits) == k:
                break
        return hits, vector
