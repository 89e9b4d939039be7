"""Conversation history and feedback, kept in SQLite via sqlite-utils."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from .errors import NotFound, StoreUnavailable

HISTORY_TURNS = 2  # how many earlier questions a follow-up may draw on
log = logging.getLogger("assistant")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def m001_initial(db: sqlite_utils.Database) -> None:
    db["conversations"].create({"id": str, "created_at": str, "updated_at": str}, pk="id")
    db["messages"].create(
        {
            "id": str,
            "conversation_id": str,
            "position": int,
            "question": str,
            "search_query": str,
            "answer": str,
            "abstained": int,
            "citations": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
    )
    db["messages"].create_index(["conversation_id", "position"], unique=True)
    db["feedback"].create(
        {"id": int, "message_id": str, "rating": str, "comment": str, "created_at": str},
        pk="id",
        foreign_keys=[("message_id", "messages", "id")],
    )


def m002_answer_blocks(db: sqlite_utils.Database) -> None:
    """Answers keep their blocks (the structured form the pages render) and intent."""
    db["messages"].add_column("blocks", str)
    db["messages"].add_column("intent", str)


def m003_feedback_visitor(db: sqlite_utils.Database) -> None:
    """One rating per message per visitor: the visitor as a keyed hash, never the address itself."""
    db["feedback"].add_column("visitor", str)
    db["feedback"].create_index(["message_id", "visitor"], unique=True)
    db["secrets"].create({"name": str, "value": str}, pk="name")
    db["secrets"].insert({"name": "visitor_key", "value": secrets.token_hex(32)})


def m004_study(db: sqlite_utils.Database) -> None:
    """Study mode: each learner's Leitner box per item, every answer given, and mock exams."""
    db["study_progress"].create(
        {
            "learner_id": str,
            "item_id": str,
            "topic": str,
            "box": int,
            "due": str,
            "seen": int,
            "correct": int,
            "partly": int,
            "incorrect": int,
            "last_result": str,
            "last_at": str,
        },
        pk=("learner_id", "item_id"),
    )
    db["study_progress"].create_index(["learner_id", "due"])
    db["study_answers"].create(
        {
            "id": int,
            "learner_id": str,
            "item_id": str,
            "topic": str,
            "answer": str,
            "result": str,
            "exam_id": str,
            "answered_at": str,
        },
        pk="id",
    )
    db["study_answers"].create_index(["learner_id"])
    db["study_exams"].create(
        {
            "id": str,
            "learner_id": str,
            "topics": str,
            "item_ids": str,
            "minutes": int,
            "started_at": str,
            "ends_at": str,
            "finished_at": str,
            "report": str,
        },
        pk="id",
    )
    db["study_exams"].create_index(["learner_id"])
    db["study_exam_answers"].create(
        {"exam_id": str, "item_id": str, "answer": str, "saved_at": str},
        pk=("exam_id", "item_id"),
        foreign_keys=[("exam_id", "study_exams", "id")],
    )


MIGRATIONS = [m001_initial, m002_answer_blocks, m003_feedback_visitor, m004_study]


