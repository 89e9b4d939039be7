"""Benchmark exact vs approximate FAISS indexes for the passage vectors at 10k / 100k / 1M passages.

Run: .venv/bin/python bench/bench_faiss.py [--sizes 10000 100000 1000000] [--quick]
     [--methods flat hnsw ivf] [--hnsw 16:100 32:100 32:200] [--flat-sizes 20000 50000 ...]
     [--cache-dir DIR] [--json results.json] [--verbose]

A measurement that prints, not a test: nothing here asserts. For every collection size it builds
an exact IndexFlatIP (the ground truth and today's index), IndexHNSWFlat (M:efConstruction
builds, efSearch sweep) and IndexIVFFlat (nlist = 4*sqrt(N), nprobe sweep), both
METRIC_INNER_PRODUCT, and reports build time, memory (bytes of faiss.serialize_index and the
process RSS growth while building), recall@10 against exact search, and single-query latency
p50/p95 with one query at a time, as the server searches, under 1 and 2 OpenMP threads. The
compact table shows, per build, the cheapest setting reaching each recall level (--verbose: every
setting). At the largest size it checks the cheapest passing setting of each index type as the
server really calls it (k=50 candidates; topic filters through IDSelectorBatch), and it ends with
the exact-search latency by size, the crossover where it passes ~5 ms per query, and a
recommendation. With 2 cores, 1M builds take minutes each: --cache-dir keeps built indexes so a
later run (or one split by --methods/--hnsw) reuses them.

Data: synthetic passage vectors shaped like the real all-MiniLM-L6-v2 ones (384-d, unit length).
A few thousand Gaussian clusters of uneven size whose noise follows the real vectors' principal
axes and spectrum, around anchors taken from the built index (index/current/vectors.faiss) when
it exists, so cosine statistics match the real collection; with --no-real (or no index) a fully
synthetic version of the same recipe. Queries are 500 held-out draws, perturbed further so their
similarity to their nearest passage matches real questions. Fixed seed; the first n vectors of
the largest collection are exactly the collection of size n, so sizes are comparable.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

D = 384
ROOT = Path(__file__).resolve().parents[1]
REAL_INDEX = ROOT / "index" / "current"
CHUNK = 10_000  # vectors are generated in seeded chunks: a prefix never depends on the total size

# Spread of the mixture, calibrated against the real index (1,341 passages, 191 eval questions):
# real passages: mean pairwise cosine 0.27, nearest-neighbour cosine p50 0.80, 10th neighbour
# p50 0.62; real questions: nearest passage p50 0.64, 10th p50 0.49.
CLUSTERS = 4096
CENTRE_SPREAD = 0.2  # cluster centre = anchor + CENTRE_SPREAD * noise
POINT_SPREAD = 0.4  # passage = centre + POINT_SPREAD * noise
QUERY_SPREAD = 0.8  # query = (held-out passage draw) + QUERY_SPREAD * noise


# --------------------------------------------------------------------------------------------
# Data


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def normalise(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def load_real(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """The built index's vectors, each one's topic (as small ints) and the topic names, or None."""
    vectors_file = path / "vectors.faiss"
    if not vectors_file.exists():
        return None
    index = faiss.read_index(str(vectors_file))
    if index.ntotal < 500 or index.d != D:
        return None
    vectors = normalise(index.reconstruct_n(0, index.ntotal).astype(np.float32))
    topics, names = np.arange(len(vectors)) % 9, [f"topic{i}" for i in range(9)]
    try:
        with sqlite3.connect(f"file:{path / 'passages.db'}?mode=ro", uri=True) as db:
            rows = dict(db.execute("select position, topic from passages").fetchall())
        names = sorted(set(rows.values()))
        topics = np.array([names.index(rows[i]) for i in range(len(vectors))])
    except Exception:  # topics only shape the filter check; any labelling will do
        pass
    return vectors, topics, names


@dataclass
class Mixture:
    """A Gaussian mixture on the sphere that looks like sentence embeddings."""

    seed: int
    real: tuple[np.ndarray, np.ndarray, list[str]] | None
    source: str = ""
    topic_names: list[str] = field(default_factory=lambda: [f"topic{i}" for i in range(9)])
    centres: np.ndarray = field(init=False)
    weights: np.ndarray = field(init=False)
    topics: np.ndarray = field(init=False)

    def __post_init__(self):
        rng = np.random.default_rng([self.seed, 0])
        if self.real is not None:
            vectors, topics, self.topic_names = self.real
            mean = vectors.mean(0)
            _, s, vt = np.linalg.svd(vectors - mean, full_matrices=False)
            lam = s**2
            lam = np.maximum(lam, lam[min(300, len(lam) - 1)])  # floor the poorly sampled tail
            self.basis = vt.astype(np.float32)
            anchors, anchor_topics = vectors, topics
            self.source = f"seeded from {len(vectors)} real vectors in {REAL_INDEX}"
        else:
            q, _ = np.linalg.qr(rng.standard_normal((D, D)))
            self.basis = q.T.astype(np.float32)
            lam = (np.arange(D) + 8.0) ** -1.3  # participation ratio ~50, like the real spectrum
            lam = np.maximum(lam, lam[300])
            mean = rng.standard_normal(D).astype(np.float32)
            mean *= 0.5 / np.linalg.norm(mean)
            self.scale = np.sqrt(lam / lam.sum()).astype(np.float32)
            topic_centres = mean + 0.8 * self.noise(rng, 9)
            anchor_topics = rng.integers(0, 9, 1500)
            anchors = normalise(topic_centres[anchor_topics] + 0.6 * self.noise(rng, 1500))
            self.source = "fully synthetic (no real index used)"
        self.scale = np.sqrt(lam / lam.sum()).astype(np.float32)  # noise has E|n|^2 = 1
        pick = rng.integers(0, len(anchors), CLUSTERS)
        self.centres = (anchors[pick] + CENTRE_SPREAD * self.noise(rng, CLUSTERS)).astype(np.float32)
        self.topics = np.asarray(anchor_topics)[pick]
        w = rng.lognormal(0.0, 1.0, CLUSTERS)  # uneven cluster sizes, as real topics are
        self.weights = w / w.sum()

    def noise(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return (rng.standard_normal((n, D), dtype=np.float32) * self.scale) @ self.basis

    def _draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.choice(CLUSTERS, n, p=self.weights)
        return self.centres[labels] + POINT_SPREAD * self.noise(rng, n), labels

    def passages(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n unit vectors and their topic labels; passages(n) is a prefix of passages(m > n)."""
        out = np.empty((n, D), dtype=np.float32)
        topic = np.empty(n, dtype=np.int16)
        for c, start in enumerate(range(0, n, CHUNK)):
            rng = np.random.default_rng([self.seed, 1, c])
            x, labels = self._draw(rng, CHUNK)
            stop = min(n, start + CHUNK)
            out[start:stop] = normalise(x)[: stop - start]
            topic[start:stop] = self.topics[labels][: stop - start]
        return out, topic

    def queries(self, n: int, topic: int | None = None) -> np.ndarray:
        """n held-out queries; with `topic`, drawn only from that topic's clusters."""
        rng = np.random.default_rng([self.seed, 2] if topic is None else [self.seed, 3, topic])
        weights = self.weights if topic is None else np.where(self.topics == topic, self.weights, 0)
        labels = rng.choice(CLUSTERS, n, p=weights / weights.sum())
        x = self.centres[labels] + POINT_SPREAD * self.noise(rng, n)
        return normalise(x + QUERY_SPREAD * self.noise(rng, n))


