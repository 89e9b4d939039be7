"""Study mode over HTTP: items, answers, progress, export and delete, mock exams, bad inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.study.catalog import ItemCatalog

LEARNER = "learner-api-0001"


@pytest.fixture(scope="module")
def study_settings(study_build, tmp_path_factory):
    return replace(study_build, db_path=tmp_path_factory.mktemp("study-api") / "assistant.db")


@pytest.fixture(scope="module")
def client(study_settings, embedder):
    with TestClient(create_app(study_settings, embedder)) as client:
        yield client


@pytest.fixture(scope="module")
def catalog(study_settings):
    return ItemCatalog(study_settings.index_dir, study_settings.corpus_dir).get()


def by_kind(catalog, grading):
    return next(i for i in catalog.items if i.grading == grading)


def test_items_come_without_answers_and_link_to_their_section(client, catalog):
    reply = client.get("/api/study/items", params={"n": 50})
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert len(items) == min(50, len(catalog.items))
    for item in items:
        assert set(item) == {"id", "kind", "topic", "difficulty", "prompt", "options", "url"}
        assert item["url"].startswith("/docs/") and "#" in item["url"]
        stored = catalog.by_id[item["id"]]
        if stored.grading in ("text", "term"):  # a choice item's options hold its answer, as they must
            assert stored.answer not in item["prompt"]


def test_items_filter_by_topic_and_kind(client):
    items = client.get("/api/study/items", params={"topic": "sla", "kind": "calculation", "n": 5}).json()["items"]
    assert len(items) == 5 and {(i["topic"], i["kind"]) for i in items} == {("sla", "calculation")}
    choice = client.get("/api/study/items", params={"kind": "choice", "n": 50}).json()["items"]
    assert choice and all(len(i["options"]) == 4 for i in choice)


def test_a_right_and_a_wrong_answer_are_graded_with_model_answer_and_section(client, catalog):
    item = by_kind(catalog, "choice")
    right = client.post("/api/study/answer", json={"learner_id": LEARNER, "item_id": item.id, "answer": item.answer})
    assert right.status_code == 200, right.text
    body = right.json()
    assert body["result"] == "correct" and body["expected"] == item.answer and body["url"] == item.url
    assert body["box"] == 2 and body["next_due"] > datetime.now(UTC).date().isoformat()
    wrong_option = next(o for o in item.options if o != item.answer)
    wrong = client.post(
        "/api/study/answer",
        json={"learner_id": LEARNER, "item_id": item.id, "answer": str(item.options.index(wrong_option) + 1)},
    ).json()
    assert wrong["result"] == "incorrect" and wrong["box"] == 1 and item.answer in wrong["explanation"]
    assert wrong["next_due"] == datetime.now(UTC).date().isoformat()


def test_numbers_and_free_text_are_graded(client, catalog):
    calc = next(i for i in catalog.items if i.kind == "calculation")
    body = client.post(
        "/api/study/answer", json={"learner_id": LEARNER, "item_id": calc.id, "answer": f"{calc.value:,.2f} min"}
    ).json()
    assert body["result"] == "correct" and "×" in body["explanation"]
    text = next(i for i in catalog.items if i.grading == "text" and i.kind == "check")
    body = client.post(
        "/api/study/answer",
        json={"learner_id": LEARNER, "item_id": text.id, "answer": "Employees keep their terms under TUPE."},
    ).json()
    assert body["result"] == "incorrect" and body["expected"] == text.answer


def test_progress_shows_mastery_per_topic_weakest_first(client, catalog):
    learner = "learner-progress-01"
    items = [i for i in catalog.items if i.grading == "choice"]
    for item in items:  # all right, except those in one topic
        wrong = item.topic == "contracts"
        answer = next(o for o in item.options if o != item.answer) if wrong else item.answer
        client.post("/api/study/answer", json={"learner_id": learner, "item_id": item.id, "answer": answer})
    progress = client.get("/api/study/progress", params={"learner_id": learner}).json()
    assert progress["answered"] == len(items) and progress["seen"] == len(items)
    studied = [t for t in progress["topics"] if t["seen"]]
    assert studied[0]["topic"] == "contracts" and studied[0]["mastery"] == 0 and studied[0]["due"] >= 1
    assert all(t["mastery"] > 0 for t in studied[1:])
    assert [t["seen"] for t in progress["topics"]] == sorted(
        (t["seen"] for t in progress["topics"]), key=lambda s: s == 0
    )
    due_first = client.get("/api/study/items", params={"learner_id": learner, "n": 1}).json()["items"][0]
    assert due_first["topic"] == "contracts"  # what was missed comes back first


def test_export_and_delete_progress(client, catalog):
    learner = "learner-export-01"
    item = by_kind(catalog, "choice")
    client.post("/api/study/answer", json={"learner_id": learner, "item_id": item.id, "answer": item.answer})
    exported = client.get("/api/study/progress/export", params={"learner_id": learner})
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert [r["item_id"] for r in data["progress"]] == [item.id] and data["answers"][0]["answer"] == item.answer
    deleted = client.delete("/api/study/progress", params={"learner_id": learner}).json()
    assert deleted["deleted"]["progress"] == 1 and deleted["deleted"]["answers"] == 1
    assert client.get("/api/study/progress", params={"learner_id": learner}).json()["answered"] == 0


def test_mock_exam_gives_no_feedback_until_the_end_then_a_report_by_topic(client, catalog):
    started = client.post("/api/study/exams", json={"learner_id": "learner-exam-0001", "questions": 5, "minutes": 10})
    assert started.status_code == 201, started.text
    exam = started.json()
    assert exam["status"] == "running" and exam["questions"] == 5 and exam["report"] is None
    assert 590 <= exam["seconds_left"] <= 600
    first, second = exam["items"][0], exam["items"][1]
    right = catalog.by_id[first["id"]]
    answer = right.answer if right.grading != "number" else f"{right.value}"
    saved = client.post(
        f"/api/study/exams/{exam['id']}/answers", json={"answers": [{"item_id": first["id"], "answer": answer}]}
    ).json()
    assert saved["status"] == "running" and saved["answers"] == {first["id"]: answer}
    assert "report" in saved and saved["report"] is None  # no feedback yet
    wrong = next((o for o in second["options"] or [] if o != catalog.by_id[second["id"]].answer), "no idea")
    done = client.post(
        f"/api/study/exams/{exam['id']}/answers",
        json={"answers": [{"item_id": second["id"], "answer": wrong}], "finish": True},
    ).json()
    report = done["report"]
    assert done["status"] == "finished" and report["score"]["total"] == 5
    assert report["score"]["correct"] >= 1 and report["score"]["unanswered"] == 3
    assert {t["topic"] for t in report["by_topic"]} == {i["topic"] for i in exam["items"]}
    assert all(r["url"].startswith("/docs/") for t in report["by_topic"] for r in t["reread"])
    assert client.get(f"/api/study/exams/{exam['id']}").json()["report"] == report
    late = client.post(
        f"/api/study/exams/{exam['id']}/answers", json={"answers": [{"item_id": second["id"], "answer": "x"}]}
    )
    assert late.status_code == 409 and "over" in late.json()["error"]


def test_an_exam_out_of_time_is_finished_and_refuses_answers(client, study_settings):
    study = client.app.state.study
    exam = study.start_exam("learner-exam-0002", ["sla"], 3, 1)
    real_clock = study.clock
    study.clock = lambda: real_clock() + timedelta(minutes=2)
    try:
        reply = client.post(
            f"/api/study/exams/{exam['id']}/answers",
            json={"answers": [{"item_id": exam["items"][0]["id"], "answer": "1"}]},
        )
        assert reply.status_code == 409
        finished = client.get(f"/api/study/exams/{exam['id']}").json()
        assert finished["status"] == "finished" and finished["report"]["score"]["unanswered"] == 3
    finally:
        study.clock = real_clock


@pytest.mark.parametrize(
    "method, path, payload, status, message",
    [
        ("get", "/api/study/items?topic=astrology", None, 400, "Unknown topic 'astrology'"),
        ("get", "/api/study/items?kind=essay", None, 422, "kind"),
        ("get", "/api/study/items?n=0", None, 422, "n"),
        ("get", "/api/study/items?n=500", None, 422, "n"),
        ("get", "/api/study/progress", None, 422, "learner_id"),
        ("get", "/api/study/progress?learner_id=short", None, 422, "8 to 64 letters"),
        ("get", "/api/study/progress?learner_id=" + "x" * 65, None, 422, "8 to 64 letters"),
        ("delete", "/api/study/progress?learner_id=bad%20id%20with%20spaces", None, 422, "8 to 64"),
        ("post", "/api/study/answer", {"learner_id": LEARNER, "item_id": "nope", "answer": "x"}, 404, "no study item"),
        ("post", "/api/study/answer", {"learner_id": LEARNER, "answer": "x"}, 422, "item_id"),
        ("post", "/api/study/answer", {"learner_id": LEARNER, "item_id": "x", "answer": 3}, 422, "answer"),
        ("post", "/api/study/answer", {"learner_id": LEARNER, "item_id": "x", "answer": "y", "extra": 1}, 422, "extra"),
        ("post", "/api/study/answer", {"learner_id": LEARNER, "item_id": "x", "answer": "y" * 2001}, 422, "answer"),
        ("post", "/api/study/exams", {"learner_id": LEARNER, "questions": 0}, 422, "questions"),
        ("post", "/api/study/exams", {"learner_id": LEARNER, "minutes": 1000}, 422, "minutes"),
        ("post", "/api/study/exams", {"learner_id": LEARNER, "topics": ["astrology"]}, 400, "Unknown topic"),
        ("post", "/api/study/exams", {"topics": ["sla"]}, 422, "learner_id"),
        ("get", "/api/study/exams/doesnotexist", None, 404, "no exam"),
        ("post", "/api/study/exams/doesnotexist/answers", {"answers": []}, 404, "no exam"),
        ("get", "/api/study/offer", None, 422, "q"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, method, path, payload, status, message):
    reply = getattr(client, method)(path, **({"json": payload} if payload is not None else {}))
    assert reply.status_code == status, reply.text
    assert message.lower() in reply.json()["error"].lower()


def test_a_choice_answer_that_names_no_option_is_refused(client, catalog):
    item = by_kind(catalog, "choice")
    reply = client.post("/api/study/answer", json={"learner_id": LEARNER, "item_id": item.id, "answer": "7"})
    assert reply.status_code == 400 and "one of its options" in reply.json()["error"]
    exam = client.post("/api/study/exams", json={"learner_id": LEARNER, "questions": 40}).json()
    choice = next(i for i in exam["items"] if i["options"])
    reply = client.post(
        f"/api/study/exams/{exam['id']}/answers",
        json={"answers": [{"item_id": choice["id"], "answer": "not an option"}]},
    )
    assert reply.status_code == 400
    reply = client.post(
        f"/api/study/exams/{exam['id']}/answers", json={"answers": [{"item_id": "not-in-exam", "answer": "x"}]}
    )
    assert reply.status_code == 400 and "not in this exam" in reply.json()["error"]


def test_chat_offer_for_quiz_me(client):
    assert client.get("/api/study/offer", params={"q": "quiz me on SLAs"}).json()["offer"] == {
        "topic": "sla",
        "label": "Start a quiz on SLA",
        "url": "/study?mode=quiz&topic=sla",
    }
    assert client.get("/api/study/offer", params={"q": "What is an earn-back?"}).json()["offer"] is None


def test_every_route_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/study/items",
        "/api/study/answer",
        "/api/study/progress",
        "/api/study/exams",
        "/api/study/exams/{exam_id}/answers",
        "/api/study/exams/{exam_id}",
        "/api/study/offer",
        "/api/study/progress/export",
    ):
        assert path in paths, path
    assert "delete" in paths["/api/study/progress"]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nav_links, self.ids, self.in_nav, self.inline = [], set(), False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Main":
            self.in_nav = True
        if tag == "a" and self.in_nav:
            self.nav_links.append((urlparse(attrs.get("href")).path, attrs.get("aria-current")))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "script" and "src" not in attrs or "style" in attrs:
            self.inline.append(tag)

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav = False


def test_study_page_is_in_the_main_navigation(client):
    page = _Page()
    page.feed(client.get("/study").text)
    assert ("/study", "page") in page.nav_links
    assert {"study-setup", "study-card", "study-progress"} <= page.ids
    assert page.inline == []  # strict CSP: no inline script or style
    home = _Page()
    home.feed(client.get("/").text)
    assert ("/study", None) in home.nav_links
