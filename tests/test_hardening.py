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
def client(app_for):
    return app_for(raise_server_exceptions=False)  # an unexpected error must be answered, not raised


def _post(client, path: str, raw: bytes, **kwargs):
    return client.post(path, content=raw, headers={"content-type": "application/json"}, **kwargs)


@pytest.mark.parametrize(
    "path, raw",
    [
        ("/api/ask", b'{"question": "what is ' + SURROGATE + b' sla"}'),
        ("/api/ask", b'{"question": "what is sla", "conversation_id": "' + SURROGATE + b'"}'),
        ("/api/ask", b'{"question": "what is sla", "filters": {"topic": "' + SURROGATE + b'"}}'),
        ("/api/feedback", b'{"message_id": "' + SURROGATE + b'", "rating": "up"}'),
        ("/api/feedback", b'{"message_id": "abc", "rating": "up", "comment": "' + SURROGATE + b'"}'),
    ],
)
def test_text_that_is_not_unicode_is_a_400(client, path, raw):
    response = _post(client, path, raw)
    assert response.status_code == 400, response.text
    assert "not valid Unicode" in response.json()["error"]


def test_surrogates_beside_normal_questions_fail_no_normal_question(client):
    statuses: dict[str, list[int]] = {"normal": [], "bad": []}

    def ask(kind: str) -> None:
        raw = (
            b'{"question": "What is an earn-back?"}'
            if kind == "normal"
            else b'{"question": "what is ' + SURROGATE + b' sla"}'
        )
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


# --- 6: request size, id lengths, no echo of ids, feedback limits -----------------------------


def test_an_oversized_body_is_refused_before_it_is_read(client):
    response = client.post("/api/feedback", json={"message_id": "m" * 100_000, "rating": "up"})
    assert response.status_code == 413, response.text
    assert "64 KB" in response.json()["error"] and "m" * 100 not in response.text


def test_an_oversized_body_without_a_length_is_cut_off(client):
    chunks = (b'{"question": "' + b"x" * 10_000 for _ in range(20))  # sent chunked, no Content-Length
    response = client.post("/api/ask", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert "64 KB" in response.json()["error"]


@pytest.mark.parametrize(
    "method, path, payload",
    [
        ("post", "/api/ask", {"question": "sla", "conversation_id": "c" * 65}),
        ("post", "/api/feedback", {"message_id": "m" * 65, "rating": "up"}),
        ("get", "/api/conversations/" + "c" * 65, None),
    ],
)
def test_ids_have_a_bounded_length(client, method, path, payload):
    response = client.request(method, path, json=payload)
    assert response.status_code == 422, response.text
    assert "at most 64 characters" in response.json()["error"] and "c" * 65 not in response.text


@pytest.mark.parametrize(
    "method, path, payload",
    [
        ("post", "/api/ask", {"question": "sla", "conversation_id": "secret-id-4711"}),
        ("post", "/api/feedback", {"message_id": "secret-id-4711", "rating": "up"}),
        ("get", "/api/conversations/secret-id-4711", None),
        ("get", "/api/conversations/secret-id-4711/more", None),
        ("get", "/docs/secret-id-4711/more", None),
    ],
)
def test_errors_never_echo_ids(client, method, path, payload):
    response = client.request(method, path, json=payload)
    assert response.status_code == 404, response.text
    assert "secret-id-4711" not in response.text


def _feedback_rows(client, message_id: str) -> list[dict]:
    return client.app.state.conversations.query("select * from feedback where message_id = ?", [message_id])


def test_a_visitor_rates_a_message_once_and_may_change_the_rating(settings, embedder):
    app = create_app(settings, embedder=embedder)
    with TestClient(app, client=("10.0.0.1", 5000)) as alice, TestClient(app, client=("10.0.0.2", 5000)) as bob:
        message_id = alice.post("/api/ask", json={"question": "What is TUPE?"}).json()["message_id"]
        first = alice.post("/api/feedback", json={"message_id": message_id, "rating": "up"})
        changed = alice.post(
            "/api/feedback", json={"message_id": message_id, "rating": "down", "comment": "missed the point"}
        )
        other = bob.post("/api/feedback", json={"message_id": message_id, "rating": "up"})
        assert (first.status_code, changed.status_code, other.status_code) == (201, 200, 201)
        assert first.json()["id"] == changed.json()["id"] != other.json()["id"]
        rows = _feedback_rows(alice, message_id)
    assert sorted((r["rating"], r["comment"]) for r in rows) == [("down", "missed the point"), ("up", "")]
    assert not any("10.0.0" in str(r["visitor"]) for r in rows)  # stored as a keyed hash, not the address


def test_feedback_has_an_hourly_quota_per_visitor(settings, embedder):
    from dataclasses import replace

    app = create_app(replace(settings, feedback_quota_per_visitor=2), embedder=embedder)
    with TestClient(app) as client:
        ids = [
            client.post("/api/ask", json={"question": q}).json()["message_id"]
            for q in ("What is TUPE?", "What is an RPO?", "What is nearshore?")
        ]
        statuses = [client.post("/api/feedback", json={"message_id": i, "rating": "up"}).status_code for i in ids]
        unknown = client.post("/api/feedback", json={"message_id": "nope", "rating": "up"})
    assert statuses == [201, 201, 429]
    assert unknown.status_code == 429  # the quota is checked before the store is touched


# --- 12: methods, schema, strict types, preflights, headers ------------------------------------


def test_a_wrong_method_is_a_405_that_says_which_are_allowed(client):
    response = client.put("/api/ask", json={"question": "sla"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST" and "error" in response.json()


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"question": "sla", "k": True}, "k: Input should be a valid integer"),
        ({"question": "sla", "k": "5"}, "k: Input should be a valid integer"),
        ({"question": "sla", "k": 5.0}, "k: Input should be a valid integer"),
    ],
)
def test_k_must_be_a_json_integer(client, payload, message):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422 and message in response.json()["error"]