def shape_stats(x: np.ndarray, queries: np.ndarray, gt_scores: np.ndarray, sample: int = 500) -> str:
    """Cosine statistics that say whether the data looks like sentence embeddings."""
    rng = np.random.default_rng(7)
    pick = rng.choice(len(x), min(len(x), 2000), replace=False)
    pairs = x[pick] @ x[pick].T
    pair_mean = (pairs.sum() - len(pick)) / (len(pick) * (len(pick) - 1))
    flat = faiss.IndexFlatIP(D)
    flat.add(x)
    probe = x[rng.choice(len(x), min(len(x), sample), replace=False)]
    s, _ = flat.search(probe, 11)  # the first hit is the passage itself
    return (
        f"pairwise {pair_mean:.2f}  passage nn1 {np.median(s[:, 1]):.2f} nn10 {np.median(s[:, 10]):.2f}"
        f"  query nn1 {np.median(gt_scores[:, 0]):.2f} nn10 {np.median(gt_scores[:, 9]):.2f}"
    )


# --------------------------------------------------------------------------------------------
# Measuring


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(np.intersect1d(f[f >= 0], t)) / k for f, t in zip(found, truth)]))


def latency_ms(index, queries: np.ndarray, k: int, threads: int, params=None) -> tuple[float, float]:
    """p50 and p95 of one search call per query, one query at a time."""
    faiss.omp_set_num_threads(threads)
    for i in range(min(10, len(queries))):  # warm-up: page in, let OpenMP start its pool
        index.search(queries[i : i + 1], k, params=params)
    times = np.empty(len(queries))
    for i in range(len(queries)):
        q = queries[i : i + 1]
        t0 = time.perf_counter()
        index.search(q, k, params=params)
        times[i] = time.perf_counter() - t0
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 95) * 1e3)


