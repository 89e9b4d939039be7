"""Conversation history, feedback, study progress and shared quotas, kept in SQLite or PostgreSQL
(see database.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic_core import to_json

from .database import DB_ERRORS, Transaction, open_database, without_password
from .errors import NotFound, StoreUnavailable

HISTORY_TURNS = 2  # how many earlier questions a follow-up may draw on
QUOTA_WINDOW_SECONDS = 3600  # as limits.WINDOW_SECONDS: hits older than this count for nothing
log = logging.getLogger("assistant")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def m001_initial(tx: Transaction) -> None:
    tx.execute("create table conversations (id text primary key, created_at text, updated_at text)")
    tx.execute(
        "create table messages (id text primary key, conversation_id text references conversations(id), "
        "position integer, question text, search_query text, answer text, abstained integer, "
        "citations text, created_at text)"
    )
    tx.execute("create unique index idx_messages_conversation_id_position on messages (conversation_id, position)")
    tx.execute(
        f"create table feedback (id {tx.dialect.auto_id}, message_id text references messages(id), "
        "rating text, comment text, created_at text)"
    )


def m002_answer_blocks(tx: Transaction) -> None:
    """Answers keep their blocks (the structured form the pages render) and intent."""
    tx.execute("alter table messages add column blocks text")
    tx.execute("alter table messages add column intent text")


def m003_feedback_visitor(tx: Transaction) -> None:
    """One rating per message per visitor: the visitor as a keyed hash, never the address itself."""
    tx.execute("alter table feedback add column visitor text")
    tx.execute("create unique index idx_feedback_message_id_visitor on feedback (message_id, visitor)")
    tx.execute("create table secrets (name text primary key, value text)")
    tx.execute("insert into secrets (name, value) values ('visitor_key', ?)", [secrets.token_hex(32)])


def m004_study(tx: Transaction) -> None:
    """Study mode: each learner's Leitner box per item, every answer given, and mock exams."""
    tx.execute(
        "create table study_progress (learner_id text, item_id text, topic text, box integer, due text, "
        "seen integer, correct integer, partly integer, incorrect integer, last_result text, "
        "last_at text, primary key (learner_id, item_id))"
    )
    tx.execute("create index idx_study_progress_learner_id_due on study_progress (learner_id, due)")
    tx.execute(
        f"create table study_answers (id {tx.dialect.auto_id}, learner_id text, item_id text, topic text, "
        "answer text, result text, exam_id text, answered_at text)"
    )
    tx.execute("create index idx_study_answers_learner_id on study_answers (learner_id)")
    tx.execute(
        "create table study_exams (id text primary key, learner_id text, topics text, item_ids text, "
        "minutes integer, started_at text, ends_at text, finished_at text, report text)"
    )
    tx.execute("create index idx_study_exams_learner_id on study_exams (learner_id)")
    tx.execute(
        "create table study_exam_answers (exam_id text references study_exams(id), item_id text, "
        "answer text, saved_at text, primary key (exam_id, item_id))"
    )


def m005_quota_hits(tx: Transaction) -> None:
    """Quota hits where every replica sees them: (bucket, keyed hash of the visitor or origin, time)."""
    tx.execute(f"create table quota_hits (bucket text, key text, at {tx.dialect.real})")
    tx.execute("create index idx_quota_hits_bucket_key_at on quota_hits (bucket, key, at)")
    tx.execute("create index idx_quota_hits_at on quota_hits (at)")


# Numbered and never edited once released: a database records which it has had (`_migrations`).
# The first four were written with sqlite-utils; the SQL here makes the same tables.
MIGRATIONS = [m001_initial, m002_answer_blocks, m003_feedback_visitor, m004_study, m005_quota_hits]


