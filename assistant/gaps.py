"""What to write next: unanswered questions and "not helpful" answers, grouped by similar question."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .chunking import normalise_question

SIMILAR = 0.8  # cosine of two questions' vectors at which they count as one question
BATCH = 128  # questions per model call: a server's model process bounds each call's time


def group_questions(rows: list[dict], embedder, similar: float = SIMILAR) -> list[dict]:
    """Group `rows` ({question, reason, comment, created_at}, newest first) by similar question.

    Each group: {question (its most asked wording), count, unanswered, not_helpful, wordings,
    comments, last_asked}; the groups most asked first. Similar means the same question up to
    case and punctuation, or question vectors at least `similar` apart in cosine.
    """
    if not rows:
        return []
    asked = Counter(normalise_question(r["question"]) for r in rows)
    keys = sorted(asked, key=lambda k: -asked[k])
    vectors = np.vstack([embedder.encode(keys[i : i + BATCH]) for i in range(0, len(keys), BATCH)])
    leaders: list[int] = []  # index in `keys` of each group's first (most asked) wording
    group_of: dict[str, int] = {}
    for i, key in enumerate(keys):
        cosines = vectors[leaders] @ vectors[i] if leaders else np.zeros(0)
        best = int(np.argmax(cosines)) if len(cosines) else -1
        if best >= 0 and cosines[best] >= similar:
            group_of[key] = best
        else:
            group_of[key] = len(leaders)
            leaders.append(i)
    groups = [
        {
            "question": "",
            "count": 0,
            "unanswered": 0,
            "not_helpful": 0,
            "wordings": [],
            "comments": [],
            "last_asked": "",
        }
        for _ in leaders
    ]
    for row in rows:
        key = normalise_question(row["question"])
        group = groups[group_of[key]]
        if key == keys[leaders[group_of[key]]] and not group["question"]:
            group["question"] = row["question"]  # the most asked wording, as last asked
        group["count"] += 1
        group["unanswered" if row["reason"] == "unanswered" else "not_helpful"] += 1
        if row["question"] not in group["wordings"]:
            group["wordings"].append(row["question"])
        if row.get("comment"):
            group["comments"].append(row["comment"])
        group["last_asked"] = max(group["last_asked"], row["created_at"])
    return sorted(groups, key=lambda g: (-g["count"], g["question"].lower()))
