"""Read tiered price questions: the bands and their prices, the volume, and whether graduated or all-units."""

from __future__ import annotations

import re
from decimal import Decimal

from .calculation import Calculation, answer, ask
from .read_pricing import UNITS
from .text import AMT, Text, asks, value
from .tiered import tiered_pricing

UNIT = rf"(?:\s*-?\s*(?:{UNITS})\b)?"  # "the first 10,000 tickets", "a 16,200-ticket month"
# Each way of stating a band's limits; tried at each position in this order.
BAND = "|".join(
    f"(?:{pattern})"
    for pattern in (
        rf"(?:\bfrom )?(?P<lo>{AMT})\s*(?:to|-|through)\s*(?P<hi>{AMT}){UNIT}",
        rf"\b(?:the )?first (?P<first>{AMT}){UNIT}",
        rf"\b(?:the )?next (?P<next>{AMT}){UNIT}",
        rf"\b(?:up to|up until|through|no more than|not more than) (?P<upto>{AMT}){UNIT}",
        rf"(?:\b(?:every(?:thing| \w+)|anything|all(?: \w+)?|any \w+) )?\b(?:above|over|beyond|more than|in excess of|"
        rf"exceeding) (?P<above>{AMT}){UNIT}",
        rf"(?P<plus>{AMT})\s*\+{UNIT}",
        r"\b(?P<rest>(?:everything|anything|all|any)(?: (?:else|more))? (?:above|over|beyond)(?: that)?|the rest|"
        r"thereafter|beyond that|above that|(?:above|over|beyond)(?=\s*(?:[.,;?!]|$|and\b|then\b)))",
    )
)
TIER_WORDS = r"\btier(?:s|ed)?\b|\bband(?:s|ed)?\b|\bvolume discounts?\b|\bincremental\b|\bgraduated\b|\ball[- ]units\b"
GRADUATED = (
    r"\bincremental(?:ly)?\b|\bgraduated\b|\bmarginal\b|\bprogressive\b|\beach (?:band|tier)(?:'s)? (?:own )?"
    r"(?:price|rate)\b|\bonly (?:to )?the \w+ (?:in|within) (?:each|its|that|the) (?:band|tier)\b"
)
ALL_UNITS = (
    rf"\ball[- ]units?\b|\bfor all (?:the |our )?(?:{UNITS})\b|\b(?:whole|entire) volume\b|\bvolume[- ]pric\w+|"
    r"\bretroactive\w*|\ball (?:\w+ )?(?:are|is) (?:then )?(?:charged|priced|billed) at\b"
)
# Resource units, benchmarks and SLA credit tables have bands of their own; they are not tiered prices.
OTHER = (
    r"\barcs?\b|\brrcs?\b|\bdead ?band\b|\bbaseline\b|\bbenchmark\w*|\btolerance\b|\bat[- ]risk\b|"
    r"\bservice credits?\b|\bavailability\b|\buptime\b"
)
BILL = r"\b(?:what|how much)\b[^.?!]{0,80}\b(?:bill|invoice|charged?|costs?|pay|owe|total|price)\b|\bcalculate\b"
VOLUME_LIKE = rf"\s*-?\s*(?:{UNITS})\b"  # an amount followed by what is counted is a volume, not a price
NOT_A_FIGURE = r"\s*(?:months?|years?|days?|weeks?|hours?|%|tiers?|bands?)\b"


def tiered_question(text: Text) -> Calculation | None:
    """'12 each for the first 5,000, 10 for the next 5,000 and 8 above 10,000; we had 13,200. The bill?'"""
    if text.has(OTHER) or not (asks(text) or text.has(BILL)):
        return None
    unit = next((_singular(m.group(0)) for m in re.finditer(rf"\b(?:{UNITS})\b", text.text)), "unit")
    scheme = _scheme(text)
    found = text.take(BAND)
    bands = _limits(found)
    closed = any(m.group("first") or m.group("next") or m.group("upto") or m.group("hi") for m in found)
    if len(bands) < 2 or not (text.has(TIER_WORDS) or (closed and bands[-1][0] is None)):
        return None
    prices = _prices(text, found)
    if prices is None:
        return ask("tiered_pricing", "the unit price in each band")
    taken = {m.start() for m in prices}
    volumes = [m for m in re.finditer(AMT, text.text) if m.start() not in taken and _figure(text.text, m)]
    volumes.sort(key=lambda m: not _volume(text.text, m))  # "13,200 tickets" before a bare figure
    if not volumes:
        return ask("tiered_pricing", f"the volume to price (how many {unit}s)")
    priced = [(up_to, value(m.group(0)), start) for (up_to, start), m in zip(bands, prices)]
    result = tiered_pricing(priced, value(volumes[0].group(0)), scheme, unit)
    return answer("tiered_pricing", result, table=result.table())


def _limits(found: list[re.Match]) -> list[tuple[Decimal | None, Decimal | None]]:
    """Each band as (its last unit or None when open, its first unit or lower edge when stated)."""
    bands, ceiling = [], Decimal(0)
    for m in found:
        if m.group("hi"):
            band = (value(m.group("hi")), value(m.group("lo")))
        elif m.group("first") or m.group("upto"):
            band = (value(m.group("first") or m.group("upto")), None)
        elif m.group("next"):
            band = (ceiling + value(m.group("next")), None)
        else:
            edge = m.group("above") or m.group("plus")
            band = (None, value(edge) if edge else None)
        bands.append(band)
        ceiling = band[0] if band[0] is not None else ceiling
    return bands


def _prices(text: Text, found: list[re.Match]) -> list[re.Match] | None:
    """One price per band: said before each band ('12 for the first 5,000') or after it ('first 5,000 at 12')."""
    edges = [0] + [e for m in found for e in (m.start(), m.end())] + [len(text.text)]
    gaps = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]  # before, between and after the bands
    amounts = [m for m in re.finditer(AMT, text.text) if _figure(text.text, m) and not _volume(text.text, m)]

    def within(gap: tuple[int, int]) -> list[re.Match]:
        return [m for m in amounts if gap[0] <= m.start() and m.end() <= gap[1]]

    before = [within(gap)[-1:] for gap in gaps[:-1]]
    after = [within(gap)[:1] for gap in gaps[1:]]
    said_after = re.match(
        rf"\s*,?\s*(?:at|@|costs?|costing|:|=|priced at|billed at|charged at)\s*{AMT}", text.text[found[0].end() :]
    )
    if all(after) and (said_after or not all(before)):
        return [m[0] for m in after]
    return [m[0] for m in before] if all(before) else None


def _figure(text: str, m: re.Match) -> bool:
    """Whether an amount is a count or a price, not a span of time or a percentage."""
    return re.match(NOT_A_FIGURE, text[m.end() :]) is None


def _volume(text: str, m: re.Match) -> bool:
    return re.match(VOLUME_LIKE, text[m.end() :]) is not None


def _scheme(text: Text) -> str | None:
    """'graduated' or 'all_units' when the question says which (both named: graduated first), else None."""
    if text.has(GRADUATED):
        return "graduated"
    return "all_units" if text.has(ALL_UNITS) else None


def _singular(unit: str) -> str:
    return unit[:-2] if unit.endswith("xes") else unit[:-1] if unit.endswith("s") else unit
