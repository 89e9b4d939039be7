"""Embedding: the bundled model, and micro-batching of concurrent queries."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assistant.embedding import QueryBatcher


def _slow_encoder(calls: list[int], fail: bool = False):
    def encode(texts, batch_size=16):
        calls.append(len(texts))
        time.sleep(0.02)  # long enough for concurrent queries to queue up
        if fail:
            raise RuntimeError("model failed")
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)
    return encode


def _ask_concurrently(batcher: QueryBatcher, count: int) -> dict:
    results = {}

    def ask(i: int) -> None:
        try:
            results[i] = batcher("q" * i)
        except RuntimeError as err:
            results[i] = err

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(1, count + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_queries_share_model_calls_and_get_their_own_vectors():
    calls: list[int] = []
    results = _ask_concurrently(QueryBatcher(_slow_encoder(calls)), 30)
    assert {i: float(v[0]) for i, v in results.items()} == {i: float(i) for i in range(1, 31)}
    assert sum(calls) == 30 and len(calls) < 30


def test_a_lone_query_is_encoded_at_once():
    calls: list[int] = []
    batcher = QueryBatcher(_slow_encoder(calls), wait=1.0)
    started = time.perf_counter()
    assert float(batcher("abc")[0]) == 3.0
    assert time.perf_counter() - started < 0.5 and calls == [1]


def test_a_model_failure_reaches_every_waiting_query():
    results = _ask_concurrently(QueryBatcher(_slow_encoder([], fail=True)), 8)
    assert all(isinstance(r, RuntimeError) for r in results.values())


def test_bundled_model_encodes_unit_vectors(embedder):
    vectors = embedder.encode(["service credits", "force majeure"])
    assert vectors.shape == (2, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert embedder.encode_query("service credits") @ vectors[0] == pytest.approx(1.0, abs=2e-3)
