"""The shipped corpus: valid, large enough, and every computed figure recomputed from its formula."""

from __future__ import annotations

import re

import pytest

from assistant.corpus import load_corpus
from assistant.settings import ROOT

CORPUS = ROOT / "corpus"
NUMBER = r"\d[\d,]*(?:\.\d+)?%?"
OPERATOR = r"\s*(?:×|x|\*|\+|−|-|÷|/)\s*"
# "12% × 50% × 200,000 = 12,000", "1,000,000 x 1.03 gives 1,030,000", "540 ÷ 6 = 90.0%"
CALCULATION = re.compile(
    rf"(?<![\w.,/])((?:\(?{NUMBER}\)?{OPERATOR})+\(?{NUMBER}\)?)"
    rf"\s*(?:=|gives|is|equals|comes to|makes|→)\s*({NUMBER})"
)


@pytest.fixture(scope="module")
def articles():
    return load_corpus(CORPUS)


def _value(token: str) -> float:
    token = token.replace(",", "")
    return float(token[:-1]) / 100 if token.endswith("%") else float(token)


def _close(computed: float, stated: str) -> bool:
    """Equal up to the rounding of the stated figure (or 0.6% for rounded money amounts)."""
    decimals = len(stated.rstrip("%").split(".")[1]) if "." in stated else 0
    unit = 10**-decimals / (100 if stated.endswith("%") else 1)
    return abs(computed - _value(stated)) <= max(unit / 2 + 1e-12, 0.006 * abs(_value(stated)))


def test_corpus_meets_the_size_bars(articles):
    prose = [a for a in articles if a.topic != "glossary"]
    assert len(prose) >= 150
    assert sum(a.words for a in prose) >= 180_000
    assert min(a.words for a in prose) >= 350
    glossary_terms = sum(len(re.findall(r"^## ", a.body, re.MULTILINE)) for a in articles if a.topic == "glossary")
    assert glossary_terms >= 420


def test_every_worked_calculation_is_right(articles):
    checked, wrong = 0, []
    for article in articles:
        for match in CALCULATION.finditer(article.body):
            expression, stated = match.groups()
            python = re.sub(NUMBER, lambda m: repr(_value(m.group())), expression)
            for symbol, op in (("×", "*"), ("x", "*"), ("−", "-"), ("÷", "/")):
                python = python.replace(symbol, op)
            computed = eval(python, {"__builtins__": {}})  # numbers and operators only
            # A percentage from plain numbers: "540 ÷ 6 = 90.0%" (points) or "0.999 × 0.999 = 99.8001%".
            readings = [computed]
            if stated.endswith("%") and "%" not in expression:
                readings.append(computed / 100)
            checked += 1
            if not any(_close(reading, stated) for reading in readings):
                wrong.append(f"{article.id}: {match.group(0)} (computes to {computed:g})")
    assert checked >= 50, "the worked examples should be found"
    assert wrong == []


def _minutes(text: str) -> float:
    """'3 days 15 h 36 min', '43 min 12 s', '25.9 s' -> minutes."""
    units = {"day": 1440, "days": 1440, "h": 60, "min": 1, "s": 1 / 60}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)\s*(days?|h|min|s)\b", text))


def test_availability_table_matches_the_formula(articles):
    article = next(a for a in articles if a.id == "availability-and-uptime")
    rows = re.findall(r"^\| (\d+(?:\.\d+)?)% \| ([^|]+) \| ([^|]+) \|$", article.body, re.MULTILINE)
    assert [r[0] for r in rows] == ["99", "99.5", "99.9", "99.95", "99.99", "99.999"]
    for availability, month, year in rows:
        down = 1 - float(availability) / 100
        for cell, period in ((month, 30 * 24 * 60), (year, 365 * 24 * 60)):
            minutes, readable = re.match(r"([\d,.]+) min \((.+)\)", cell.strip()).groups()
            assert float(minutes.replace(",", "")) == pytest.approx(down * period, abs=0.005)
            assert _minutes(readable) == pytest.approx(down * period, abs=0.51)  # rounded to the unit


def test_service_credit_tiers_match_their_percentages(articles):
    article = next(a for a in articles if a.id == "service-credits")
    rows = re.findall(r"^\| [^|]+ \| (\d+)% \| ([\d,]+) \|$", article.body, re.MULTILINE)
    assert len(rows) >= 3
    for percent, credit in rows:
        assert int(percent) / 100 * 200_000 == pytest.approx(float(credit.replace(",", "")))
