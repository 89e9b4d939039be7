"""The JSON API through TestClient: answers, conversations, feedback, and every kind of bad input."""

from __future__ import annotations

import html
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app


def test_ask_returns_the_documented_shape(client):
    response = client.post("/api/ask", json={"question": "What is earn-back?", "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"conversation_id", "message_id", "answer", "abstained", "citations", "timing_ms"}
    assert len(body["citations"]) == 3 and body["abstained"] is False
    assert set(body["citations"][0]) >= {"n", "doc_id", "title", "section", "url", "text", "score"}
    assert body["citations"][0]["url"].startswith("/docs/")


def test_a_question_without_k_gets_the_servers_default_k(settings, embedder):
    with TestClient(create_app(replace(settings, default_k=2), embedder=embedder)) as client:
        body = client.post("/api/ask", json={"question": "What is earn-back?"}).json()
        assert len(body["citations"]) == 2, body
        asked = client.post("/api/ask", json={"question": "What is earn-back?", "k": 4}).json()
        assert len(asked["citations"]) == 4  # the request's own k still wins


def test_follow_up_uses_the_conversation(client):
    first = client.post("/api/ask", json={"question": "What are RTO and RPO?"}).json()
    follow = client.post(
        "/api/ask", json={"question": "how should they be tested?", "conversation_id": first["conversation_id"]}
    ).json()
    assert follow["conversation_id"] == first["conversation_id"]
    cited = [c["passage_id"] for c in follow["citations"] if c["cited"]]
    assert "disaster-recovery#testing-recovery:1" in cited, follow
    history = client.get(f"/api/conversations/{first['conversation_id']}").json()
    assert [m["question"] for m in history["messages"]] == ["What are RTO and RPO?", "how should they be tested?"]


def test_feedback_is_stored_against_a_message(client):
    asked = client.post("/api/ask", json={"question": "What is TUPE?"}).json()
    response = client.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "up"})
    assert response.status_code == 201
    missing = client.post("/api/feedback", json={"message_id": "nope", "rating": "down"})
    assert missing.status_code == 404 and "not found" in missing.json()["error"]


def test_health_reports_passages_and_model(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["passages"] > 0
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2"


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"question": ""}, 422, "question: String should have at least 1 character"),  # the schema says so
        ({"question": "   \n\t "}, 400, "The question is empty"),
        ({"question": "x" * 2001}, 400, "2001 characters long; the limit is 2000"),
        ({"question": 42}, 422, "question: Input should be a valid string"),
        ({}, 422, "question: Field required"),
        ({"question": "sla", "k": 0}, 422, "k: Input should be greater than or equal to 1"),
        ({"question": "sla", "k": 11}, 422, "k: Input should be less than or equal to 10"),
        ({"question": "sla", "k": "many"}, 422, "k: Input should be a valid integer"),
        ({"question": "sla", "filters": {"topic": "cooking"}}, 400, "Unknown topic 'cooking'"),
        ({"question": "sla", "filters": {"audience": "ceo"}}, 422, "filters.audience: Input should be"),
        ({"question": "sla", "filters": {"colour": "red"}}, 422, "filters.colour: Extra inputs"),
        ({"question": "sla", "conversation_id": "made-up"}, 404, "conversation does not exist"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, payload, status, message):
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_invalid_json_gets_a_clear_4xx(client):
    response = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["error"]


def test_unknown_conversation_is_404(client):
    response = client.get("/api/conversations/does-not-exist")
    assert response.status_code == 404 and "not found" in response.json()["error"]


def test_openapi_describes_the_api(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/health", "/api/feedback", "/api/conversations/{conversation_id}"} <= set(schema["paths"])
    ask = schema["components"]["schemas"]["AskResponse"]["properties"]
    assert {"answer", "abstained", "citations", "timing_ms"} <= set(ask)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])


def test_citation_url_leads_to_the_article_section(client):
    citation = client.post("/api/ask", json={"question": "What is an RPO?"}).json()["citations"][0]
    path, anchor = citation["url"].split("#")
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    parser = _Ids()
    parser.feed(page.text)
    assert anchor in parser.ids
    assert any(link.endswith("/docs/service-credits") for link in parser.links)  # related articles


def test_unknown_article_is_a_friendly_404_page(client):
    page = client.get("/docs/no-such-article")
    assert page.status_code == 404 and "no article 'no-such-article'" in html.unescape(page.text)


def test_security_headers_are_set(client):
    headers = client.get("/api/health").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_missing_index_answers_503_with_what_to_do(fresh, embedder):
    with TestClient(create_app(fresh, embedder=embedder)) as client:
        response = client.post("/api/ask", json={"question": "What is earn-back?"})
        assert response.status_code == 503 and "assistant build" in response.json()["error"]
        assert client.get("/api/health").json()["status"] == "unavailable"


def test_one_conversation_never_leaks_into_another(client, settings):
    first = client.post("/api/ask", json={"question": "What are RTO and RPO?"}).json()
    second = client.post("/api/ask", json={"question": "What is nearshore outsourcing?"}).json()
    follow = client.post(
        "/api/ask", json={"question": "and the risks?", "conversation_id": second["conversation_id"]}
    ).json()
    assert first["conversation_id"] != second["conversation_id"] and len(second["conversation_id"]) >= 20
    store = client.app.state.conversations
    context = store.query("select search_query from messages where id = ?", [follow["message_id"]])[0]["search_query"]
    assert "nearshore" in context and "RTO" not in context
    history = client.get(f"/api/conversations/{second['conversation_id']}").json()
    assert [m["question"] for m in history["messages"]] == ["What is nearshore outsourcing?", "and the risks?"]


def test_a_stopped_model_answers_503_with_what_to_do(settings, embedder):
    from assistant.errors import ModelUnavailable

    class StoppedModel:
        name, dimension = embedder.name, embedder.dimension

        def encode_query(self, text):
            raise ModelUnavailable("The model process stopped and is being restarted; ask again in a few seconds.")

    with TestClient(create_app(settings, embedder=StoppedModel())) as client:
        response = client.post("/api/ask", json={"question": "What is a service credit?"})
    assert response.status_code == 503
    assert "ask again" in response.json()["error"]


def test_the_reply_is_the_answer_exactly_as_the_response_model_shapes_it(client, settings, embedder):
    """The reply goes through AskResponse (one schema), yet keeps every field and shape of the answer."""
    import json

    from assistant.answering import Assistant
    from assistant.conversation import respond
    from assistant.conversations import ConversationStore

    for question in ("What is earn-back?", "Give me a sample service credit clause", "best pizza in Rome"):
        expected = respond(Assistant(settings, embedder), ConversationStore(settings.db_path), question)
        reply = client.post("/api/ask", json={"question": question}).json()
        for body in (expected, reply):
            for key in ("conversation_id", "message_id", "timing_ms"):
                body.pop(key)
        assert reply == json.loads(json.dumps(expected)), question
