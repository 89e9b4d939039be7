"""How well the grader agrees with people: accuracy on a labelled set of candidate answers, and
the free-text thresholds that maximise it (`assistant study --grader-accuracy [--calibrate]`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..embedding import EmbeddingModel
from .grading import RESULTS, Thresholds, grade, text_evidence
from .items import Item

LABELLED = "study_answers.jsonl"  # in the evaluation set folder (ASSISTANT_EVAL_DIR)
FOLDS = 5
_CODE = {"correct": 0, "partly": 1, "incorrect": 2}


def load_labelled(path: Path) -> list[dict]:
    """Labelled answers: question, model answer, grading, the answer, and a person's label."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _item(record: dict) -> Item:
    return Item(
        id=record["item_id"],
        kind="",
        topic="",
        difficulty=1,
        prompt=record["question"],
        answer=record["expected"],
        grading=record["grading"],
        url="",
        source="",
        section="",
        title="",
        aliases=record.get("aliases") or [],
        value=record.get("value"),
        unit=record.get("unit") or "",
        decimals=record.get("decimals") or 0,
        approx=bool(record.get("approx")),
    )


def _evidence(records: list[dict], embedder: EmbeddingModel) -> list:
    """Free-text evidence for every text record, from one batch through the model."""
    if not records:
        return []
    vectors = embedder.encode([t for r in records for t in (r["expected"], r["answer"])])
    return [
        text_evidence(r["question"], r["expected"], r["answer"], float(np.dot(vectors[2 * i], vectors[2 * i + 1])))
        for i, r in enumerate(records)
    ]


def calibrate(evidence: list, labels: list[str]) -> Thresholds:
    """The weights and cut-offs with the best accuracy on these answers (a grid, first best kept)."""
    features = np.array([[e.cosine, e.recall, e.precision] for e in evidence])
    verdict = np.array([{None: 0, True: 1, False: -1}[e.verdict] for e in evidence])
    capped = np.array([e.capped for e in evidence])
    wanted = np.array([_CODE[label] for label in labels])
    cutoffs = [(c, p) for c in np.arange(0.30, 0.90, 0.02) for p in np.arange(0.10, 0.70, 0.02) if p < c]
    high = np.array([c for c, _ in cutoffs])[:, None]
    low = np.array([p for _, p in cutoffs])[:, None]
    best, best_hits = Thresholds(), -1
    for cosine_weight in np.arange(0.0, 1.01, 0.1):
        for recall_weight in np.arange(0.0, 1.01 - cosine_weight, 0.1):
            weights = np.array([cosine_weight, recall_weight, 1 - cosine_weight - recall_weight])
            score = features @ weights
            result = np.where(score >= high, 0, np.where(score >= low, 1, 2))  # cut-offs × answers
            result = np.where(capped & (result == 0), 1, result)
            result = np.where((verdict == 1) & (result == 2), 1, result)
            result = np.where(verdict == -1, 2, result)
            hits = (result == wanted).sum(axis=1)
            top = int(hits.argmax())
            if hits[top] > best_hits:
                best_hits = int(hits[top])
                best = Thresholds(
                    round(float(high[top, 0]), 2),
                    round(float(low[top, 0]), 2),
                    round(float(cosine_weight), 2),
                    round(float(recall_weight), 2),
                )
    return best


def grader_accuracy(
    embedder: EmbeddingModel, path: Path, thresholds: Thresholds | None = None, calibrating: bool = False
) -> dict:
    """The grader's agreement with the labels: overall, for free text, by grading and by answer type.

    Records marked "split": "holdout" are reported on their own too and never calibrated on. With
    `calibrating`, also the thresholds that fit the other free-text answers best, and
    `cross_validated`: their accuracy when each fifth of the items is graded with thresholds
    calibrated on the other four fifths (all answers to one item in the same fifth).
    """
    thresholds = thresholds or Thresholds()
    records = load_labelled(path)
    text = [r for r in records if r["grading"] == "text"]
    evidence = _evidence(text, embedder)
    by_record = {id(r): e for r, e in zip(text, evidence)}
    results = [
        by_record[id(r)].result(thresholds)
        if r["grading"] == "text"
        else grade(_item(r), r["answer"], embedder, thresholds).result
        for r in records
    ]
    pairs = list(zip(results, records))

    def accuracy(keep) -> float | None:
        chosen = [(result, r) for result, r in pairs if keep(r)]
        return round(sum(result == r["label"] for result, r in chosen) / len(chosen), 3) if chosen else None

    report = {
        "answers": len(records),
        "free_text_answers": len(text),
        "accuracy": accuracy(lambda r: True),
        "free_text_accuracy": accuracy(lambda r: r["grading"] == "text"),
        "by_grading": {g: accuracy(lambda r, g=g: r["grading"] == g) for g in sorted({r["grading"] for r in records})},
        "by_type": {t: accuracy(lambda r, t=t: r["type"] == t) for t in sorted({r["type"] for r in records})},
        "confusion": {label: dict(Counter(result for result, r in pairs if r["label"] == label)) for label in RESULTS},
        "thresholds": asdict(thresholds),
        # Written after the grader's rules and thresholds were settled, and never used to tune them.
        "holdout_answers": sum(r.get("split") == "holdout" for r in records),
        "holdout_accuracy": accuracy(lambda r: r.get("split") == "holdout"),
    }
    text = [r for r in text if r.get("split") != "holdout"]
    evidence = [by_record[id(r)] for r in text]
    if calibrating and text:
        report["calibrated"] = asdict(calibrate(evidence, [r["label"] for r in text]))
        items = sorted({r["item_id"] for r in text})
        fold = {item: i % FOLDS for i, item in enumerate(np.random.default_rng(0).permutation(items))}
        hits = 0
        for k in range(FOLDS):
            train = [(e, r["label"]) for r, e in zip(text, evidence) if fold[r["item_id"]] != k]
            fitted = calibrate([e for e, _ in train], [label for _, label in train])
            hits += sum(e.result(fitted) == r["label"] for r, e in zip(text, evidence) if fold[r["item_id"]] == k)
        report["cross_validated"] = round(hits / len(text), 3)
    return report


def format_grader_accuracy(report: dict) -> str:
    """One line for `assistant eval` and `assistant study --grader-accuracy`."""
    line = (
        f"study grader: accuracy {report['accuracy']:.3f} on {report['answers']} labelled answers "
        f"(free text {report['free_text_accuracy']:.3f} on {report['free_text_answers']})"
    )
    if report.get("holdout_answers"):
        line += f"; held-out {report['holdout_accuracy']:.3f} on {report['holdout_answers']}"
    if "cross_validated" in report:
        line += f"; free text {FOLDS}-fold cross-validated {report['cross_validated']:.3f}"
    return line
