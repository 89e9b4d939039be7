"""Numbers with units in answers: '24,000', '£24k', '43.2 minutes', '7 h 12 min', '99,9 %', '1.5m'.

Values are kept in a base unit per kind: minutes for durations up to weeks, months for months and
years, percentage points for '%', plain numbers for money and counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "secs": 1 / 60,
    "second": 1 / 60,
    "seconds": 1 / 60,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "day": 1440,
    "days": 1440,
    "week": 10080,
    "weeks": 10080,
}
_MONTHS = {"month": 1, "months": 1, "year": 12, "years": 12}
_MONEY = {"eur", "euro", "euros", "gbp", "pound", "pounds", "usd", "dollar", "dollars", "inr", "rupee", "rupees"}
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "lakh": 1e5,
    "crore": 1e7,
}
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<sign>[−-])?(?P<cur>[£$€])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
    r"(?:\s?(?P<pct>%|per ?cent\b|percent\b))?"
    r"(?:\s?(?P<word>[A-Za-z]+)\b)?"
)


@dataclass(frozen=True)
class Number:
    value: float  # in the base unit of its kind
    unit: str  # "%", "min", "month", "money" or "" (a count, or money without a currency)
    decimals: int  # decimals as written
    scale: float = 1.0  # base units per written unit (60 for hours): the rounding step in base units
    start: int = 0
    end: int = 0


def _parse(match: re.Match, time_hint: bool) -> Number:
    raw = match["num"]
    if re.fullmatch(r"\d+,\d{1,2}|\d+,\d{4,}", raw):
        raw = raw.replace(",", ".")  # a decimal comma: "99,9"
    raw = raw.replace(",", "")
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw) * (-1 if match["sign"] else 1)
    word = (match["word"] or "").lower()
    unit, scale, end = "", 1.0, match.end()
    if match["pct"]:
        unit = "%"
        end = match.end("pct")
    elif word in _TIME and not (word == "m" and not time_hint):
        unit, scale = "min", _TIME[word]
    elif word == "m" and time_hint:
        unit = "min"
    elif word in _MONTHS:
        unit, scale = "month", _MONTHS[word]
    elif word in _SCALE:
        scale = _SCALE[word]
        unit = "money" if match["cur"] else ""
    elif word in _MONEY or match["cur"]:
        unit = "money"
        if word not in _MONEY:
            end = match.end("num")
    else:
        end = match.end("num")
    return Number(value * scale, unit, decimals, scale, match.start(), end)


def parse_numbers(text: str, time_hint: bool = False) -> list[Number]:
    """Every number in a text with its unit; '7 h 12 min' becomes one duration (432 minutes).

    `time_hint`: a bare 'm' after a number means minutes (else million).
    """
    found: list[Number] = []
    for match in _NUMBER.finditer(text):
        number = _parse(match, time_hint)
        if (
            found
            and number.unit == found[-1].unit
            and number.unit in ("min", "month")
            and re.fullmatch(r"\s*(and|,)?\s*", text[found[-1].end : number.start])
        ):
            last = found.pop()  # "3 days 15 h 36 min": one duration
            number = Number(
                last.value + number.value, number.unit, number.decimals, number.scale, last.start, number.end
            )
        found.append(number)
    return found


def first_number(text: str) -> Number | None:
    numbers = parse_numbers(text)
    return numbers[0] if numbers else None


def compatible(expected: str, given: str) -> bool:
    """Units that can be compared: the same, or one of them left unstated."""
    return expected == given or "" in (expected, given) or {expected, given} == {"money", ""}


def format_number(value: float, decimals: int = 0, unit: str = "") -> str:
    """'24,000', '43.20 minutes', '99.958%' (thousands separators as the corpus writes them)."""
    text = f"{value:,.{decimals}f}"
    return {"%": f"{text}%", "min": f"{text} minutes", "month": f"{text} months"}.get(unit, text)
