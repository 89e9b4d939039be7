"""Interleaved A/B load test: this working tree against an earlier commit, both servers up at once.

Run: .venv/bin/python bench/bench_ab.py --base 9000e7c [--base-index DIR] [--rounds 12] [--seconds 5]
                                        [--clients 32]
On a shared machine, answers/s drifts by tens of percent from one minute to the next, and whole
runs of bench/bench_api.py taken one after the other move with it. Here both servers run side by
side (each as bench_api.py starts one: wrk, query cache off, quotas lifted) and are loaded in
turn, a few seconds each, the order flipped every round; each round's ratio compares two slices
taken seconds apart. Prints each round, then the median ratio of this tree's answers/s to the
base's, and both sides' CPU time per answer (server process and model process).

The base is checked out into a temporary git worktree, and its index is built there by its own
code unless --base-index names one built before; the worktree and a built index are removed
afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_api import load_wrk, start_server, warm_up, with_cpu

from assistant.settings import ROOT


def checkout(rev: str, where: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev], check=True)


def build_index(tree: Path, index_dir: Path) -> None:
    """The base's own index, built by the base's own code."""
    env = {**os.environ, "PYTHONPATH": str(tree), "ASSISTANT_INDEX_DIR": str(index_dir)}
    env["ASSISTANT_CORPUS_DIR"] = str(tree / "corpus")
    build = [sys.executable, "-c", "from assistant.cli import cli; cli()", "build"]
    subprocess.run(build, env=env, cwd=tree, check=True, stdout=subprocess.DEVNULL)


def compare(sides: dict[str, dict], rounds: int, seconds: int, clients: int) -> dict[str, list[dict]]:
    """Load each side in turn, `rounds` times; the side loaded first alternates."""
    for side in sides.values():
        warm_up(side["base"])
    rows: dict[str, list[dict]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            side = sides[name]
            rows[name].append(with_cpu(side["server"].pid, load_wrk, side["base"], clients, seconds))
        print(f"round {r + 1:>2}: " + "  ".join(f"{n} {rows[n][-1]['per_s']:.1f}/s" for n in names), flush=True)
    return rows


def report(rows: dict[str, list[dict]], base_name: str, this_name: str) -> None:
    ratios = [t["per_s"] / b["per_s"] for t, b in zip(rows[this_name], rows[base_name])]
    for name, side in rows.items():
        print(
            f"{name}: median {statistics.median(r['per_s'] for r in side):.1f} answers/s, errors "
            f"{sum(r['errors'] for r in side)}, CPU ms/answer: server "
            f"{statistics.median(r['server_cpu'] for r in side):.2f}, model "
            f"{statistics.median(r['model_cpu'] for r in side):.2f}"
        )
    within = sum(ratio >= 0.9 for ratio in ratios)
    print(
        f"{this_name} / {base_name} answers/s, round by round: median {statistics.median(ratios):.3f}, "
        f"mean {statistics.mean(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}; "
        f"{within} of {len(ratios)} rounds within 10%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="The commit to compare against (any git revision).")
    parser.add_argument("--base-index", type=Path, help="The base's index, already built; else built here.")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=5, help="Length of each slice of load.")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    tree = scratch / "base"
    checkout(args.base, tree)
    servers = []
    try:
        index_dir = args.base_index or scratch / "index"
        if args.base_index is None:
            print(f"building {args.base}'s index with its own code ...", flush=True)
            build_index(tree, index_dir)
        base_env = {"PYTHONPATH": str(tree), "ASSISTANT_INDEX_DIR": str(index_dir)}
        base_env["ASSISTANT_CORPUS_DIR"] = str(tree / "corpus")
        sides = {}
        for name, env in ((args.base, base_env), ("this tree", {})):
            server, base, _ = start_server(env)
            servers.append(server)
            sides[name] = {"server": server, "base": base}
        print(f"{args.rounds} rounds of {args.seconds} s per side at {args.clients} clients")
        report(compare(sides, args.rounds, args.seconds, args.clients), args.base, "this tree")
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(scratch, ignore_errors=True)  # the base's index, when built here


if __name__ == "__main__":
    main()
