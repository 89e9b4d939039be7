"""Grading: multiple choice exactly, figures with units and tolerance, terms, free text by the
model plus key terms; and the grader's accuracy on the labelled answers in eval."""

from __future__ import annotations

import pytest

from assistant.errors import BadRequest
from assistant.settings import Settings
from assistant.study.accuracy import LABELLED, format_grader_accuracy, grader_accuracy, load_labelled
from assistant.study.grading import Thresholds, grade
from assistant.study.items import Item
from assistant.study.numbers import parse_numbers


def item(**fields) -> Item:
    base = dict(
        id="x-1",
        kind="check",
        topic="sla",
        difficulty=2,
        prompt="?",
        answer="",
        grading="text",
        url="/docs/a#b",
        source="a",
        section="B",
        title="A",
    )
    return Item(**{**base, **fields})


CHOICE = item(kind="choice", grading="choice", answer="Earn-back", options=["Bonus", "Earn-back", "Malus", "Cap"])


@pytest.mark.parametrize(
    "answer, result",
    [("Earn-back", "correct"), ("earn-back ", "correct"), ("2", "correct"), ("Malus", "incorrect"), ("1", "incorrect")],
)
def test_multiple_choice_is_exact(answer, result):
    assert grade(CHOICE, answer).result == result


@pytest.mark.parametrize("answer", ["5", "Earn back", "", "0"])
def test_a_choice_answer_that_names_no_option_is_refused(answer):
    with pytest.raises(BadRequest, match="one of its options"):
        grade(CHOICE, answer)


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("24,000", 24_000, ""),
        ("£24k", 24_000, "money"),
        ("43.2 minutes", 43.2, "min"),
        ("0.72 hours", 43.2, "min"),
        ("7 h 12 min", 432, "min"),
        ("99,9 %", 99.9, "%"),
        ("1.5m", 1_500_000, ""),
        ("60,000,000 euros", 6e7, "money"),
        ("About 1.3 years", 15.6, "month"),
        ("−100,000", -100_000, ""),
    ],
)
def test_numbers_are_read_with_their_units(text, value, unit):
    number = parse_numbers(text)[0]
    assert number.value == pytest.approx(value) and number.unit == unit


DOWNTIME = item(
    kind="calculation",
    grading="number",
    answer="43.20 minutes",
    value=43.2,
    unit="min",
    decimals=2,
    prompt="How many minutes of downtime does 99.9% allow in a 30-day month?",
)
PERCENT = item(
    kind="calculation",
    grading="number",
    answer="99.8001%",
    value=99.8001,
    unit="%",
    decimals=4,
    prompt="What is the availability of the whole, to four decimals?",
)
MONEY = item(kind="calculation", grading="number", answer="226,667", value=226_667, unit="", decimals=0)


@pytest.mark.parametrize(
    "target, answer, result",
    [
        (DOWNTIME, "43.2", "correct"),
        (DOWNTIME, "43.20 min", "correct"),
        (DOWNTIME, "0.72 hours", "correct"),
        (DOWNTIME, "43 min 12 s", "correct"),
        (DOWNTIME, "(1 − 0.999) × 43,200 = 43.2 minutes", "correct"),
        (DOWNTIME, "4.32 minutes", "incorrect"),
        (DOWNTIME, "43.2%", "incorrect"),
        (DOWNTIME, "about forty", "incorrect"),
        (PERCENT, "99.8001 %", "correct"),
        (PERCENT, "99.80%", "partly"),
        (PERCENT, "99.9%", "incorrect"),
        (PERCENT, "99.8001 minutes", "incorrect"),
        (MONEY, "226,667", "correct"),
        (MONEY, "226,700", "correct"),
        (MONEY, "227k", "partly"),
        (MONEY, "£226,667", "correct"),
        (MONEY, "200,000 + 26,667 = 226,667", "correct"),
        (MONEY, "226,667 or 240,000", "partly"),
        (MONEY, "240,000, not 226,667", "partly"),
        (MONEY, "250,000", "incorrect"),
    ],
)
def test_figures_are_graded_with_units_and_tolerance(target, answer, result):
    assert grade(target, answer).result == result, grade(target, answer).why


