"""Answer a question from the corpus: retrieve, compose the cited blocks, or abstain when the
corpus does not cover it; the Assistant the CLI and the API talk to."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .calculators import Calculation, calculate, has_figures
from .chunking import normalise_question
from .composer import (
    ARTICLE_SAYS_IT,
    CALCULATION_SUPPORT,
    KNOWN_MATCH,
    SOURCE_PASSAGES,
    block,
    compose,
    number_blocks,
    plain_text,
)
from .corpus import Article
from .embedding import EmbeddingModel
from .index import LiveIndex
from .intent import classify
from .retrieval import Hit, Retriever
from .settings import Settings
from .sources import source_fields

ABSTAIN_TEXT = "I don't have a source that answers this."
WIDER = 5  # more hits looked at for a yes/no question, for `_second_article`
_PRONOUN = re.compile(r"\b(it|its|they|their|them|this|that|these|those)\b", re.IGNORECASE)
# Creative or off-task requests are never answered from a reference corpus.
_OFF_TASK = re.compile(
    r"\b(write|compose|make up|tell)\b[\w\s]{0,20}\b(poem|haiku|song|limerick|joke|"
    r"story|rap|sonnet)s?\b|\b(poem|haiku|limerick|sonnet)\b",
    re.IGNORECASE,
)


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[dict]
    suggestions: list[dict] = field(default_factory=list)
    timing_ms: dict = field(default_factory=dict)
    evidence: float = 0.0
    blocks: list[dict] = field(default_factory=list)
    intent: str = ""

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "blocks": self.blocks,
            "intent": self.intent,
            "abstained": self.abstained,
            "citations": self.citations,
            "suggestions": self.suggestions,
            "timing_ms": self.timing_ms,
        }


def citation(n: int, hit: Hit, cited: bool, document: Article | None = None) -> dict:
    passage = hit.passage
    return {
        "n": n,
        "passage_id": passage.id,
        "doc_id": passage.doc_id,
        "title": passage.title,
        "section": passage.section,
        "kind": passage.kind,
        "url": f"/docs/{passage.doc_id}#{passage.anchor}",
        "text": passage.text,
        "score": round(hit.dense, 4),
        "cited": cited,
        "reviewed": (document and document.reviewed) or None,
        "jurisdiction": list(document.jurisdiction) if document else [],
        **source_fields(passage, document),  # collection, page, label: see assistant/sources.py
    }


def _known_match(retriever: Retriever, question: str, hits: list[Hit], query: np.ndarray) -> tuple[int, str] | None:
    """(hit index, answer) when the question is one the corpus asks and answers itself."""
    index = retriever.index
    if not len(index.known):
        return None
    same = index.known_by_text.get(normalise_question(question))
    if same is not None:
        best = same
    else:
        # Only the known questions of the hits' articles and the glossary: one this close to the
        # question is never in an article the search passed over, and the whole matrix is 2 MB.
        docs = dict.fromkeys(hit.passage.doc_id for hit in hits)
        found = []  # (cosine, row) of each block's closest question, blocks read as views
        for rows in [index.glossary_known] + [index.known_rows[d] for d in docs if d in index.known_rows]:
            cosines = index.known_vectors[rows] @ query
            if len(cosines):
                i = int(np.argmax(cosines))
                found.append((float(cosines[i]), rows.start + i if isinstance(rows, slice) else int(rows[i])))
        closest, best = max(found, key=lambda pair: pair[0], default=(0.0, None))  # the first on a tie
        if closest < KNOWN_MATCH:
            return None
    known = index.known[best]
    passage = index.passages[known["position"]]
    if known["source"] == "glossary":
        # An article that says the same thing wins; the glossary is cited beside it.
        definition = passage.sentence_vectors[0]
        for h, hit in enumerate(hits):
            if hit.passage.kind == "overview":
                cosines = hit.passage.sentence_vectors @ definition
                s = int(np.argmax(cosines))
                if float(cosines[s]) > ARTICLE_SAYS_IT:
                    return h, hit.passage.sentences[s]
    h = next((h for h, hit in enumerate(hits) if hit.passage.position == passage.position), None)
    if h is None:  # the Q&A's passage joins the sources, first
        hits.insert(0, Hit(passage, 0.0, float(index.passage_vector(passage.position) @ query)))
        h = 0
    return h, known["answer"]


def _second_article(hits: list[Hit], k: int) -> list[Hit]:
    """The k hits, the last of those the answer is composed from taken from the next article when
    all of them come from one: "can we stop them replacing our architect?" is answered by the
    playbook for departing staff and by the key personnel clause it relies on. (A Check yourself
    passage is never composed from: it counts for neither.)"""

    def composed(hit: Hit) -> bool:
        return hit.passage.kind != "check_yourself"

    docs = {hit.passage.doc_id for hit in hits[:SOURCE_PASSAGES] if composed(hit)}
    other = next((h for h in hits[SOURCE_PASSAGES:] if h.passage.doc_id not in docs and composed(h)), None)
    if len(docs) > 1 or other is None:
        return hits[:k]
    rest = [hit for hit in hits if hit is not other]
    return (rest[: SOURCE_PASSAGES - 1] + [other] + rest[SOURCE_PASSAGES - 1 :])[:k]


def _evidence(retriever: Retriever, hits: list[Hit], query: np.ndarray) -> float:
    """How well the corpus covers the question: the mean of the best passages' cosine and the
    closest asked_as phrasing's. Users' own phrasings separate answerable from off-topic
    questions better than passages do (`assistant eval --calibrate` shows both ends)."""
    passages = max((hit.dense for hit in hits[:SOURCE_PASSAGES]), default=0.0)
    if not len(retriever.index.asked_vectors):
        return passages
    # For a question read whole, the search has just read these phrasings for this vector.
    return 0.5 * passages + 0.5 * float(np.max(retriever.phrasings(query)))


def _calculated(
    retriever: Retriever,
    question: str,
    calculation: Calculation,
    hits: list[Hit],
    query: np.ndarray,
    started: float,
    searched: float,
    evidence: float,
    others: list = (),
) -> Answer:
    """An answer computed by a calculator: the figures with their working, the formula and a table,
    citing the article section that explains the formula, then that section's own worked example
    or guidance, or the answers to the question's `others` parts (see `_aspects`). When a figure
    is missing, the answer asks for it instead of guessing."""
    index = retriever.index
    positions = index.doc_positions[calculation.doc_id]
    cited = next((p for p in positions if index.passages[p].anchor == calculation.anchor), positions[0])
    hits = [h for h in hits if h.passage.position != cited]
    source = index.passages[cited]
    hits.insert(0, Hit(source, 0.0, float(index.passage_vector(cited) @ query)))
    lines = [calculation.missing] if calculation.missing else list(calculation.result)
    blocks = [
        block("paragraph", text=" ".join(f"{line} [0]" for line in lines), hits=[0]),
        block("paragraph", text=f"{calculation.formula} [0]", hits=[0]),
    ]
    if calculation.table:
        blocks.append(block("table", header=calculation.table["header"], rows=calculation.table["rows"], hits=[0]))
    # Then what the corpus says about it: its worked example or guidance, briefly.
    intent = classify(question)
    if intent.main != "calculation":
        intent.intents.insert(0, "calculation")
    blocks += compose(question, hits, query, intent, CALCULATION_SUPPORT, None, index, others)
    citations = _cite(blocks, hits, index)
    return Answer(
        question, plain_text(blocks), False, citations, [], _timing(started, searched), evidence, blocks, "calculation"
    )


def _cite(blocks: list[dict], hits: list[Hit], index) -> list[dict]:
    """The answer's sources, numbered as its blocks cite them (cited ones first), each marked
    whether a block cites it."""
    numbers = number_blocks(blocks, hits)
    quoted = {n for block in blocks for n in block["citations"]}
    documents = index.documents
    return sorted(
        (
            citation(numbers[h], hit, numbers[h] in quoted, documents.get(hit.passage.doc_id))
            for h, hit in enumerate(hits)
        ),
        key=lambda c: c["n"],
    )


def _abstain(
    retriever: Retriever, question: str, hits: list[Hit], started: float, searched: float, evidence: float, intent: str
) -> Answer:
    seen, suggestions = set(), []
    for hit in hits:
        passage = hit.passage
        if passage.doc_id not in seen:
            seen.add(passage.doc_id)
            # A glossary entry is a topic of its own: offer the term, not "Glossary".
            glossary = retriever.index.documents[passage.doc_id].topic == "glossary"
            suggestions.append(
                {
                    "doc_id": passage.doc_id,
                    "title": passage.section if glossary else passage.title,
                    "url": f"/docs/{passage.doc_id}" + (f"#{passage.anchor}" if glossary else ""),
                }
            )
    text = ABSTAIN_TEXT
    if suggestions:
        text += " The closest topics I have are: " + "; ".join(s["title"] for s in suggestions[:3]) + "."
    return Answer(
        question,
        text,
        True,
        [],
        suggestions[:3],
        _timing(started, searched),
        evidence,
        [{"type": "paragraph", "text": text, "citations": []}],
        intent,
    )


def _aspects(retriever: Retriever, question: str, intent, hits: list[Hit], vector: np.ndarray, filters) -> list:
    """The parts of a multi-part question, each (text, vector, intent, its hits' indices); hits
    found for a part join `hits`. Empty for a question with one part."""
    aspects: list = []
    if len(intent.aspects) < 2:
        return aspects
    positions = {hit.passage.position: h for h, hit in enumerate(hits)}
    # "what are its risks?" is about what the first part named: search with it.
    queries = [
        f"{text} ({intent.aspects[0]})" if i and _PRONOUN.search(text) else text
        for i, text in enumerate(intent.aspects)
    ]
    # No part is encoded again: each part's dense half reuses the whole question's vector, and
    # its own words (lexical) and intent (section kinds) tell the parts apart.
    encoded = {retriever.expand(q): vector for q in queries + [question]}
    for text, query in zip(intent.aspects, queries):
        part = classify(text)
        found, part_vector = retriever.search(
            query,
            k=SOURCE_PASSAGES,
            filters=filters,
            context=question,
            context_weight=0.5,
            intent=part,
            encoded=encoded,
        )
        pool = []
        for hit in found:
            if hit.passage.position not in positions:
                positions[hit.passage.position] = len(hits)
                hits.append(hit)
            pool.append(positions[hit.passage.position])
        aspects.append((text, part_vector, part, pool))
    return aspects


def answer_question(
    retriever: Retriever,
    question: str,
    k: int = 5,
    filters: dict | None = None,
    context: str | None = None,
    context_weight: float = 1.0,
    threshold: float = Settings.default("abstain_threshold"),
    max_sentences: int = Settings.default("answer_sentences"),
) -> Answer:
    """Answer `question` from the corpus; `context` (the question with earlier turns) helps retrieval."""
    started = time.perf_counter()
    intent = classify(question)
    deeper = intent.main == "yes_no"  # (for choice or situation questions it cost one plain question each)
    hits, vector = retriever.search(
        question,
        k=k + WIDER if deeper else k,
        filters=filters,
        context=context,
        context_weight=context_weight,
        intent=intent,
    )
    searched = time.perf_counter()
    evidence = _evidence(retriever, hits, vector)
    if deeper:
        hits = _second_article(hits, k)
    known = _known_match(retriever, question, hits, vector) if hits else None
    if known:
        evidence = max(evidence, KNOWN_MATCH)
    # The calculators read figures: a question with none that asks for no calculation is no job for them.
    calculation = calculate(question) if "calculation" in intent.intents or has_figures(question) else None
    # Computed only where the corpus has the article that explains the formula, to cite it.
    if (
        calculation is not None
        and calculation.doc_id in retriever.index.doc_positions
        and not _OFF_TASK.search(question)
    ):
        # "Did they meet both targets? And what is the difference between the two?": a part that
        # compares rather than computes is answered after the figures, in place of the worked
        # example. (Other parts, "why isn't it the full amount?", are what the worked example answers.)
        others = [
            aspect
            for aspect in _aspects(retriever, question, intent, hits, vector, filters)
            if aspect[2].main == "comparison" and calculate(aspect[0]) is None
        ]
        return _calculated(retriever, question, calculation, hits, vector, started, searched, evidence, others)
    if evidence < threshold or _OFF_TASK.search(question):
        if context:  # suggestions come from the question itself, not from earlier turns
            hits, _ = retriever.search(question, k=k, filters=filters)
        return _abstain(retriever, question, hits, started, searched, evidence, intent.main)

    aspects = _aspects(retriever, question, intent, hits, vector, filters) if not known else []
    # Composed for the question with its acronyms spelled out: "SOW" also asks for "statement of work";
    # a story's answer for what it asks as much as for what it tells.
    asking = retriever.asking(question, intent, vector)
    blocks = compose(retriever.expand(question), hits, asking, intent, max_sentences, known, retriever.index, aspects)
    citations = _cite(blocks, hits, retriever.index)
    return Answer(
        question, plain_text(blocks), False, citations, [], _timing(started, searched), evidence, blocks, intent.main
    )


def _timing(started: float, searched: float) -> dict:
    now = time.perf_counter()
    return {
        "retrieve": round((searched - started) * 1000, 2),
        "compose": round((now - searched) * 1000, 2),
        "total": round((now - started) * 1000, 2),
    }


class Assistant:
    """What the CLI and the API talk to: answers from the current index with the settings' limits."""

    def __init__(self, settings: Settings, embedder: EmbeddingModel):
        self.settings = settings
        self.embedder = embedder
        self.live = LiveIndex(settings.index_dir, embedder.name, settings.corpus_dir, settings.library_dir)
        self._retriever: Retriever | None = None
        self._opening = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        index = self.live.get()
        retriever = self._retriever
        if retriever is None or retriever.index is not index:
            # One thread builds it (compiling the article-name pattern takes tens of ms); the
            # questions that arrive meanwhile, after a start or a new build, wait for that one.
            with self._opening:
                retriever = self._retriever
                if retriever is None or retriever.index is not index:
                    retriever = self._retriever = Retriever(
                        index, self.embedder, self.settings.per_section, lexical_weight=self.settings.lexical_weight
                    )
        return retriever

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: dict | None = None,
        context: str | None = None,
        context_weight: float = 1.0,
    ) -> Answer:
        return answer_question(
            self.retriever,
            question,
            k=k or self.settings.default_k,
            filters=filters,
            context=context,
            context_weight=context_weight,
            threshold=self.settings.abstain_threshold,
            max_sentences=self.settings.answer_sentences,
        )
