"""Python time per answer, model excluded: the part of a question that holds the GIL in the server.

Answers every evaluation question twice in this process on the shipped index; the second pass
finds every question vector in the query cache, so what it measures is retrieval, fusion and
composition alone. Under load this work queues for Python's GIL, so it bounds throughput
(bench/bench_api.py measures the whole server).

    .venv/bin/python bench/bench_answer.py [--profile] [--request] [--rounds 3]

`--request` does all the Python work of one /api/ask request but the HTTP: the conversation store
(in a temporary folder), the follow-ups, and the response model's validation and JSON. CPU ms is
this process's CPU time per answer (time.process_time), steadier than wall time when other work
shares the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from assistant.answering import Assistant
from assistant.embedding import Embedder, QueryCache
from assistant.runtime import start_cli
from assistant.settings import ROOT, Settings

QUESTIONS = ROOT / "eval/questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="Also print the 15 costliest functions.")
    parser.add_argument("--questions", default=str(QUESTIONS), help="A JSON-lines file of questions.")
    parser.add_argument("--request", action="store_true", help="Time all of /api/ask's Python work but HTTP.")
    parser.add_argument("--rounds", type=int, default=3, help="Timed passes over the questions.")
    args = parser.parse_args()
    start_cli()  # one BLAS/FAISS thread, as in the server (assistant/runtime.py)
    questions = [json.loads(line)["question"] for line in open(args.questions) if line.strip()]
    assistant = Assistant(Settings.from_env(), QueryCache(Embedder()))
    answer = request_handler(assistant) if args.request else assistant.ask
    for question in questions:  # fills the query cache and warms every code path
        answer(question)
    times, cpu = [], []
    for _ in range(args.rounds):
        cpu_started = time.process_time()
        for question in questions:
            started = time.perf_counter()
            answer(question)
            times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000 / len(questions))
    print(
        f"{len(questions)} questions x {args.rounds}, model excluded{', whole request' if args.request else ''}: "
        f"mean {statistics.mean(times):.2f} ms, p50 {statistics.median(times):.2f} ms, "
        f"p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms; CPU per answer by round "
        + ", ".join(f"{ms:.2f}" for ms in cpu)
        + " ms"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for question in questions:
            answer(question)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


def request_handler(assistant: Assistant):
    """What /api/ask does for a question, but HTTP (assistant/routes/api.py)."""
    from assistant.conversation import respond
    from assistant.conversations import ConversationStore
    from assistant.routes.api import AskResponse

    store = ConversationStore(Path(tempfile.mkdtemp(prefix="bench-answer-")) / "bench.db")

    def handle(question: str) -> str:
        return AskResponse.model_validate(respond(assistant, store, question)).model_dump_json(exclude_unset=True)

    return handle


if __name__ == "__main__":
    main()
