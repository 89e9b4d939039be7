"""Load benchmark: the real server over HTTP at 1, 8 and 32 concurrent clients, batched vs naive.

Run: .venv/bin/python bench/bench_api.py [--client wrk|httpx] [--clients 1 8 32] [--modes batched naive]
                                         [--busy-neighbour 1] [--env ASSISTANT_ANSWER_THREADS=40 ...]
Starts `assistant serve --no-build` (uvicorn, as `make run` does) on a free local port against the
built index (run `assistant build` first) and drives it from this separate process with the
evaluation set's questions, as they are written, in a fixed order. The server runs with its query
cache off (ASSISTANT_QUERY_CACHE=0), so every question is really encoded. The naive baseline is the same server
with ASSISTANT_BATCH_WAIT_MS=0 (one model call per request). Reports client-side latency
percentiles, throughput, errors, the CPU time per answer of the server process and of its model
process (steadier than answers/s on a shared machine), server start to first answer, and the
peak RSS of both processes.

`--busy-neighbour N` runs N processes that only burn CPU while the load runs, as a co-located
proxy, a second worker or a build would: both modes then show how they hold up when the server
cannot have every core.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from assistant.settings import ROOT

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval/questions.jsonl").open()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used so far."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def model_process_pid(server_pid: int) -> int | None:
    """The server's largest child: the model process (the other is multiprocessing's tracker)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return max(map(int, children), key=peak_rss_mib, default=None)


def start_server(extra_env: dict) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    # One load generator is one "visitor": lift the abuse quotas so they do not shape the numbers.
    env = {
        **os.environ,
        "ASSISTANT_DB_PATH": str(Path(tempfile.mkdtemp()) / "bench.db"),
        "ASSISTANT_QUOTA_PER_VISITOR": "0",
        "ASSISTANT_QUOTA_PER_ORIGIN": "0",
        "ASSISTANT_QUERY_CACHE": "0",
        **extra_env,
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--no-build", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        while True:
            try:
                if client.post("/api/ask", json={"question": "What is an SLA?"}).status_code == 200:
                    return server, base, time.perf_counter() - started
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 60:
                raise SystemExit("server did not start")
            time.sleep(0.02)


def warm_up(base: str) -> None:
    """First calls allocate and compile kernels: answer some questions before measuring."""
    for q in QUESTIONS[:30]:
        httpx.post(f"{base}/api/ask", json={"question": q}, timeout=30)


def with_cpu(server_pid: int, run, *args) -> dict:
    """`run(*args)`'s row of results, with the CPU time per answer that the server process and its
    model process spent meanwhile (it hardly depends on what else runs on the machine, unlike answers/s)."""
    model = model_process_pid(server_pid)
    before = cpu_seconds(server_pid), cpu_seconds(model)
    row = run(*args)
    answers = max(row["requests"], 1)
    row["server_cpu"] = (cpu_seconds(server_pid) - before[0]) * 1000 / answers
    row["model_cpu"] = (cpu_seconds(model) - before[1]) * 1000 / answers
    return row


BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@contextmanager
def busy_neighbours(count: int, seconds: int = 1800):
    """`count` processes spinning on the CPU while the block runs (each stops by itself after
    `seconds` in any case)."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN.format(seconds=seconds)]) for _ in range(count)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def load(base: str, clients: int, requests: int) -> dict:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    with httpx.Client(base_url=base, timeout=60, limits=limits) as client:

        def ask(i: int) -> tuple[float, int]:
            question = QUESTIONS[i % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                status = client.post("/api/ask", json={"question": question}).status_code
            except httpx.HTTPError:
                status = 0
            return (time.perf_counter() - t) * 1000, status

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(ask, range(requests)))
        elapsed = time.perf_counter() - t0
    latencies = [ms for ms, _ in results]
    return {
        "clients": clients,
        "requests": requests,
        "errors": sum(s != 200 for _, s in results),
        "per_s": requests / elapsed,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


WRK_SCRIPT = """
local questions = {%s}
-- Each wrk thread has its own Lua state: start each at its own place in the list.
local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end
local counter = 0
request = function()
  counter = counter + 1
  local q = questions[((counter + 97 * id) %% #questions) + 1]
  local body = '{"question": "' .. q .. '"}'
  return wrk.format("POST", "/api/ask", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %%d %%.3f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def load_wrk(base: str, clients: int, seconds: int) -> dict:
    """The same load from wrk, a C load generator: it leaves the CPU to the server."""
    escaped = [json.dumps(q)[1:-1] for q in QUESTIONS]
    script = Path(tempfile.mkdtemp()) / "ask.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f"[==[{q}]==]" for q in escaped))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2" if clients > 1 else "1",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(p: int) -> float:  # printed by the script's done() in milliseconds
        return float(re.search(rf"^percentile {p} ([\d.]+)$", out, re.MULTILINE).group(1))

    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return {
        "clients": clients,
        "requests": total,
        "errors": errors,
        "per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms(50),
        "p95": ms(95),
        "p99": ms(99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--modes", nargs="+", default=["batched", "naive"])
    parser.add_argument(
        "--env",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="Settings for the server in every mode, to compare configurations.",
    )
    parser.add_argument(
        "--client",
        choices=["httpx", "wrk"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="wrk (C, from Debian's wrk package) leaves the CPU to the server; "
        "httpx (Python threads) needs nothing installed but competes for it.",
    )
    parser.add_argument("--seconds", type=int, default=10, help="Duration of each wrk run.")
    parser.add_argument(
        "--busy-neighbour",
        type=int,
        default=0,
        metavar="N",
        help="Processes that burn CPU beside the server while the load runs.",
    )
    args = parser.parse_args()
    print(f"load generator: {args.client}; busy neighbours: {args.busy_neighbour}")
    extra = dict(item.split("=", 1) for item in args.env)
    modes = {"batched": extra, "naive": {**extra, "ASSISTANT_BATCH_WAIT_MS": "0"}}
    if extra:
        print("server settings: " + " ".join(args.env))
    summary = {}
    for mode in args.modes:
        server, base, ready = start_server(modes[mode])
        try:
            warm_up(base)
            model = model_process_pid(server.pid)
            with busy_neighbours(args.busy_neighbour):
                rows = []
                for c in args.clients:
                    if args.client == "wrk":
                        rows.append(with_cpu(server.pid, load_wrk, base, c, args.seconds))
                    else:
                        rows.append(with_cpu(server.pid, load, base, c, args.requests if c > 1 else args.requests // 2))
            rss = peak_rss_mib(server.pid)
            model_rss = peak_rss_mib(model) if model else 0.0
        finally:
            server.terminate()
            server.wait()
        print(
            f"\n{mode}: server start to first answer {ready:.1f} s, peak RSS: server process "
            f"{rss:.0f} MiB, model process {model_rss:.0f} MiB"
        )
        print(
            f"{'clients':>8}{'requests':>10}{'errors':>8}{'answers/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'server CPU ms/answer':>22}{'model CPU ms/answer':>21}"
        )
        for r in rows:
            print(
                f"{r['clients']:>8}{r['requests']:>10}{r['errors']:>8}{r['per_s']:>11.1f}"
                f"{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['server_cpu']:>22.2f}{r['model_cpu']:>21.2f}"
            )
        summary[mode] = {r["clients"]: r["per_s"] for r in rows}
    if {"batched", "naive"} <= summary.keys():
        for clients in args.clients:
            ratio = summary["batched"][clients] / summary["naive"][clients]
            print(f"throughput batched / naive at {clients} clients: {ratio:.2f}x")


if __name__ == "__main__":
    main()
