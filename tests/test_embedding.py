"""Embedding: the bundled model, and micro-batching of concurrent queries."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assistant.embedding import QueryBatcher, QueryCache


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


def test_a_storys_sentences_ride_in_the_same_model_call_as_other_questions():
    """A story's sentences queue beside concurrent questions instead of taking the model alone."""
    started, release, calls = threading.Event(), threading.Event(), []

    def encode(texts, batch_size=16):
        calls.append(list(texts))
        if texts == ["first"]:
            started.set()
            release.wait(5)  # keeps the model busy while the others queue up
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    batcher = QueryBatcher(encode, wait=0.01)
    results: dict[str, object] = {}
    first = threading.Thread(target=lambda: results.update(first=batcher("first")))
    first.start()
    assert started.wait(5)
    story = threading.Thread(target=lambda: results.update(story=batcher.many(["ab", "abcd", "a"])))
    other = threading.Thread(target=lambda: results.update(other=batcher("xyz")))
    story.start()
    other.start()
    deadline = time.monotonic() + 5
    while len(batcher._pending) < 4 and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in (first, story, other):
        thread.join(5)
    assert [float(v[0]) for v in results["story"]] == [2.0, 4.0, 1.0] and float(results["other"][0]) == 3.0
    assert len(calls) == 2 and sorted(calls[1]) == ["a", "ab", "abcd", "xyz"]


def test_a_model_failure_reaches_every_waiting_query():
    results = _ask_concurrently(QueryBatcher(_slow_encoder([], fail=True)), 8)
    assert all(isinstance(r, RuntimeError) for r in results.values())


def test_bundled_model_encodes_unit_vectors(embedder):
    vectors = embedder.encode(["service credits", "force majeure"])
    assert vectors.shape == (2, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert embedder.encode_query("service credits") @ vectors[0] == pytest.approx(1.0, abs=2e-3)


@pytest.fixture(scope="module")
def model_process():
    from assistant.embedding import ModelProcess, QueryCache

    process = QueryCache(ModelProcess(), batch_wait_ms=1.0)
    yield process
    process.close()


@pytest.mark.slow
def test_model_process_encodes_like_the_model_in_this_process(model_process, embedder):
    texts = ["What is a service credit?", "termination for convenience", "RPO versus RTO"]
    remote = model_process.encode(texts)
    assert remote.shape == (3, 384) and remote.dtype == np.float32
    # bfloat16 on some CPUs: the same vectors to within rounding, whichever process computes them.
    assert np.sum(remote * embedder.encode(texts), axis=1) == pytest.approx([1.0] * 3, abs=2e-3)
    assert model_process.encode_query(texts[0]) @ remote[0] == pytest.approx(1.0, abs=2e-3)


@pytest.mark.slow
def test_a_crashed_model_process_fails_clearly_and_the_next_question_restarts_it(model_process):
    from assistant.errors import ModelUnavailable

    crashed = model_process._process
    crashed.kill()
    crashed.join()
    with pytest.raises(ModelUnavailable, match="ask again"):  # what a question in flight gets
        model_process._receive()
    assert model_process.encode(["the next question"]).shape == (1, 384)
    assert model_process._process is not crashed and model_process._process.is_alive()


def test_one_bad_text_in_a_batch_fails_only_its_own_query():
    """A failed batch is retried one by one: one bad input cannot fail the questions beside it."""
    started, release, calls = threading.Event(), threading.Event(), []

    def encode(texts, batch_size=16):
        calls.append(list(texts))
        if texts == ["first"]:
            started.set()
            release.wait(5)  # keeps the model busy while the next batch queues up
        if "bad" in texts:
            raise ValueError("cannot encode 'bad'")
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    batcher = QueryBatcher(encode, wait=0.01)
    results: dict[str, object] = {}

    def ask(text: str) -> None:
        try:
            results[text] = float(batcher(text)[0])
        except ValueError as err:
            results[text] = err

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=ask, args=(t,)) for t in ("good", "bad", "fine!")]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 5
    while len(batcher._pending) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert results["first"] == 5.0 and results["good"] == 4.0 and results["fine!"] == 5.0
    assert isinstance(results["bad"], ValueError)
    assert sorted(calls[1]) == ["bad", "fine!", "good"]  # one batch first, then one by one


def test_encoding_leaves_process_wide_thread_settings_alone(embedder, monkeypatch):
    """Thread counts are set once at start-up (assistant/runtime.py), never per call (issue 16)."""
    import torch

    changed: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", changed.append)
    one = embedder.encode(["What is an SLA?"])
    several = embedder.encode(["What is an SLA?", "What is TUPE?", "How are service credits calculated?"])
    assert changed == []
    assert torch.get_num_threads() == 1  # one intra-op thread: no OpenMP team to wait for
    assert np.allclose(one[0], several[0], atol=1e-3)


def test_the_query_cache_encodes_a_repeated_query_once_and_passes_the_rest_to_the_model():
    calls: list[list[str]] = []

    class Model:
        name, dimension = "test/one", 1

        def encode(self, texts, batch_size=16, progress=False):
            calls.append(list(texts))
            return np.ones((len(texts), 1), dtype=np.float32)

        def state(self):
            return {"state": "ready"}

    cached = QueryCache(Model(), batch_wait_ms=0, cache_size=8)
    assert cached.encode_query("earn-back") is cached.encode_query("earn-back")
    assert calls == [["earn-back"]]
    with pytest.raises(ValueError):
        cached.encode_query("earn-back")[0] = 2.0  # shared by every caller: read-only
    assert cached.encode(["a", "b"]).shape == (2, 1) and calls[-1] == ["a", "b"]
    story = ("We lost a week.", "Can we claim credits?")
    assert cached.encode_queries(story) is cached.encode_queries(story)  # a story asked again
    assert cached.encode_queries(story).shape == (2, 1) and calls[-1] == list(story)
    assert QueryCache(Model(), batch_wait_ms=1.0).encode_queries(story).shape == (2, 1)  # batched
    assert (cached.name, cached.dimension, cached.state()) == ("test/one", 1, {"state": "ready"})
