"""Grade a learner's answer against an item: choice exactly, numbers with units and tolerance,
terms by name or acronym, free text by the embedding model plus key-term overlap."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..embedding import EmbeddingModel
from ..errors import BadRequest
from ..settings import Settings
from .items import Item
from .numbers import Number, compatible, format_number, parse_numbers
from .text import content_stems, stem

RESULTS = ("correct", "partly", "incorrect")
_NO_ANSWER = re.compile(r"^\W*(|i don'?t know|dont know|no idea|not sure|pass|skip|idk)\W*$", re.IGNORECASE)
_YES_NO_QUESTION = re.compile(r"^(is|are|does|do|did|can|could|should|would|will|has|have|must|may)\b", re.IGNORECASE)
_YES_NO = re.compile(r"^\W*(yes|no|generally (?:yes|no|not)|usually not|not usually)\b", re.IGNORECASE)
_EITHER_OR = re.compile(r"\b([\w-]+) or (?:an? |the )?([\w-]+)(?: [\w-]+)?\?$")
_HEDGE = re.compile(r"\b(or|either)\b", re.IGNORECASE)
_ASKED_DECIMALS = re.compile(r"\bto (one|two|three|four|\d) decimals?\b", re.IGNORECASE)
SHORT_ANSWER_TERMS = 4  # a model answer with this few key terms needs all of them for "correct"
# The figure a learner means comes after the last of these when they show their working.
_ALTERNATIVES = re.compile(r"\d\s*(?:%\s*)?(?:or|/)\s*[£$€]?\d", re.IGNORECASE)  # "226,667 or 240,000"
_CONCLUSION = re.compile(r"=|→|\bso\b|\btherefore\b|\bgives\b|\bwhich is\b|\bthat'?s\b", re.IGNORECASE)


@dataclass(frozen=True)
class Thresholds:
    """Free-text grading: score = cosine·w + recall·w + precision·(1 − both), then two cut-offs.

    Chosen by `assistant study --grader-accuracy --calibrate` on eval/study_answers.jsonl; the
    cut-offs are settings (ASSISTANT_STUDY_CORRECT_THRESHOLD, ASSISTANT_STUDY_PARTLY_THRESHOLD).
    """

    correct: float = Settings.default("study_correct_threshold")
    partly: float = Settings.default("study_partly_threshold")
    cosine_weight: float = 0.4
    recall_weight: float = 0.3


@dataclass(frozen=True)
class Grade:
    result: str  # correct | partly | incorrect
    why: str
    score: float = 0.0


def _option(item: Item, answer: str) -> str:
    """The option a choice answer names: its text (any case) or its number, 1-based."""
    text = answer.strip()
    if text.isdigit() and 1 <= int(text) <= len(item.options or []):
        return item.options[int(text) - 1]
    for option in item.options or []:
        if option.casefold() == text.casefold():
            return option
    raise BadRequest(
        f"Item {item.id} is multiple choice: answer with one of its options "
        f"(its text or its number 1-{len(item.options or [])})."
    )


def grade_choice(item: Item, answer: str) -> Grade:
    chosen = _option(item, answer)
    if chosen == item.answer:
        return Grade("correct", "That is the right option.", 1.0)
    return Grade("incorrect", f"“{chosen}” is not it; the right option is “{item.answer}”.", 0.0)


def _significant(number: Number) -> int:
    digits = f"{abs(number.value / number.scale):.{number.decimals}f}".replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if number.decimals == 0 else len(digits)


def _number_verdict(item: Item, given: Number) -> str | None:
    """'correct', 'partly' (the right figure rounded too coarsely) or None."""
    e, g = item.value, given.value
    tolerance = 0.5 * 10**-item.decimals + 1e-9 * max(1.0, abs(e))
    if item.approx:
        tolerance = max(tolerance, 0.02 * abs(e))
    if abs(g - e) <= tolerance:
        return "correct"
    if given.decimals < item.decimals or (given.decimals == 0 and item.decimals == 0):
        # Right at the learner's own precision: 99.8 for 99.8001, 226,700 for 226,667. Four
        # significant digits are right; three are partly right (1,110,000 for 1,113,000 is too far).
        digits = _significant(given)
        if digits >= 3 and e and g:
            step = 10 ** (math.floor(math.log10(abs(e))) - digits + 1)
            if abs(math.floor(e / step + 0.5) * step - g) <= 1e-9 * abs(e):
                asked = _ASKED_DECIMALS.search(item.prompt)
                return "partly" if asked or digits < 4 else "correct"
    return None


def grade_number(item: Item, answer: str) -> Grade:
    shown = format_number(item.value, item.decimals, item.unit)
    time_hint = item.unit == "min"
    usable = [n for n in parse_numbers(answer, time_hint) if compatible(item.unit, n.unit)]
    if not usable:
        found = parse_numbers(answer, time_hint)
        return Grade(
            "incorrect",
            ("Your figure is in another unit" if found else "No figure found in your answer")
            + f"; the answer is {shown}.",
        )
    conclusion = _CONCLUSION.split(answer)[-1] if _CONCLUSION.search(answer) else ""
    final = [n for n in parse_numbers(conclusion, time_hint) if compatible(item.unit, n.unit)]
    meant = final[0] if final else usable[0]
    verdict = _number_verdict(item, meant)
    if verdict == "correct" and _ALTERNATIVES.search(answer):
        return Grade("partly", f"{shown} is among the figures you give; choose one.", 0.5)
    if verdict == "correct":
        return Grade("correct", f"{shown} is right.", 1.0)
    if verdict == "partly":
        return Grade("partly", f"The right figure, but rounded too coarsely: the answer is {shown}.", 0.5)
    if any(_number_verdict(item, n) == "correct" for n in usable):
        return Grade("partly", f"{shown} appears in your working, but it is not your final answer.", 0.5)
    return Grade("incorrect", f"Not that figure: the answer is {shown}.", 0.0)


def _norm(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in ("a", "an", "the", "of")]


def grade_term(item: Item, answer: str) -> Grade:
    """A term is right by its name or its acronym, in any case, singular or plural.

    Part of the name without wrong words ("Data Protection Board" for "... Board of India") is
    right when it holds three quarters of the name and partly right from half. An acronym's
    expansion with one word wrong is partly right; naming another term (a word swapped) is not.
    """
    given = _norm(answer)
    best, expansion = 0.0, item.id.startswith("acr-")
    for alias in item.aliases or [item.answer]:
        wanted = _norm(alias)
        if not wanted:
            continue
        covered = sum(w in given for w in wanted) / len(wanted)
        extra = sum(g not in wanted for g in given)
        if covered == 1.0 or (covered >= 0.75 and extra == 0):
            return Grade("correct", f"Yes: {item.answer}.", 1.0)
        if (covered >= 0.5 and extra == 0) or (expansion and covered >= 0.6 and extra <= 1):
            best = max(best, covered)
    if best:
        return Grade("partly", f"Close: the term is {item.answer}.", best)
    return Grade("incorrect", f"The term is {item.answer}.", 0.0)


def key_terms(prompt: str, expected: str) -> list[str]:
    """Stems of the model answer that an answer should contain: its content words, less the question's."""
    stems = content_stems(expected)
    asked = set(content_stems(prompt))
    fresh = [s for s in stems if s not in asked]
    return fresh if len(fresh) >= 2 else stems


