"""The Erlang C staffing article: its worked example recomputed from the formula."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

ARTICLE = Path(__file__).resolve().parent.parent / "corpus" / "use-cases" / "service-desk-staffing-erlang-c.md"

CALLS_PER_HOUR = 100
AHT_SECONDS = 360  # 6 minutes
TARGET_SECONDS = 20
SHRINKAGE = 0.35


def erlang_c(agents: int, erlangs: float) -> float:
    """Probability that a call waits, for `agents` agents carrying `erlangs` of traffic."""
    top = erlangs**agents / math.factorial(agents) * agents / (agents - erlangs)
    below = sum(erlangs**k / math.factorial(k) for k in range(agents))
    return top / (below + top)


def service_level(agents: int, erlangs: float, target: float, aht: float) -> float:
    return 1 - erlang_c(agents, erlangs) * math.exp(-(agents - erlangs) * target / aht)


def asa(agents: int, erlangs: float, aht: float) -> float:
    return erlang_c(agents, erlangs) * aht / (agents - erlangs)


@pytest.fixture(scope="module")
def text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def erlangs() -> float:
    return CALLS_PER_HOUR * AHT_SECONDS / 3600


def test_traffic_intensity_is_stated(text, erlangs):
    assert erlangs == pytest.approx(10)
    assert "100 × 0.1 = 10 Erlangs" in text


def test_the_table_matches_the_formula(text, erlangs):
    rows = re.findall(r"^\| (\d+) \| (0\.\d{4}) \| (\d+\.\d)% \| (\d+\.\d) \| (\d+\.\d)% \|$", text, re.MULTILINE)
    assert [int(r[0]) for r in rows] == [11, 12, 13, 14]
    for agents, p_wait, level, speed, occupancy in rows:
        n = int(agents)
        assert f"{erlang_c(n, erlangs):.4f}" == p_wait
        assert f"{service_level(n, erlangs, TARGET_SECONDS, AHT_SECONDS) * 100:.1f}" == level
        assert f"{asa(n, erlangs, AHT_SECONDS):.1f}" == speed
        assert f"{erlangs / n * 100:.1f}" == occupancy


# Figures the article's text states, each recomputed here from the formula.
STATED = {
    "P(wait) is 12,526.1 ÷ 27,873.6 = 0.4494": round(erlang_c(12, 10), 4) == 0.4494,
    "which is 59.8%": f"{service_level(12, 10, 20, 360) * 100:.1f}" == "59.8",
    "ASA is 0.4494 × 360 ÷ 2 = 80.9 seconds": f"{asa(12, 10, 360):.1f}" == "80.9",
    "or 75.9%": f"{service_level(13, 10, 20, 360) * 100:.1f}" == "75.9",
    "or 86.1%": f"{service_level(14, 10, 20, 360) * 100:.1f}" == "86.1",
    "e to the power −0.1111 is 0.8948": f"{math.exp(-2 * 20 / 360):.4f}" == "0.8948",
    "1 − 0.2853 × 0.8465": f"{math.exp(-3 * 20 / 360):.4f}" == "0.8465",
    "1 − 0.1741 × 0.8007": f"{math.exp(-4 * 20 / 360):.4f}" == "0.8007",
    "is 2,087.68": f"{10**12 / math.factorial(12):,.2f}" == "2,087.68",
    "for k from 0 to 11 is 15,347.5": f"{sum(10**k / math.factorial(k) for k in range(12)):,.1f}" == "15,347.5",
}


@pytest.mark.parametrize("phrase", sorted(STATED))
def test_stated_figure_is_in_the_article_and_correct(text, phrase):
    assert phrase in text
    assert STATED[phrase]


def test_fourteen_agents_is_the_smallest_staffing_for_80_20(text, erlangs):
    needed = next(n for n in range(11, 40) if service_level(n, erlangs, TARGET_SECONDS, AHT_SECONDS) >= 0.8)
    assert needed == 14
    assert "14 agents is the smallest number that meets 80/20" in text


def test_pooling_example(text):
    def needed(a: float) -> int:
        return next(n for n in range(int(a) + 1, 200) if service_level(n, a, TARGET_SECONDS, AHT_SECONDS) >= 0.8)

    assert (needed(5), needed(10), needed(40)) == (8, 14, 46)
    assert "5 Erlangs needs 8 agents" in text and "40 Erlangs, the requirement is 46 agents" in text


def test_shrinkage_roster(text):
    assert math.ceil(14 / (1 - SHRINKAGE)) == 22
    assert "14 ÷ (1 − 0.35) = 21.5 agents, rounded up to 22" in text
