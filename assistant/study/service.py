"""Study mode as one object the routes and the CLI share: items, answers, progress, mock exams."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..conversations import ConversationStore
from ..embedding import EmbeddingModel
from ..errors import BadRequest, Conflict, NotFound
from ..settings import Settings
from .catalog import ItemCatalog
from .exams import choose_exam_items, exam_report
from .grading import Grade, Thresholds, grade
from .items import Item
from .offer import quiz_offer
from .progress import StudyStore
from .schedule import LEARNED_BOX, mastery, order_for_review

GRACE = timedelta(seconds=30)  # answers sent just as the clock runs out still count


class Study:
    def __init__(
        self,
        settings: Settings,
        conversations: ConversationStore,
        embedder: EmbeddingModel,
        clock: Callable[[], datetime] | None = None,
    ):
        self.catalog = ItemCatalog(settings.index_dir, settings.corpus_dir)
        self.store = StudyStore(conversations)
        self.embedder = embedder
        self.thresholds = Thresholds(settings.study_correct_threshold, settings.study_partly_threshold)
        self.exam_questions, self.exam_minutes = settings.study_exam_questions, settings.study_exam_minutes
        self.clock = clock or (lambda: datetime.now(UTC))

    # Items and answers.
    def topics(self) -> list[str]:
        return self.catalog.get().topics

    def _topics(self, names: list[str] | None) -> list[str] | None:
        """Known topic names, or None for every topic; BadRequest names the topics there are."""
        names = [n for n in (names or []) if n not in ("", "all", "everything")]
        known = self.topics()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise BadRequest(f"Unknown topic {unknown[0]!r}; the topics are: {', '.join(known)}.")
        return names or None

    def item(self, item_id: str) -> Item:
        item = self.catalog.get().by_id.get(item_id)
        if item is None:
            raise NotFound("There is no study item with that id; get items from GET /api/study/items.")
        return item

    def items(
        self,
        topic: str | None = None,
        kind: str | None = None,
        n: int = 10,
        learner_id: str | None = None,
        seed: int | None = None,
    ) -> list[Item]:
        """Up to `n` items; for a learner, due items first, then new ones, then the rest."""
        pool = self.catalog.get().select(self._topics([topic] if topic else None), kind)
        rng = random.Random(seed if seed is not None else secrets.randbits(64))
        if learner_id:
            progress = self.store.progress(learner_id)
            ids = order_for_review([i.id for i in pool], progress, self.clock().date(), rng)
            by_id = {i.id: i for i in pool}
            return [by_id[i] for i in ids[:n]]
        return rng.sample(pool, min(n, len(pool)))

    def grade(self, item: Item, answer: str) -> Grade:
        return grade(item, answer, self.embedder, self.thresholds)

    def answer(self, learner_id: str, item_id: str, answer: str) -> dict:
        """Grade an answer, move the item's box, and say why, with the model answer and its section."""
        item = self.item(item_id)
        result = self.grade(item, answer)
        now = self.clock()
        box, due = self.store.record(
            learner_id, item, answer, result.result, now.date(), now.isoformat(timespec="seconds")
        )
        return {
            "result": result.result,
            "expected": item.answer,
            "explanation": " ".join(p for p in (result.why, item.explanation) if p),
            "url": item.url,
            "title": item.title,
            "section": item.section,
            "next_due": due.isoformat(),
            "box": box,
        }

    # Progress.
    def progress(self, learner_id: str) -> dict:
        """Mastery per topic (weakest first), what is due today, and totals."""
        catalog = self.catalog.get()
        rows = self.store.progress(learner_id)
        today = self.clock().date().isoformat()
        totals: dict[str, int] = {}
        for item in catalog.items:
            totals[item.topic] = totals.get(item.topic, 0) + 1
        per_topic: dict[str, list[dict]] = {topic: [] for topic in totals}
        for item_id, row in rows.items():
            item = catalog.by_id.get(item_id)
            if item is not None:  # items the corpus no longer has are left out
                per_topic[item.topic].append(row)
        topics = []
        for topic, seen in per_topic.items():
            answers = sum(r["correct"] + r["partly"] + r["incorrect"] for r in seen)
            topics.append(
                {
                    "topic": topic,
                    "items": totals[topic],
                    "seen": len(seen),
                    "due": sum(r["due"] <= today for r in seen),
                    "learned": sum(r["box"] >= LEARNED_BOX for r in seen),
                    "mastery": round(sum(mastery(r["box"]) for r in seen) / len(seen), 3) if seen else 0.0,
                    "accuracy": round(sum(r["correct"] + 0.5 * r["partly"] for r in seen) / answers, 3)
                    if answers
                    else None,
                }
            )
        # Weakest first: studied topics by mastery, then those not started yet.
        topics.sort(key=lambda t: (t["seen"] == 0, t["mastery"], t["accuracy"] or 0, t["topic"]))
        return {
            "learner_id": learner_id,
            "today": today,
            "answered": sum(r["seen"] for r in rows.values()),
            "seen": sum(t["seen"] for t in topics),
            "due_today": sum(t["due"] for t in topics),
            "learned": sum(t["learned"] for t in topics),
            "topics": topics,
        }

    def export(self, learner_id: str) -> dict:
        return {**self.store.export(learner_id), "exported_at": self.clock().isoformat(timespec="seconds")}

    def delete(self, learner_id: str) -> dict:
        return {"learner_id": learner_id, "deleted": self.store.delete(learner_id)}

    def offer(self, question: str) -> dict | None:
        return quiz_offer(question, self.topics())

    # Mock exams.
    def start_exam(
        self, learner_id: str, topics: list[str] | None = None, questions: int | None = None, minutes: int | None = None
    ) -> dict:
        chosen_topics = self._topics(topics)
        count, minutes = questions or self.exam_questions, minutes or self.exam_minutes
        exam_id = secrets.token_urlsafe(12)
        items = choose_exam_items(self.catalog.get(), chosen_topics, count, random.Random(exam_id))
        if not items:
            raise BadRequest("There are no study items for those topics.")
        now = self.clock()
        self.store.create_exam(
            {
                "id": exam_id,
                "learner_id": learner_id,
                "topics": chosen_topics or [],
                "minutes": minutes,
                "item_ids": [i.id for i in items],
                "started_at": now.isoformat(timespec="seconds"),
                "ends_at": (now + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
                "finished_at": None,
                "report": None,
            }
        )
        return self.exam(exam_id)

    def _exam(self, exam_id: str) -> dict:
        exam = self.store.exam(exam_id)
        if exam is None:
            raise NotFound("There is no exam with that id; start one with POST /api/study/exams.")
        return exam

    def answer_exam(self, exam_id: str, answers: dict[str, str], finish: bool = False) -> dict:
        """Save answers (no feedback yet); `finish` ends the exam and grades it."""
        exam = self._exam(exam_id)
        if exam["finished_at"] or self.clock() > datetime.fromisoformat(exam["ends_at"]) + GRACE:
            self._finish(exam)
            raise Conflict("This exam is over; its report is at GET /api/study/exams/{id}.")
        unknown = [i for i in answers if i not in exam["item_ids"]]
        if unknown:
            raise BadRequest("An answer names an item that is not in this exam.")
        for item_id, answer in answers.items():
            item = self.catalog.get().by_id.get(item_id)
            if item is not None and item.grading == "choice" and answer.strip():
                grade(item, answer)  # refuses an answer that names no option, before it is saved
        if answers:
            self.store.save_exam_answers(exam_id, answers, self.clock().isoformat(timespec="seconds"))
        if finish:
            self._finish(self._exam(exam_id))
        return self.exam(exam_id)

    def exam(self, exam_id: str) -> dict:
        """The exam as the learner sees it: items and answers while it runs, the report after."""
        exam = self._exam(exam_id)
        now = self.clock()
        ends = datetime.fromisoformat(exam["ends_at"])
        if not exam["finished_at"] and now > ends + GRACE:
            self._finish(exam)
            exam = self._exam(exam_id)
        catalog = self.catalog.get()
        items = [catalog.by_id[i] for i in exam["item_ids"] if i in catalog.by_id]
        finished = bool(exam["finished_at"])
        return {
            "id": exam["id"],
            "status": "finished" if finished else "running",
            "topics": exam["topics"],
            "questions": len(items),
            "minutes": exam["minutes"],
            "started_at": exam["started_at"],
            "ends_at": exam["ends_at"],
            "seconds_left": 0 if finished else max(0, int((ends - now).total_seconds())),
            "items": [i.public() for i in items],
            "answers": self.store.exam_answers(exam_id),
            "report": exam["report"],
        }

    def _finish(self, exam: dict) -> None:
        """Grade every answer, store the report once, and count the answers in spaced repetition."""
        if exam["finished_at"]:
            return
        catalog = self.catalog.get()
        items = [catalog.by_id[i] for i in exam["item_ids"] if i in catalog.by_id]
        answers = {k: v for k, v in self.store.exam_answers(exam["id"]).items() if v.strip()}
        grades = {item.id: self.grade(item, answers[item.id]) for item in items if item.id in answers}
        now = self.clock()
        if self.store.finish_exam(exam["id"], exam_report(items, answers, grades), now.isoformat(timespec="seconds")):
            for item in items:
                if item.id in grades:
                    self.store.record(
                        exam["learner_id"],
                        item,
                        answers[item.id],
                        grades[item.id].result,
                        now.date(),
                        now.isoformat(timespec="seconds"),
                        exam_id=exam["id"],
                    )