def _covered(term: str, given: set[str]) -> bool:
    if term in given:
        return True
    return len(term) >= 5 and any(len(g) >= 5 and (g.startswith(term) or term.startswith(g)) for g in given)


def _verdict_word(prompt: str, text: str) -> str | None:
    """What an answer to a yes/no or either/or question says: 'yes', 'no', one option, or None."""
    question = re.split(r"(?<=[.;:])\s+", prompt.strip())[-1]  # "A vendor ... . Does X ...?"
    if not _YES_NO_QUESTION.match(question):
        return None
    either = _EITHER_OR.search(question)
    if either:
        options = [o.lower() for o in either.groups()]
        places = [(m.start(), o) for o in options if (m := re.search(rf"\b{re.escape(o)}\b", text, re.I))]
        return min(places)[1] if places else None
    match = _YES_NO.match(text)
    if not match:
        return None
    return "yes" if match.group(1).lower() in ("yes", "generally yes") else "no"


@dataclass(frozen=True)
class TextEvidence:
    """What free-text grading weighs: closeness in meaning, key terms, and the verdict asked for."""

    cosine: float  # of the answer's and the model answer's vectors
    terms: list[str]  # the model answer's key terms
    hit: list[str]  # those the answer contains
    precision: float  # share of the answer's own content words that the model answer uses
    verdict: bool | None  # the yes/no or either/or verdict agrees (True), differs (False), or n/a
    capped: bool  # at most "partly": a short model answer not fully given, or a hedge between options

    @property
    def recall(self) -> float:
        return len(self.hit) / len(self.terms) if self.terms else 0.0

    def score(self, t: Thresholds) -> float:
        return (
            t.cosine_weight * self.cosine
            + t.recall_weight * self.recall
            + (1 - t.cosine_weight - t.recall_weight) * self.precision
        )

    def result(self, t: Thresholds) -> str:
        if self.verdict is False:
            return "incorrect"
        score = self.score(t)
        result = "correct" if score >= t.correct else "partly" if score >= t.partly else "incorrect"
        if result == "correct" and self.capped:
            return "partly"
        if result == "incorrect" and self.verdict:
            return "partly"  # the right verdict, without the reason
        return result


