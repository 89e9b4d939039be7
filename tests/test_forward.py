"""The compiled forward pass: the eager model's vectors to the bit, or not used at all."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from assistant import forward

TEXTS = [
    "What is a service credit and how is it calculated?",
    "RPO",
    "We want two contract testers who take direction from our own QA lead. Which engagement model fits?",
    "termination for convenience " * 120,  # longer than the model reads: truncated at 256 tokens
    "Wie hoch ist die Haftungsgrenze?",
]


@pytest.fixture(scope="module")
def bundled(embedder):
    """The real Embedder behind the session's cached model."""
    return embedder.model


def _encode(bundled, compiled, texts, batch_size):
    saved, bundled._compiled = bundled._compiled, compiled
    try:
        return bundled.encode(texts, batch_size=batch_size)
    finally:
        bundled._compiled = saved


def test_the_bundled_model_runs_its_compiled_graph(bundled):
    assert bundled._compiled is not None


@pytest.mark.parametrize("batch_size", [1, 2, 16])
def test_the_graph_gives_the_eager_models_vectors_to_the_bit(bundled, batch_size):
    """Lone texts, padded batches and a truncated one: vectors queries and builds both rely on."""
    graph = _encode(bundled, bundled._compiled, TEXTS, batch_size)
    eager = _encode(bundled, None, TEXTS, batch_size)
    assert graph.dtype == eager.dtype == np.float32
    assert np.array_equal(graph, eager)


def test_a_graph_whose_vectors_differ_is_not_used(bundled, monkeypatch, caplog):
    inner = forward.HiddenStates.forward
    monkeypatch.setattr(forward.HiddenStates, "forward", lambda self, *args: inner(self, *args) + 0.05)
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert forward.compile_forward(bundled.model, bundled._tokenize) is None
    assert "vectors differ" in caplog.text


@pytest.mark.parametrize("missing", ["tracing", "packed products"], ids=["no tracer", "no oneDNN linear"])
def test_a_graph_that_cannot_be_built_leaves_the_eager_model(bundled, monkeypatch, caplog, missing):
    def unavailable(*args, **kwargs):
        raise RuntimeError(f"{missing} not available here")

    if missing == "tracing":
        monkeypatch.setattr(forward.torch.jit, "trace", unavailable)
    else:
        monkeypatch.setattr(forward, "_packed_product", unavailable)
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert forward.compile_forward(bundled.model, bundled._tokenize) is None
    assert f"could not be built ({missing} not available here)" in caplog.text