def test_the_schema_documents_every_error_reply(client):
    schema = client.get("/api/openapi.json").json()
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    expected = {
        ("/api/ask", "post"): {"400", "404", "413", "422", "429", "503"},
        ("/api/feedback", "post"): {"404", "413", "422", "429"},
        ("/api/conversations/{conversation_id}", "get"): {"404", "422"},
    }
    for (path, method), statuses in expected.items():
        responses = schema["paths"][path][method]["responses"]
        assert statuses <= set(responses), (path, set(responses))
        for status in statuses:
            assert responses[status]["content"]["application/json"]["schema"] == error, (path, status)


def test_the_schema_refuses_an_empty_question(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["schemas"]["AskRequest"]["properties"]["question"]["minLength"] == 1


def test_a_refused_preflight_is_json(settings, embedder):
    from dataclasses import replace

    app = create_app(replace(settings, allowed_origins=("https://intranet.example.com",)), embedder=embedder)
    with TestClient(app) as client:
        response = client.options(
            "/api/ask", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "origin" in response.json()["error"].lower()


def test_every_reply_carries_a_permissions_policy(client):
    for path in ("/", "/api/health"):
        policy = client.get(path).headers["permissions-policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_hsts_only_over_https(settings, embedder):
    app = create_app(settings, embedder=embedder)
    with TestClient(app, base_url="https://testserver") as secure, TestClient(app) as plain:
        assert secure.get("/api/health").headers["strict-transport-security"] == "max-age=31536000"
        assert "strict-transport-security" not in plain.get("/api/health").headers


# --- 10: the API docs ------------------------------------------------------------------------------


def test_the_api_docs_page_needs_no_inline_script_and_nothing_from_elsewhere(client):
    import re

    page = client.get("/api/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all(not body.strip() and 'src="http://testserver/' in attrs for attrs, body in scripts)
    assert not re.search(r"(src|href)=\"https?://(?!testserver)", page.text)
    for asset in re.findall(r"(?:src|href)=\"http://testserver(/api/docs/assets/[^\"]+)\"", page.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/docs/assets/..%2F__init__.py").status_code == 404


@pytest.mark.parametrize(
    "method, path, payload",
    [  # found by tests/test_schemathesis.py
        ("get", "/api/calc/downtime?minutes=-8.081619503717582e%2B149", None),
        ("post", "/api/calc/earn-back", {"credit": 2.2847837155934507e191, "earn_back_percent": 0.02}),
        ("get", "/api/calc/attainment?met=450&target=3.4600641538058417e%2B130&total=8000", None),
    ],
)
def test_huge_figures_never_cause_a_500(client, method, path, payload):
    response = client.request(method, path, json=payload)
    assert response.status_code in (200, 400, 422), response.text
