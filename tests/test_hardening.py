"""Hardening of the HTTP edge: text that is not Unicode, oversized bodies and ids, strict types,
headers, and what one bad request may do to others (issue 15)."""

from __future__ import annotations

import logging
import threading

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

SURROGATE = b"\\ud800"  # a lone UTF-16 surrogate, as JSON escapes it: valid JSON, not valid text


@pytest.fixture(scope="module")
def client(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder), raise_server_exceptions=False) as client:
        yield client


def _post(client, path: str, raw: bytes, **kwargs):
    return client.post(path, content=raw, headers={"content-type": "application/json"}, **kwargs)


@pytest.mark.parametrize("path, raw", [
    ("/api/ask", b'{"question": "what is ' + SURROGATE + b' sla"}'),
    ("/api/ask", b'{"question": "what is sla", "conversation_id": "' + SURROGATE + b'"}'),
    ("/api/ask", b'{"question": "what is sla", "filters": {"topic": "' + SURROGATE + b'"}}'),
    ("/api/feedback", b'{"message_id": "' + SURROGATE + b'", "rating": "up"}'),
    ("/api/feedback", b'{"message_id": "abc", "rating": "up", "comment": "' + SURROGATE + b'"}'),
])
def test_text_that_is_not_unicode_is_a_400(client, path, raw):
    response = _post(client, path, raw)
    assert response.status_code == 400, response.text
    assert "not valid Unicode" in response.json()["error"]


def test_surrogates_beside_normal_questions_fail_no_normal_question(client):
    statuses: dict[str, list[int]] = {"normal": [], "bad": []}

    def ask(kind: str) -> None:
        raw = (b'{"question": "What is an earn-back?"}' if kind == "normal"
               else b'{"question": "what is ' + SURROGATE + b' sla"}')
        statuses[kind].append(_post(client, "/api/ask", raw).status_code)

    threads = [threading.Thread(target=ask, args=(kind,)) for kind in ["normal"] * 12 + ["bad"] * 5]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses["normal"] == [200] * 12 and statuses["bad"] == [400] * 5


def test_an_unexpected_error_is_logged_once_in_one_line(settings, embedder, caplog):
    app = create_app(settings, embedder=embedder)

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        caplog.clear()
        response = client.get("/api/boom")
    assert response.status_code == 500 and response.json()["error"].startswith("Something went wrong")
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert "RuntimeError: kaboom" in records[0].getMessage() and records[0].exc_info is None
    assert "\n" not in records[0].getMessage()


def test_an_unexpected_error_does_not_reach_the_server(settings, embedder):
    """Handled here, so uvicorn neither logs a second traceback nor closes the keep-alive connection."""
    app = create_app(settings, embedder=embedder)

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("kaboom")

    with TestClient(app) as client:  # raise_server_exceptions=True: an escaping error would raise here
        assert client.get("/api/boom").status_code == 500
