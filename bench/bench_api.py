"""Benchmark the API end to end: server start to first answer, and question latency over HTTP.

Run: .venv/bin/python bench/bench_api.py [--requests 300] [--clients 1]
Starts `assistant serve` on a free local port against the built index (run `assistant build`
first), asks the evaluation set's questions in a fixed order from this separate process, and
prints latency percentiles measured by the client.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant.settings import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in (ROOT / "tests/eval/questions.jsonl").open()]
    port = free_port()
    env = {**os.environ, "ASSISTANT_DB_PATH": str(Path(tempfile.mkdtemp()) / "bench.db")}
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--no-build", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                try:
                    if client.post("/api/ask", json={"question": "What is an SLA?"}).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise SystemExit("server did not start")
                time.sleep(0.05)
            ready = time.perf_counter() - started
            for question in questions[:20]:  # warm-up
                client.post("/api/ask", json={"question": question})

            def ask(i: int) -> tuple[float, int, float]:
                t = time.perf_counter()
                r = client.post("/api/ask", json={"question": questions[i % len(questions)] + f" ({i})"})
                server_ms = r.json().get("timing_ms", {}).get("total", 0.0) if r.status_code == 200 else 0
                return (time.perf_counter() - t) * 1000, r.status_code, server_ms

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                results = list(pool.map(ask, range(args.requests)))
            elapsed = time.perf_counter() - t0
        latencies = [r[0] for r in results]
        errors = sum(r[1] != 200 for r in results)
        print(f"server start to first answer: {ready:.1f} s")
        print(f"{args.requests} requests, {args.clients} client(s), {errors} errors, "
              f"{args.requests / elapsed:.1f} answers/s")
        print(f"latency ms (client-side, HTTP included): p50 {statistics.median(latencies):.1f}  "
              f"p95 {percentile(latencies, 95):.1f}  p99 {percentile(latencies, 99):.1f}")
        print(f"server-side answer time ms: p50 {statistics.median(r[2] for r in results):.1f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
