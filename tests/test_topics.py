"""The /topics catalogue (search, audience and topic filters with counts) and the article page's
contents and Check yourself reveal, through TestClient and on their own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.article_page import article_view
from assistant.corpus import Article
from assistant.topics import browse

from .test_web import Page


def _article(id: str, title: str, summary: str, tags: tuple, topic: str, audience: tuple) -> Article:
    return Article(
        id=id,
        title=title,
        topic=topic,
        audience=audience,
        tags=tags,
        summary=summary,
        related=(),
        references=(),
        body="",
    )


DOCS = [
    _article("a", "Service credits", "Money back for missed levels.", ("sla",), "sla", ("manager",)),
    _article("b", "Nearshore", "Close by.", ("location",), "delivery", ("candidate", "manager")),
    _article("c", "Availability", "Uptime measured monthly.", ("sla",), "sla", ("candidate",)),
]


def test_browse_groups_by_topic_and_counts_every_choice():
    everything = browse(DOCS)
    assert [(t, [d.id for d in docs]) for t, docs in everything.groups] == [("delivery", ["b"]), ("sla", ["c", "a"])]
    assert (everything.shown, everything.total) == (3, 3)
    assert everything.topic_counts == {"delivery": 1, "sla": 2}
    assert everything.audience_counts == {"candidate": 2, "manager": 2}


@pytest.mark.parametrize(
    ("query", "audience", "topic", "shown"),
    [
        ("sla", None, None, ["c", "a"]),  # tags
        ("money missed", None, None, ["a"]),  # every word, in the summary
        ("MONEY", None, None, ["a"]),
        ("", "candidate", None, ["b", "c"]),
        ("", "manager", "sla", ["a"]),
        ("nothing like this", None, None, []),
    ],
)
def test_browse_narrows_by_search_audience_and_topic(query, audience, topic, shown):
    catalogue = browse(DOCS, query, audience, topic)
    assert [d.id for _, docs in catalogue.groups for d in docs] == shown
    assert catalogue.shown == len(shown)


def test_counts_ignore_their_own_filter_but_follow_the_others():
    catalogue = browse(DOCS, "", "candidate", "sla")
    assert catalogue.topic_counts == {"delivery": 1, "sla": 1}  # candidates, per topic
    assert catalogue.audience_counts == {"candidate": 1, "manager": 1}  # in sla, per audience


@pytest.fixture(scope="module")
def client(settings, embedder):
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def test_topics_page_filters_without_scripts(client):
    response = client.get("/topics", params={"q": "earn-back", "audience": "manager"})
    assert response.status_code == 200
    page = Page(response.text)
    links = [a["href"] for a in page.find("a") if "/docs/" in a.get("href", "")]
    assert links == ["http://testserver/docs/service-credits"]
    assert page.text_of["topic-count"] == "1 of 5 articles"
    assert page.find("input", id="topic-search", value="earn-back")
    assert page.find("option", value="manager", selected="")
    assert all("open" in d for d in page.find("details", class_="topic"))  # a filtered list is open


def test_unfiltered_topics_are_folded_with_their_counts(client):
    page = Page(client.get("/topics").text)
    folded = page.find("details", class_="topic")
    assert len(folded) == 4 and not any("open" in d for d in folded)
    assert page.text_of["topic-count"] == "5 of 5 articles"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"topic": "pizza"}, 400, "There is no topic &#39;pizza&#39;; choose one from the list"),
        ({"audience": "ceo"}, 422, "audience"),
        ({"q": "x" * 201}, 422, "q: String should have at most 200 characters"),
    ],
)
def test_bad_filters_get_a_clear_message(client, params, status, message):
    response = client.get("/topics", params=params)
    assert response.status_code == status
    assert message in response.text and "Traceback" not in response.text


def test_article_page_has_contents_a_way_back_and_ask_about_it(client):
    page = Page(client.get("/docs/service-credits").text)
    toc = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#") and a["href"] != "#main"]
    assert toc == ["#at-risk-amount", "#earn-back", "#worked-example", "#sample-clause", "#check-yourself"]
    assert page.find("a", href="http://testserver/?doc=service-credits", class_="button primary")
    assert page.find("a", href="http://testserver/", class_="article-bar-back")


def test_check_yourself_answers_are_behind_a_reveal():
    html, toc = article_view(
        "Intro.\n\n## Key points\n\n**Q:** not a quiz **A:** stays\n\n"
        "## Check yourself\n\n**Q:** What is *two* plus two? **A:** Four.\n\n"
        "**Q:** And one? **A:** One.\n\n## After\n\n**Q:** x **A:** y\n"
    )
    assert [anchor for anchor, _ in toc] == ["key-points", "check-yourself", "after"]
    assert html.count("<details>") == 2
    assert (
        '<p class="check-question">What is <em>two</em> plus two?</p>'
        "<details><summary>Show the answer</summary><p>Four.</p></details>"
    ) in html
    assert "<strong>Q:</strong> not a quiz" in html and "<strong>Q:</strong> x" in html  # other sections
