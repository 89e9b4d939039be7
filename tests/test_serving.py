"""Serving for real: two uvicorn workers over one index, and a rebuild swapped in under load."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.index import build_index

from .support import free_port, wait_for

pytestmark = pytest.mark.slow  # real uvicorn processes, the model loaded in each


def _serve(settings, workers: int) -> tuple[subprocess.Popen, str]:
    """`uvicorn --factory assistant.api:create_app`, configured only through ASSISTANT_* variables."""
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DB_PATH": str(settings.db_path),
        # This is a load test from one visitor: lift the abuse quota out of its way.
        "ASSISTANT_QUOTA_PER_VISITOR": "100000",
        "ASSISTANT_QUOTA_PER_ORIGIN": "100000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "assistant.api:create_app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("the server did not start within 120 s")


def test_two_workers_answer_consistently(settings):
    server, base = _serve(settings, workers=2)
    try:
        # The kernel hands each new connection to one worker; the second may still be loading
        # the model when the first answers, so keep opening connections until both have answered.
        pids, answers = set(), set()
        deadline = time.monotonic() + 120
        while (len(pids) < 2 or len(answers) < 1) and time.monotonic() < deadline:
            with httpx.Client(base_url=base, timeout=30) as fresh_connection:
                pids.add(fresh_connection.get("/api/health").json()["worker"])
                answers.add(
                    fresh_connection.post("/api/ask", json={"question": "What is an earn-back?"}).json()["answer"]
                )
        assert len(pids) == 2, pids
        for _ in range(10):
            with httpx.Client(base_url=base, timeout=30) as fresh_connection:
                answers.add(
                    fresh_connection.post("/api/ask", json={"question": "What is an earn-back?"}).json()["answer"]
                )
        assert len(answers) == 1
        # Conversations are shared through the database, whichever worker answers.
        first = httpx.post(f"{base}/api/ask", json={"question": "What are RTO and RPO?"}, timeout=30).json()
        for _ in range(4):
            with httpx.Client(base_url=base, timeout=30) as fresh_connection:
                assert fresh_connection.get(f"/api/conversations/{first['conversation_id']}").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_rebuild_swapped_in_under_load_drops_no_request(fresh, embedder):
    build_index(fresh.corpus_dir, fresh.index_dir, embedder)
    server, base = _serve(fresh, workers=1)
    statuses: list[int] = []
    stop = threading.Event()

    def keep_asking():
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                statuses.append(client.post("/api/ask", json={"question": "What is nearshore?"}).status_code)

    try:
        before = httpx.get(f"{base}/api/health", timeout=10).json()
        threads = [threading.Thread(target=keep_asking) for _ in range(4)]
        for thread in threads:
            thread.start()
        wait_for(lambda: len(statuses) >= 8, 60, "the askers got no answers")
        article = fresh.corpus_dir / "delivery-models" / "nearshore.md"
        article.write_text(
            article.read_text() + "\n## Costs\n\nNearshore day rates usually sit "
            "between onshore and offshore rates for the same role.\n"
        )
        build_index(fresh.corpus_dir, fresh.index_dir, embedder)
        swapped_at = len(statuses)
        # Questions go on being answered across the swap, until the server reports the new build.
        wait_for(
            lambda: httpx.get(f"{base}/api/health", timeout=10).json()["passages"] > before["passages"],
            60,
            "the server did not pick up the new build",
        )
        wait_for(lambda: len(statuses) >= swapped_at + 8, 60, "no questions were answered after the swap")
        stop.set()
        for thread in threads:
            thread.join()
        after = httpx.get(f"{base}/api/health", timeout=10).json()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    assert len(statuses) > 20 and set(statuses) == {200}
    assert after["passages"] == before["passages"] + 1 and after["built_at"] >= before["built_at"]