class ConversationStore:
    """Conversations and feedback; a separate database from the index, never rebuilt."""

    def __init__(self, path: Path):
        path = Path(path)
        self._lock = threading.Lock()
        try:
            # Private from the start: conversations are what visitors wrote, and their ids are keys.
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SQLite's -wal/-shm copy it
            # One connection shared by the server's worker threads; writes are serialised by _lock.
            self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
            self.db.execute("pragma journal_mode=wal")
            self.db.execute("pragma synchronous=normal")  # WAL stays consistent; skips an fsync per answer
            self._migrate()
        except (OSError, sqlite3.Error) as err:
            raise StoreUnavailable(
                f"The conversation database {path} cannot be opened and written ({err}). Set "
                "ASSISTANT_DB_PATH to a file in a folder this user may write."
            ) from err

    @contextmanager
    def _saving(self, what: str):
        """Turns a database that refuses a write (read-only, full, broken) into a clear 503."""
        try:
            yield
        except sqlite3.Error as err:
            log.error("the conversation database refused to save the %s: %s", what, err)
            raise StoreUnavailable(
                f"The {what} could not be saved: the assistant's conversation database refuses "
                "writes just now. Please try again later; the cause is in the server log."
            ) from err

    def check(self) -> str | None:
        """None when the database takes a write (tried, then rolled back), else what is wrong."""
        try:
            with self._lock:
                self.db.execute("begin immediate")
                try:
                    self.db.execute("insert into _migrations (name, applied_at) values ('health check', '')")
                finally:
                    self.db.execute("rollback")
        except sqlite3.Error as err:
            return str(err)
        return None

    def _migrate(self) -> None:
        self.db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        done = {row["name"] for row in self.db["_migrations"].rows}
        for migration in MIGRATIONS:
            if migration.__name__ not in done:
                with self.db.conn:
                    migration(self.db)
                    self.db["_migrations"].insert({"name": migration.__name__, "applied_at": _now()})

    @contextmanager
    def writing(self, what: str = "study progress"):
        """One write transaction at a time on the shared connection, for the other stores kept in
        this database (study progress): yields the database; a refused write is a clear 503."""
        with self._saving(what), self._lock, self.db.conn:
            yield self.db

    def exists(self, conversation_id: str) -> bool:
        return bool(self.db.execute("select 1 from conversations where id = ?", [conversation_id]).fetchone())

    def earlier_questions(self, conversation_id: str) -> list[str]:
        rows = self.db.execute(
            "select question from messages where conversation_id = ? order by position desc limit ?",
            [conversation_id, HISTORY_TURNS],
        ).fetchall()
        return [row[0] for row in reversed(rows)]

    def add(self, conversation_id: str | None, question: str, search_query: str, answer: dict) -> tuple[str, str]:
        """Store one question and its answer, in a new conversation when `conversation_id` is None.

        Returns (conversation id, message id); one transaction either way.
        """
        message_id, now = secrets.token_urlsafe(12), _now()
        with self._saving("answer"), self._lock, self.db.conn:
            if conversation_id is None:
                conversation_id = secrets.token_urlsafe(16)  # unguessable: holding it is the access right
                self.db["conversations"].insert({"id": conversation_id, "created_at": now, "updated_at": now})
                position = 1
            else:
                position = self.db.execute(
                    "select coalesce(max(position), 0) + 1 from messages where conversation_id = ?",
                    [conversation_id],
                ).fetchone()[0]
                self.db["conversations"].update(conversation_id, {"updated_at": now})
            self.db["messages"].insert(
                {
                    "id": message_id,
                    "conversation_id": conversation_id,
                    "position": position,
                    "question": question,
                    "search_query": search_query,
                    "answer": answer["answer"],
                    "abstained": int(answer["abstained"]),
                    "citations": json.dumps(answer["citations"]),
                    "blocks": json.dumps(answer.get("blocks") or []),
                    "intent": answer.get("intent") or "",
                    "created_at": now,
                }
            )
        return conversation_id, message_id

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation with its messages and their ratings (NotFound when unknown)."""
        with self._saving("deletion"), self._lock, self.db.conn:
            if not self.exists(conversation_id):
                raise NotFound("Conversation not found; it may have been deleted already.")
            self._delete_where("id = ?", [conversation_id])

    def purge(self, days: int) -> dict[str, int]:
        """Delete conversations last active more than `days` days ago (0: keep them all).

        Returns how many conversations, messages and ratings were deleted.
        """
        if not days:
            return {"conversations": 0, "messages": 0, "ratings": 0}
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        with self._saving("purge"), self._lock, self.db.conn:
            return self._delete_where("updated_at < ?", [cutoff])

    def _delete_where(self, condition: str, params: list) -> dict[str, int]:
        conversations = f"select id from conversations where {condition}"
        messages = f"select id from messages where conversation_id in ({conversations})"
        counts = {
            "ratings": self.db.execute(f"delete from feedback where message_id in ({messages})", params).rowcount,
            "messages": self.db.execute(
                f"delete from messages where conversation_id in ({conversations})", params
            ).rowcount,
        }
        counts["conversations"] = self.db.execute(f"delete from conversations where {condition}", params).rowcount
        return {key: counts[key] for key in ("conversations", "messages", "ratings")}

    def history(self, conversation_id: str) -> dict:
        if not self.exists(conversation_id):
            raise NotFound(
                "Conversation not found; start a new one by asking without a conversation_id."
            )  # never echo the id: it may be long, or someone's
        messages = [
            {
                "message_id": row["id"],
                "question": row["question"],
                "answer": row["answer"],
                "abstained": bool(row["abstained"]),
                "citations": json.loads(row["citations"]),
                # Answers stored before blocks existed have none; pages then show the plain text.
                "blocks": json.loads(row["blocks"] or "[]"),
                "intent": row["intent"] or "",
                "created_at": row["created_at"],
            }
            for row in self.db.query(
                "select * from messages where conversation_id = ? order by position", [conversation_id]
            )
        ]
        return {"conversation_id": conversation_id, "messages": messages}

    def add_feedback(
        self, message_id: str, rating: str, comment: str = "", visitor: str | None = None
    ) -> tuple[int, bool]:
        """Store a rating; a visitor's second rating of the same message replaces the first.

        Returns (feedback id, True when it replaced an earlier rating). `visitor` (e.g. the client
        address) is stored only as a hash keyed with this database's own secret.
        """
        if not self.db.execute("select 1 from messages where id = ?", [message_id]).fetchone():
            raise NotFound("Message not found; feedback needs the message_id of an answer.")
        who = self._visitor_hash(visitor) if visitor else None
        row = {"message_id": message_id, "rating": rating, "comment": comment, "created_at": _now(), "visitor": who}
        with self._saving("rating"), self._lock, self.db.conn:
            earlier = (
                who
                and self.db.execute(
                    "select id from feedback where message_id = ? and visitor = ?", [message_id, who]
                ).fetchone()
            )
            if earlier:
                self.db["feedback"].update(earlier[0], row)
                return earlier[0], True
            return self.db["feedback"].insert(row).last_pk, False

    def _visitor_hash(self, visitor: str) -> str:
        if not hasattr(self, "_visitor_key"):
            self._visitor_key = bytes.fromhex(self.db["secrets"].get("visitor_key")["value"])
        return hmac.new(self._visitor_key, visitor.encode(), hashlib.sha256).hexdigest()[:32]

    def gaps(self, days: int = 30) -> list[dict]:
        """What the assistant could not answer and the answers rated "not helpful" in the last
        `days` days: {question, reason: unanswered|not helpful, comment, created_at}, newest first."""
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        rows = self.db.query(
            "select question, 'unanswered' as reason, '' as comment, created_at from messages "
            "where abstained = 1 and created_at >= :since union all "
            "select m.question, 'not helpful', f.comment, f.created_at from feedback f "
            "join messages m on m.id = f.message_id where f.rating = 'down' and f.created_at >= :since "
            "order by created_at desc, question",
            {"since": since},
        )
        return list(rows)

    def feedback_rows(self) -> list[dict]:
        """Every piece of feedback with the question, answer and citations it was about."""
        rows = self.db.query(
            "select f.id, f.rating, f.comment, f.created_at, m.id as message_id, m.question, "
            "m.answer, m.citations from feedback f join messages m on m.id = f.message_id order by f.id"
        )
        return [{**row, "citations": json.loads(row["citations"])} for row in rows]