def batch_search(index, queries: np.ndarray, k: int, threads: int, params=None) -> np.ndarray:
    faiss.omp_set_num_threads(threads)
    return index.search(queries, k, params=params)[1]


@dataclass
class Row:
    size: int
    index: str
    build: str  # build parameters
    search: str  # search parameter
    build_s: float
    mem_bytes: int  # len(faiss.serialize_index(index))
    rss_delta: int  # process RSS growth while building (or loading, when cached)
    recall: float
    p50_1: float
    p95_1: float
    p50_2: float
    p95_2: float
    note: str = ""
    tag: str = ""  # why a row is in the compact table, e.g. "R>=0.95"

    def line(self) -> str:
        return (
            f"{self.size:>9,} {self.index:<6} {self.build:<14} {self.search:<13} "
            f"{self.build_s:>7.0f} {self.mem_bytes / 2**20:>7.0f} {self.rss_delta / 2**20:>7.0f} "
            f"{self.recall:>6.3f} {self.p50_1:>7.3f} {self.p95_1:>7.3f} {self.p50_2:>7.3f} "
            f"{self.p95_2:>7.3f}  {self.tag:<15} {self.note}"
        ).rstrip()


HEADER = (
    f"{'size':>9} {'index':<6} {'build':<14} {'search':<13} {'build_s':>7} {'mem_MiB':>7} "
    f"{'rssΔMiB':>7} {'R@10':>6} {'p50_1t':>7} {'p95_1t':>7} {'p50_2t':>7} {'p95_2t':>7}  "
    f"{'row':<15} note"
)
UNITS = (
    "latencies: ms per single-query search call, one query at a time; _1t/_2t = "
    "faiss.omp_set_num_threads(1/2). mem_MiB = len(faiss.serialize_index); rssΔ = process RSS "
    "growth while building. R@10 = recall@10 vs exact top-10."
)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_cached(kind: str, key: str, cache: Path | None, build):
    """Build (timed, RSS-measured) or load an index from --cache-dir. Returns index, secs, rssΔ, note."""
    gc.collect()
    before = rss_bytes()
    if cache is not None and (cache / f"{key}.faiss").exists():
        index = faiss.read_index(str(cache / f"{key}.faiss"))
        meta = json.loads((cache / f"{key}.json").read_text())
        return index, meta["build_s"], rss_bytes() - before, f"cached build; {meta['note']}".rstrip("; ")
    t0 = time.perf_counter()
    index, note = build()
    seconds = time.perf_counter() - t0
    delta = rss_bytes() - before
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        faiss.write_index(index, str(cache / f"{key}.faiss"))
        (cache / f"{key}.json").write_text(json.dumps({"build_s": seconds, "note": note}))
    return index, seconds, delta, note


def serialized_size(index) -> int:
    blob = faiss.serialize_index(index)
    size = blob.nbytes
    del blob
    return size


def measure_setting(
    index, size, name, build, search, build_s, mem, delta, queries, truth, args, params=None, note=""
) -> Row:
    found = batch_search(index, queries, args.k, args.build_threads, params)
    lat_q = queries[: args.latency_queries]
    p50_1, p95_1 = latency_ms(index, lat_q, args.k, 1, params)
    p50_2, p95_2 = latency_ms(index, lat_q, args.k, 2, params)
    row = Row(size, name, build, search, build_s, mem, delta, recall(found, truth), p50_1, p95_1, p50_2, p95_2, note)
    if args.verbose:
        print(row.line(), flush=True)
    return row


# --------------------------------------------------------------------------------------------
# Candidates


def run_flat(x, size, queries, truth, args) -> Row:
    def build():
        index = faiss.IndexFlatIP(D)
        index.add(x)
        return index, ""

    index, secs, delta, note = build_cached("flat", "", None, build)
    lat_q = queries[: args.flat_latency_queries]
    p50_1, p95_1 = latency_ms(index, lat_q, args.k, 1)
    p50_2, p95_2 = latency_ms(index, lat_q, args.k, 2)
    row = Row(size, "flat", "-", "exact", secs, serialized_size(index), delta, 1.0, p50_1, p95_1, p50_2, p95_2, note)
    if args.verbose:
        print(row.line(), flush=True)
    return row