class ConversationStore:
    """Conversations, feedback, study progress and shared quotas; a database apart from the index,
    never rebuilt: a SQLite file by default, PostgreSQL when given a `postgresql://` URL."""

    def __init__(self, target: Path | str):
        """`target`: the SQLite file's path, or a `postgresql://` URL (ASSISTANT_DATABASE_URL)."""
        try:
            self.database = open_database(target)
            self._migrate()
        except (OSError, *DB_ERRORS) as err:
            setting = "ASSISTANT_DATABASE_URL" if str(target).startswith("postgres") else "ASSISTANT_DB_PATH"
            raise StoreUnavailable(
                f"The conversation database {without_password(target)} cannot be opened and written ({err}). "
                f"Set {setting} to a database this user may write."
            ) from err
        self.shared = self.database.shared  # replicas on other machines see the same rows

    @classmethod
    def for_settings(cls, settings) -> ConversationStore:
        """The store the settings name: ASSISTANT_DATABASE_URL when set, else the ASSISTANT_DB_PATH file."""
        return cls(settings.database_url or settings.db_path)

    def describe(self) -> str:
        """Where the rows are kept, without a password, for messages."""
        return self.database.describe()

    def close(self) -> None:
        self.database.close()

    @contextmanager
    def _saving(self, what: str):
        """Turns a database that refuses a write (read-only, full, broken) into a clear 503."""
        try:
            yield
        except DB_ERRORS as err:
            log.error("the conversation database refused to save the %s: %s", what, err)
            raise StoreUnavailable(
                f"The {what} could not be saved: the assistant's conversation database refuses "
                "writes just now. Please try again later; the cause is in the server log."
            ) from err

    def check(self) -> str | None:
        """None when the database takes a write (tried, then rolled back), else what is wrong."""
        try:
            with self.database.writing() as tx:
                tx.execute("insert into _migrations (name, applied_at) values ('health check', '')")
                raise _RollBack
        except _RollBack:
            return None
        except DB_ERRORS as err:
            return str(err)

    def require_writable(self) -> None:
        """Raise StoreUnavailable, naming the setting to change, unless the database takes a write."""
        problem = self.check()
        if problem:
            setting = "ASSISTANT_DATABASE_URL" if self.shared else "ASSISTANT_DB_PATH"
            raise StoreUnavailable(
                f"The conversation database {self.describe()} refuses writes ({problem}). "
                f"Set {setting} to a database this user may write."
            )

    def _migrate(self) -> None:
        with self.database.writing() as tx:
            tx.lock("migrations")  # replicas starting together migrate one after the other
            tx.execute("create table if not exists _migrations (name text primary key, applied_at text)")
            done = {row["name"] for row in tx.query("select name from _migrations")}
            for migration in MIGRATIONS:
                if migration.__name__ not in done:
                    migration(tx)
                    tx.execute("insert into _migrations (name, applied_at) values (?, ?)", [migration.__name__, _now()])

    @contextmanager
    def writing(self, what: str = "study progress"):
        """One write transaction, for the other stores kept in this database (study progress,
        quotas): yields a `Transaction`; a refused write is a clear 503."""
        with self._saving(what), self.database.writing() as tx:
            yield tx

    def reading(self):
        """One read transaction (a consistent snapshot): yields a `Transaction`."""
        return self.database.reading()

    def query(self, sql: str, params=()) -> list[dict]:
        """Rows of one read-only statement, as dicts."""
        with self.database.reading() as tx:
            return tx.query(sql, params)

    def exists(self, conversation_id: str) -> bool:
        return bool(self.query("select 1 as found from conversations where id = ?", [conversation_id]))

    def earlier_questions(self, conversation_id: str) -> list[str]:
        rows = self.query(
            "select question from messages where conversation_id = ? order by position desc limit ?",
            [conversation_id, HISTORY_TURNS],
        )
        return [row["question"] for row in reversed(rows)]

    def add(self, conversation_id: str | None, question: str, search_query: str, answer: dict) -> tuple[str, str]:
        """Store one question and its answer, in a new conversation when `conversation_id` is None.

        Returns (conversation id, message id); one transaction either way.
        """
        message_id, now = secrets.token_urlsafe(12), _now()
        # Written as JSON before the transaction: other answers wait for the writer's lock meanwhile.
        citations, blocks = to_json(answer["citations"]).decode(), to_json(answer.get("blocks") or []).decode()
        with self._saving("answer"), self.database.writing() as tx:
            if conversation_id is None:
                conversation_id = secrets.token_urlsafe(16)  # unguessable: holding it is the access right
                tx.execute(
                    "insert into conversations (id, created_at, updated_at) values (?, ?, ?)",
                    [conversation_id, now, now],
                )
                position = 1
            else:
                # Two replicas adding to one conversation at once must not take the same position.
                tx.lock(f"conversation:{conversation_id}")
                position = tx.one(
                    "select coalesce(max(position), 0) + 1 as next from messages where conversation_id = ?",
                    [conversation_id],
                )["next"]
                tx.execute("update conversations set updated_at = ? where id = ?", [now, conversation_id])
            tx.execute(
                "insert into messages (id, conversation_id, position, question, search_query, answer, "
                "abstained, citations, blocks, intent, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    message_id,
                    conversation_id,
                    position,
                    question,
                    search_query,
                    answer["answer"],
                    int(answer["abstained"]),
                    citations,
                    blocks,
                    answer.get("intent") or "",
                    now,
                ],
            )
        return conversation_id, message_id

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation with its messages and their ratings (NotFound when unknown)."""
        with self._saving("deletion"), self.database.writing() as tx:
            if not tx.one("select 1 as found from conversations where id = ?", [conversation_id]):
                raise NotFound("Conversation not found; it may have been deleted already.")
            self._delete_where(tx, "id = ?", [conversation_id])

    def purge(self, days: int) -> dict[str, int]:
        """Delete conversations last active more than `days` days ago (0: keep them all), and quota
        hits past their hour.

        Returns how many conversations, messages and ratings were deleted.
        """
        with self._saving("purge"), self.database.writing() as tx:
            tx.execute("delete from quota_hits where at < ?", [time.time() - QUOTA_WINDOW_SECONDS])
            if not days:
                return {"conversations": 0, "messages": 0, "ratings": 0}
            cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
            return self._delete_where(tx, "updated_at < ?", [cutoff])

    @staticmethod
    def _delete_where(tx: Transaction, condition: str, params: list) -> dict[str, int]:
        conversations = f"select id from conversations where {condition}"
        messages = f"select id from messages where conversation_id in ({conversations})"
        counts = {
            "ratings": tx.execute(f"delete from feedback where message_id in ({messages})", params).rowcount,
            "messages": tx.execute(f"delete from messages where conversation_id in ({conversations})", params).rowcount,
        }
        counts["conversations"] = tx.execute(f"delete from conversations where {condition}", params).rowcount
        return {key: counts[key] for key in ("conversations", "messages", "ratings")}

    def history(self, conversation_id: str) -> dict:
        with self.database.reading() as tx:
            if not tx.one("select 1 as found from conversations where id = ?", [conversation_id]):
                raise NotFound(
                    "Conversation not found; start a new one by asking without a conversation_id."
                )  # never echo the id: it may be long, or someone's
            rows = tx.query("select * from messages where conversation_id = ? order by position", [conversation_id])
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
            for row in rows
        ]
        return {"conversation_id": conversation_id, "messages": messages}

    def add_feedback(
        self, message_id: str, rating: str, comment: str = "", visitor: str | None = None
    ) -> tuple[int, bool]:
        """Store a rating; a visitor's second rating of the same message replaces the first.

        Returns (feedback id, True when it replaced an earlier rating). `visitor` (e.g. the client
        address) is stored only as a hash keyed with this database's own secret.
        """
        who = self.visitor_hash(visitor) if visitor else None
        row = [rating, comment, _now(), who]
        with self._saving("rating"), self.database.writing() as tx:
            if not tx.one("select 1 as found from messages where id = ?", [message_id]):
                raise NotFound("Message not found; feedback needs the message_id of an answer.")
            if who:
                tx.lock(f"rating:{message_id}:{who}")  # one rating per visitor, across replicas too
            earlier = who and tx.one("select id from feedback where message_id = ? and visitor = ?", [message_id, who])
            if earlier:
                tx.execute(
                    "update feedback set rating = ?, comment = ?, created_at = ?, visitor = ? where id = ?",
                    [*row, earlier["id"]],
                )
                return earlier["id"], True
            inserted = tx.one(
                "insert into feedback (rating, comment, created_at, visitor, message_id) "
                "values (?, ?, ?, ?, ?) returning id",
                [*row, message_id],
            )
            return inserted["id"], False

    def visitor_hash(self, visitor: str) -> str:
        """`visitor` (an address, an origin) hashed with this database's own key: rows never hold it."""
        if not hasattr(self, "_visitor_key"):
            key = self.query("select value from secrets where name = 'visitor_key'")[0]["value"]
            self._visitor_key = bytes.fromhex(key)
        return hmac.new(self._visitor_key, visitor.encode(), hashlib.sha256).hexdigest()[:32]

    def gaps(self, days: int = 30) -> list[dict]:
        """What the assistant could not answer and the answers rated "not helpful" in the last
        `days` days: {question, reason: unanswered|not helpful, comment, created_at}, newest first."""
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        return self.query(
            "select question, 'unanswered' as reason, '' as comment, created_at from messages "
            "where abstained = 1 and created_at >= ? union all "
            "select m.question, 'not helpful', f.comment, f.created_at from feedback f "
            "join messages m on m.id = f.message_id where f.rating = 'down' and f.created_at >= ? "
            "order by created_at desc, question",
            [since, since],
        )

    def feedback_rows(self) -> list[dict]:
        """Every piece of feedback with the question, answer and citations it was about."""
        rows = self.query(
            "select f.id, f.rating, f.comment, f.created_at, m.id as message_id, m.question, "
            "m.answer, m.citations from feedback f join messages m on m.id = f.message_id order by f.id"
        )
        return [{**row, "citations": json.loads(row["citations"])} for row in rows]


class _RollBack(Exception):
    """Raised inside a transaction to undo it (the health check's trial write)."""
