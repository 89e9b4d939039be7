"""Suggested follow-ups: the first cited article's other sections, asked as questions, in the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.follow_ups import follow_ups, in_sentence


@pytest.fixture(scope="module")
def client(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def ask(client, question: str, **extra) -> dict:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_answer_offers_the_articles_worked_example_and_sample_clause(client):
    reply = ask(client, "What is an earn-back?")
    assert reply["follow_ups"] == [
        "Show me the worked example for service credits and earn-back",
        "Give me sample wording for service credits and earn-back",
        "Tell me about at-risk amount in service credits and earn-back",
    ]


def test_a_follow_up_asked_gets_the_section_it_names_and_never_offers_it_again(client):
    reply = ask(client, "Show me the worked example for service credits and earn-back")
    quoted = {c["kind"] for c in reply["citations"] if c["cited"]}
    assert "worked_example" in quoted
    assert not any("worked example" in q for q in reply["follow_ups"])
    assert "Give me sample wording for service credits and earn-back" in reply["follow_ups"]
    clause = ask(client, "Give me sample wording for service credits and earn-back")
    assert [b["type"] for b in clause["blocks"]].count("quote") == 1


def test_the_glossary_is_passed_over_for_the_article_behind_it(client):
    reply = ask(client, "What is TUPE?")
    assert reply["citations"][0]["doc_id"] == "glossary"
    assert reply["follow_ups"] and all("employee transfer" in q for q in reply["follow_ups"])


def test_no_follow_ups_when_the_assistant_abstains(client):
    reply = ask(client, "What is the best pizza topping?")
    assert reply["abstained"] and reply["follow_ups"] == []


def test_follow_ups_are_in_the_openapi_schema(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["AskResponse"]
    assert schema["properties"]["follow_ups"]["type"] == "array"
    assert schema["properties"]["follow_ups"]["items"] == {"type": "string"}


def test_sections_the_answer_quotes_are_not_offered(client):
    index = client.app.state.assistant.live.get()
    citation = {"doc_id": "service-credits", "cited": True, "url": "/docs/service-credits#worked-example"}
    offered = follow_ups(index, {"abstained": False, "citations": [citation]})
    assert offered[0] == "Give me sample wording for service credits and earn-back"
    assert len(offered) == 3 and not any("worked example" in q for q in offered)
    assert follow_ups(index, {"abstained": False, "citations": [{**citation, "cited": False}]}) == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Service credits and earn-back", "service credits and earn-back"),
        ("SLA design", "SLA design"),
        ("TUPE", "TUPE"),
        ("ISO 37500 life cycle", "ISO 37500 life cycle"),
    ],
)
def test_titles_read_mid_sentence(title, expected):
    assert in_sentence(title) == expected


def test_a_doc_filter_answers_from_that_article_only(client):
    reply = ask(client, "What is the at-risk amount?", filters={"doc": "service-credits"})
    assert {c["doc_id"] for c in reply["citations"]} == {"service-credits"}
    outside = ask(client, "What is the at-risk amount?", filters={"doc": "disaster-recovery"})
    assert outside["abstained"]
    response = client.post("/api/ask", json={"question": "What is TUPE?", "filters": {"doc": "nope"}})
    assert response.status_code == 400
    assert response.json() == {"error": "Unknown article 'nope'; use the id in its address, /docs/<id>."}
