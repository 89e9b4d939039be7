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

    def progress(self, learner_id: str) -> dict[str, dict]:
        """The learner's row per item seen: box, due date, counts of each result."""
        return {
            row["item_id"]: row
            for row in self.conversations.query("select * from study_progress where learner_id = ?", [learner_id])
        }

    def record(
        self, learner_id: str, item: Item, answer: str, result: str, today: date, now: str, exam_id: str | None = None
    ) -> tuple[int, date]:
        """Store one graded answer and move the item's box; returns (box, next due date)."""
        with self.conversations.writing() as tx:
            tx.lock(f"study:{learner_id}:{item.id}")  # two answers at once must both count
            row = tx.one(
                "select box, seen, correct, partly, incorrect from study_progress where learner_id = ? and item_id = ?",
                [learner_id, item.id],
            )
            box, due = next_review(row["box"] if row else None, result, today)
            counts = {key: row[key] if row else 0 for key in ("seen", "correct", "partly", "incorrect")}
            counts["seen"] += 1
            counts[result] += 1
            tx.execute(
                "insert into study_progress (learner_id, item_id, topic, box, due, seen, correct, partly, "
                "incorrect, last_result, last_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "on conflict (learner_id, item_id) do update set topic = excluded.topic, box = excluded.box, "
                "due = excluded.due, seen = excluded.seen, correct = excluded.correct, partly = excluded.partly, "
                "incorrect = excluded.incorrect, last_result = excluded.last_result, last_at = excluded.last_at",
                [
                    learner_id,
                    item.id,
                    item.topic,
                    box,
                    due.isoformat(),
                    counts["seen"],
                    counts["correct"],
                    counts["partly"],
                    counts["incorrect"],
                    result,
                    now,
                ],
            )
            tx.execute(
                "insert into study_answers (learner_id, item_id, topic, answer, result, exam_id, answered_at) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [learner_id, item.id, item.topic, answer, result, exam_id, now],
            )
        return box, due

    # Mock exams.
    def create_exam(self, exam: dict) -> None:
        row = {**exam, "topics": json.dumps(exam["topics"]), "item_ids": json.dumps(exam["item_ids"])}
        columns = (
            "id",
            "learner_id",
            "topics",
            "item_ids",
            "minutes",
            "started_at",
            "ends_at",
            "finished_at",
            "report",
        )
        with self.conversations.writing() as tx:
            tx.execute(
                f"insert into study_exams ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                [row.get(column) for column in columns],
            )

    def exam(self, exam_id: str) -> dict | None:
        rows = self.conversations.query("select * from study_exams where id = ?", [exam_id])
        if not rows:
            return None
        row = rows[0]
        return {
            **row,
            "topics": json.loads(row["topics"]),
            "item_ids": json.loads(row["item_ids"]),
            "report": json.loads(row["report"]) if row["report"] else None,
        }

    def exam_answers(self, exam_id: str) -> dict[str, str]:
        return {
            row["item_id"]: row["answer"]
            for row in self.conversations.query(
                "select item_id, answer from study_exam_answers where exam_id = ?", [exam_id]
            )
        }

    def save_exam_answers(self, exam_id: str, answers: dict[str, str], now: str) -> None:
        with self.conversations.writing() as tx:
            for item_id, answer in answers.items():
                tx.execute(
                    "insert into study_exam_answers (exam_id, item_id, answer, saved_at) values (?, ?, ?, ?) "
                    "on conflict (exam_id, item_id) do update set answer = excluded.answer, "
                    "saved_at = excluded.saved_at",
                    [exam_id, item_id, answer, now],
                )

    def finish_exam(self, exam_id: str, report: dict, now: str) -> bool:
        """Store the report once; False when another request finished the exam first."""
        with self.conversations.writing() as tx:
            cursor = tx.execute(
                "update study_exams set finished_at = ?, report = ? where id = ? and finished_at is null",
                [now, json.dumps(report), exam_id],
            )
            return cursor.rowcount == 1

    # The learner's own data.
    def export(self, learner_id: str) -> dict:
        query = self.conversations.query
        exams = [
            self.exam(row["id"])
            for row in query("select id from study_exams where learner_id = ? order by started_at", [learner_id])
        ]
        for exam in exams:
            exam["answers"] = self.exam_answers(exam["id"])
        return {
            "learner_id": learner_id,
            "progress": query("select * from study_progress where learner_id = ? order by item_id", [learner_id]),
            "answers": query("select * from study_answers where learner_id = ? order by id", [learner_id]),
            "exams": exams,
        }

    def delete(self, learner_id: str) -> dict[str, int]:
        """Remove everything stored for the learner; returns how many rows of each kind went."""
        with self.conversations.writing() as tx:
            removed = {
                "exam_answers": tx.execute(
                    "delete from study_exam_answers where exam_id in (select id from study_exams where learner_id = ?)",
                    [learner_id],
                ).rowcount
            }
            for table, key in (("progress", "study_progress"), ("answers", "study_answers"), ("exams", "study_exams")):
                removed[table] = tx.execute(f"delete from {key} where learner_id = ?", [learner_id]).rowcount
        return removed
