"""Hybrid search: dense (FAISS) and lexical (FTS5's bm25, in memory) fused by reciprocal rank."""

from __future__ import annotations

import re
from dataclasses import dataclass

import faiss
import numpy as np

from .chunking import Passage
from .corpus import AUDIENCES, Article
from .embedding import EmbeddingModel
from .errors import BadRequest
from .fulltext import FullText
from .index import Index
from .intent import Intent
from .sources import COLLECTIONS

METHODS = ("hybrid", "dense", "lexical")
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of top ranks
CANDIDATES = 50  # how deep each half looks before fusion
COMMON_SHARE = 0.35  # a query word in this share of passages (or articles) is left out of full-text search
TOP_DOCUMENTS = 3  # articles whose passages get a ranking of their own (see search)
DOCUMENT_WEIGHT = 1.0  # weight of that within-article ranking in the fusion
NAMED_WEIGHT = 2.0  # ... times this for an article the question names by title or is plainly phrased for
ABOUT_WEIGHT = 1.2  # article-level evidence (descriptions, asked_as) against the passages' articles
SURE_PHRASING, SURE_MARGIN = 0.6, 0.1  # an asked_as phrasing this close, this far ahead: that article
MUST_AT = 1  # where the best article by that evidence joins the articles a question is about
STORY_WORDS = 20  # a question longer than this tells a story: its words scatter over many passages,
STORY_WEIGHT = 3.0  # ... so the rankings within the articles it is about weigh this much more
STORY_FIGURES = 2  # a story with this many figures is a calculation, read as a whole
KIND_WEIGHT = 1.0  # weight of the ranking of sections that fit the question's intent
RECENT = 256  # dense, full-text and phrasing results kept for the answers in progress (see _remembered)
STOPWORDS = frozenset(
    """a about all also an and any are as at be been but by can could did do does doing done each
    for from get got had has have how i if in into is it its just may me might more most much must
    my no not of on one only or other our own should so some such than that the their them then
    there these they this those to too up us very was we were what when where which while who whom
    why will with would you your vs versus whats what's""".split()
)
_WORD = re.compile(r"[\w&]+")


@dataclass
class Hit:
    passage: Passage
    score: float  # fused score: higher is better
    dense: float  # cosine similarity of the query (with its context, if any) and the passage, for every hit


