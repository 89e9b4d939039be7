"""How well the suggested follow-ups lead where they say: for each evaluation question, ask every
follow-up the answer offers and check that its answer quotes a section of the kind it promised
(the worked example for "Show me the worked example…", a sample clause for "Give me sample
wording…", and so on) from the same article.

    .venv/bin/python bench/follow_ups_quality.py [--limit 60]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from assistant.answering import Assistant
from assistant.embedding import Embedder
from assistant.follow_ups import QUESTIONS as TEMPLATES
from assistant.follow_ups import follow_ups
from assistant.settings import ROOT, Settings

QUESTIONS = ROOT / "eval/questions.jsonl"


def promised_kind(question: str) -> str | None:
    """The section kind a follow-up promises (None: a section named by its heading)."""
    for kind, template in TEMPLATES.items():
        if question.startswith(template.split("{", 1)[0]):
            return kind
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, help="How many evaluation questions to start from.")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in open(QUESTIONS) if line.strip()][: args.limit]
    assistant = Assistant(Settings.from_env(), Embedder())
    index = assistant.live.get()
    counts, offered = Counter(), Counter()
    for question in questions:
        answer = assistant.ask(question).as_dict()
        suggestions = follow_ups(index, answer)
        offered[len(suggestions)] += 1
        article = next(
            (
                c["doc_id"]
                for c in answer["citations"]
                if c["cited"] and index.documents[c["doc_id"]].topic != "glossary"
            ),
            None,
        )
        for follow_up in suggestions:
            reply = assistant.ask(follow_up).as_dict()
            kind = promised_kind(follow_up)
            quoted = [(c["doc_id"], c["kind"]) for c in reply["citations"] if c["cited"]]
            hit = any(doc == article and (kind is None or k == kind) for doc, k in quoted)
            counts[(kind or "by heading", hit)] += 1
    print(f"questions: {len(questions)}; follow-ups offered per answer: {dict(sorted(offered.items()))}")
    for kind in sorted({k for k, _ in counts}):
        hits, total = counts[(kind, True)], counts[(kind, True)] + counts[(kind, False)]
        print(f"{kind:16} {hits}/{total} answers quote the promised section of the same article")
    hits = sum(n for (_, hit), n in counts.items() if hit)
    print(f"{'all':16} {hits}/{sum(counts.values())}")


if __name__ == "__main__":
    main()
