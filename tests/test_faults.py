"""Fault injection (issue 15): a hung model process, a broken index link, a broken corpus at
start-up, a database that cannot be written. Each must leave the rest of the site answering."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import threading
import time
from dataclasses import replace

import httpx
import pytest

from assistant.api import create_app

from .support import free_port, serving, wait_for


@pytest.mark.slow
def test_a_stopped_model_process_is_restarted_while_health_and_pages_answer(settings):
    """SIGSTOP on the model child: questions get a 503 after the timeout, the model is restarted,
    and health and pages answer throughout instead of queueing behind the questions."""
    port, base = free_port(), None
    app = create_app(replace(settings, model_timeout=3.0))  # its own ModelProcess
    statuses: list[tuple[int, str]] = []
    with serving(app, port):
        base = f"http://127.0.0.1:{port}"
        model = app.state.embedder
        assert httpx.post(f"{base}/api/ask", json={"question": "What is an RPO?"}, timeout=30).status_code == 200
        stopped = model._process
        os.kill(stopped.pid, signal.SIGSTOP)
        try:

            def ask(i: int) -> None:
                reply = httpx.post(f"{base}/api/ask", json={"question": f"What is a service credit {i}?"}, timeout=60)
                statuses.append((reply.status_code, reply.json().get("error", "")))

            askers = [threading.Thread(target=ask, args=(i,)) for i in range(20)]
            for thread in askers:
                thread.start()
            # The questions now hold the question threads, waiting on the stopped model.
            wait_for(lambda: model.state()["state"] == "working", 10, "the model was not given the questions")
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
        wait_for(
            lambda: httpx.get(f"{base}/api/health", timeout=5).json()["model_process"]["state"] == "ready",
            60,
            "the model process was not restarted",
        )
        assert model._process is not stopped and model._process.is_alive()
        reply = httpx.post(f"{base}/api/ask", json={"question": "What is an earn-back?"}, timeout=30)
        assert reply.status_code == 200


# --- 4 and 5: the index link, a stale index, a failed build ------------------------------------

from fastapi.testclient import TestClient  # noqa: E402

from assistant.index import CURRENT, build_index  # noqa: E402

QUESTION = {"question": "What is nearshore outsourcing?"}


@pytest.fixture
def built(fresh, settings):
    """A private copy of the session's build of the same corpus, as a rollout copies a build
    (the same files as building it again, without embedding it again)."""
    shutil.copytree(settings.index_dir, fresh.index_dir, symlinks=True)
    return fresh


def _retarget(index_dir, target: str) -> None:
    """Point index/current at `target` in one rename, as a careless deploy script might."""
    link = index_dir / ".current.test"
    link.symlink_to(target)
    os.replace(link, index_dir / CURRENT)


def test_a_removed_index_link_keeps_the_loaded_index_answering(built, embedder, caplog):
    with TestClient(create_app(built, embedder=embedder)) as client:
        assert client.post("/api/ask", json=QUESTION).status_code == 200
        (built.index_dir / CURRENT).unlink()
        with caplog.at_level("ERROR", logger="assistant"):
            assert client.post("/api/ask", json=QUESTION).status_code == 200
            health = client.get("/api/health")
        assert health.status_code == 200 and "kept serving" in health.json()["warning"]
        assert any("No index found" in r.getMessage() for r in caplog.records)
        assert str(built.index_dir) not in health.text
        build_index(built.corpus_dir, built.index_dir, embedder)  # a good build is taken up again
        assert "warning" not in client.get("/api/health").json()


def test_a_link_to_a_corrupt_build_keeps_the_loaded_index_answering(built, embedder):
    corrupt = built.index_dir / "build-corrupt"
    corrupt.mkdir()
    (corrupt / "manifest.json").write_text((built.index_dir / CURRENT / "manifest.json").read_text())
    (corrupt / "passages.db").write_bytes(b"not a database" * 100)
    (corrupt / "vectors.faiss").write_bytes(b"not an index")
    with TestClient(create_app(built, embedder=embedder)) as client:
        _retarget(built.index_dir, "build-corrupt")
        assert client.post("/api/ask", json=QUESTION).status_code == 200
        health = client.get("/api/health")
        assert "kept serving" in health.json()["warning"] and "unreadable" in health.json()["warning"]
        assert str(built.index_dir) not in health.text and str(corrupt) not in health.text


def test_errors_name_no_server_paths(fresh, embedder):
    with TestClient(create_app(fresh, embedder=embedder)) as client:  # nothing built
        reply = client.post("/api/ask", json=QUESTION)
        health = client.get("/api/health")
    assert reply.status_code == 503 and "assistant build" in reply.json()["error"]
    for text in (reply.text, health.text):
        assert str(fresh.index_dir) not in text and str(fresh.corpus_dir.parent) not in text


def test_a_stale_index_is_served_with_a_warning(built, embedder, caplog):
    article = built.corpus_dir / "delivery-models" / "nearshore.md"
    article.write_text(article.read_text() + "\nOne more sentence that nobody has indexed yet.\n")
    with caplog.at_level("WARNING", logger="assistant"), TestClient(create_app(built, embedder=embedder)) as client:
        assert client.post("/api/ask", json=QUESTION).status_code == 200
        health = client.get("/api/health").json()
    assert health["status"] == "ok" and "assistant build" in health["warning"]
    assert "earlier version of the corpus" in health["warning"]
    assert any("earlier version of the corpus" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_serve_after_a_failed_build_serves_the_last_good_index(built):
    """A typo in one article: `serve` reports it (file:line) and serves the last good index."""
    import subprocess
    import sys
    from pathlib import Path

    broken = built.corpus_dir / "delivery-models" / "nearshore.md"
    broken.write_text(broken.read_text().replace("title:", "title: [unclosed", 1))
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(built.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(built.index_dir),
        "ASSISTANT_DB_PATH": str(built.db_path),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_for(lambda: _health(port), 120, "serve did not answer")
        assert health["status"] == "ok" and "assistant build" in health["warning"]
        reply = httpx.post(f"http://127.0.0.1:{port}/api/ask", json=QUESTION, timeout=30)
        assert reply.status_code == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "delivery-models/nearshore.md:" in output and "not valid YAML" in output
    assert "serving the last good index" in output and "Traceback" not in output


def _health(port: int) -> dict | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()
    except httpx.TransportError:
        return None


# --- 7: the conversation database ---------------------------------------------------------------


def _read_only(store) -> None:
    """Reopen the store's database read-only, as SQLite does for a file it may not write."""
    import sqlite3

    database = store.database
    database.close()  # the next connection each thread opens is read-only
    database.connect = lambda: sqlite3.connect(
        f"file:{database.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )


def test_a_read_only_database_is_a_clear_503_and_health_says_so(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder)) as client:
        asked = client.post("/api/ask", json=QUESTION).json()
        _read_only(client.app.state.conversations)
        reply = client.post("/api/ask", json=QUESTION)
        feedback = client.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "up"})
        history = client.get(f"/api/conversations/{asked['conversation_id']}")
        health = client.get("/api/health")
    assert reply.status_code == 503 and "could not be saved" in reply.json()["error"], reply.text
    assert feedback.status_code == 503 and "could not be saved" in feedback.json()["error"]
    assert history.status_code == 200  # reading still works
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert "database" in health.json()["error"] and health.json()["database"] == "read-only or failing"