class Retriever:
    """Searches one opened Index with one embedder."""

    def __init__(
        self,
        index: Index,
        embedder: EmbeddingModel,
        per_section: int = 1,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
    ):
        self.index = index
        self.dense_weight, self.lexical_weight = dense_weight, lexical_weight
        self.embedder = embedder
        self.per_section = per_section
        self._names = _article_names(index.documents)
        keys = sorted(index.acronyms, key=len, reverse=True)
        self._long_terms = [(short, term.lower()) for short, term in index.acronyms.items() if len(term) > 6]
        self._acronym = re.compile(r"(?<![\w&])(" + "|".join(map(re.escape, keys)) + r")(?![\w&])") if keys else None
        self._expanded: dict[str, str] = {}
        self._recent: dict[tuple, object] = {}

    def expand(self, query: str) -> str:
        """Add the full term for each glossary acronym in the query, and the acronym for each term."""
        expanded = self._expanded.get(query)
        if expanded is None:  # an answer expands its question several times (search, parts, context)
            if len(self._expanded) > 64:  # the questions being answered now, not a cache of past ones
                self._expanded.clear()
            expanded = self._expanded[query] = self._expand(query)
        return expanded

    def _expand(self, query: str) -> str:
        lowered = query.lower()
        extra = []
        if self._acronym:
            extra += [self.index.acronyms[m] for m in dict.fromkeys(self._acronym.findall(lowered))]
        extra += [short for short, term in self._long_terms if term in lowered and short not in lowered]
        return f"{query} ({'; '.join(extra)})" if extra else query

    def _remembered(self, key: tuple, compute):
        """`compute()`, kept for the questions being answered now: one answer searches with the
        same vector and text several times (the whole question, its parts with it as their context,
        the evidence), and each pass over a matrix of vectors mostly reads memory, not cache."""
        found = self._recent.get(key)
        if found is None:
            if len(self._recent) > RECENT:  # what is being answered now, not a cache of past questions
                self._recent.clear()
            found = self._recent[key] = compute()
        return found

    def allowed(self, filters: dict | None) -> np.ndarray | None:
        """Positions of passages that pass the filters, or None when nothing is filtered."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        if not filters:
            return None
        unknown = set(filters) - {"topic", "audience", "collection", "doc"}
        if unknown:
            raise BadRequest(
                f"Unknown filter {sorted(unknown)}; filters are 'topic', 'audience', 'collection' and 'doc'."
            )
        collection = filters.get("collection")  # corpus | organisation (see assistant/sources.py)
        if collection and collection not in COLLECTIONS:
            raise BadRequest(f"Unknown collection {collection!r}; choose one of: {', '.join(COLLECTIONS)}.")
        if "doc" in filters and filters["doc"] not in self.index.documents:
            raise BadRequest(f"Unknown article {filters['doc']!r}; use the id in its address, /docs/<id>.")
        if "topic" in filters and filters["topic"] not in self.index.topics:
            raise BadRequest(f"Unknown topic {filters['topic']!r}; choose one of: {', '.join(self.index.topics)}.")
        if "audience" in filters and filters["audience"] not in AUDIENCES:
            raise BadRequest(f"Unknown audience {filters['audience']!r}; choose one of: {', '.join(AUDIENCES)}.")
        return np.array(
            [
                p.position
                for p in self.index.passages
                if filters.get("topic", p.topic) == p.topic
                and filters.get("audience", p.audience[0]) in p.audience
                and (not collection or self.index.documents[p.doc_id].collection == collection)
                and filters.get("doc", p.doc_id) == p.doc_id
            ],
            dtype=np.int64,
        )

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None, n: int = CANDIDATES):
        """(position, cosine) of the n nearest passages."""
        key = ("dense", vector.tobytes(), None if allowed is None else allowed.tobytes(), n)
        return self._remembered(key, lambda: self._dense(vector, allowed, n))

    def _dense(self, vector: np.ndarray, allowed: np.ndarray | None, n: int):
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed)
            ivf = isinstance(self.index.vectors, faiss.IndexIVF)
            params = (
                faiss.SearchParametersIVF(sel=selector, nprobe=self.index.vectors.nprobe)
                if ivf
                else faiss.SearchParameters(sel=selector)
            )
        scores, ids = self.index.vectors.search(vector.reshape(1, -1), n, params=params)
        # tolist: Python numbers at once, not one numpy scalar per candidate (the same values)
        return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist()) if i >= 0]

    def closest(self, vector: np.ndarray, positions: np.ndarray) -> list[tuple[int, float]]:
        """(position, cosine) of the given passages, closest first (exact, however large the index)."""
        if not len(positions):
            return []
        cosines = self.index.passage_vectors(positions) @ vector
        order = np.argsort(-cosines)
        return list(zip(positions[order].tolist(), cosines[order].tolist()))

    def lexical(self, query: str, allowed: np.ndarray | None, n: int = CANDIDATES):
        """(position, bm25) of the n best full-text matches; any query word may match."""
        key = ("lexical", query, None if allowed is None else allowed.tobytes(), n)
        return self._remembered(key, lambda: self._lexical(query, allowed, n))

    def _lexical(self, query: str, allowed: np.ndarray | None, n: int):
        text = self.index.passage_text
        terms = self.selective(_match_terms(query), text)
        if not terms:
            return []
        # Column weights: title, section, text — a hit in a heading says more than one in prose.
        rows = text.search(terms, (2.0, 3.0, 1.0), n if allowed is None else max(n * 4, 200))
        if allowed is not None:
            keep = set(allowed.tolist())
            rows = [r for r in rows if r[0] in keep]
        return rows[:n]

    def selective(self, terms: list[str], text: FullText) -> list[str]:
        """The terms worth matching: those in fewer than COMMON_SHARE of the table's rows, unless
        that leaves none. A word in half the corpus barely moves bm25 but scores half the corpus."""
        rare = [t for t in terms if text.rows_matching(t) < COMMON_SHARE * text.count]
        return rare or terms

    def phrasings(self, vectors: np.ndarray) -> np.ndarray:
        """Each article's closest asked_as phrasing's cosine to the query (or to the closest of
        several query vectors: a story's sentences), in `asked_doc_order` (phrasings are stored
        article by article); read once per search by `asked_for` and `rank_documents`, and for one
        vector by the answer's evidence (their maximum is the closest phrasing of all)."""
        if not len(self.index.asked_docs):
            return np.zeros(0, dtype=np.float32)
        key = ("phrasings", vectors.shape, vectors.tobytes())
        return self._remembered(key, lambda: self._phrasings(vectors))

    def _phrasings(self, vectors: np.ndarray) -> np.ndarray:
        cosines = self.index.asked_vectors @ vectors.T
        best = np.maximum.reduceat(cosines if cosines.ndim == 1 else cosines.max(axis=1), self.index.asked_starts)
        best.setflags(write=False)  # shared by the searches that remember it
        return best

    def story_parts(self, query: str, intent: Intent | None) -> np.ndarray | None:
        """A story's sentences, each encoded, or None for a question that is not a story. Read as
        a whole, a long story's vector drifts to whatever its incidental details name (a data
        centre, a salesman); one of its sentences ("they poached our lead engineer") may be very
        close to what an article is asked as. The story's own vector is then their mean, so the
        story is not also encoded whole. Calculations are read whole, figures and all."""
        if len(query.split()) <= STORY_WORDS or (
            intent and ("calculation" in intent.intents or len(intent.numbers) >= STORY_FIGURES)
        ):
            return None
        parts = _sentences(query)
        if len(parts) < 2:
            return None
        # Asked again when the answer is composed (`asking`); a story asked again later (a retry,
        # a shared link) is found in the model's own cache (QueryCache.encode_queries).
        parts = tuple(self.expand(part) for part in parts)
        return self._remembered(("story", parts), lambda: self._encode_parts(parts))

    def _encode_parts(self, parts: tuple[str, ...]) -> np.ndarray:
        # One batch: 21 ms of model CPU against 17.5 ms for the story whole (102 stories).
        encode_queries = getattr(self.embedder, "encode_queries", None)  # QueryCache's: cached, batched
        return encode_queries(parts) if encode_queries else self.embedder.encode(list(parts))

    def asking(self, query: str, intent: Intent | None, vector: np.ndarray) -> np.ndarray:
        """The vector to compose a story's answer with: its asking sentences ("Does a company-owned
        centre make sense at that size?") weigh as much as the whole, whose details chose the
        articles but should not choose the sentences. Other questions: `vector` itself."""
        parts = self.story_parts(query, intent)
        if parts is None:
            return vector
        sentences = _sentences(query)
        asks = [i for i, sentence in enumerate(sentences) if sentence.endswith("?")] or [len(sentences) - 1]
        return _unit(vector + _unit(parts[asks].mean(axis=0)))

    def asked_for(self, best: np.ndarray, allowed: np.ndarray | None) -> str | None:
        """The article a question is unmistakably phrased for, from its `phrasings`: one phrasing
        very close, and no other article's nearly as close ("two contract testers who take direction
        from our QA lead")."""
        if len(best) < 2:
            return None
        first, second = np.argsort(-best)[:2].tolist()
        doc = self.index.asked_doc_order[first]
        sure = best[first] >= SURE_PHRASING and best[first] - best[second] >= SURE_MARGIN
        if not sure or (allowed is not None and doc not in {self.index.passages[p].doc_id for p in allowed.tolist()}):
            return None
        return doc

    def rank_documents(self, best: np.ndarray, query: str, allowed: np.ndarray | None, n: int = 10) -> list[str]:
        """Articles about the question: by its closeness to their asked_as phrasings (`phrasings`)
        and by full-text match on their title, tags, summary and asked_as, fused by reciprocal rank."""
        rankings: list[list[str]] = []
        if len(best):
            order = np.argsort(-best)[:CANDIDATES]
            rankings.append([self.index.asked_doc_order[i] for i in order.tolist()])
        text = self.index.document_text
        terms = self.selective(_match_terms(query), text)
        if terms:
            rows = text.search(terms, (3.0, 2.0, 1.0, 1.0), CANDIDATES)
            rankings.append([self.index.document_rowids[rowid] for rowid, _ in rows])
        fused: dict[str, float] = {}
        for ranking in rankings:
            for rank, doc in enumerate(ranking):
                fused[doc] = fused.get(doc, 0.0) + 1 / (RRF_K + rank + 1)
        if allowed is not None:
            keep = {self.index.passages[p].doc_id for p in allowed.tolist()}
            fused = {doc: score for doc, score in fused.items() if doc in keep}
        return sorted(fused, key=fused.get, reverse=True)[:n]

    def search(
        self,
        query: str,
        k: int = 5,
        filters: dict | None = None,
        method: str = "hybrid",
        context: str | None = None,
        context_weight: float = 1.0,
        intent: Intent | None = None,
        encoded: dict[str, np.ndarray] | None = None,
    ) -> tuple[list[Hit], np.ndarray]:
        """The k best passages (at most `per_section` per section) and the query vector.

        `context` is the query with earlier turns of a conversation: its rankings are fused with the
        question's own, so the question says what is asked and the context what it is about.
        Hybrid search adds two rankings: the passages of the articles the question is most about
        (by title, tags and asked_as), and among those the sections that fit the question's
        `intent` (a sample clause for a wording request, a worked example for a calculation).
        `encoded` holds vectors already computed for some (expanded) texts, so none is encoded twice.
        """
        allowed = self.allowed(filters)
        rankings, vectors = [], []
        parts = None if encoded and self.expand(query) in encoded else self.story_parts(query, intent)
        texts = [(query, 1.0)] + ([(context, context_weight)] if context and context != query else [])
        for text, weight in texts:
            expanded = self.expand(text)
            vector = encoded.get(expanded) if encoded else None
            if vector is None and parts is not None and text is query:
                vector = _unit(parts.mean(axis=0))
            elif vector is None:
                vector = self.embedder.encode_query(expanded)
            vectors.append(vector)
            if method != "lexical":
                rankings.append((weight * self.dense_weight, self.dense(vector, allowed)))
            if method != "dense":
                rankings.append((weight * self.lexical_weight, self.lexical(expanded, allowed)))
        # The question says what is asked; the context only says what about, so it counts half.
        # (A part of a multi-part question has the whole question's vector and the whole question
        # as its context: v + 0.5 v points where v does, and v itself finds its phrasings and
        # passages already compared for the whole question.)
        same = len(vectors) == 1 or vectors[1] is vectors[0]
        vector = vectors[0] if same else _unit(vectors[0] + 0.5 * vectors[1])
        fused = _fuse(rankings)
        if method == "hybrid":
            expanded = self.expand(query)
            named = self.named(expanded)
            # Articles the question names by title, or is unmistakably phrased for, lead.
            closeness = self.phrasings(vector if parts is None else np.vstack([vector, parts]))
            asked = self.asked_for(closeness, allowed)
            leading = named + ([asked] if asked and asked not in named else [])
            documents = self._about(closeness, expanded, allowed, fused, leading)
            story = len(query.split()) > STORY_WORDS
            # Within the articles a story is about, the sections that answer what it asks.
            within = vector if parts is None else self.asking(query, intent, vector)
            # Added to the fusion so far: per passage the same sums in the same order as fusing all again.
            fused = _fuse(self._within(documents, within, leading, story, intent), start=fused)
        hits = self._top(fused, vector, k)
        if method == "hybrid" and intent and intent.main == "comparison" and len(named) > 1:
            hits = self._side_by_side(hits, fused, vector, named, k)
        return hits, vector

    def _within(self, documents: list[str], vector: np.ndarray, leading: list[str], story: bool, intent):
        """Rankings of the passages within each article the question is about (the best article
        weighing most), and of those passages the sections that fit the question's intent."""
        rankings, ranked = [], []
        for rank, doc in enumerate(documents):
            within = self.closest(vector, np.array(self.index.doc_positions[doc], dtype=np.int64))
            weight = DOCUMENT_WEIGHT * (NAMED_WEIGHT if doc in leading else 1.0) / (rank + 1)
            rankings.append((weight * (STORY_WEIGHT if story else 1.0), within))
            ranked += within
        ranked.sort(key=lambda pc: -pc[1])
        kinds = set(intent.shaped_kinds()) if intent else set()
        fitting = [(p, c) for p, c in ranked if self.index.passages[p].kind in kinds]
        return rankings + ([(KIND_WEIGHT, fitting)] if fitting else [])

    def _side_by_side(self, hits: list[Hit], fused: dict[int, float], vector: np.ndarray, named: list[str], k: int):
        """For "T&M vs fixed price": the opening passage of each article compared comes first, in turn."""
        firsts = []
        for doc in named:
            p = self.index.doc_positions[doc][0]
            firsts.append(Hit(self.index.passages[p], fused.get(p, 0.0), float(self.index.passage_vector(p) @ vector)))
        rest = [h for h in hits if all(h.passage.position != f.passage.position for f in firsts)]
        return (firsts + rest)[:k]

    def _top(self, fused: dict[int, float], vector: np.ndarray, k: int) -> list[Hit]:
        """The k best fused passages, at most `per_section` from one section, with their cosine."""
        hits, per_section = [], {}
        for position in sorted(fused, key=fused.get, reverse=True):
            passage = self.index.passages[position]
            section = (passage.doc_id, passage.anchor)
            if per_section.get(section, 0) >= self.per_section:
                continue
            per_section[section] = per_section.get(section, 0) + 1
            cosine = float(self.index.passage_vector(position) @ vector)
            hits.append(Hit(passage, fused[position], cosine))
            if len(hits) == k:
                break
        return hits

    def _about(
        self, closeness: np.ndarray, query: str, allowed: np.ndarray | None, fused: dict[int, float], named: list[str]
    ) -> list[str]:
        """The TOP_DOCUMENTS articles the question is most about: the articles of its best
        passages and the articles ranked by `rank_documents`, fused."""
        by_passages = list(
            dict.fromkeys(self.index.passages[p].doc_id for p in sorted(fused, key=fused.get, reverse=True)[:20])
        )
        by_articles = self.rank_documents(closeness, query, allowed)
        scores: dict[str, float] = {}
        for weight, ranking in ((1.0, by_passages), (ABOUT_WEIGHT, by_articles)):
            for rank, doc in enumerate(ranking):
                scores[doc] = scores.get(doc, 0.0) + weight / (RRF_K + rank + 1)
        # An article the question names ("when does onshore outsourcing make sense") comes first.
        named = [doc for doc in named if doc in scores or allowed is None]
        ranked = named + [doc for doc in sorted(scores, key=scores.get, reverse=True) if doc not in named]
        ranked = ranked[:TOP_DOCUMENTS]
        # The best article by its own description and users' phrasings is always among them: fusion
        # favours articles both rankings list lower down over one that only this ranking tops.
        if by_articles and by_articles[0] not in ranked:
            ranked.insert(MUST_AT, by_articles[0])
        return ranked[:TOP_DOCUMENTS]

    def named(self, query: str) -> list[str]:
        """Articles whose name (a short title such as "Step-in rights") the query contains."""
        if self._names is None:
            return []
        pattern, names = self._names
        return sorted({names[name] for name in pattern.findall(_plain(query))}, key=lambda doc: (-len(doc), doc))


