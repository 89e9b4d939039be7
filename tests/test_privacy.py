"""What the server keeps about visitors (issue 15, item 11): ids out of the access log, a
retention period with a purge, a private database file, and deleting a conversation."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.cli import cli
from assistant.conversations import ConversationStore

from .support import free_port, serving

ANSWER = {"answer": "An answer.", "abstained": False, "citations": []}


def _age(store: ConversationStore, conversation_id: str, days: int) -> None:
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with store.writing("test") as tx:
        tx.execute(
            "update conversations set created_at = ?, updated_at = ? where id = ?", [then, then, conversation_id]
        )


def test_the_access_log_never_shows_a_conversation_id(settings, embedder, caplog):
    port = free_port()
    app = create_app(settings, embedder=embedder)
    with (
        caplog.at_level(logging.INFO, logger="uvicorn.access"),
        serving(app, port, log_level=None, log_config=None, access_log=True),
    ):
        base = f"http://127.0.0.1:{port}"
        asked = httpx.post(f"{base}/api/ask", json={"question": "What is TUPE?"}, timeout=30).json()
        secret = asked["conversation_id"]
        httpx.get(f"{base}/api/conversations/{secret}", timeout=30)
        httpx.get(f"{base}/api/conversations/{secret}?again=1", timeout=30)
        httpx.delete(f"{base}/api/conversations/{secret}", timeout=30)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert sum("/api/conversations/" in line for line in lines) == 3, lines
    assert not any(secret in line for line in lines), lines


def test_a_visitor_can_delete_a_conversation(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder)) as client:
        asked = client.post("/api/ask", json={"question": "What is TUPE?"}).json()
        path = f"/api/conversations/{asked['conversation_id']}"
        assert client.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "up"}).status_code == 201
        assert client.delete(path).status_code == 204
        assert client.get(path).status_code == 404
        assert client.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "up"}).status_code == 404
        again = client.delete(path)
        assert again.status_code == 404 and asked["conversation_id"] not in again.text
        store = client.app.state.conversations
        assert not store.query(
            "select count(*) as n from messages where conversation_id = ?", [asked["conversation_id"]]
        )[0]["n"]
        schema = client.get("/api/openapi.json").json()
    assert {"204", "404"} <= set(schema["paths"]["/api/conversations/{conversation_id}"]["delete"]["responses"])


# The purge itself is tested on both backends in test_conversations.py.


def test_purge_command(settings, tmp_path, monkeypatch):
    db = tmp_path / "assistant.db"
    store = ConversationStore(db)
    old, _ = store.add(None, "old question", "old question", ANSWER)
    _age(store, old, 400)
    monkeypatch.setenv("ASSISTANT_DB_PATH", str(db))
    monkeypatch.setenv("ASSISTANT_RETENTION_DAYS", "365")
    result = CliRunner().invoke(cli, ["conversations", "purge", "--json"])
    assert result.exit_code == 0, result.output
    assert '"conversations": 1' in result.output
    result = CliRunner().invoke(cli, ["conversations", "purge", "--days", "30"])
    assert result.exit_code == 0 and "Deleted 0 conversations" in result.output


def test_the_server_purges_at_start_and_then_daily(settings, embedder, tmp_path):
    db = tmp_path / "assistant.db"
    store = ConversationStore(db)
    old, _ = store.add(None, "old question", "old question", ANSWER)
    _age(store, old, 120)
    app = create_app(replace(settings, db_path=db, retention_days=90), embedder=embedder)
    with TestClient(app) as client:
        assert client.get(f"/api/conversations/{old}").status_code == 404
        assert app.state.purge_every == 24 * 3600


def test_the_database_file_is_private(tmp_path):
    ConversationStore(tmp_path / "data" / "assistant.db")
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "assistant.db").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "data").st_mode) == 0o700


def test_health_does_not_show_the_process_id(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder)) as client:
        worker = client.get("/api/health").json()["worker"]
    assert worker != os.getpid() and str(os.getpid()) != str(worker)


def test_the_chat_offers_to_delete_the_conversation(settings, embedder):
    from html.parser import HTMLParser

    class Page(HTMLParser):
        def __init__(self):
            super().__init__()
            self.buttons, self.scripts = {}, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "button" and "id" in attrs:
                self.buttons[attrs["id"]] = attrs
            if tag == "script":
                self.scripts.append(attrs.get("src", ""))

    with TestClient(create_app(settings, embedder=embedder)) as client:
        page = Page()
        page.feed(client.get("/").text)
        script = client.get("/static/forget.js")
        chat = client.get("/static/chat.js").text
    assert page.buttons["delete-conversation"]["type"] == "button"
    assert 'import "./forget.js"' in chat
    assert script.status_code == 200 and "DELETE" in script.text and "innerHTML" not in script.text


@pytest.mark.parametrize("days", [90])
def test_retention_is_a_documented_setting(days):
    from assistant.settings import Settings

    assert Settings().retention_days == days
