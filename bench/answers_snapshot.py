"""Every evaluation question's answer as JSON, to prove a speed-up changes no answer.

Answers the questions of eval/questions.jsonl, situational.jsonl and holdout.jsonl, and each
dialogue of eval/dialogues.jsonl turn by turn with its follow-up context (as the chat does), on
the built index; writes, per question, the answer text, blocks, citations, follow-ups and the
top of the hybrid ranking the evaluation scores. Run it before and after a change and compare:

    .venv/bin/python bench/answers_snapshot.py /tmp/before.json
    .venv/bin/python bench/answers_snapshot.py /tmp/after.json --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import sys

from assistant.answering import Assistant
from assistant.conversation import follow_up_context
from assistant.embedding import Embedder, QueryCache
from assistant.follow_ups import follow_ups
from assistant.intent import classify
from assistant.runtime import start_cli
from assistant.settings import ROOT, Settings

FILES = ("questions", "situational", "holdout")
RANKING_DEPTH = 30  # as deep as `assistant eval` looks (k = depth * 3)


def turns() -> list[tuple[str, str, str | None, float]]:
    """(key, question, context, context weight) for every question and dialogue turn."""
    found = []
    for name in FILES:
        for line in (ROOT / "eval" / f"{name}.jsonl").open():
            if line.strip():
                row = json.loads(line)
                found.append((f"{name}/{row['id']}", row["question"], None, 1.0))
    for line in (ROOT / "eval/dialogues.jsonl").open():
        if line.strip():
            dialogue = json.loads(line)
            earlier: list[str] = []
            for n, turn in enumerate(dialogue["turns"]):
                context, weight = follow_up_context(turn["question"], earlier)
                found.append((f"dialogues/{dialogue['id']}/{n}", turn["question"], context, weight))
                earlier.append(turn["question"])
    return found


def snapshot(assistant: Assistant) -> dict:
    """What a user and the evaluation see of each answer (timings left out)."""
    retriever = assistant.retriever
    result = {}
    for key, question, context, weight in turns():
        answer = assistant.ask(question, context=context, context_weight=weight).as_dict()
        answer.pop("timing_ms")
        hits, _ = retriever.search(
            question, k=RANKING_DEPTH, context=context, context_weight=weight, intent=classify(question)
        )
        result[key] = {
            **answer,
            "follow_ups": follow_ups(retriever.index, answer),
            "ranking": [[hit.passage.id, round(hit.score, 9), round(hit.dense, 6)] for hit in hits],
        }
    return result


def compare(now: dict, before: dict) -> int:
    """Print the questions whose answers differ; the number of them."""
    differing = [key for key in sorted(set(now) | set(before)) if now.get(key) != before.get(key)]
    for key in differing:
        fields = sorted(
            f
            for f in set(now.get(key, {})) | set(before.get(key, {}))
            if (now.get(key) or {}).get(f) != (before.get(key) or {}).get(f)
        )
        print(f"differs: {key} ({', '.join(fields)})")
    print(f"{len(now)} answers, {len(differing)} differ")
    return len(differing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="Where to write the snapshot (JSON).")
    parser.add_argument("--compare", metavar="BEFORE", help="A snapshot to compare with; exit 1 if any answer differs.")
    args = parser.parse_args()
    start_cli()
    now = snapshot(Assistant(Settings.from_env(), QueryCache(Embedder())))
    with open(args.output, "w") as out:
        json.dump(now, out, indent=1, sort_keys=True)
    if args.compare:
        with open(args.compare) as before:
            sys.exit(1 if compare(now, json.load(before)) else 0)


if __name__ == "__main__":
    main()
