"""Read money and ticket questions: service credits under the cap, earn-back, targets met."""

from __future__ import annotations

import re
from decimal import Decimal

from .base import AT_RISK, fmt
from .calculation import Calculation, answer, ask
from .credits import attainment, earn_back, service_credits
from .text import AMT, NUM, PCT, SEP, Text, asks, figures, value


def _take_values(text: Text, pattern: str, first: bool = False, kind: str = PCT) -> list[Decimal]:
    """Every figure of type `kind` inside each match of `pattern` (which is consumed)."""
    return [v for m in text.take(pattern, first) for v in figures(m.group(0), kind)]


def _credit_figures(text: Text) -> tuple[list, list, list, list, list, list, list]:
    """The figures a credits question gives: pool, allocations, at-risk percentage and amount,
    monthly charges, and the credits as percentages of the charges and as amounts."""
    pool = _take_values(text, rf"pool(?:\s+(?:of|is|=|at))?\s*:?\s*{PCT}|{PCT}\s*(?:allocation\s+)?pool", True)
    allocations = _take_values(
        text,
        rf"{PCT}\s*(?:allocation|of the pool)|allocations?(?:\s+(?:of|is|are))?\s*:?\s*"
        rf"{PCT}(?:{SEP}{PCT})*",
    )
    risk = _take_values(
        text,
        rf"{PCT}\s*(?:of [\w ]{{0,25}}?)?(?:is |are )?at[- ]risk|at[- ]risk(?: amount)?"
        rf"(?:\s+(?:is|of|at|=))?\s*:?\s*{PCT}|\bcap(?:ped)?(?:\s+(?:at|of|is))?\s*{PCT}",
        True,
    )
    risk_amount = _take_values(
        text,
        rf"at[- ]risk amount(?:\s+(?:is|of|at|=))?\s*:?\s*{AMT}|"
        rf"\bcap(?:ped)?(?:\s+(?:at|of|is))?\s*{AMT}",
        True,
        AMT,
    )
    charges = _take_values(
        text,
        rf"(?<!annual )(?<!yearly )(?:monthly\s+)?(?:service\s+)?(?:charges?|fees?|invoice|"
        rf"bill|spend)(?:\s+(?:of|are|is|were|was|at|totall?ing))?\s*[:=]?\s*{AMT}|"
        rf"{AMT}\s*(?:(?:a|per|each|/)\s*month\b|monthly\b)",
        True,
        AMT,
    )
    item = rf"(?:{PCT}|{AMT})"
    listed = [
        m.group(0)
        for m in text.take(
            rf"credits?(?:\s+(?:of|are|is|were|was|at|totall?ing))?\s*:?\s*{item}(?:{SEP}{item})*|"
            rf"{item}(?:{SEP}{item})*\s*(?:in\s+)?(?:service\s+)?credits?"
        )
    ]
    shares = [v for span in listed for v in figures(span, PCT)]  # credits as % of the charges
    amounts = [v for span in listed for v in figures(span, AMT)]
    return pool, allocations, risk, risk_amount, charges, shares, amounts


def credits(text: Text) -> Calculation | None:
    """'Monthly charges 200,000, 12% at risk, credits 20,000 and 8,000: what is paid?'"""
    if not (text.has(r"\bcredits?\b|\bat[- ]risk\b|\ballocations?\b|\bpool\b") and asks(text)):
        return None
    pool, allocations, risk, risk_amount, charges, shares, amounts = _credit_figures(text)
    levels = [value(m.group(0)) for m in re.finditer(PCT, text.text) if value(m.group(0)) >= 90]
    if levels and not shares:  # a service level achieved, but not the credit the contract gives for it
        achieved = re.search(
            rf"\b(?:managed|achieved|came in at|lands? at|landed at|reached|delivered|was|were|hit)"
            rf"\s+(?:only\s+)?({PCT})",
            text.text,
        )
        level = value(achieved.group(1)) if achieved else min(levels)
        return ask(
            "service_credit",
            question=f"What credit does the contract give for {fmt(level)}% availability "
            f"(a percentage of the monthly charges, or an amount)?",
        )
    if not (pool or allocations or risk or risk_amount or charges or shares or amounts):
        if text.has(r"\bcredits?\b"):
            return ask(
                "service_credit",
                "the monthly charges",
                "the at-risk percentage (the monthly cap on credits)",
                "the service credits that accrued this month (amounts, or percentages of the monthly charges)",
            )
        return None
    uncapped = text.has(r"\bno cap\b|\buncapped\b|\bwithout (?:a |any )?cap\b")
    wants_cap = text.has(r"\bmost\b|\bmaximum\b|\bmax\b|\bexposure\b|\bat[- ]risk amount\b|\bcap\b")
    has_credits, has_cap = bool(shares or amounts or allocations), bool(risk or risk_amount)
    needs = []
    if not charges and (shares or allocations or pool or (risk and not risk_amount)):
        needs.append("the monthly charges")
    if not has_cap and not uncapped:
        needs.append("the at-risk amount (the monthly cap on credits, for example 12% of the charges)")
    if not has_credits and not pool and not (wants_cap and has_cap):
        needs.append("the service credits that accrued this month (amounts, or percentages of the monthly charges)")
    if needs:
        return ask("service_credit", *needs)
    result = service_credits(
        charges[0] if charges else None,
        risk[0] if risk else None,
        amounts,
        shares,
        allocations,
        pool[0] if pool else None,
        risk_amount[0] if risk_amount else None,
    )
    calculation = answer("service_credit", result)
    if not result.credits:  # only the cap was asked for: cite the at-risk section
        calculation.doc_id, calculation.anchor = AT_RISK.doc_id, AT_RISK.anchor
    return calculation


