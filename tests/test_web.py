"""The HTML pages through TestClient, checked by parsing them: chat, topics, articles, CSP."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

FIXTURE_DOCS = {"service-credits", "employee-transfer", "disaster-recovery", "nearshore", "glossary"}


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with attributes, scripts, labels, text."""

    def __init__(self, text: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.text_of: dict[str, str] = {}  # id -> text directly inside that element
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attrs))
        if tag not in {"meta", "link", "input", "br", "img", "hr"}:
            self._open.append((tag, attrs, []))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, attrs, text = self._open.pop()
            content = "".join(text).strip()
            if open_tag == "script":
                self.scripts.append((attrs, content))
            if "id" in attrs:
                self.text_of[attrs["id"]] = content
            if self._open:
                self._open[-1][2].append(content + " ")
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.elements if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.elements if "id" in a}


def page(client, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def test_the_question_boxes_take_the_setting_s_length_limit(settings, embedder):
    with TestClient(create_app(replace(settings, max_question_chars=300), embedder=embedder)) as short:
        for path in ("/", "/embed"):
            [textarea] = page(short, path).find("textarea", id="question")
            assert textarea["maxlength"] == "300", path


def test_chat_has_a_labelled_question_box(client):
    chat = page(client, "/")
    [textarea] = chat.find("textarea", id="question")
    assert "maxlength" in textarea and "required" in textarea
    assert len(chat.find("label", for_="question")) == 1
    assert chat.text_of["question-hint"].startswith("Enter sends")
    assert textarea["aria-describedby"] == "question-hint"
    assert chat.find("button", id="send", type="submit")


def test_chat_has_a_live_region_thinking_state_and_new_conversation(client):
    chat = page(client, "/")
    [announcer] = chat.find("div", id="announcer")
    assert announcer["aria-live"] == "polite"
    [thinking] = chat.find("p", id="thinking")
    assert "hidden" in thinking and thinking["role"] == "status"
    assert chat.text_of["new-conversation"] == "New conversation"
    assert chat.find("ol", id="messages")


@pytest.mark.parametrize("audience", ["candidate", "manager"])
def test_chat_offers_starter_questions_per_audience(client, audience):
    chat = page(client, "/")
    assert chat.find("div", class_="starter-group", **{"data-audience": audience})
    starters = chat.find("button", class_="starter")
    assert len(starters) >= 6 and all(b["data-question"].endswith("?") for b in starters)


def test_chat_loads_its_script_from_static(client):
    chat = page(client, "/")
    sources = [attrs["src"] for attrs, _ in chat.scripts]
    # theme.js in <head> sets the chosen theme before the first paint; chat.js runs the chat.
    assert sources == ["http://testserver/static/theme.js", "http://testserver/static/chat.js"]
    assert client.get("/static/chat.js").status_code == 200
    for module in ("api.js", "dom.js", "answer.js", "feedback.js", "article.js"):
        assert client.get(f"/static/{module}").status_code == 200


def test_topics_lists_every_topic_and_links_each_article(client):
    topics = page(client, "/topics")
    documents = client.app.state.assistant.live.get().documents
    assert set(documents) == FIXTURE_DOCS
    for topic in {d.topic for d in documents.values()}:
        assert f"topic-{topic}" in topics.ids()
        assert topics.find("option", value=topic)  # the topic filter offers it
    assert topics.text_of["topic-sla-heading"] == "SLA"  # acronyms keep their capitals
    assert topics.text_of["topic-delivery-models-heading"] == "Delivery models"
    article_links = [a["href"] for a in topics.find("a") if "/docs/" in a.get("href", "")]
    assert sorted(article_links) == sorted(f"http://testserver/docs/{d}" for d in FIXTURE_DOCS)


def test_topics_shows_each_summary(client):
    text = client.get("/topics").text
    for document in client.app.state.assistant.live.get().documents.values():
        assert document.summary in text  # summaries carry no characters that need escaping


def test_article_has_an_anchor_for_every_cited_section(client):
    article = page(client, "/docs/disaster-recovery")
    assert {"overview", "rto-and-rpo", "testing-recovery"} <= article.ids()
    assert [a["src"] for a, _ in article.scripts] == [
        "http://testserver/static/theme.js",
        "http://testserver/static/article.js",
    ]
    assert article.find("a", href="http://testserver/topics?topic=contracts")


def test_article_shows_its_review_date_and_jurisdiction(client):
    html = client.get("/docs/employee-transfer").text
    assert page(client, "/docs/employee-transfer").find("time", datetime="2026-11-30")
    meta = re.search(r'<p class="article-meta">(.*?)</p>', html, re.DOTALL)
    assert re.sub(r"<[^>]+>|\s+", " ", meta.group(1)).split() == "Reviewed 2026-11-30 · Jurisdiction: UK, EU".split()
    assert "article-meta" not in client.get("/docs/disaster-recovery").text  # no date, no line


@pytest.mark.parametrize("path", ["/", "/topics", "/docs/service-credits", "/docs/missing"])
def test_pages_are_served_with_a_strict_csp_and_no_inline_script(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    parsed = Page(response.text)
    for attrs, content in parsed.scripts:
        assert attrs.get("src") and not content, "inline script"
    assert not [a for _, a in parsed.elements if "style" in a or any(k.startswith("on") for k in a)]


def test_pages_under_a_path_prefix_point_at_the_prefix(settings, embedder):
    # As behind a reverse proxy that strips /assistant and says so in the ASGI root_path.
    with TestClient(create_app(settings, embedder=embedder), root_path="/assistant") as client:
        chat = Page(client.get("/").text)
    [body] = chat.find("body")
    assert body["data-base"] == "/assistant"
    assert chat.scripts[-1][0]["src"].endswith("/assistant/static/chat.js")
