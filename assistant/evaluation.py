"""Measure retrieval quality on the evaluation set: ranking metrics, abstention and follow-ups."""

from __future__ import annotations

import json
import math
from pathlib import Path

from .answering import answer_question
from .conversations import follow_up_context
from .retrieval import METHODS, Retriever
from .settings import ROOT

EVAL_DIR = ROOT / "tests" / "eval"


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def ranked_docs(retriever: Retriever, query: str, method: str, depth: int = 10,
                context: str | None = None, context_weight: float = 1.0) -> list[str]:
    """Article ids in the order their passages rank, each once."""
    hits, _ = retriever.search(query, k=depth * 3, method=method, context=context,
                               context_weight=context_weight)
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


def evaluate(retriever: Retriever, threshold: float, eval_dir: Path = EVAL_DIR,
             calibration: bool = False) -> dict:
    """Every number `assistant eval` prints, computed from the evaluation files.

    With `calibration`, the report also lists each question's evidence score, from which
    `assistant eval --calibrate` shows how every abstention threshold would do.
    """
    questions = load_jsonl(eval_dir / "questions.jsonl")
    in_scope = [q for q in questions if q["relevant"]]
    out_of_scope = [q for q in questions if not q["relevant"]]
    report: dict = {"questions": len(in_scope), "out_of_scope": len(out_of_scope), "methods": {}}
    for method in METHODS:
        report["methods"][method] = _mean(
            [scores(ranked_docs(retriever, q["question"], method), q["relevant"]) for q in in_scope])

    # Evidence is what abstention compares with the threshold; one answer per question gives both.
    evidence = {q["id"]: answer_question(retriever, q["question"], threshold=-1.0).evidence
                for q in questions}
    abstained_oos = sum(evidence[q["id"]] < threshold for q in out_of_scope)
    abstained_in = sum(evidence[q["id"]] < threshold for q in in_scope)
    flagged = abstained_oos + abstained_in
    report["abstention"] = {
        "threshold": threshold,
        "precision": round(abstained_oos / flagged, 4) if flagged else 1.0,
        "recall": round(abstained_oos / len(out_of_scope), 4) if out_of_scope else 1.0,
        "in_scope_abstained": abstained_in,
    }
    if calibration:
        report["calibration"] = [{"id": q["id"], "in_scope": bool(q["relevant"]),
                                  "evidence": round(evidence[q["id"]], 4)} for q in questions]

    first_turns, follow_ups, without_context = [], [], []
    for dialogue in load_jsonl(eval_dir / "dialogues.jsonl"):
        earlier: list[str] = []
        for turn in dialogue["turns"]:
            context, weight = follow_up_context(turn["question"], earlier)
            ranking = ranked_docs(retriever, turn["question"], "hybrid", context=context,
                                  context_weight=weight)
            result = scores(ranking, turn["relevant"])
            if earlier:
                follow_ups.append(result)
                without_context.append(
                    scores(ranked_docs(retriever, turn["question"], "hybrid"), turn["relevant"]))
            else:
                first_turns.append(result)
            earlier.append(turn["question"])
    report["dialogues"] = {
        "first_turns": _mean(first_turns),
        "follow_ups": _mean(follow_ups),
        "follow_ups_without_context": _mean(without_context),
        "follow_up_count": len(follow_ups),
    }
    return report