EARN_BACK_WORDS = r"\bearn[- ]?backs?\b|\bearned back\b|\bearns? (?:it|them|the \w+|\w+ credits?) back\b"
MET = r"\bmet (?:it |the (?:\w+ )?(?:target|sla|service level) )?"


def earn_back_question(text: Text) -> Calculation | None:
    """'A 5,000 credit, 50% earned back after three compliant months; they met all three. How much?'"""
    if not (
        text.has(EARN_BACK_WORDS)
        or text.has(r"\bcredits?\b.*\b(?:comes?|is|are|paid|handed|given) back\b")
        and text.has(r"\bmonths?\b")
    ):
        return None
    forfeited = text.has(r"\b(?:critical|chronic) (?:\w+ )?failure") and not text.has(
        r"\b(?:no|without (?:a|any)?) ?(?:critical|chronic)"
    )
    met_all = text.take(
        rf"{MET}(?:in |for |during )?(?:each of |all of |every one of )?the "
        rf"(?:next|following|subsequent) (\d+) months",
        True,
    )
    met_of = text.take(rf"{MET}(?:in |for )?(\d+|all|each|every)(?: of (?:the |them|those)?\s*(\d+)?)?", True)
    missed = text.take(r"\bmissed (?:it |the (?:\w+ )?(?:target|sla|service level) )?(?:in )?(\d+)", True)
    months = [
        int(m.group(1))
        for m in text.take(
            r"(\d+) (?:following |consecutive |subsequent |next |further )?"
            r"months?\b",
            True,
        )
    ]
    months = months or ([3] if text.has(r"\bfollowing quarter\b|\bnext quarter\b") else [])
    required = int(met_all[0].group(1)) if met_all else (months[0] if months else None)
    if met_of and met_of[0].group(2):
        required = int(met_of[0].group(2))
    met = required if met_all or text.has(r"\band (?:they|it|the supplier|the vendor) (?:did|does|met it)\b") else None
    if met_of:
        met = required if met_of[0].group(1) in ("all", "each", "every") else int(met_of[0].group(1))
    if missed and required:
        met = required - int(missed[0].group(1))
    share = [value(m.group(0)) for m in text.take(PCT, first=True)]
    share = share or (
        [Decimal(50)]
        if text.has(r"\bhalf\b")
        else [Decimal(100)]
        if text.has(r"\b(?:full|whole|entire|all of the) (?:credit|earn)")
        else []
    )
    credit = _take_values(
        text, rf"{AMT}\s*(?:service\s+)?credit|credit(?:\s+(?:of|was|is|worth|for))?\s*:?\s*{AMT}", True, AMT
    )
    if not (credit or share) and not asks(text):
        return None
    if not credit or not share:
        return ask(
            "earn_back",
            "" if credit else "the service credit that was incurred",
            "" if share else "the share of the credit the earn-back clause returns (for example 50%)",
        )
    if met is not None and required is None:
        return ask(
            "earn_back", question="For how many following months must the service level be met to earn the credit back?"
        )
    return answer("earn_back", earn_back(credit[0], share[0], required, met, forfeited))


TICKETS = r"(?:tickets?|incidents?|calls?|requests?|cases?|changes?|p[1-4]s?|issues?)"
FAILED = r"\b(?:breach\w*|missed|late|failed|outside)\b"


def attainment_question(text: Text) -> Calculation | None:
    """'450 of 500 tickets were resolved within target; the target is 95%.'"""
    if not (
        text.has(rf"\b{TICKETS}\b")
        and text.has(
            r"\bwithin\b|\bmet\b|\bmeet\b|\bon time\b|\bin time\b|\btarget\b|\bsla\b|\bbreach|\bmissed\b|\blate\b"
        )
    ):
        return None
    text.take(r"\bp[1-4]\b|\bpriority [1-4]\b|\bseverity [1-4]\b")
    text.durations()  # "within 8 hours" is the target, not a count
    target = text.percents()
    met = total = None
    pair = text.take(rf"(?<![\w.,])({NUM})\s*(?:out of|of|/)\s*(?:the\s+|all\s+)?({NUM})", first=True)
    if pair:
        first, total = int(value(pair[0].group(1))), int(value(pair[0].group(2)))
        start, end = pair[0].span()
        around = text.text[max(0, start - 25) : start] + " " + text.text[end : end + 40]
        met = total - first if re.search(FAILED, around) else first
    else:
        counts = text.take(rf"(?<![\w.,])({NUM})\s*(?:\w+\s+)?{TICKETS}\b", first=True)
        total = int(value(counts[0].group(1))) if counts else None
        within = text.take(
            rf"(?<![\w.,])({NUM})\s*(?:were |was |of them )?(?:\w+\s+)?(?:met|within|on time|in time)", first=True
        )
        late = text.take(rf"(?<![\w.,])({NUM})\s*(?:were |was |of them )?{FAILED}", first=True)
        met = (
            int(value(within[0].group(1)))
            if within
            else (total - int(value(late[0].group(1))) if late and total is not None else None)
        )
    if total is None and met is None:
        return None
    if total is None or met is None:
        return ask(
            "attainment",
            question="How many tickets were measured in total?"
            if total is None
            else "How many of them met the target?",
        )
    return answer("attainment", attainment(met, total, target[0] if target else None))
