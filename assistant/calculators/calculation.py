"""The chat's answer to a calculation question: figures with working, formula, table and citation."""

from __future__ import annotations

from dataclasses import dataclass

from .base import (
    AT_RISK,
    ATTAINMENT,
    AVAILABILITY_FORMULA,
    BLENDED,
    COMPOSITE,
    DOWNTIME_TABLE,
    EARN_BACK,
    INDEXATION,
    RECOVERY,
    SAVINGS,
    TIERED,
    TM_CAP,
    UNIT_PRICE,
    Source,
)
from .blended import BlendedRate


@dataclass
class Calculation:
    kind: str  # a key of KINDS: "downtime", "service_credit", "tm_cap", "indexation", …
    result: list[str]  # sentences stating the computed figures, with the working
    formula: str  # one sentence giving the formula
    table: dict | None  # {"header": [...], "rows": [[...], ...]} or None
    doc_id: str  # the article that explains it
    anchor: str  # its section anchor
    missing: str | None = None  # the question to ask when a needed number is absent; result is then []


# Each kind's article section and formula, for the questions asked before anything is computed.
KINDS: dict[str, tuple[Source, str]] = {
    "downtime": (DOWNTIME_TABLE, "Downtime allowed = period minutes × (100% − availability)."),
    "availability": (
        AVAILABILITY_FORMULA,
        "Availability % = (agreed service time − downtime) ÷ agreed service time × 100.",
    ),
    "composite": (
        COMPOSITE,
        "Composite availability: in series A = a₁ × a₂ × …; in parallel A = 1 − (1 − a₁) × (1 − a₂) × ….",
    ),
    "service_credit": (
        AT_RISK,
        "Credit paid = min(sum of the credits, at-risk amount), where at-risk amount = at-risk % × monthly charges.",
    ),
    "earn_back": (
        EARN_BACK,
        "Earned back = earn-back % × credit, if the service level is met in each required following month.",
    ),
    "attainment": (ATTAINMENT, "Attainment % = tickets within target ÷ all tickets measured × 100."),
    "tm_cap": (
        TM_CAP,
        "T&M charge = people × days × day rate; under a hard cap you pay min(charge, cap), under a soft cap "
        "the excess is payable only if you approve it.",
    ),
    "unit_pricing": (UNIT_PRICE, "Each option's charge equals price × volume."),
    "blended_rate": (BLENDED, BlendedRate.formula),
    "tiered_pricing": (
        TIERED,
        "Graduated tiers: charge = the sum of each band's units × its price; all-units tiers: the whole volume × "
        "the price of the band it falls in.",
    ),
    "indexation": (
        INDEXATION,
        "Each year's uplift = the index change, no more than the cap and no less than the floor, compounded.",
    ),
    "recovery": (
        RECOVERY,
        "Data loss = failure time − last recoverable copy, against the RPO; downtime = restore time − failure time, "
        "against the RTO (its clock taken from the failure time as given).",
    ),
    "business_case": (
        SAVINGS,
        "Recurring saving = current in-house cost − (vendor charge + retained organisation cost); "
        "payback = one-off costs ÷ annual saving.",
    ),
}


def answer(kind: str, result, sentences: list[str] | None = None, table: dict | None = None) -> Calculation:
    """A computed answer from a calculator result (its sentences unless others are given)."""
    source = result.source
    return Calculation(
        kind,
        sentences if sentences is not None else result.sentences(),
        result.formula,
        table,
        source.doc_id,
        source.anchor,
    )


def ask(kind: str, *needs: str, question: str | None = None) -> Calculation:
    """A Calculation that asks for the figures it lacks (`needs` are noun phrases) or asks `question`."""
    needs = [n for n in needs if n]
    if question is None:
        question = f"What {'are' if len(needs) > 1 else 'is'} {join(needs)}?"
    source, formula = KINDS[kind]
    return Calculation(kind, [], formula, None, source.doc_id, source.anchor, missing=question)


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
