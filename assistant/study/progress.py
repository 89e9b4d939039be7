"""What learners did, in the conversation database: boxes per item, answers, mock exams.

Tables are created by the `m004_study` migration in conversations.py; a learner is an anonymous
id their browser made up, so everything here can be exported and deleted by that id alone.
"""

from __future__ import annotations

import json
from datetime import date

from ..conversations import ConversationStore
from .items import Item
from .schedule import next_review


class StudyStore:
    def __init__(self, conversations: ConversationStore):
        self.conversations = conversations
        self.db = conversations.db

    def progress(self, learner_id: str) -> dict[str, dict]:
        """The learner's row per item seen: box, due date, counts of each result."""
        return {
            row["item_id"]: row
            for row in self.db.query("select * from study_progress where learner_id = ?", [learner_id])
        }

    def record(
        self, learner_id: str, item: Item, answer: str, result: str, today: date, now: str, exam_id: str | None = None
    ) -> tuple[int, date]:
        """Store one graded answer and move the item's box; returns (box, next due date)."""
        with self.conversations.writing() as db:
            row = db.execute(
                "select box, seen, correct, partly, incorrect from study_progress where learner_id = ? and item_id = ?",
                [learner_id, item.id],
            ).fetchone()
            box, due = next_review(row[0] if row else None, result, today)
            counts = dict(zip(("seen", "correct", "partly", "incorrect"), row[1:] if row else (0, 0, 0, 0)))
            counts["seen"] += 1
            counts[result] += 1
            db["study_progress"].upsert(
                {
                    "learner_id": learner_id,
                    "item_id": item.id,
                    "topic": item.topic,
                    "box": box,
                    "due": due.isoformat(),
                    **counts,
                    "last_result": result,
                    "last_at": now,
                },
                pk=("learner_id", "item_id"),
            )
            db["study_answers"].insert(
                {
                    "learner_id": learner_id,
                    "item_id": item.id,
                    "topic": item.topic,
                    "answer": answer,
                    "result": result,
                    "exam_id": exam_id,
                    "answered_at": now,
                }
            )
        return box, due

    # Mock exams.
    def create_exam(self, exam: dict) -> None:
        with self.conversations.writing() as db:
            db["study_exams"].insert(
                {**exam, "topics": json.dumps(exam["topics"]), "item_ids": json.dumps(exam["item_ids"])}
            )

    def exam(self, exam_id: str) -> dict | None:
        row = next(self.db.query("select * from study_exams where id = ?", [exam_id]), None)
        if row is None:
            return None
        return {
            **row,
            "topics": json.loads(row["topics"]),
            "item_ids": json.loads(row["item_ids"]),
            "report": json.loads(row["report"]) if row["report"] else None,
        }

    def exam_answers(self, exam_id: str) -> dict[str, str]:
        return {
            row["item_id"]: row["answer"]
            for row in self.db.query("select item_id, answer from study_exam_answers where exam_id = ?", [exam_id])
        }

    def save_exam_answers(self, exam_id: str, answers: dict[str, str], now: str) -> None:
        with self.conversations.writing() as db:
            db["study_exam_answers"].upsert_all(
                (
                    {"exam_id": exam_id, "item_id": item_id, "answer": answer, "saved_at": now}
                    for item_id, answer in answers.items()
                ),
                pk=("exam_id", "item_id"),
            )

    def finish_exam(self, exam_id: str, report: dict, now: str) -> bool:
        """Store the report once; False when another request finished the exam first."""
        with self.conversations.writing() as db:
            cursor = db.execute(
                "update study_exams set finished_at = ?, report = ? where id = ? and finished_at is null",
                [now, json.dumps(report), exam_id],
            )
            return cursor.rowcount == 1

    # The learner's own data.
    def export(self, learner_id: str) -> dict:
        exams = [
            self.exam(row["id"])
            for row in self.db.query(
                "select id from study_exams where learner_id = ? order by started_at", [learner_id]
            )
        ]
        for exam in exams:
            exam["answers"] = self.exam_answers(exam["id"])
        return {
            "learner_id": learner_id,
            "progress": list(
                self.db.query("select * from study_progress where learner_id = ? order by item_id", [learner_id])
            ),
            "answers": list(
                self.db.query("select * from study_answers where learner_id = ? order by id", [learner_id])
            ),
            "exams": exams,
        }

    def delete(self, learner_id: str) -> dict[str, int]:
        """Remove everything stored for the learner; returns how many rows of each kind went."""
        with self.conversations.writing() as db:
            exams = [r[0] for r in db.execute("select id from study_exams where learner_id = ?", [learner_id])]
            removed = {"exam_answers": 0}
            for exam_id in exams:
                removed["exam_answers"] += db.execute(
                    "delete from study_exam_answers where exam_id = ?", [exam_id]
                ).rowcount
            for table, key in (("progress", "study_progress"), ("answers", "study_answers"), ("exams", "study_exams")):
                removed[table] = db.execute(f"delete from {key} where learner_id = ?", [learner_id]).rowcount
        return removed
