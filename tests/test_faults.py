"""Fault injection (issue 15): a hung model process, a broken index link, a broken corpus at
start-up, a database that cannot be written. Each must leave the rest of the site answering."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import replace

import httpx
import pytest

from assistant.api import create_app

from .support import free_port, serving


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s")


@pytest.mark.slow
def test_a_stopped_model_process_is_restarted_while_health_and_pages_answer(settings):
    """SIGSTOP on the model child: questions get a 503 after the timeout, the model is restarted,
    and health and pages answer throughout instead of queueing behind the questions."""
    port, base = free_port(), None
    app = create_app(replace(settings, model_timeout=3.0, quota_per_visitor=0))  # its own ModelProcess
    statuses: list[tuple[int, str]] = []
    with serving(app, port):
        base = f"http://127.0.0.1:{port}"
        model = app.state.embedder
        assert httpx.post(f"{base}/api/ask", json={"question": "What is an RPO?"}, timeout=30).status_code == 200
        stopped = model._process
        os.kill(stopped.pid, signal.SIGSTOP)
        try:
            def ask(i: int) -> None:
                reply = httpx.post(f"{base}/api/ask", json={"question": f"What is a service credit {i}?"},
                                   timeout=60)
                statuses.append((reply.status_code, reply.json().get("error", "")))

            askers = [threading.Thread(target=ask, args=(i,)) for i in range(20)]
            for thread in askers:
                thread.start()
            time.sleep(0.5)  # the questions now hold every question thread, waiting on the model
            started = time.monotonic()
            health = httpx.get(f"{base}/api/health", timeout=2)
            assert health.json()["model_process"]["state"] == "working"
            for path in ("/", "/topics", "/docs/service-credits"):
                assert httpx.get(f"{base}{path}", timeout=2).status_code == 200, path
            assert time.monotonic() - started < 2
            for thread in askers:
                thread.join(60)
        finally:
            with contextlib.suppress(ProcessLookupError):  # the server has killed it already
                os.kill(stopped.pid, signal.SIGKILL)
        # Each question got an answer: a 503 that says to ask again, or (queued behind the hung
        # batch until the new process was up) a 200. None waited for good.
        assert len(statuses) == 20 and {status for status, _ in statuses} <= {200, 503}
        failed = [error for status, error in statuses if status == 503]
        assert failed and all("ask again" in error for error in failed), failed
        _wait_for(lambda: httpx.get(f"{base}/api/health", timeout=5).json()["model_process"]["state"] == "ready",
                  60, "the model process was not restarted")
        assert model._process is not stopped and model._process.is_alive()
        reply = httpx.post(f"{base}/api/ask", json={"question": "What is an earn-back?"}, timeout=30)
        assert reply.status_code == 200
