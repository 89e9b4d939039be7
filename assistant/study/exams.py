"""Mock exams: a timed set of items across topics, no feedback until the end, then a score report
by topic with the sections to reread."""

from __future__ import annotations

import random
from collections import defaultdict

from .catalog import ItemSet
from .items import Item

REREAD_PER_TOPIC = 5


def choose_exam_items(items: ItemSet, topics: list[str] | None, count: int, rng: random.Random) -> list[Item]:
    """`count` items spread evenly over the topics, at most one per article section while others
    remain (so one glossary term never answers another item), in a random order."""
    pool = items.select(topics)
    by_topic: dict[str, list[Item]] = defaultdict(list)
    for item in pool:
        by_topic[item.topic].append(item)
    for topic_items in by_topic.values():
        rng.shuffle(topic_items)
    order = sorted(by_topic)
    rng.shuffle(order)
    chosen: list[Item] = []
    used_sections: set[tuple[str, str]] = set()
    for strict in (True, False):  # first one item per section; then fill up if the pool is small
        progress = True
        while len(chosen) < count and progress:
            progress = False
            for topic in order:
                if len(chosen) >= count:
                    break
                for item in by_topic[topic]:
                    key = (item.source, item.section)
                    if item in chosen or (strict and key in used_sections):
                        continue
                    chosen.append(item)
                    used_sections.add(key)
                    progress = True
                    break
    rng.shuffle(chosen)
    return chosen


def _score(results: list[str], total: int) -> dict:
    correct, partly, incorrect = (results.count(r) for r in ("correct", "partly", "incorrect"))
    percent = round(100 * (correct + 0.5 * partly) / total, 1) if total else 0.0
    return {
        "correct": correct,
        "partly": partly,
        "incorrect": incorrect,
        "unanswered": total - len(results),
        "total": total,
        "percent": percent,
    }


def exam_report(items: list[Item], answers: dict[str, str], grades: dict[str, object]) -> dict:
    """The score overall and by topic (weakest first), each topic with the sections to reread,
    and every item with the answer given, its result, the model answer and the section's link."""
    by_topic: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_topic[item.topic].append(item)
    topics = []
    for topic, topic_items in by_topic.items():
        results = [grades[i.id].result for i in topic_items if i.id in grades]
        reread, seen = [], set()
        for item in topic_items:
            grade = grades.get(item.id)
            if (grade is None or grade.result != "correct") and item.url not in seen:
                seen.add(item.url)
                reread.append({"title": item.title, "section": item.section, "url": item.url})
        topics.append({"topic": topic, **_score(results, len(topic_items)), "reread": reread[:REREAD_PER_TOPIC]})
    topics.sort(key=lambda t: (t["percent"], t["topic"]))
    return {
        "score": _score([g.result for g in grades.values()], len(items)),
        "by_topic": topics,
        "results": [
            {
                "id": item.id,
                "topic": item.topic,
                "prompt": item.prompt,
                "options": item.options,
                "answer": answers.get(item.id),
                "result": grades[item.id].result if item.id in grades else "unanswered",
                "expected": item.answer,
                "explanation": _explain(grades.get(item.id), item),
                "url": item.url,
                "title": item.title,
                "section": item.section,
            }
            for item in items
        ],
    }


def _explain(grade, item: Item) -> str:
    parts = [grade.why if grade else "Not answered."]
    if item.explanation:
        parts.append(item.explanation)
    return " ".join(parts)
