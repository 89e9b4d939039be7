"""Python time per answer, model excluded: the part of a question that holds the GIL in the server.

Answers every evaluation question twice in this process on the shipped index; the second pass
finds every question vector in the query cache, so what it measures is retrieval, fusion and
composition alone. Under load this work queues for Python's GIL, so it bounds throughput
(bench/bench_api.py measures the whole server).

    .venv/bin/python bench/bench_answer.py [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time

from assistant.answering import Assistant
from assistant.embedding import Embedder, QueryCache
from assistant.runtime import start_cli
from assistant.settings import ROOT, Settings

QUESTIONS = ROOT / "eval/questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="Also print the 15 costliest functions.")
    parser.add_argument("--questions", default=str(QUESTIONS), help="A JSON-lines file of questions.")
    args = parser.parse_args()
    start_cli()  # one BLAS/FAISS thread, as in the server (assistant/runtime.py)
    questions = [json.loads(line)["question"] for line in open(args.questions) if line.strip()]
    assistant = Assistant(Settings.from_env(), QueryCache(Embedder()))
    for question in questions:  # fills the query cache and warms every code path
        assistant.ask(question)
    times = []
    for question in questions:
        started = time.perf_counter()
        assistant.ask(question)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"{len(questions)} questions, model excluded: mean {statistics.mean(times):.2f} ms, "
        f"p50 {statistics.median(times):.2f} ms, p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for question in questions:
            assistant.ask(question)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