def text_evidence(prompt: str, expected: str, answer: str, cosine: float) -> TextEvidence:
    """The evidence for one answer, given the cosine of its vector and the model answer's."""
    terms = key_terms(prompt, expected)
    given = set(content_stems(answer))
    hit = [t for t in terms if _covered(t, given)]
    asked, used = set(content_stems(prompt)), set(content_stems(expected))
    own = [g for g in given if g not in asked]
    precision = sum(_covered(g, used) for g in own) / len(own) if own else 0.0
    wanted, got = _verdict_word(prompt, expected), _verdict_word(prompt, answer)
    verdict = (wanted == got) if wanted and got else None
    capped = (len(terms) <= SHORT_ANSWER_TERMS and len(hit) < len(terms)) or bool(
        _HEDGE.search(answer) and not _HEDGE.search(expected)
    )
    return TextEvidence(cosine, terms, hit, precision, verdict, capped)


def grade_text(item: Item, answer: str, embedder: EmbeddingModel, thresholds: Thresholds) -> Grade:
    vectors = embedder.encode([item.answer, answer])
    evidence = text_evidence(item.prompt, item.answer, answer, float(np.dot(vectors[0], vectors[1])))
    result = evidence.result(thresholds)
    missing = [t for t in evidence.terms if t not in evidence.hit]
    if evidence.verdict is False:
        why = "Not yet: the model answer comes to the opposite conclusion."
    elif result == "correct":
        why = "Your answer says what the model answer says"
        why += f" (key terms: {', '.join(_words(item.answer, evidence.hit))})." if evidence.hit else "."
    elif result == "partly":
        why = "Partly there: your answer is on the subject but misses"
        why += f" {', '.join(_words(item.answer, missing[:4]))}." if missing else " part of the model answer."
    else:
        why = "Not yet: your answer does not match the model answer"
        why += f"; it turns on {', '.join(_words(item.answer, evidence.terms[:4]))}." if evidence.terms else "."
    return Grade(result, why, evidence.score(thresholds))


def _words(text: str, stems: list[str]) -> list[str]:
    """The words of `text` behind some stems, as written, for explanations."""
    found = {}
    for word in re.findall(r"[A-Za-z0-9][\w'-]*", text):
        s = stem(word.lower())
        if s in stems and s not in found:
            found[s] = word
    return [found.get(s, s) for s in stems]


def grade(
    item: Item, answer: str, embedder: EmbeddingModel | None = None, thresholds: Thresholds | None = None
) -> Grade:
    """Grade one answer. Raises BadRequest for a choice answer that names no option."""
    if item.grading == "choice":
        return grade_choice(item, answer)
    if _NO_ANSWER.match(answer or ""):
        return Grade("incorrect", "No answer given; here is the model answer.")
    if item.grading == "number":
        return grade_number(item, answer)
    if item.grading == "term":
        return grade_term(item, answer)
    if embedder is None:
        raise ValueError("free-text grading needs the embedding model")
    return grade_text(item, answer, embedder, thresholds or Thresholds())
