"""Compose a cited, extractive answer from retrieved passages, or abstain when evidence is weak."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from .conversations import ConversationStore, follow_up_context
from .errors import BadRequest, NotFound
from .index import LiveIndex
from .retrieval import STOPWORDS, Hit, Retriever
from .settings import Settings

SOURCE_PASSAGES = 3  # answer sentences come from the best few passages only
DUPLICATE_COSINE = 0.9  # two sentences this similar say the same thing
KEEP_RATIO = 0.8  # after the first two, a sentence must score this close to the best one
_TERM = re.compile(r"\d+(?:[.,]\d+)*|[a-z][a-z0-9&'-]+")
DEFAULTS = Settings()
ABSTAIN_TEXT = (
    "The corpus does not cover this question well enough to answer it from a cited source."
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

    def as_dict(self) -> dict:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": self.citations,
            "suggestions": self.suggestions,
            "timing_ms": self.timing_ms,
        }


def _usable(sentence: str) -> str | None:
    """The sentence as it may stand in an answer, or None for questions and list lead-ins."""
    if sentence.endswith(("?", ":")) or len(sentence.split()) < 5:
        return None
    return sentence


def _answerable(hit: Hit) -> bool:
    """Study questions and their terse answers are sources to read, not sentences to quote."""
    return not hit.passage.section.lower().startswith("check yourself")


def _terms(text: str) -> set[str]:
    return {t for t in _TERM.findall(text.lower()) if t not in STOPWORDS}


def citation(n: int, hit: Hit, cited: bool) -> dict:
    passage = hit.passage
    return {
        "n": n,
        "passage_id": passage.id,
        "doc_id": passage.doc_id,
        "title": passage.title,
        "section": passage.section,
        "url": f"/docs/{passage.doc_id}#{passage.anchor}",
        "text": passage.text,
        "score": round(hit.dense, 4),
        "cited": cited,
    }


def choose_sentences(hits: list[Hit], query: np.ndarray, limit: int,
                     question: str = "") -> list[tuple[int, int, str]]:
    """(hit index, sentence index, sentence) of the best 2..limit sentences, in reading order.

    Sentences score by cosine to the query, plus a little for sharing the question's words and
    more for sharing its numbers: embeddings barely tell "99.9%" from "99.999%".
    """
    asked = _terms(question)
    numbers = {t for t in asked if t[0].isdigit()}
    sources = [h for h, hit in enumerate(hits) if _answerable(hit)][:SOURCE_PASSAGES]
    candidates = []
    for rank, h in enumerate(sources):
        passage = hits[h].passage
        scores = passage.sentence_vectors @ query
        for s, sentence in enumerate(passage.sentences):
            text = _usable(sentence)
            if not text:
                continue
            shared = _terms(text) & asked
            score = (float(scores[s]) + 0.1 * len(shared) / max(len(asked), 1)
                     + (0.1 if shared & numbers else 0.0)
                     + 0.02 * (SOURCE_PASSAGES - rank))  # near-ties go to the better passage
            candidates.append((score, h, s, text))
    candidates.sort(reverse=True)
    chosen: list[tuple[float, int, int, str]] = []
    for score, h, s, text in candidates:
        if len(chosen) == limit:
            break
        if len(chosen) >= 2 and score < KEEP_RATIO * chosen[0][0]:
            break
        vector = hits[h].passage.sentence_vectors[s]
        if any(float(vector @ hits[ch].passage.sentence_vectors[cs]) > DUPLICATE_COSINE
               for _, ch, cs, _ in chosen):
            continue
        chosen.append((score, h, s, text))
    # Read passage by passage (best passage first), each in its own sentence order.
    best = {}
    for score, h, _, _ in chosen:
        best[h] = max(best.get(h, -1.0), score)
    chosen.sort(key=lambda c: (-best[c[1]], c[2]))
    return [(h, s, text) for _, h, s, text in chosen]


def answer_question(retriever: Retriever, question: str, k: int = 5, filters: dict | None = None,
                    context: str | None = None, context_weight: float = 1.0,
                    threshold: float = DEFAULTS.abstain_threshold,
                    max_sentences: int = DEFAULTS.answer_sentences) -> Answer:
    """Answer `question` from the corpus; `context` (the question with earlier turns) helps retrieval."""
    started = time.perf_counter()
    hits, vector = retriever.search(question, k=k, filters=filters, context=context,
                                    context_weight=context_weight)
    searched = time.perf_counter()
    evidence = max((hit.dense for hit in hits[:SOURCE_PASSAGES]), default=0.0)
    if evidence < threshold:
        seen, suggestions = set(), []
        for hit in hits:
            passage = hit.passage
            if passage.doc_id not in seen:
                seen.add(passage.doc_id)
                # A glossary entry is a topic of its own: offer the term, not "Glossary".
                glossary = retriever.index.documents[passage.doc_id]["topic"] == "glossary"
                suggestions.append({
                    "doc_id": passage.doc_id,
                    "title": passage.section if glossary else passage.title,
                    "url": f"/docs/{passage.doc_id}" + (f"#{passage.anchor}" if glossary else ""),
                })
        text = ABSTAIN_TEXT
        if suggestions:
            text += " The closest topics are: " + "; ".join(s["title"] for s in suggestions[:3]) + "."
        return Answer(question, text, True, [], suggestions[:3], _timing(started, searched), evidence)

    picked = choose_sentences(hits, vector, max_sentences, question)
    numbers: dict[int, int] = {}
    for h, _, _ in picked:
        numbers.setdefault(h, len(numbers) + 1)
    for h in range(len(hits)):
        numbers.setdefault(h, len(numbers) + 1)
    text = " ".join(f"{sentence} [{numbers[h]}]" for h, _, sentence in picked)
    cited = {h for h, _, _ in picked}
    citations = sorted(
        (citation(numbers[h], hit, h in cited) for h, hit in enumerate(hits)), key=lambda c: c["n"]
    )
    return Answer(question, text, False, citations, [], _timing(started, searched), evidence)


def _timing(started: float, searched: float) -> dict:
    now = time.perf_counter()
    return {"retrieve": round((searched - started) * 1000, 2),
            "compose": round((now - searched) * 1000, 2),
            "total": round((now - started) * 1000, 2)}


class Assistant:
    """What the CLI and the API talk to: answers from the current index with the settings' limits."""

    def __init__(self, settings: Settings, embedder):
        self.settings = settings
        self.embedder = embedder
        self.live = LiveIndex(settings.index_dir, embedder.name, settings.corpus_dir)
        self._retriever: Retriever | None = None

    @property
    def retriever(self) -> Retriever:
        index = self.live.get()
        if self._retriever is None or self._retriever.index is not index:
            self._retriever = Retriever(index, self.embedder, self.settings.per_section,
                                        lexical_weight=self.settings.lexical_weight)
        return self._retriever

    def ask(self, question: str, k: int | None = None, filters: dict | None = None,
            context: str | None = None, context_weight: float = 1.0) -> Answer:
        return answer_question(
            self.retriever, question, k=k or self.settings.default_k, filters=filters,
            context=context, context_weight=context_weight,
            threshold=self.settings.abstain_threshold,
            max_sentences=self.settings.answer_sentences,
        )


def respond(assistant: Assistant, conversations: ConversationStore, question: str,
            conversation_id: str | None = None, k: int | None = None,
            filters: dict | None = None) -> dict:
    """Validate a question, answer it in its conversation's context, store it; the API's response."""
    question = question.strip()
    limit = assistant.settings.max_question_chars
    if not question:
        raise BadRequest("The question is empty; type a question about IT outsourcing.")
    if len(question) > limit:
        raise BadRequest(f"The question is {len(question)} characters long; the limit is {limit}. "
                         "Shorten it or split it in two.")
    if conversation_id and not conversations.exists(conversation_id):
        raise NotFound("That conversation does not exist; omit conversation_id to start a new one.")
    earlier = conversations.earlier_questions(conversation_id) if conversation_id else []
    context, weight = follow_up_context(question, earlier)
    result = assistant.ask(question, k=k, filters=filters, context=context,
                           context_weight=weight).as_dict()
    conversation_id, message_id = conversations.add(conversation_id or None, question,
                                                    context or question, result)
    return {"conversation_id": conversation_id, "message_id": message_id, **result}
