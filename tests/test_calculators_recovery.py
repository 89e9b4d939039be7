"""The recovery-targets check: hand-computed data loss and downtime against the RPO and RTO, the reader, the API."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from assistant import calculators as calc
from assistant.calculators import Calculation, calculate
from assistant.errors import BadRequest

from .support import calculators_client

ARTICLE = "business-continuity-disaster-recovery"

# ---- the arithmetic (hand-computed) ----------------------------------------------------------------


def test_the_articles_worked_example():
    # Data loss 10:40 − 10:35 = 5 min ≤ 15 min RPO (10 min to spare);
    # downtime 13:55 − 10:40 = 3 h 15 min = 195 min ≤ 240 min RTO (45 min to spare); deadline 10:40 + 4 h = 14:40.
    result = calc.recovery(240, 15, "10:40", "10:35", "13:55")
    assert (result.data_loss.minutes, result.downtime.minutes) == (D(5), D(195))
    assert result.data_loss.met and result.downtime.met
    assert result.sentences() == [
        "Data loss = 10:40 − 10:35 = 5 minutes, within the 15-minute RPO by 10 minutes: the RPO is met.",
        "Downtime = 13:55 − 10:40 = 3 hours 15 minutes, within the 4-hour RTO by 45 minutes "
        "(service had to be running again by 14:40): the RTO is met.",
    ]
    assert result.source == calc.Source(ARTICLE, "rto-vs-rpo")
    assert "taken from the failure time as given" in result.formula


def test_durations_given_directly_and_both_targets_missed():
    # 120 min lost − 60 min RPO = 60 min over; 540 min down − 480 min RTO = 60 min over.
    result = calc.recovery(480, 60, data_lost_minutes=120, downtime_minutes=540)
    assert result.data_loss.met is False and result.downtime.met is False
    assert result.sentences() == [
        "Data loss = 2 hours, over the 1-hour RPO by 1 hour: the RPO is missed.",
        "Downtime = 9 hours, over the 8-hour RTO by 1 hour: the RTO is missed.",
    ]


def test_a_restore_after_midnight_is_the_next_day():
    # 23:30 → 24:00 is 30 min, 00:00 → 02:10 is 130 min: 160 min = 2 h 40 min; 3 h RTO leaves 20 min.
    result = calc.recovery(180, failure_time="23:30", restored_time="02:10")
    assert result.downtime.minutes == 160
    assert result.sentences() == [
        "Downtime = 02:10 (the next day) − 23:30 = 2 hours 40 minutes, within the 3-hour RTO by 20 minutes "
        "(service had to be running again by 02:30 the next day): the RTO is met."
    ]
    # A copy taken before midnight for a failure after it: 23:50 → 00:10 is 20 min.
    assert calc.recovery(failure_time="00:10", last_copy_time="23:50").data_loss.minutes == 20
    # Said explicitly: restored at 10:00 the day after a 10:40 failure is 24 h − 40 min = 1,400 min.
    assert calc.recovery(failure_time="10:40", restored_time="10:00", restored_next_day=True).downtime.minutes == 1400


def test_exactly_on_the_target_and_zero():
    # 14:40 − 10:40 = 240 min = the 4-hour RTO; a copy at the failure minute loses nothing (0 ≤ RPO 0).
    result = calc.recovery(240, 0, "10:40", "10:40", "14:40")
    assert result.downtime.met and result.data_loss.met and result.data_loss.minutes == 0
    assert "exactly the 4-hour RTO" in result.sentences()[1]
    assert (
        result.sentences()[0]
        == "Data loss = 10:40 − 10:40 = 0 minutes, exactly the 0-minute RPO: the RPO is met, with nothing to spare."
    )


def test_a_missing_target_is_said_not_guessed():
    result = calc.recovery(failure_time="10:40", last_copy_time="10:35")
    assert result.downtime.minutes is None and result.data_loss.met is None
    assert result.sentences() == ["Data loss = 10:40 − 10:35 = 5 minutes; with no RPO given, it cannot be judged."]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"failure_time": "25:00", "restored_time": "02:10"}, "The failure time must be a time of day from 00:00"),
        ({"failure_time": "10:40", "restored_time": "10:75"}, "got '10:75'"),
        ({"failure_time": "10:40", "restored_time": "10:35"}, "The restore time (10:35) is before the failure time"),
        (
            {"failure_time": "10:40", "last_copy_time": "10:45"},
            "The failure time (10:40) is before the time of the last",
        ),
        ({"downtime_minutes": -5}, "The downtime (minutes) must be at least 0"),
        ({"rto_minutes": -1, "downtime_minutes": 5}, "The RTO (minutes) must be at least 0"),
        ({"rto_minutes": 240}, "Give the failure time"),
        ({"failure_time": "10:40", "restored_time": "13:55", "downtime_minutes": 195}, "either as a duration"),
        ({"rpo_minutes": 1e191, "data_lost_minutes": 5}, "at most 527,040"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.recovery(**kwargs)


# ---- the chat reader -------------------------------------------------------------------------------

ANSWERED = [
    (
        "Our order database has a 4-hour RTO and a 15-minute RPO in the contract. The primary site failed at 10:40, "
        "the last transaction log to reach the recovery site had been shipped at 10:35, and the vendor had us "
        "running again at 13:55. Did they meet both targets?",
        ["Data loss = 10:40 − 10:35 = 5 minutes", "the RPO is met", "3 hours 15 minutes", "by 45 minutes"],
    ),
    (
        "We lost about 2 hours of data and were down for 9 hours; RTO 8h, RPO 1h. Did they meet them?",
        ["over the 1-hour RPO by 1 hour", "over the 8-hour RTO by 1 hour: the RTO is missed"],
    ),
    ("Failure 23:30, restored 02:10, RTO 3 hours. Did the vendor meet the RTO?", ["2 hours 40 minutes", "RTO is met"]),
    (
        "We have an RTO of 4 hours. The primary failed at 2pm and service was back at 5:30pm. Did they meet it?",
        ["17:30 − 14:00 = 3 hours 30 minutes", "by 30 minutes"],
    ),
    (
        "Backups run every hour and a failure happens 50 minutes after the last one. How much data is lost, "
        "and does a 1-hour RPO hold?",
        ["Data loss = 50 minutes, within the 1-hour RPO by 10 minutes"],
    ),
    ("Our RTO is 4 hours; the outage lasted 5 hours. Did they breach it?", ["over the 4-hour RTO by 1 hour"]),
    ("The site failed at 23:30 and was restored at 02:10. How long were we down?", ["2 hours 40 minutes"]),
    (
        "The primary site failed at 10:40, the last backup was at 10:35 and we were running again at 13:55. "
        "Did they meet the RTO and RPO?",
        ["5 minutes", "3 hours 15 minutes", "What RPO and RTO does the contract set for this service?"],
    ),
    (
        "RTO 4h and RPO 15 minutes. It failed at 10:40 and was back at 13:55. Did they meet both?",
        ["within the 4-hour RTO", "To judge the RPO, give the time of the last recoverable copy"],
    ),
]


@pytest.mark.parametrize("question, expected", ANSWERED, ids=[q[:40] for q, _ in ANSWERED])
def test_a_recovery_question_is_answered_with_the_working(question, expected):
    found = calculate(question)
    assert isinstance(found, Calculation) and found.kind == "recovery" and found.missing is None, found
    text = " ".join(found.result)
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert (found.doc_id, found.anchor) == (ARTICLE, "rto-vs-rpo")


@pytest.mark.parametrize(
    "question, asks",
    [
        ("Did the vendor meet our RTO and RPO after last week's outage?", "When did the service fail"),
        ("RTO 4 hours. The system failed at 10:40 and came back at 25:00. Did they meet the RTO?", "23:59"),
        ("RTO 4 hours. The system failed at 10:40 and was restored at 10:30. Did they meet it?", "next day, say so"),
    ],
)
def test_missing_or_impossible_figures_are_asked_for(question, asks):
    found = calculate(question)
    assert found is not None and found.kind == "recovery" and found.result == [], found
    assert asks in found.missing and found.missing.endswith("?"), found.missing


@pytest.mark.parametrize(
    "question",
    [
        "What is the difference between RTO and RPO?",
        "rto vs rpo",
        "rto 4 hours rpo 15 minutes meaning",
        "payments can be down for two hours at most and we can't lose more than five minutes of transactions",
        "What RTO and RPO commitments should we write into the contract for a business-critical system?",
        "Draft an RTO clause for a 4-hour RTO",
        "the supplier says the recovery countdown only began when it officially declared a disaster hours later",
        "An earthquake took out our supplier's primary data centre and our systems were down for a week. "
        "Are they right?",
    ],
)
def test_questions_that_are_not_this_calculation_are_left_alone(question):
    found = calculate(question)
    assert found is None or found.kind != "recovery", found


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What's the availability if we were down for 3 hours?", "availability"),
        ("We were down for 50 minutes in a 30-day month against a 99.9% target. Did we meet it?", "availability"),
        ("How much downtime does 99.95% allow per month?", "downtime"),
        ("two 99% servers in parallel for failover: what's the composite availability?", "composite"),
        ("monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 — what is paid?", "service_credit"),
        ("The supplier missed 30 of 480 P2 incidents this month against a 95% target. How many met it?", "attainment"),
    ],
)
def test_other_calculations_still_win_their_questions(question, kind):
    found = calculate(question)
    assert found is not None and found.kind == kind, found


# ---- the API ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return calculators_client(tmp_path_factory.mktemp("calc-recovery"))


def test_recovery_endpoint(client):
    payload = {
        "rto_minutes": 240,
        "rpo_minutes": 15,
        "failure_time": "10:40",
        "last_copy_time": "10:35",
        "restored_time": "13:55",
    }
    body = client.post("/api/calc/recovery", json=payload).json()
    assert body["kind"] == "recovery"
    assert body["figures"]["data_loss"] == {"minutes": 5, "target_minutes": 15, "met": True, "margin_minutes": 10}
    assert body["figures"]["downtime"] == {"minutes": 195, "target_minutes": 240, "met": True, "margin_minutes": 45}
    assert body["citation"] == {"doc_id": ARTICLE, "anchor": "rto-vs-rpo", "url": f"/docs/{ARTICLE}#rto-vs-rpo"}
    missed = client.post("/api/calc/recovery", json={"rto_minutes": 480, "downtime_minutes": 540}).json()
    assert missed["figures"]["downtime"]["margin_minutes"] == -60 and missed["figures"]["data_loss"]["minutes"] is None
    assert "/api/calc/recovery" in client.get("/api/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"failure_time": "25:00", "restored_time": "02:10"}, 400, "from 00:00 to 23:59"),
        ({"failure_time": "10:40", "restored_time": "10:35"}, 400, "is before the failure time"),
        ({"downtime_minutes": -5}, 400, "at least 0"),
        ({}, 400, "Give the failure time"),
        ({"downtime_minutes": "long"}, 422, "downtime_minutes"),
        ({"downtime_minutes": 5, "extra": 1}, 422, "extra"),
    ],
)
def test_recovery_endpoint_bad_input_is_a_clear_4xx(client, payload, status, message):
    response = client.post("/api/calc/recovery", json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
