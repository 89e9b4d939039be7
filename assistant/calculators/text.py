"""Figures in a chat question: percentages, amounts, durations, periods and counts, consumed as read.

A `Text` holds the normalised question and blanks each span it reads, so one figure is never read
twice (the 30 of "a 30-day month" is not also 30 minutes of downtime).
"""

from __future__ import annotations

import re
from decimal import Decimal

from .base import Period, period

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
PCT = rf"(?<![\w.,])(?:{NUM})\s*%"
AMT = rf"(?<![\w.,])(?:{NUM})(?:\s?(?:k|m|mn|thousand|million)\b)?(?![\d.,]*\s*%)"
SEP = r"\s*(?:,|and|&|\+|plus)\s*"
UNITS = {"m": 1, "min": 1, "minute": 1, "h": 60, "hr": 60, "hour": 60, "day": 1440}  # minutes; seconds / 60
DURATION = re.compile(rf"((?:{NUM})(?:{SEP}(?:{NUM}))*)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?)\b")
WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
NINES = [
    ("three and a half nines", "99.95%"),
    ("two nines", "99%"),
    ("three nines", "99.9%"),
    ("four nines", "99.99%"),
    ("five nines", "99.999%"),
    ("six nines", "99.9999%"),
]
MONTHS = {
    "january": 31,
    "february": 28,
    "march": 31,
    "april": 30,
    "may": 31,
    "june": 30,
    "july": 31,
    "august": 31,
    "september": 30,
    "october": 31,
    "november": 30,
    "december": 31,
}
ADVERBS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "annual": "year",
    "annually": "year",
    "yearly": "year",
    "per annum": "year",
}


def value(figure: str) -> Decimal:
    """'200,000' → 200000, '200k' → 200000, '1.2m' → 1200000, '12%' → 12."""
    match = re.match(rf"({NUM})\s*(k|m|mn|thousand|million)?", figure.strip())
    number = Decimal(match.group(1).replace(",", ""))
    scale = {"k": 1000, "thousand": 1000, "m": 10**6, "mn": 10**6, "million": 10**6}.get(match.group(2) or "", 1)
    return number * scale


def figures(span: str, pattern: str = NUM) -> list[Decimal]:
    return [value(m.group(0)) for m in re.finditer(pattern, span)]


_FIGURE = re.compile(r"\d|\b(" + "|".join(WORDS) + r"|nines)\b", re.IGNORECASE)


def has_figures(question: str) -> bool:
    """Whether a question holds a figure, in digits or in words ("four nines"), without normalising it."""
    return _FIGURE.search(question) is not None


def normalise(question: str) -> str:
    text = " ".join(question.lower().replace("\u00a0", " ").split())
    text = re.sub(r"[–—−]", "-", text)
    text = re.sub(r"\s*(?:per ?cent|percent|pct)\b", "%", text)
    text = re.sub(r"[$£€]\s?|\b(?:eur|gbp|usd|chf)\s?(?=\d)", "", text)
    for phrase, level in NINES:
        text = text.replace(phrase, level)
    text = re.sub(r"\b(" + "|".join(WORDS) + r")\b", lambda m: str(WORDS[m.group(1)]), text)
    return re.sub(r"(\d)-(hours?|minutes?|mins?|days?|weeks?|months?)\b", r"\1 \2", text)


class Text:
    """The question being read; `take` returns matches of a pattern and blanks them."""

    def __init__(self, question: str):
        self.text = normalise(question)

    def copy(self) -> Text:
        twin = Text("")
        twin.text = self.text
        return twin

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text) is not None

    def take(self, pattern: str, first: bool = False) -> list[re.Match]:
        found = list(re.finditer(pattern, self.text))[: 1 if first else None]
        for match in found:
            self.text = self.text[: match.start()] + " " * (match.end() - match.start()) + self.text[match.end() :]
        return found

    def percents(self) -> list[Decimal]:
        return [value(m.group(0)) for m in self.take(PCT)]

    def period(self) -> tuple[Period | None, bool]:
        """The measurement period named in the question, and whether its length was stated."""
        found = self.take(r"\b(\d{2,3}) ?days? (month|quarter|year)\b", first=True)
        if found:
            return period(found[0].group(2), int(found[0].group(1))), True
        found = self.take(r"\b(" + "|".join(MONTHS) + r")\b(?: (\d{4}))?", first=True)
        if found:
            days = MONTHS[found[0].group(1)]
            year = found[0].group(2)
            if found[0].group(1) == "february" and (self.has(r"\bleap\b") or (year and _leap(int(year)))):
                days = 29
            return Period("month", days), True
        if self.take(r"\bleap[- ]?year\b", first=True):
            return Period("year", 366), True
        found = self.take(
            r"\b(?:per|a|an|each|every|one|1|in a|over a|for a|the|this|last|that|calendar|"
            r"full|whole|single)\s+(?:calendar\s+)?(day|week|month|quarter|year)\b",
            first=True,
        )
        found = found or self.take(r"\b(" + "|".join(ADVERBS) + r")\b", first=True)
        if found:
            word = found[0].group(1)
            return period(ADVERBS.get(word, word)), False
        return None, False

    def durations(self, near: str | None = None) -> list[Decimal]:
        """Durations in minutes ('1 hour and 20 minutes', '30 and 20 minutes'); only those touching
        the words `near` (e.g. maintenance) when given."""
        if near:
            spans = self.take(
                rf"(?:{DURATION.pattern})\s*(?:of\s+)?(?:\w+\s+)?(?:{near})|"
                rf"(?:{near})(?:\s+window)?(?:\s+(?:of|is|=|:|for))?\s*(?:{DURATION.pattern})"
            )
            return [sum(self._minutes(m) for m in DURATION.finditer(s.group(0))) for s in spans]
        return [self._minutes(m) for m in self.take(DURATION.pattern)]

    @staticmethod
    def _minutes(match: re.Match) -> Decimal:
        unit = match.group(2).rstrip("s") or "s"
        total = sum(figures(match.group(1)), Decimal(0))
        return total / 60 if unit in ("s", "sec", "second") else total * UNITS[unit]


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# A quantity is asked for (not a definition, "how are credits calculated" or "what is typical").
ASKS = (
    r"\bhow (?:much|many|long)\b|\bwhat (?:\w+ ){0,2}(?:do|did|will|would|can|should) (?:we|i|they) "
    r"(?:actually |really )?(?:get|receive|claim|be owed|be paid|pay|owe|hand back|lose|achieve|deliver|hit)\b|"
    r"\bwhat(?:'s| is|s| are| would be| will be)? (?:the |our |my )?(?:paid|payable|owed|due|returned|most|"
    r"max(?:imum)?|total|amount|exposure|result|figure|credits?)\b|"
    r"\bgets? (?:credited|paid|deducted|refunded|returned|taken off)\b|\bwork (?:it |this |that )?out\b|"
    r"\b(?:calculate|compute) (?:the|our|my|what|how|it)\b|\bwhat(?:'s| is|s) (?:the )?(?:availability|uptime|"
    r"percentage|share|attainment|downtime)\b|\bin (?:plain |real )?(?:minutes|hours|seconds)\b"
)
TYPICAL = r"\b(?:usually|typical(?:ly)?|normally|generally|common(?:ly)?|standard|reasonable|good)\b"


def asks(text: Text) -> bool:
    """Whether the question asks for a figure."""
    return text.has(ASKS) and not text.has(TYPICAL)
