"""Spaced repetition (Leitner boxes), review order, mastery, and how a mock exam picks its items."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from assistant.study.catalog import ItemSet
from assistant.study.exams import choose_exam_items, exam_report
from assistant.study.grading import Grade
from assistant.study.items import Item
from assistant.study.schedule import MAX_BOX, mastery, next_review, order_for_review

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "box, result, new_box, days",
    [
        (None, "correct", 2, 2),
        (None, "partly", 1, 1),
        (None, "incorrect", 1, 0),
        (2, "correct", 3, 4),
        (3, "correct", 4, 8),
        (4, "correct", 5, 16),
        (5, "correct", 5, 16),
        (4, "partly", 4, 1),
        (5, "incorrect", 1, 0),
    ],
)
def test_leitner_boxes_move_with_each_result(box, result, new_box, days):
    assert next_review(box, result, TODAY) == (new_box, TODAY + timedelta(days=days))


def test_mastery_runs_from_box_one_to_the_top_box():
    assert [mastery(b) for b in range(1, MAX_BOX + 1)] == [0, 0.25, 0.5, 0.75, 1]


def test_review_order_is_due_then_new_then_later():
    progress = {"late": {"due": "2026-12-01"}, "today": {"due": "2026-12-02"}, "later": {"due": "2026-12-09"}}
    order = order_for_review(["later", "new-1", "today", "late", "new-2"], progress, TODAY, random.Random(1))
    assert order[:2] == ["late", "today"] and set(order[2:4]) == {"new-1", "new-2"} and order[4] == "later"


def make(n: int, topic: str, section: str) -> Item:
    return Item(
        id=f"{topic}-{n}",
        kind="choice",
        topic=topic,
        difficulty=1,
        prompt=f"{topic} {n}?",
        answer="a",
        grading="choice",
        url=f"/docs/{topic}#{section}",
        source=topic,
        section=section,
        title=topic.title(),
        options=["a", "b", "c", "d"],
    )


ITEMS = ItemSet([make(n, topic, f"s{n % 6}") for topic in ("sla", "pricing", "contracts") for n in range(30)])


def test_an_exam_spreads_its_questions_over_topics_and_sections():
    chosen = choose_exam_items(ITEMS, None, 12, random.Random(3))
    assert len(chosen) == 12 and Counter(i.topic for i in chosen) == {"sla": 4, "pricing": 4, "contracts": 4}
    assert len({(i.source, i.section) for i in chosen}) == 12  # one per section while there are enough
    more = choose_exam_items(ITEMS, ["sla"], 10, random.Random(3))
    assert len(more) == 10 and {i.topic for i in more} == {"sla"}  # only 6 sections: then it fills up


def test_the_exam_report_scores_by_topic_weakest_first_with_sections_to_reread():
    chosen = [make(1, "sla", "a"), make(2, "sla", "b"), make(3, "pricing", "c")]
    grades = {"sla-1": Grade("correct", ""), "sla-2": Grade("partly", ""), "pricing-3": Grade("incorrect", "")}
    report = exam_report(chosen, {i.id: "a" for i in chosen}, grades)
    assert report["score"] == {"correct": 1, "partly": 1, "incorrect": 1, "unanswered": 0, "total": 3, "percent": 50.0}
    assert [t["topic"] for t in report["by_topic"]] == ["pricing", "sla"]
    assert report["by_topic"][1]["reread"] == [{"title": "Sla", "section": "b", "url": "/docs/sla#b"}]
    unanswered = exam_report(chosen, {}, {})
    assert unanswered["score"]["unanswered"] == 3 and unanswered["results"][0]["result"] == "unanswered"
