"""The conversation store (conversations, messages, feedback, study progress, shared quotas), every
test run against both backends: the SQLite file and a real PostgreSQL server (`store_target`)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from assistant.conversations import MIGRATIONS, ConversationStore
from assistant.errors import NotFound, StoreUnavailable
from assistant.limits import QuotaExceeded, Quotas, StoredLedger
from assistant.study.progress import StudyStore

ANSWER = {
    "answer": "An answer.",
    "abstained": False,
    # Read back exactly as stored: non-ASCII text, a float's every digit, nested lists.
    "citations": [{"n": 1, "title": "SLA – “service levels”", "score": 0.1234567890123}],
    "blocks": [{"kind": "lead", "text": "An answer: 5% of £12,000 × 2 = £1,200.", "citations": [1]}],
    "intent": "definition",
}


@pytest.fixture
def store(store_target):
    opened = ConversationStore(store_target)
    yield opened
    opened.close()


def _age(store: ConversationStore, conversation_id: str, days: int) -> None:
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with store.writing("test") as tx:
        tx.execute(
            "update conversations set created_at = ?, updated_at = ? where id = ?", [then, then, conversation_id]
        )


def _together(work, count: int) -> None:
    """Run work(0) … work(count - 1) in threads at once and wait for all of them."""
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_conversation_keeps_its_questions_in_order(store):
    conversation_id, first = store.add(None, "What is an SLA?", "What is an SLA?", ANSWER)
    again, second = store.add(conversation_id, "and an OLA?", "What is an SLA? and an OLA?", ANSWER)
    assert again == conversation_id and first != second
    history = store.history(conversation_id)
    assert [m["question"] for m in history["messages"]] == ["What is an SLA?", "and an OLA?"]
    assert history["messages"][0]["citations"] == ANSWER["citations"]
    assert history["messages"][0]["blocks"] == ANSWER["blocks"]
    assert history["messages"][0]["intent"] == "definition" and history["messages"][0]["abstained"] is False
    assert store.earlier_questions(conversation_id) == ["What is an SLA?", "and an OLA?"]
    assert store.exists(conversation_id) and not store.exists("nobody-has-this-id")


def test_an_unknown_conversation_is_not_found_without_echoing_its_id(store):
    with pytest.raises(NotFound) as raised:
        store.history("x" * 40)
    assert "x" * 40 not in str(raised.value)


def test_reopening_applies_each_migration_once(store_target):
    ConversationStore(store_target).close()
    store = ConversationStore(store_target)
    names = [row["name"] for row in store.query("select name from _migrations order by name")]
    assert names == sorted(m.__name__ for m in MIGRATIONS)
    assert store.check() is None  # the trial write of the health check is rolled back
    assert len(store.query("select name from _migrations")) == len(MIGRATIONS)
    store.close()


def test_a_rating_per_visitor_can_be_changed(store):
    _, message_id = store.add(None, "q", "q", ANSWER)
    first, replaced = store.add_feedback(message_id, "up", "", visitor="10.0.0.1")
    again, replaced_now = store.add_feedback(message_id, "down", "wrong", visitor="10.0.0.1")
    other, _ = store.add_feedback(message_id, "up", "", visitor="10.0.0.2")
    assert (replaced, replaced_now, again) == (False, True, first) and other != first
    rows = store.feedback_rows()
    assert [(r["rating"], r["comment"]) for r in rows] == [("down", "wrong"), ("up", "")]
    stored = store.query("select visitor from feedback")
    assert all(row["visitor"] and "10.0.0" not in row["visitor"] for row in stored)  # a keyed hash only


def test_feedback_needs_a_known_message(store):
    with pytest.raises(NotFound):
        store.add_feedback("no-such-message", "up")


def test_deleting_a_conversation_takes_its_messages_and_ratings(store):
    conversation_id, message_id = store.add(None, "q", "q", ANSWER)
    kept, _ = store.add(None, "other", "other", ANSWER)
    store.add_feedback(message_id, "up", visitor="v")
    store.delete(conversation_id)
    assert not store.exists(conversation_id) and store.exists(kept)
    assert store.query("select count(*) as n from messages where conversation_id = ?", [conversation_id])[0]["n"] == 0
    assert store.feedback_rows() == []
    with pytest.raises(NotFound):
        store.delete(conversation_id)


def test_purge_deletes_conversations_past_the_retention_period(store):
    old, _ = store.add(None, "old question", "old question", ANSWER)
    kept, _ = store.add(None, "new question", "new question", ANSWER)
    old_message = store.history(old)["messages"][0]["message_id"]
    store.add_feedback(old_message, "up", "", "10.0.0.1")
    _age(store, old, 91)
    _age(store, kept, 89)
    assert store.purge(90) == {"conversations": 1, "messages": 1, "ratings": 1}
    assert not store.exists(old) and store.exists(kept)
    assert store.purge(0) == {"conversations": 0, "messages": 0, "ratings": 0}  # 0: keep for ever


def test_threads_writing_and_reading_at_once_lose_nothing(store):
    conversation_id, _ = store.add(None, "first", "first", ANSWER)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                store.add(conversation_id, f"q{n}-{i}", "q", ANSWER)
                store.history(conversation_id)
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    _together(work, 6)
    assert failures == []
    positions = [
        row["position"]
        for row in store.query(
            "select position from messages where conversation_id = ? order by position", [conversation_id]
        )
    ]
    assert positions == list(range(1, 62))


def test_sqlite_writers_of_one_process_take_turns_without_sqlites_busy_handler(tmp_path):
    """Threads queue for the write lock in Python: SQLite's busy handler, which sleeps and retries,
    is not what keeps 8 concurrent writers from failing. Turned off here, no write fails."""
    import sqlite3
    import time

    from assistant.database import SQLiteDatabase

    class WithoutBusyHandler(SQLiteDatabase):
        def connect(self):
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)

    db = WithoutBusyHandler(tmp_path / "turns.db")
    with db.writing() as tx:
        tx.execute("create table written (n integer)")
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for _ in range(5):
                with db.writing() as tx:
                    tx.execute("insert into written values (?)", [n])
                    time.sleep(0.002)  # holds the write lock a while, as storing an answer does
        except sqlite3.OperationalError as err:  # "database is locked"
            failures.append(err)

    _together(work, 8)
    with db.reading() as tx:
        written = tx.one("select count(*) as n from written")["n"]
    assert failures == [] and written == 40
    # A write begun inside another on the same thread fails in SQLite, as before: it never waits
    # for itself. (In a thread, so that a regression fails this test instead of hanging the suite.)
    nested: list[BaseException] = []

    def write_twice() -> None:
        try:
            with db.writing(), db.writing():
                pass
        except sqlite3.OperationalError as err:
            nested.append(err)

    thread = threading.Thread(target=write_twice, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive() and len(nested) == 1
    db.close()


def test_a_database_that_cannot_be_opened_names_the_setting(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreUnavailable, match="ASSISTANT_DB_PATH"):
        ConversationStore(tmp_path / "a-file" / "assistant.db")


@pytest.mark.slow  # a real PostgreSQL server, and the pool retries for its full 10 s start-up wait
def test_a_postgresql_url_that_fails_names_its_setting_without_the_password(postgres):
    url = postgres.url("no_such_database").replace("assistant@", "assistant:secret-pw@")
    with pytest.raises(StoreUnavailable) as raised:
        ConversationStore(url)
    assert "ASSISTANT_DATABASE_URL" in str(raised.value) and "secret-pw" not in str(raised.value)


# --- Study progress ---------------------------------------------------------------------------

ITEM = SimpleNamespace(id="sla-1", topic="slas")


def test_study_answers_move_the_box_and_count(store):
    study = StudyStore(store)
    today = date(2026, 1, 5)
    box, due = study.record("learner-1", ITEM, "an answer", "correct", today, "2026-01-05T10:00:00")
    again, _ = study.record("learner-1", ITEM, "another", "incorrect", today, "2026-01-05T10:01:00")
    row = study.progress("learner-1")["sla-1"]
    assert (row["seen"], row["correct"], row["incorrect"], row["box"]) == (2, 1, 1, again)
    assert box > again and due > today
    assert study.progress("learner-2") == {}


def test_a_mock_exam_is_finished_once(store):
    study = StudyStore(store)
    study.create_exam(
        {
            "id": "exam-1",
            "learner_id": "learner-1",
            "topics": ["slas"],
            "item_ids": ["a", "b"],
            "minutes": 30,
            "started_at": "2026-01-05T10:00:00",
            "ends_at": "2026-01-05T10:30:00",
            "finished_at": None,
            "report": None,
        }
    )
    study.save_exam_answers("exam-1", {"a": "one", "b": "two"}, "2026-01-05T10:05:00")
    study.save_exam_answers("exam-1", {"a": "changed"}, "2026-01-05T10:06:00")
    assert study.exam_answers("exam-1") == {"a": "changed", "b": "two"}
    assert study.finish_exam("exam-1", {"score": 50}, "2026-01-05T10:10:00") is True
    assert study.finish_exam("exam-1", {"score": 99}, "2026-01-05T10:11:00") is False
    exam = study.exam("exam-1")
    assert exam["topics"] == ["slas"] and exam["report"] == {"score": 50} and study.exam("nope") is None


def test_a_learner_exports_and_deletes_everything(store):
    study = StudyStore(store)
    study.record("learner-1", ITEM, "an answer", "partly", date(2026, 1, 5), "2026-01-05T10:00:00", "exam-1")
    study.create_exam(
        {
            "id": "exam-1",
            "learner_id": "learner-1",
            "topics": [],
            "item_ids": ["sla-1"],
            "minutes": 30,
            "started_at": "s",
            "ends_at": "e",
            "finished_at": None,
            "report": None,
        }
    )
    study.save_exam_answers("exam-1", {"sla-1": "an answer"}, "now")
    exported = study.export("learner-1")
    assert [len(exported[key]) for key in ("progress", "answers", "exams")] == [1, 1, 1]
    assert exported["exams"][0]["answers"] == {"sla-1": "an answer"}
    assert study.delete("learner-1") == {"exam_answers": 1, "progress": 1, "answers": 1, "exams": 1}
    assert study.export("learner-1")["progress"] == []


# --- Quotas kept in the database --------------------------------------------------------------


def test_stored_quotas_count_across_stores_sharing_a_database(store_target):
    """Two replicas = two stores on one database: a visitor's questions count on both."""
    first, second = ConversationStore(store_target), ConversationStore(store_target)
    one, two = Quotas(per_visitor=3, per_origin=0), Quotas(per_visitor=3, per_origin=0)
    one.share(first)
    two.share(second)
    one.check("10.0.0.7", None)
    two.check("10.0.0.7", None)
    one.check("10.0.0.7", None)
    with pytest.raises(QuotaExceeded) as raised:
        two.check("10.0.0.7", None)
    assert raised.value.status == 429 and 3590 < raised.value.retry_after <= 3600
    two.check("10.0.0.8", None)  # someone else still may
    assert not any("10.0.0" in row["key"] for row in first.query("select key from quota_hits"))
    first.close()
    second.close()


