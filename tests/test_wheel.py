"""The built wheel runs outside a checkout: installed into a fresh environment, `assistant serve`
from another folder serves the chat page, an answer and /widget.js."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from .conftest import FIXTURE_CORPUS
from .support import free_port

pytestmark = pytest.mark.slow
CHECKOUT = Path(__file__).resolve().parent.parent
LEFT_OUT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "index",
    "data",
    "build",
    "test-artifacts",
    "node_modules",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
)


def _wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the checkout (setuptools leaves build/ where it builds)."""
    source = tmp_path / "source"
    shutil.copytree(CHECKOUT, source, ignore=LEFT_OUT)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return next((tmp_path / "dist").glob("outsourcing_assistant-*.whl"))


def _fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    """A new virtualenv holding only the wheel; the heavy dependencies (torch, the model) are this
    environment's, reached by a .pth line rather than installed again. Returns its python."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A plain path line: this environment's .pth files (the editable install of the checkout) are not run.
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return python


def _wait_until_healthy(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 240  # the first start builds the index with the real model
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server stopped:\n{server.stderr.read()}"
        try:
            if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("the installed server did not answer its health check within 240 s")


def test_the_installed_wheel_serves_the_chat_an_answer_and_the_widget(tmp_path):
    python = _fresh_environment(tmp_path, _wheel(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(FIXTURE_CORPUS, elsewhere / "corpus")
    located = subprocess.run(
        [str(python), "-c", "import assistant; print(assistant.__file__)"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(tmp_path / "env") in located and str(CHECKOUT) not in located, located
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(elsewhere / "corpus"),
        "ASSISTANT_INDEX_DIR": str(elsewhere / "index"),
        "ASSISTANT_DB_PATH": str(elsewhere / "data.db"),
    }
    env.pop("ASSISTANT_WEB_DIR", None)
    env.pop("PYTHONPATH", None)
    server = subprocess.Popen(
        [str(python.parent / "assistant"), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server)
        chat = httpx.get(f"{base}/", timeout=10)
        assert chat.status_code == 200 and "<title>Outsourcing knowledge assistant" in chat.text, chat.text[:500]
        assert "/static/chat.js" in chat.text  # the chat page's script, served below
        answer = httpx.post(f"{base}/api/ask", json={"question": "What is an earn-back?"}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["citations"][0]["doc_id"] == "service-credits"
        widget = httpx.get(f"{base}/widget.js", timeout=10)
        assert widget.status_code == 200 and "OutsourcingAssistantWidget" in widget.text
        assert httpx.get(f"{base}/static/chat.js", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