def run_hnsw(x, size, queries, truth, args, m: int, ef_construction: int, key_base: str) -> list[Row]:
    def build():
        faiss.omp_set_num_threads(args.build_threads)
        index = faiss.IndexHNSWFlat(D, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.add(x)
        return index, ""

    index, secs, delta, note = build_cached("hnsw", f"{key_base}-hnsw-M{m}-efc{ef_construction}", args.cache_dir, build)
    progress(f"{size:,}: hnsw M={m} efC={ef_construction} built in {secs:.0f}s {note}; sweeping efSearch")
    mem = serialized_size(index)
    rows = []
    for ef in args.ef_search:
        if ef < args.k:
            continue
        index.hnsw.efSearch = ef
        row = measure_setting(
            index,
            size,
            "hnsw",
            f"M={m},efC={ef_construction}",
            f"efSearch={ef}",
            secs,
            mem,
            delta,
            queries,
            truth,
            args,
            note=note,
        )
        row.params = {"M": m, "efConstruction": ef_construction, "efSearch": ef}
        rows.append(row)
        if row.p50_1 > args.stop_ms:
            break
    rows[0].index_obj = index  # kept for the checks of the chosen setting; dropped afterwards
    return rows


def ivf_nlist(size: int, factor: float) -> int:
    return max(16, int(round(factor * np.sqrt(size))))


def run_ivf(x, size, queries, truth, args, key_base: str) -> list[Row]:
    nlist = ivf_nlist(size, args.nlist_factor)
    timings = {}

    def build():
        faiss.omp_set_num_threads(args.build_threads)
        quantizer = faiss.IndexFlatIP(D)
        index = faiss.IndexIVFFlat(quantizer, D, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.spherical = True  # unit vectors: centroids on the sphere suit inner product
        index.cp.niter = args.kmeans_iter
        train_n = min(size, args.train_per_list * nlist)
        sample = x[np.random.default_rng(11).choice(size, train_n, replace=False)] if train_n < size else x
        t0 = time.perf_counter()
        index.train(sample)
        timings["train"] = time.perf_counter() - t0
        index.add(x)
        return index, f"train {timings['train']:.0f}s on {train_n:,}"

    index, secs, delta, note = build_cached(
        "ivf", f"{key_base}-ivf-nlist{nlist}-t{args.train_per_list}-it{args.kmeans_iter}", args.cache_dir, build
    )
    progress(f"{size:,}: ivf nlist={nlist} built in {secs:.0f}s ({note}); sweeping nprobe")
    mem = serialized_size(index)
    rows = []
    for nprobe in args.nprobe:
        if nprobe > nlist:
            break
        index.nprobe = nprobe
        row = measure_setting(
            index, size, "ivf", f"nlist={nlist}", f"nprobe={nprobe}", secs, mem, delta, queries, truth, args, note=note
        )
        row.params = {"nlist": nlist, "nprobe": nprobe}
        rows.append(row)
        if row.p50_1 > args.stop_ms:
            break
    rows[0].index_obj = index
    return rows


def chosen(rows: list[Row], target_recall: float, target_ms: float) -> Row | None:
    """The fastest setting (p50, one thread; p50 is steadier than p95 on a busy machine) that meets
    the recall target with p95 within the latency target."""
    ok = [r for r in rows if r.recall >= target_recall and r.p95_1 <= target_ms]
    return min(ok, key=lambda r: r.p50_1) if ok else None


def check_as_served(row: Row, index, x_topics, x, queries, mixture: Mixture, args) -> list[str]:
    """The chosen setting called as retrieval.dense calls it: k=50 candidates, and topic filters."""
    out = []
    lat_q = queries[: args.latency_queries]
    flat_q = queries[: args.flat_latency_queries]
    flat = faiss.IndexFlatIP(D)
    flat.add(x)
    truth50 = batch_search(flat, queries, 50, args.build_threads)

    def params_for(scale, sel=None):
        if row.index == "hnsw":
            ef = min(row.params["efSearch"] * scale, 4096)
            return faiss.SearchParametersHNSW(sel=sel, efSearch=ef), f"efSearch={ef}"
        nprobe = min(row.params["nprobe"] * scale, row.params["nlist"])
        return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe), f"nprobe={nprobe}"

    for scale in (1, 2, 4):
        p, what = params_for(scale)
        found = batch_search(index, queries, 50, args.build_threads, p)
        p50, p95 = latency_ms(index, lat_q, 50, 1, p)
        out.append(
            f"  k=50 {what:<14}: R@50 {recall(found, truth50):.3f}  R@10-of-50 "
            f"{recall(found[:, :10], truth50[:, :10]):.3f}  p50 {p50:.3f}  p95 {p95:.3f} ms"
        )

    # Topic filters as retrieval.allowed builds them: positions of one topic's passages, passed as
    # IDSelectorBatch. "any" = the usual held-out queries (mostly about other topics: worst case);
    # "in" = queries drawn from the filtered topic itself.
    counts = np.bincount(x_topics, minlength=len(np.unique(mixture.topics)))
    share = counts / counts.sum()
    small = int(np.argmin(np.where(share >= 0.05, share, 2)))
    for topic in dict.fromkeys((small, int(np.argmax(share)))):
        allowed = np.flatnonzero(x_topics == topic).astype(np.int64)
        t0 = time.perf_counter()
        for _ in range(3):
            sel = faiss.IDSelectorBatch(allowed)
        sel_ms = (time.perf_counter() - t0) / 3 * 1e3
        q_in = mixture.queries(len(queries), topic=topic)
        sub = faiss.IndexFlatIP(D)  # a per-topic exact index
        sub.add(x[allowed])
        truth_any = allowed[batch_search(sub, queries, args.k, args.build_threads)]
        truth_in = allowed[batch_search(sub, q_in, args.k, args.build_threads)]
        head = f"  filter {mixture.topic_names[topic]!r} ({share[topic]:.1%} = {len(allowed):,} ids)"
        for scale in (1, 4, 16):
            p, what = params_for(scale, sel)
            r_any = recall(batch_search(index, queries, args.k, args.build_threads, p), truth_any)
            r_in = recall(batch_search(index, q_in, args.k, args.build_threads, p), truth_in)
            p50, p95 = latency_ms(index, lat_q, args.k, 1, p)
            out.append(
                f"{head} {what:<14}: R@10 any-q {r_any:.3f} in-topic-q {r_in:.3f}  p50 {p50:.3f}  p95 {p95:.3f} ms"
            )
        p50, p95 = latency_ms(flat, flat_q, args.k, 1, faiss.SearchParameters(sel=sel))
        out.append(
            f"{head} exact IndexFlatIP + IDSelectorBatch over all ids (today's path): p50 {p50:.3f}  p95 {p95:.3f} ms"
        )
        p50, p95 = latency_ms(sub, flat_q, args.k, 1)
        out.append(
            f"{head} exact per-topic IndexFlatIP: p50 {p50:.3f}  p95 {p95:.3f} ms;  "
            f"IDSelectorBatch construction {sel_ms:.2f} ms"
        )
    return out


# --------------------------------------------------------------------------------------------
# Crossover


def crossover(flat_rows: list[Row], threshold_ms: float, attr: str) -> tuple[float | None, str]:
    """The size at which exact latency (`attr`) passes threshold_ms: interpolated between the two
    measured sizes around it, else extrapolated linearly."""
    pts = sorted((r.size, getattr(r, attr)) for r in flat_rows)
    for (n0, t0), (n1, t1) in zip(pts, pts[1:]):
        if t0 <= threshold_ms < t1:
            n = n0 + (threshold_ms - t0) * (n1 - n0) / (t1 - t0)
            return n, f"~{n:,.0f} (between measured {n0:,} @ {t0:.2f} ms and {n1:,} @ {t1:.2f} ms)"
    if pts and pts[0][1] > threshold_ms:
        return None, f"below the smallest measured size ({pts[0][0]:,} @ {pts[0][1]:.2f} ms)"
    if len(pts) >= 2:
        sizes, times = np.array(pts, dtype=float).T
        b, a = np.polyfit(sizes, times, 1)
        if b > 0:
            n = (threshold_ms - a) / b
            return n, f"~{n:,.0f} (extrapolated; largest measured {pts[-1][0]:,} @ {pts[-1][1]:.2f} ms)"
    return None, "not reached"


def operating_points(family: list[Row], args) -> list[Row]:
    """The compact table's rows for one candidate: the first setting of the sweep (cheapest first)
    reaching each recall level, the settings named by --show, and the best one if 0.95 is never met."""
    picked: dict[int, list[str]] = {}
    for level in args.levels:
        hit = next((i for i, r in enumerate(family) if r.recall >= level), None)
        if hit is not None:
            picked.setdefault(hit, []).append(f"R>={level:g}")
    for i, r in enumerate(family):
        if r.search in args.show:
            picked.setdefault(i, []).append("shown")
    if not any(r.recall >= args.target_recall for r in family):
        best = max(range(len(family)), key=lambda i: family[i].recall)
        picked.setdefault(best, []).append("best")
    out = []
    for i in sorted(picked):
        family[i].tag = ",".join(picked[i])
        out.append(family[i])
    return out


# --------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", help="collection sizes (default 10000 100000 1000000)")
    ap.add_argument("--quick", action="store_true", help="smaller sweep, 200 queries, default size 10000")
    ap.add_argument("--methods", nargs="+", default=["flat", "hnsw", "ivf"], choices=["flat", "hnsw", "ivf"])
    ap.add_argument(
        "--hnsw", nargs="+", default=None, metavar="M:efC", help="HNSW builds (default 16:100 32:100 32:200)"
    )
    ap.add_argument("--ef-search", type=int, nargs="+", default=None)
    ap.add_argument("--nprobe", type=int, nargs="+", default=None)
    ap.add_argument("--nlist-factor", type=float, default=4.0, help="IVF nlist = factor * sqrt(N)")
    ap.add_argument("--train-per-list", type=int, default=64, help="IVF k-means sample = this * nlist")
    ap.add_argument("--kmeans-iter", type=int, default=20)
    ap.add_argument(
        "--flat-sizes",
        type=int,
        nargs="*",
        default=[],
        help="extra sizes where only exact latency is measured (to locate the crossover)",
    )
    ap.add_argument("--queries", type=int, default=None, help="held-out queries (default 500)")
    ap.add_argument("--latency-queries", type=int, default=None, help="queries timed one by one (default all)")
    ap.add_argument(
        "--flat-latency-queries",
        type=int,
        default=None,
        help="queries timed one by one on exact search (default min(queries, 200))",
    )
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-real", action="store_true", help="do not seed the data from the built index")
    ap.add_argument("--build-threads", type=int, default=2)
    ap.add_argument("--target-recall", type=float, default=0.95)
    ap.add_argument(
        "--headroom-recall",
        type=float,
        default=0.98,
        help="also report the cheapest setting reaching this recall (margin for real data)",
    )
    ap.add_argument("--target-ms", type=float, default=10.0)
    ap.add_argument("--exact-budget-ms", type=float, default=5.0)
    ap.add_argument("--stop-ms", type=float, default=25.0, help="end a sweep once p50 exceeds this")
    ap.add_argument("--no-checks", action="store_true", help="skip the k=50 / topic-filter checks")
    ap.add_argument(
        "--checks-all-sizes",
        action="store_true",
        help="run the k=50 / filter checks at every size (default: the largest only)",
    )
    ap.add_argument(
        "--levels",
        type=float,
        nargs="+",
        default=[0.9, 0.95, 0.98, 0.99],
        help="recall levels whose cheapest setting the compact table shows",
    )
    ap.add_argument(
        "--show",
        nargs="*",
        default=["efSearch=512", "nprobe=32"],
        help="search settings always shown in the compact table",
    )
    ap.add_argument("--verbose", action="store_true", help="print every setting of every sweep")
    ap.add_argument("--cache-dir", type=Path, default=None, help="save/reuse built indexes here")
    ap.add_argument("--json", type=Path, default=None, help="also write all rows as JSON")
    args = ap.parse_args()

    quick = args.quick
    args.sizes = args.sizes or ([10_000] if quick else [10_000, 100_000, 1_000_000])
    hnsw = args.hnsw or (["32:100"] if quick else ["16:100", "32:100", "32:200"])
    args.hnsw = [tuple(map(int, s.split(":"))) for s in hnsw]
    args.ef_search = args.ef_search or (
        [16, 32, 64, 128] if quick else [16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
    )
    args.nprobe = args.nprobe or ([1, 4, 16, 64] if quick else [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256])
    args.queries = args.queries or (200 if quick else 500)
    args.latency_queries = min(args.latency_queries or args.queries, args.queries)
    args.flat_latency_queries = min(args.flat_latency_queries or 200, args.queries)

    faiss.omp_set_num_threads(args.build_threads)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"faiss {faiss.__version__}  numpy {np.__version__}  python {platform.python_version()}  "
        f"cpu {cpu} x{os.cpu_count()}  load avg {os.getloadavg()[0]:.2f}"
    )
    print(f"argv: {' '.join(sys.argv[1:]) or '(defaults)'}")

    real = None if args.no_real else load_real(REAL_INDEX)
    mixture = Mixture(args.seed, real)
    print(f"data: {CLUSTERS} clusters, {mixture.source}; seed {args.seed}; {args.queries} held-out queries; k={args.k}")
    if real is not None:
        rv = real[0]
        rs = np.sort(rv @ rv.T, 1)[:, ::-1]
        print(
            f"  real index ({len(rv)}): pairwise {(rs.sum() - len(rv)) / (len(rv) * (len(rv) - 1)):.2f}  "
            f"passage nn1 {np.median(rs[:, 1]):.2f} nn10 {np.median(rs[:, 10]):.2f}"
            f"  (real eval questions, embedded once: nn1 0.64 nn10 0.49)"
        )

    # Cached builds are only reused for the same data recipe (and the same real vectors).
    recipe = hashlib.sha1(
        repr((args.seed, CLUSTERS, CENTRE_SPREAD, POINT_SPREAD, mixture.source, mixture.centres[:4].tobytes())).encode()
    ).hexdigest()[:10]
    t0 = time.perf_counter()
    biggest = max(args.sizes + args.flat_sizes)
    x_all, topics_all = mixture.passages(biggest)
    queries = mixture.queries(args.queries)
    print(
        f"  generated {biggest:,} vectors in {time.perf_counter() - t0:.1f}s ({x_all.nbytes / 2**20:,.0f} MiB raw)",
        flush=True,
    )

    rows: list[Row] = []
    flat_rows: list[Row] = []
    checks: list[str] = []
    if args.verbose:
        print(HEADER)
    for size in sorted(args.flat_sizes):
        if size in args.sizes:
            continue
        progress(f"{size:,}: exact latency")
        flat_rows.append(run_flat(x_all[:size], size, queries, None, args))
        gc.collect()

    recommend_at = max(args.sizes)
    for size in sorted(args.sizes):
        x = x_all[:size]
        key_base = f"n{size}-{recipe}"
        progress(f"{size:,}: ground truth")
        gt = faiss.IndexFlatIP(D)
        gt.add(x)
        faiss.omp_set_num_threads(args.build_threads)
        gt_scores, truth = gt.search(queries, args.k)
        del gt
        stats = shape_stats(x, queries, gt_scores)
        load_before = os.getloadavg()[0]
        size_rows: list[Row] = []
        if "flat" in args.methods:
            progress(f"{size:,}: exact latency")
            flat_rows.append(run_flat(x, size, queries, truth, args))
            size_rows.append(flat_rows[-1])
        candidates: list[list[Row]] = []
        if "hnsw" in args.methods:
            for m, efc in args.hnsw:
                candidates.append(run_hnsw(x, size, queries, truth, args, m, efc, key_base))
        if "ivf" in args.methods:
            candidates.append(run_ivf(x, size, queries, truth, args, key_base))
        for family in candidates:
            size_rows += family
        rows += size_rows

        print(f"\n== {size:,} passages  [{stats}]  load avg {load_before:.2f} -> {os.getloadavg()[0]:.2f}")
        print(HEADER)
        for r in size_rows[:1] if "flat" in args.methods else []:
            print(r.line())
        for family in candidates:
            for r in operating_points(family, args):
                print(r.line())
        sys.stdout.flush()

        if not args.no_checks and (size == recommend_at or args.checks_all_sizes):
            # One candidate per index type: the build whose cheapest passing setting is fastest.
            per_type: dict[str, tuple[Row, list[Row]]] = {}
            for family in candidates:
                best = chosen(family, args.target_recall, args.target_ms)
                if best is not None and (best.index not in per_type or best.p50_1 < per_type[best.index][0].p50_1):
                    per_type[best.index] = (best, family)
            for best, family in per_type.values():
                label = f"{size:,} {best.index} {best.build} {best.search}"
                progress(f"{label}: checks as served")
                lines = check_as_served(best, family[0].index_obj, topics_all[:size], x, queries, mixture, args)
                print(
                    f"-- as retrieval.dense calls it: {label} (cheapest setting with R@10 >= "
                    f"{args.target_recall}); latencies one thread"
                )
                print("\n".join(lines), flush=True)
                checks += [label] + lines
        for family in candidates:
            family[0].index_obj = None
        candidates.clear()
        gc.collect()

    # ----------------------------------------------------------------------------------------
    print("\n== Summary")
    print(UNITS)
    switch = None
    if flat_rows:
        print("exact IndexFlatIP, single-query latency in ms, p50 / p95 (1 thread | 2 threads):")
        for r in sorted(flat_rows, key=lambda r: r.size):
            print(
                f"   {r.size:>9,}: {r.p50_1:8.3f} / {r.p95_1:8.3f}  | {r.p50_2:8.3f} / {r.p95_2:8.3f}"
                f"   index {r.mem_bytes / 2**20:,.0f} MiB"
            )
        _, text50 = crossover(flat_rows, args.exact_budget_ms, "p50_1")
        switch, text95 = crossover(flat_rows, args.exact_budget_ms, "p95_1")
        print(f"crossover: exact p50 passes {args.exact_budget_ms:g} ms at: {text50}")
        print(f"crossover: exact p95 passes {args.exact_budget_ms:g} ms at: {text95}")
        for size in sorted(args.sizes):
            flat = next((r for r in flat_rows if r.size == size), None)
            approx = [r for r in rows if r.size == size and r.index != "flat" and r.recall >= args.target_recall]
            if flat and approx:
                fastest = min(approx, key=lambda r: r.p50_1)
                verdict = "slower" if flat.p50_1 > fastest.p50_1 else "faster"
                print(
                    f"   at {size:>9,}: exact p50 {flat.p50_1:.3f} ms is {verdict} than the fastest setting "
                    f"with R@10 >= {args.target_recall} ({fastest.index} {fastest.build} "
                    f"{fastest.search}: {fastest.p50_1:.3f} ms)"
                )

    approx_rows = [r for r in rows if r.index != "flat" and r.size == recommend_at]
    if approx_rows:
        print(
            f"\nrecommendation at {recommend_at:,} passages (targets: R@{args.k} >= {args.target_recall}, "
            f"p95 <= {args.target_ms:g} ms, one query at a time, one thread):"
        )
        families = {}
        for r in approx_rows:
            families.setdefault((r.index, r.build), []).append(r)
        picks = []
        for (index, build), fam in families.items():
            low = chosen(fam, args.target_recall, args.target_ms)
            safe = chosen(fam, args.headroom_recall, args.target_ms)
            if low is None:
                top = max(fam, key=lambda r: r.recall)
                print(
                    f"   {index} {build}: misses R@10 >= {args.target_recall} (best {top.recall:.3f} at {top.search})"
                )
                continue
            text = f"   {index} {build}: {low.search} R@10 {low.recall:.3f} p50 {low.p50_1:.3f} p95 {low.p95_1:.3f} ms"
            if safe is not None and safe is not low:
                text += (
                    f"; for R@10 >= {args.headroom_recall}: {safe.search} R@10 {safe.recall:.3f} "
                    f"p50 {safe.p50_1:.3f} p95 {safe.p95_1:.3f} ms"
                )
            print(text + f"; build {low.build_s:.0f}s, index {low.mem_bytes / 2**20:,.0f} MiB")
            picks.append(safe or low)
        if picks:
            best = min(picks, key=lambda r: (r.recall < args.headroom_recall, r.p50_1))
            print(
                f"=> use {best.index} {best.build} {best.search} above the exact-search crossover"
                + (f" (~{switch:,.0f} passages by p95)" if switch else "")
                + f": R@10 {best.recall:.3f}, p50 {best.p50_1:.3f} ms, p95 {best.p95_1:.3f} ms, "
                f"index {best.mem_bytes / 2**20:,.0f} MiB, build {best.build_s:.0f}s"
            )
            for r in rows:
                if (
                    r.size != recommend_at
                    and r.index == best.index
                    and r.search == best.search
                    and (r.index == "ivf" or r.build == best.build)
                ):
                    print(
                        f"   the same setting at {r.size:,}: {r.build} {r.search} R@10 {r.recall:.3f}, "
                        f"p95 {r.p95_1:.3f} ms"
                    )
    print(f"\npeak RSS {peak_rss_bytes() / 2**30:.2f} GiB; load avg at end {os.getloadavg()[0]:.2f}")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "argv": sys.argv[1:],
                    "faiss": faiss.__version__,
                    "data": mixture.source,
                    "rows": [
                        {k: v for k, v in vars(r).items() if k != "index_obj"}
                        for r in rows + [f for f in flat_rows if f not in rows]
                    ],
                    "checks": checks,
                },
                indent=1,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
