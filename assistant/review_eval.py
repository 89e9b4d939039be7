"""Measure the clause review on a labelled set: type accuracy, and element and red-flag precision/recall."""

from __future__ import annotations

import json
from pathlib import Path

from .review import review

SET_NAME = "clauses.jsonl"  # in the evaluation set folder (ASSISTANT_EVAL_DIR)


def _pr(true_positive: int, predicted: int, expected: int) -> dict:
    return {
        "precision": round(true_positive / predicted, 3) if predicted else 1.0,
        "recall": round(true_positive / expected, 3) if expected else 1.0,
        "true_positives": true_positive,
        "predicted": predicted,
        "expected": expected,
    }


def evaluate_reviews(corpus_dir: Path, path: Path) -> dict:
    """Type accuracy (top-1 without a given type) and, reviewing each clause as its labelled type,
    micro precision/recall of the elements found (present or weak) and of the red flags, overall and
    per split (dev: used while writing the rules; holdout: not looked at while tuning them)."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    report, mistakes = {}, []
    for split in ("all", "dev", "holdout"):
        chosen = [r for r in rows if split == "all" or r.get("split") == split]
        typed = tp_e = pred_e = exp_e = tp_f = pred_f = exp_f = 0
        for row in chosen:
            guessed = review(row["text"], corpus_dir)["clause_type"]
            typed += guessed == row["type"]
            result = review(row["text"], corpus_dir, clause_type=row["type"])
            found = {e["name"] for e in result["elements"] if e["status"] != "missing"}
            flags = {f["name"] for f in result["red_flags"]}
            want, want_flags = set(row["elements"]), set(row["red_flags"])
            tp_e, pred_e, exp_e = tp_e + len(found & want), pred_e + len(found), exp_e + len(want)
            tp_f, pred_f, exp_f = tp_f + len(flags & want_flags), pred_f + len(flags), exp_f + len(want_flags)
            if split == "all" and (guessed != row["type"] or found != want or flags != want_flags):
                mistakes.append(
                    {
                        "id": row["id"],
                        "type": row["type"],
                        "guessed": guessed,
                        "extra_elements": sorted(found - want),
                        "missed_elements": sorted(want - found),
                        "extra_flags": sorted(flags - want_flags),
                        "missed_flags": sorted(want_flags - flags),
                    }
                )
        report[split] = {
            "clauses": len(chosen),
            "type_accuracy": round(typed / len(chosen), 3) if chosen else 0.0,
            "elements": _pr(tp_e, pred_e, exp_e),
            "red_flags": _pr(tp_f, pred_f, exp_f),
        }
    report["mistakes"] = mistakes
    return report
