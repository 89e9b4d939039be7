"""Helpers shared by the tests that run real servers and a real browser."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots (git-ignored)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_browser() -> None:
    """Skip the calling module without Chromium or Playwright, except under CI, where they must run."""
    if os.environ.get("CI"):
        return
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's Chromium is not installed at /usr/bin/chromium; run `make browser` (CI=1 makes this a failure)",
            allow_module_level=True,
        )
    pytest.importorskip("playwright.sync_api", reason="Playwright is missing; pip install -e '.[test]' installs it")


def launch_chromium(playwright):
    ARTIFACTS.mkdir(exist_ok=True)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app, port: int, **options):
    """Serve an ASGI app with uvicorn on 127.0.0.1:port in a thread while the block runs
    (`options` go to uvicorn.Config)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{"log_level": "warning", **options}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), 30, "a server did not start")
        assert server.started, "the server stopped while starting (its error is logged above)"
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_for(condition, seconds: float, what: str):
    """Poll `condition` until it returns something true, and return that; fail with `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} within {seconds} s")


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


@contextmanager
def watched_page(browser, base_url: str, viewport: dict | None = None):
    """A fresh browser profile's page that fails the test on any JavaScript error or console error
    (API errors excepted: showing them is the page's job, and tested)."""
    context = browser.new_context(base_url=base_url, viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "/api/" not in msg.location.get("url", "") else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def calculators_client(root: Path):
    """A TestClient for the /api/calc routes, with its stores under `root`. No lifespan: the
    calculators need neither index nor model. localhost is a host every build answers to."""
    from fastapi.testclient import TestClient

    from assistant.api import create_app
    from assistant.settings import ROOT, Settings

    settings = Settings(
        corpus_dir=Path(__file__).parent / "fixtures" / "corpus",
        index_dir=root / "index",
        db_path=root / "assistant.db",
        web_dir=ROOT / "web",
    )
    return TestClient(create_app(settings), base_url="http://localhost")
