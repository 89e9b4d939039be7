"""Encoding strategies on the shipped corpus: what `assistant build` spends most of its time on.

Run: .venv/bin/python bench/bench_encode.py [--rounds 2]
Compares, on every passage and sentence of the shipped corpus, sentence-transformers' own
`model.encode` (batches of 16, each one forward pass on torch's threads over every core) with
`Embedder.encode` (texts sorted by length, batches of 16, each batch single-threaded, one thread
per core). Rounds alternate so that a slow spell of the machine hits both. Last, it encodes 400
sentences in this process with and without a busy Python thread beside it: why the server keeps
the model in a process of its own. Where the CPU has bfloat16, it then times questions in small
batches with the weights in float32, under autocast, and cast to bfloat16 (what Embedder does).
Last, questions by the eager model, by its TorchScript graph, and by the graph with packed
weights (what Embedder runs: assistant/forward.py), with a check that the vectors are the same.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import statistics
import threading
import time

import numpy as np
import torch

from assistant.chunking import chunk_article
from assistant.corpus import load_corpus
from assistant.embedding import Embedder
from assistant.forward import compile_forward
from assistant.settings import ROOT, Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    passages = [p for a in load_corpus(Settings().corpus_dir) for p in chunk_article(a)]
    texts = {"passages": [p.embed_text for p in passages], "sentences": [s for p in passages for s in p.sentences]}
    embedder = Embedder()

    def library(batch: list[str]) -> np.ndarray:
        torch.set_num_threads(embedder.cores)
        return embedder.model.encode(batch, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)

    strategies = {
        "model.encode, multi-threaded batches": library,
        "Embedder.encode, a thread per core": embedder.encode,
    }
    for round_ in range(1, args.rounds + 1):
        for name, encode in strategies.items():
            seconds = {}
            for kind, batch in texts.items():
                started = time.perf_counter()
                encode(batch)
                seconds[kind] = time.perf_counter() - started
            print(
                f"round {round_}, {name}: {len(texts['passages'])} passages {seconds['passages']:.1f} s"
                f" + {len(texts['sentences'])} sentences {seconds['sentences']:.1f} s"
                f" = {sum(seconds.values()):.1f} s"
            )

    sample = texts["sentences"][:400]
    alone = _seconds(embedder.encode, sample)
    stop = threading.Event()

    def busy() -> None:  # pure Python, like a request thread parsing and ranking: holds the GIL
        count = 0
        while not stop.is_set():
            count += 1

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        beside = _seconds(embedder.encode, sample)
    finally:
        stop.set()
        thread.join()
    print(
        f"400 sentences in this process: {alone:.1f} s alone, {beside:.1f} s beside one busy Python "
        f"thread ({beside / alone:.1f}x)"
    )
    if next(embedder.model.parameters()).dtype == torch.bfloat16:
        _precisions(embedder)
    _compiled(embedder, args.rounds)


def _compiled(embedder: Embedder, rounds: int) -> None:
    """Questions as the model process encodes them (lone, and four at a time: half a batch of 8) by
    the eager model, by its TorchScript graph, and by the graph with packed weights (what Embedder
    runs, `assistant/forward.py`): median CPU time per question over alternating rounds, and
    whether every vector is the eager model's to the bit."""
    questions = [json.loads(line)["question"] for line in (ROOT / "eval/questions.jsonl").open()][:200]
    torch.set_num_threads(1)
    eager = lambda f: embedder.model(f)["sentence_embedding"]  # noqa: E731
    forwards = {
        "eager": eager,
        "graph": compile_forward(embedder.model, embedder._tokenize, pack=False),
        "graph, packed weights": embedder._compiled,
    }
    forwards = {name: run for name, run in forwards.items() if run is not None}
    for size in (1, 4):
        features = [embedder._tokenize(questions[i : i + size]) for i in range(0, len(questions), size)]
        with torch.inference_mode():
            reference = [eager(dict(f)).float().numpy() for f in features]
        cpu: dict[str, list[float]] = {name: [] for name in forwards}
        same = dict.fromkeys(forwards, True)
        for round_ in range(2 * rounds):
            for name, run in forwards.items() if round_ % 2 else reversed(forwards.items()):
                started = time.process_time()
                with torch.inference_mode():
                    rows = [run(dict(f)).float().numpy() for f in features]
                cpu[name].append((time.process_time() - started) * 1000 / len(questions))
                same[name] &= all(np.array_equal(row, known) for row, known in zip(rows, reference))
        for name in forwards:
            print(
                f"questions in batches of {size}, {name}: {statistics.median(cpu[name]):.2f} ms CPU each "
                f"(median of {len(cpu[name])}), {'the eager vectors to the bit' if same[name] else 'VECTORS DIFFER'}"
            )


def _precisions(embedder: Embedder) -> None:
    """Questions as the model process encodes them (small batches, one thread), with the weights
    in float32, in float32 under bfloat16 autocast, and cast to bfloat16 once (what Embedder does
    where the CPU has bfloat16): CPU time per question and the lowest cosine to float32's vector."""
    questions = [json.loads(line)["question"] for line in (ROOT / "eval/questions.jsonl").open()][:200]
    torch.set_num_threads(1)
    full = copy.deepcopy(embedder.model).float()
    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # noqa: E731
    models = {"float32": (full, contextlib.nullcontext), "autocast": (full, autocast)}
    models["bfloat16 weights"] = (embedder.model, contextlib.nullcontext)
    for size in (1, 4, 8):
        features = [embedder._tokenize(questions[i : i + size]) for i in range(0, len(questions), size)]
        found = {}
        for name, (model, context) in models.items():
            started = time.process_time()
            with torch.inference_mode(), context():
                rows = [model(f)["sentence_embedding"].float().numpy() for f in features]
            cpu = (time.process_time() - started) * 1000 / len(questions)
            vectors = np.concatenate(rows)
            found[name] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            lowest = (found[name] * found["float32"]).sum(axis=1).min()
            print(f"questions in batches of {size}, {name}: {cpu:.2f} ms CPU each, lowest cosine {lowest:.5f}")


def _seconds(encode, texts: list[str]) -> float:
    started = time.perf_counter()
    encode(texts)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