def test_an_unusable_database_path_names_the_setting_at_start_up(settings, embedder, tmp_path):
    from assistant.errors import StoreUnavailable

    (tmp_path / "a-file").write_text("not a folder")
    broken = replace(settings, db_path=tmp_path / "a-file" / "assistant.db")
    with pytest.raises(StoreUnavailable, match="ASSISTANT_DB_PATH"):
        with TestClient(create_app(broken, embedder=embedder)):
            pass


@pytest.mark.slow
def test_serve_with_an_unusable_database_path_says_which_setting(fresh, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "a-file").write_text("not a folder")
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(fresh.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(fresh.index_dir),
        "ASSISTANT_DB_PATH": str(tmp_path / "a-file" / "assistant.db"),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "ASSISTANT_DB_PATH" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# --- 3: builds are immutable --------------------------------------------------------------------


@pytest.mark.slow
def test_a_published_build_is_read_only_and_the_next_build_still_reads_it(fresh, embedder, monkeypatch):
    """cp or rsync --inplace over a memory-mapped index file would kill the server with SIGBUS;
    with the files read-only they fail instead (for any user but root)."""
    from click.testing import CliRunner

    from assistant import cli as cli_module

    monkeypatch.setattr(cli_module, "_embedder", lambda: embedder)
    for name in ("corpus_dir", "index_dir", "db_path"):
        monkeypatch.setenv(f"ASSISTANT_{name.upper()}", str(getattr(fresh, name)))
    assert CliRunner().invoke(cli_module.cli, ["build"]).exit_code == 0
    first = (fresh.index_dir / CURRENT).resolve()
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in first.iterdir()}
    assert modes and set(modes.values()) == {0o444}, modes
    article = fresh.corpus_dir / "delivery-models" / "nearshore.md"
    article.write_text(article.read_text() + "\nOne more sentence for the next build.\n")
    result = CliRunner().invoke(cli_module.cli, ["build", "--json"])
    assert result.exit_code == 0, result.output
    assert '"reused": ' in result.output and '"reused": 0' not in result.output  # read the sealed build
    second = (fresh.index_dir / CURRENT).resolve()
    assert second != first and {stat.S_IMODE(p.stat().st_mode) for p in second.iterdir()} == {0o444}
    with TestClient(create_app(fresh, embedder=embedder)) as client:
        assert client.post("/api/ask", json=QUESTION).status_code == 200
