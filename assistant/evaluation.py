"""Measure retrieval quality on the evaluation set: ranking metrics, abstention and follow-ups."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from .answering import Answer, answer_question
from .conversation import follow_up_context
from .intent import classify
from .retrieval import METHODS, Retriever

QUESTION_FILES = ("questions.jsonl", "situational.jsonl")
# Question kinds grouped the way the goals are set: plain questions, and real situations.
GROUPS = {
    "study": "plain",
    "clause": "plain",
    "paraphrase": "plain",
    "widget": "plain",
    "situational": "situational",
    "calculation": "calculation",
    "clause_wording": "clause wording",
}
# Judged independently of the composer's own rules: an answer sentence that opens by pointing
# back ("This ...", "Both ...") with nothing before it, or forward ("below") with nothing after it.
_BACK = re.compile(
    r"^(?!(?-i:IT)\b)(this|these|those|it|they|both|all (three|four)|such|the above|the latter|the former)\b",
    re.IGNORECASE,
)
_FORWARD = re.compile(r"\b(below|as follows|the following)\b|:$", re.IGNORECASE)
_DEFINITION = re.compile(
    r"^(?:an?\s+|the\s+)?(?P<subject>[\w /()&'-]{2,60}?)\s+(?:is|are|means|refers to)\s+"
    r"(?:an?|the)\b",
    re.IGNORECASE,
)
_MARK = re.compile(r"\s*\[\d+\]")


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def load_questions(eval_dir: Path, files: tuple[str, ...] = QUESTION_FILES) -> list[dict]:
    return [q for name in files if (eval_dir / name).exists() for q in load_jsonl(eval_dir / name)]


def ranked_docs(
    retriever: Retriever,
    query: str,
    method: str,
    depth: int = 10,
    context: str | None = None,
    context_weight: float = 1.0,
) -> list[str]:
    """Article ids in the order their passages rank, each once."""
    hits, _ = retriever.search(
        query, k=depth * 3, method=method, context=context, context_weight=context_weight, intent=classify(query)
    )
    return list(dict.fromkeys(h.passage.doc_id for h in hits))[:depth]


def scores(ranking: list[str], relevant: list[str]) -> dict[str, float]:
    """Recall@1, Recall@5, MRR@10 and nDCG@10 (binary gains) of one ranking."""
    wanted = set(relevant)
    first = next((i for i, doc in enumerate(ranking[:10]) if doc in wanted), None)
    dcg = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranking[:10]) if doc in wanted)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(wanted), 10)))
    return {
        "recall@1": len(wanted & set(ranking[:1])) / min(len(wanted), 1),
        "recall@5": len(wanted & set(ranking[:5])) / len(wanted),
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
        "ndcg@10": dcg / ideal,
    }


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]} if rows else {}


def _abstention(answers: dict[str, Answer], in_scope: list[dict], out_of_scope: list[dict], threshold: float) -> dict:
    """How well abstaining tells out-of-scope questions apart: precision, recall, wrongly refused."""
    abstained_oos = sum(answers[q["id"]].abstained for q in out_of_scope)
    abstained_in = sum(answers[q["id"]].abstained for q in in_scope)
    flagged = abstained_oos + abstained_in
    return {
        "threshold": threshold,
        "precision": round(abstained_oos / flagged, 4) if flagged else 1.0,
        "recall": round(abstained_oos / len(out_of_scope), 4) if out_of_scope else 1.0,
        "in_scope_abstained": abstained_in,
    }


def _recall_by_group(retriever: Retriever, in_scope: list[dict]) -> dict[str, float]:
    """Hybrid Recall@5 over all questions, per group and per labelled intent."""
    by_group = defaultdict(list)
    for q in in_scope:
        result = scores(ranked_docs(retriever, q["question"], "hybrid"), q["relevant"])
        kind = q.get("kind", "other")
        for key in ("all", GROUPS.get(kind, kind), f"intent:{q.get('intent', '?')}"):
            by_group[key].append(result)
    return {key: _mean(rows)["recall@5"] for key, rows in by_group.items()}


def _dialogues(retriever: Retriever, dialogues: list[dict]) -> dict:
    """Ranking quality of first turns and of follow-ups, with and without the conversation."""
    first_turns, follow_ups, without_context = [], [], []
    for dialogue in dialogues:
        earlier: list[str] = []
        for turn in dialogue["turns"]:
            context, weight = follow_up_context(turn["question"], earlier)
            ranking = ranked_docs(retriever, turn["question"], "hybrid", context=context, context_weight=weight)
            result = scores(ranking, turn["relevant"])
            if earlier:
                follow_ups.append(result)
                without_context.append(scores(ranked_docs(retriever, turn["question"], "hybrid"), turn["relevant"]))
            else:
                first_turns.append(result)
            earlier.append(turn["question"])
    return {
        "first_turns": _mean(first_turns),
        "follow_ups": _mean(follow_ups),
        "follow_ups_without_context": _mean(without_context),
        "follow_up_count": len(follow_ups),
    }


def evaluate(
    retriever: Retriever,
    threshold: float,
    eval_dir: Path,
    calibration: bool = False,
    max_sentences: int | None = None,
    files: tuple[str, ...] = QUESTION_FILES,
) -> dict:
    """Every number `assistant eval` prints, computed from the evaluation files.

    With `calibration`, the report also lists each question's evidence score, from which
    `assistant eval --calibrate` shows how every abstention threshold would do.
    """
    questions = load_questions(eval_dir, files)
    in_scope = [q for q in questions if q["relevant"]]
    out_of_scope = [q for q in questions if not q["relevant"]]
    report: dict = {"questions": len(in_scope), "out_of_scope": len(out_of_scope), "methods": {}}
    for method in METHODS:
        report["methods"][method] = _mean(
            [scores(ranked_docs(retriever, q["question"], method), q["relevant"]) for q in in_scope]
        )

    extra = {"max_sentences": max_sentences} if max_sentences else {}
    answers = {q["id"]: answer_question(retriever, q["question"], threshold=threshold, **extra) for q in questions}
    report["abstention"] = _abstention(answers, in_scope, out_of_scope, threshold)
    if calibration:
        report["calibration"] = [
            {"id": q["id"], "in_scope": bool(q["relevant"]), "evidence": round(answers[q["id"]].evidence, 4)}
            for q in questions
        ]

    report["answers"] = answer_quality(retriever, in_scope, answers)
    for key, recall in _recall_by_group(retriever, in_scope).items():
        report["answers"].setdefault(key, {})["recall@5"] = recall
    dialogues = load_jsonl(eval_dir / "dialogues.jsonl") if files == QUESTION_FILES else []
    report["dialogues"] = _dialogues(retriever, dialogues)
    return report


def answer_sentences(answer: Answer) -> list[str]:
    """The answer's prose sentences (paragraph blocks) without their [n] markers."""
    return [s for block in answer.blocks if block["type"] == "paragraph" for s in split_sentences_plain(block["text"])]