TERM = item(
    kind="flashcard",
    grading="term",
    answer="Recovery point objective (RPO)",
    aliases=["Recovery point objective", "RPO"],
    id="term-1",
)
EXPANSION = item(
    kind="flashcard", grading="term", answer="Net Promoter Score", aliases=["Net Promoter Score"], id="acr-1"
)


@pytest.mark.parametrize(
    "target, answer, result",
    [
        (TERM, "RPO", "correct"),
        (TERM, "recovery point objectives", "correct"),
        (TERM, "Recovery time objective", "incorrect"),
        (TERM, "recovery point", "partly"),
        (EXPANSION, "net promoter score", "correct"),
        (EXPANSION, "Net performance score", "partly"),
        (EXPANSION, "Customer satisfaction", "incorrect"),
    ],
)
def test_terms_are_graded_by_name_or_acronym(target, answer, result):
    assert grade(target, answer).result == result


@pytest.mark.parametrize("answer", ["", "   ", "I don't know", "idk", "no idea"])
def test_no_answer_is_not_yet_and_shows_the_model_answer(answer):
    assert grade(DOWNTIME, answer).result == "incorrect"


WHY_POOL = item(
    prompt="Why is the allocation pool larger than 100%?",
    answer="So the client can weight several service levels heavily within the at-risk cap.",
)
IS_ISO = item(
    prompt="Can a provider be certified to ISO 37500?",
    answer="No; ISO 37500:2014 is a guidance standard with no certification scheme.",
)


@pytest.mark.parametrize(
    "target, answer, result",
    [
        (
            WHY_POOL,
            "It lets the client put heavy weights on several service levels while the at-risk cap still "
            "limits the total.",
            "correct",
        ),
        (WHY_POOL, "So the at-risk cap still limits the total.", "partly"),
        (WHY_POOL, "It is more flexible for the client.", "partly"),
        (WHY_POOL, "Because the supplier pays double credits for critical failures.", "incorrect"),
        (WHY_POOL, "TUPE moves staff to the new employer.", "incorrect"),
        (IS_ISO, "No, ISO 37500 is guidance only, there is no certification scheme.", "correct"),
        (IS_ISO, "No.", "partly"),
        (IS_ISO, "Yes, certification bodies certify providers against it.", "incorrect"),
    ],
)
def test_free_text_is_graded_by_meaning_and_key_terms(embedder, target, answer, result):
    graded = grade(target, answer, embedder)
    assert graded.result == result, (graded.why, graded.score)
    assert graded.why


def test_free_text_needs_the_model():
    with pytest.raises(ValueError):
        grade(WHY_POOL, "anything")


def test_the_labelled_set_is_large_and_balanced():
    records = load_labelled(Settings().eval_dir / LABELLED)
    text = [r for r in records if r["grading"] == "text"]
    assert len(text) >= 150
    assert {r["type"] for r in text} == {"right", "partly", "wrong", "off_topic"}
    assert all(r["label"] in ("correct", "partly", "incorrect") for r in records)
    assert min(sum(r["type"] == t for r in text) for t in ("right", "partly", "wrong", "off_topic")) >= 30


@pytest.mark.slow
def test_the_grader_agrees_with_the_labels(embedder):
    report = grader_accuracy(embedder, Settings().eval_dir / LABELLED)
    assert report["accuracy"] >= 0.85 and report["free_text_accuracy"] >= 0.85, report
    assert report["holdout_accuracy"] >= 0.8 and report["by_type"]["off_topic"] >= 0.95
    assert "study grader: accuracy" in format_grader_accuracy(report)


@pytest.mark.slow
def test_calibration_finds_the_shipped_thresholds(embedder):
    report = grader_accuracy(embedder, Settings().eval_dir / LABELLED, calibrating=True)
    shipped = Thresholds()
    assert report["calibrated"] == {
        "correct": shipped.correct,
        "partly": shipped.partly,
        "cosine_weight": shipped.cosine_weight,
        "recall_weight": shipped.recall_weight,
    }
    assert report["cross_validated"] >= 0.8
