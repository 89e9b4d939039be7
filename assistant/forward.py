"""The encoder's forward pass compiled once: a TorchScript graph, its bfloat16 weights packed for oneDNN.

Why: a question is 10-60 tokens, and at that size an eager pass spends most of its time outside
the arithmetic: in Python between some 200 small kernels, and in oneDNN laying out every bfloat16
weight matrix again at every matrix product (`bench/bench_encode.py` measures both). The graph
runs the same kernels in the same order, so it gives the same vectors to the bit; `compile_forward`
checks that on sample texts, single and padded, and keeps the eager model when they differ.
"""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import torch

log = logging.getLogger("assistant")

# Texts of different lengths, so the check covers a padded batch as well as lone texts.
CHECK_TEXTS = [
    "What is a service credit?",
    "SLA",
    "Our vendor missed the availability target three months running and now says the credits are "
    "capped at ten percent of the monthly fee: is that normal, and what should the contract say?",
]


@lru_cache(maxsize=1)
def _packed_product():
    """oneDNN's linear on a weight laid out once, as a TorchScript function (so tracing keeps the
    call). Made on first use, inside `compile_forward`'s guard: a torch without these ops only
    means the eager model."""
    return torch.jit.CompilationUnit(
        """
def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    no_scalars = torch.jit.annotate(List[Optional[number]], [])
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", no_scalars, "")
"""
    ).linear


class PackedLinear(torch.nn.Module):
    """A bfloat16 `nn.Linear` whose weight oneDNN lays out once, here, instead of at every call."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        self.product = _packed_product()
        self.register_buffer("weight", torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach()))
        self.register_buffer("bias", linear.bias.detach())
        self.out_features = linear.out_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = self.product(x.reshape(-1, x.shape[-1]), self.weight, self.bias)
        return rows.reshape(x.shape[:-1] + (self.out_features,))


class HiddenStates(torch.nn.Module):
    """The transformer with plain tensor arguments and result, which is what tracing needs."""

    def __init__(self, transformer: torch.nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.transformer(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


def _pack(module: torch.nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, torch.nn.Linear):
            setattr(module, name, PackedLinear(child))
        else:
            _pack(child)


def compile_forward(
    model, tokenize: Callable[[list[str]], dict], pack: bool = True
) -> Callable[[dict], torch.Tensor] | None:
    """A function from tokenized features to sentence embeddings, as `model(features)` gives them.

    Args:
        model: the SentenceTransformer (transformer, mean pooling, normalisation), already in its
            final dtype; it is left unchanged (packing works on a copy of the transformer).
        tokenize: the model's tokenizer, to make the check's inputs.
        pack: lay bfloat16 weights out for oneDNN once (False only to measure the graph without it).

    Returns None, and the caller keeps the eager model, when the model has another shape, the
    graph cannot be built here, or its vectors differ from the eager model's in any bit.
    """
    try:
        transformer, pooling, normalize = (model[0].auto_model, model[1], model[2])
        # Packing replaces the linear layers, so it works on a copy; tracing alone leaves the model as it is.
        packing = pack and next(transformer.parameters()).dtype == torch.bfloat16  # aten's float32 skips oneDNN
        hidden = HiddenStates(copy.deepcopy(transformer) if packing else transformer).eval()
        if packing:
            _pack(hidden)
        example = tokenize(CHECK_TEXTS[:2])
        arguments = (example["input_ids"], example["attention_mask"], example["token_type_ids"])
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes read as Python values
            graph = torch.jit.trace(hidden, arguments, check_trace=False)
    except Exception as err:  # noqa: BLE001 - any failure here only means the slower eager path
        log.warning("the model runs eagerly: its compiled graph could not be built (%s)", err)
        return None

    def forward(features: dict) -> torch.Tensor:
        mask = features["attention_mask"]
        with torch.inference_mode():
            tokens = graph(features["input_ids"], mask, features["token_type_ids"])
            return normalize(pooling({"token_embeddings": tokens, "attention_mask": mask}))["sentence_embedding"]

    if not _same_as_eager(model, forward, tokenize):
        log.warning("the model runs eagerly: its compiled graph's vectors differ from the eager model's")
        return None
    return forward


def _same_as_eager(model, forward: Callable[[dict], torch.Tensor], tokenize) -> bool:
    """True when the graph gives the eager model's vectors to the bit, lone and in a padded batch.

    Each input runs three times: TorchScript's executor specialises a graph after its first runs.
    """
    inputs = [tokenize(CHECK_TEXTS)] + [tokenize([text]) for text in CHECK_TEXTS]
    with torch.inference_mode():
        for features in inputs:
            eager = model(dict(features))["sentence_embedding"].float().numpy()
            for _ in range(3):
                if not np.array_equal(forward(dict(features)).float().numpy(), eager):
                    return False
    return True