_GENERIC_NAME = re.compile(r"\s+(clauses?|procedures?|contracts?|requirements|schemes?|pricing)$")


def _sentences(text: str) -> list[str]:
    """A story's sentences; one too short to stand alone ("Right?") joins the sentence before."""
    parts: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
        if parts and len(sentence.split()) < 5:
            parts[-1] += " " + sentence
        else:
            parts.append(sentence)
    return parts


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9&]+", text.lower()))


def _article_names(documents: dict[str, Article]):
    """(pattern, name -> article) for articles whose title is a short name: "Step-in rights",
    "Force majeure", "Build-operate-transfer (BOT)", "Colocation vs managed hosting" (both names)."""
    names: dict[str, str] = {}
    for doc_id, document in documents.items():
        title = document.title
        # A longer title may still list names: "Service credits, at-risk amount and caps".
        listed = "," in title and ":" not in title and len(title.split()) <= 7
        if document.topic == "glossary" or len(title.split()) > 5 and not listed or title.lower().startswith("what"):
            continue
        whole = _plain(_GENERIC_NAME.sub("", re.sub(r"\s*\(.*?\)", "", title.lower()).removeprefix("the ")))
        parts = re.split(r"\s+(?:vs\.?|and|or)\s+|,\s*|\s*[()]\s*", title.lower().removeprefix("the "))
        parts = [_plain(_GENERIC_NAME.sub("", p.strip())) for p in parts]
        # A one-word part names the article only when it is the whole title ("Warranties"), not
        # when it is one half of one ("Term and renewal").
        for part in {whole, *(p for p in parts if len(p.split()) > 1)}:
            if len(part) > 3 and part not in ("outsourcing", "third party"):
                names.setdefault(part, doc_id)
    if not names:
        return None
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return pattern, names


def _match_terms(query: str) -> list[str]:
    """The query's words worth a full-text search (stopwords and stray letters out)."""
    terms = [t for t in dict.fromkeys(_WORD.findall(query.lower())) if t not in STOPWORDS]
    return [t for t in terms if len(t) > 1 or t.isdigit()]


def _fuse(
    rankings: list[tuple[float, list[tuple[int, float]]]], start: dict[int, float] | None = None
) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of (weight, [(position, score), ...]) rankings, added to
    a copy of `start` (an earlier fusion) when given."""
    fused: dict[int, float] = dict(start) if start else {}
    for weight, ranking in rankings:
        for rank, (position, _) in enumerate(ranking):
            fused[position] = fused.get(position, 0.0) + weight / (RRF_K + rank + 1)
    return fused


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)
