"""Recognise a calculation question in the chat and answer it exactly with the calculators.

`calculate(question)` returns None unless the question clearly asks for one of the calculations
(downtime, availability, composite, service credit, earn-back, attainment, recovery targets, capped
T&M, blended rates, tiered and unit pricing, indexation, business case). When a figure the calculation needs is
absent, the Calculation carries the question to ask instead of a guess.
"""

from __future__ import annotations

from ..errors import BadRequest
from .calculation import Calculation, ask
from .read_availability import availability, composite_availability, downtime
from .read_business_case import business_case_question
from .read_credits import attainment_question, credits, earn_back_question
from .read_pricing import blended_rate_question, indexation_question, tm_cap_question, unit_pricing_question
from .read_recovery import recovery_question
from .read_tiered import tiered_question
from .text import Text, asks, has_figures

__all__ = ["Calculation", "calculate", "has_figures"]

# Tried in this order; the first that recognises the question answers it.
READERS = (
    ("earn_back", earn_back_question),
    ("service_credit", credits),
    ("attainment", attainment_question),
    ("recovery", recovery_question),  # before composite and availability: "failed over", "down for 9 hours"
    ("composite", composite_availability),
    ("availability", availability),
    ("downtime", downtime),
    ("blended_rate", blended_rate_question),  # before capped T&M: a T&M team's rates blended is not a cap
    ("tm_cap", tm_cap_question),
    ("tiered_pricing", tiered_question),
    ("unit_pricing", unit_pricing_question),
    ("indexation", indexation_question),
    ("business_case", business_case_question),
)
# Asking for wording or negotiation advice is not a calculation, even with figures in it.
CLAUSE_WORDS = r"\bwording\b|\bclause\b|\bdraft\b|\bsample\b|\btemplate\b|\bnegotiat|\bshould we (?:agree|accept)\b"


def calculate(question: str) -> Calculation | None:
    """The exact answer to a calculation question, the figure to ask for, or None if it is not one."""
    if not isinstance(question, str) or not question.strip():
        return None
    question = question[:2000]
    text = Text(question)
    if text.has(CLAUSE_WORDS) and not asks(text):
        return None
    for kind, read in READERS:
        try:
            found = read(text.copy())  # each reader blanks what it takes from its own copy
        except BadRequest as err:  # a figure out of range, e.g. a 35-day month: say so and ask again
            return ask(kind, question=f"{err} What figures should I use?")
        if found is not None:
            return found
    return None