def repeats_definition(answer: Answer, vectors: dict[str, np.ndarray]) -> bool:
    """Two sentences defining the same subject, or two sentences that say the same thing."""
    sentences = answer_sentences(answer)
    subjects = [m["subject"].lower() for m in map(_DEFINITION.match, sentences) if m]
    if len(subjects) != len(set(subjects)):  # one subject defined twice
        return True
    known = [vectors[s] for s in sentences if s in vectors]
    return any(float(a @ b) > 0.85 for i, a in enumerate(known) for b in known[i + 1 :])


def dangles(answer: Answer) -> bool:
    """A block that opens by pointing back at nothing, or points forward at nothing."""
    blocks = answer.blocks
    for i, block in enumerate(blocks):
        if block["type"] != "paragraph":
            continue
        sentences = split_sentences_plain(block["text"])
        if sentences and _BACK.match(sentences[0]):
            return True
        nxt = blocks[i + 1]["type"] if i + 1 < len(blocks) else None
        if sentences and _FORWARD.search(sentences[-1]) and nxt in (None, "paragraph"):
            return True
    return False


def split_sentences_plain(text: str) -> list[str]:
    from .chunking import split_sentences

    return split_sentences(_MARK.sub("", text))


def answer_quality(retriever: Retriever, questions: list[dict], answers: dict[str, Answer]) -> dict:
    """Per group and per labelled intent: answer fact recall (every `answer_must` regex found in
    the answer text), repeated-definition and dangling-reference rates, intent accuracy."""
    vectors = {s: v for p in retriever.index.passages for s, v in zip(p.sentences, p.sentence_vectors)}
    rows: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        answer = answers[q["id"]]
        must = q.get("answer_must") or []
        row = {
            "facts": float(not answer.abstained and all(re.search(rx, answer.text, re.IGNORECASE) for rx in must))
            if must
            else None,
            "repeated": float(repeats_definition(answer, vectors)),
            "dangling": float(dangles(answer)),
            "intent": float(classify(q["question"]).main == q.get("intent")) if q.get("intent") else None,
        }
        kind = q.get("kind", "other")
        for key in ("all", GROUPS.get(kind, kind), f"intent:{q.get('intent', '?')}"):
            rows[key].append(row)
    report = {}
    for key, group in sorted(rows.items()):
        facts = [r["facts"] for r in group if r["facts"] is not None]
        intents = [r["intent"] for r in group if r["intent"] is not None]
        report[key] = {
            "questions": len(group),
            "fact_recall": round(sum(facts) / len(facts), 4) if facts else None,
            "repeated_definition": round(sum(r["repeated"] for r in group) / len(group), 4),
            "dangling_reference": round(sum(r["dangling"] for r in group) / len(group), 4),
            "intent_accuracy": round(sum(intents) / len(intents), 4) if intents else None,
        }
    return report