def test_a_refunded_question_frees_its_place(store):
    quotas = Quotas(per_visitor=1, per_origin=5)
    quotas.share(store)
    with pytest.raises(ValueError), quotas.question("v", "https://host.example"):
        raise ValueError("refused for its content")
    with quotas.question("v", "https://host.example"):
        pass
    with pytest.raises(QuotaExceeded):
        quotas.check("v", "https://host.example")
    assert store.query("select count(*) as n from quota_hits where bucket = 'origin'")[0]["n"] == 1


def test_stored_hits_age_out_of_the_window(store):
    now = [1_000_000.0]
    ledger = StoredLedger(store, {"visitor": 2, "origin": 0, "rating": 0}, window=3600, clock=lambda: now[0])
    ledger.take([("visitor", "a")])
    now[0] += 600
    ledger.take([("visitor", "a")])
    with pytest.raises(Exception) as full:
        ledger.take([("visitor", "a")])
    assert full.value.wait == pytest.approx(3000)
    now[0] += 3001  # the first has aged out
    ledger.take([("visitor", "a")])


def test_gaps_list_unanswered_and_unhelpful_questions(store):
    store.add(None, "What is a unicorn clause?", "q", {**ANSWER, "abstained": True})
    _, rated = store.add(None, "What is an SLA?", "q", ANSWER)
    store.add(None, "What is TUPE?", "q", ANSWER)
    store.add_feedback(rated, "down", "too short", visitor="v")
    gaps = store.gaps(30)
    assert sorted((g["question"], g["reason"], g["comment"]) for g in gaps) == [
        ("What is a unicorn clause?", "unanswered", ""),
        ("What is an SLA?", "not helpful", "too short"),
    ]
