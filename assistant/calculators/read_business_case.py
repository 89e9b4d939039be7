"""Read a business-case question: in-house cost, the vendor's charge, retained team, one-off costs and term."""

from __future__ import annotations

import re
from decimal import Decimal

from .base import money
from .business_case import business_case
from .calculation import Calculation, answer, ask
from .text import AMT, NUM, PCT, Text, value

# The question asks for the saving or its payback ("what's the recurring saving", "how long is the payback").
WANTS = (
    r"\bpay ?back\b|\bpays? (?:\w+ ){0,2}back\b|\bbreak[- ]?even\b|\brecoup|\bhow much (?:\w+ ){0,4}sav(?:e|ing)|"
    r"\bwhat(?:'s| is|s| are| would be| will be| do| does)? (?:\w+ ){0,3}sav(?:e|es|ing|ings)\b"
)
PAYBACK = r"\bpay ?back\b|\bpays? (?:\w+ ){0,2}back\b|\bbreak[- ]?even\b|\brecoup|\bhow long\b"
SUBJECT = r"\bin[- ]house\b|\binternal|\bvendor|\bprovider|\bsupplier|\bbid|\bquot|\boutsourc|\bretained\b|\bmsp\b"
# Savings of another kind, which other articles explain: a consolidation discount, gain-share, target cost.
OTHER = r"\bconsolidat|\brate (?:cut|reduction)|\bdiscount|\bgain[- ]?share|\bhurdle\b|\btarget cost|\bbenchmark"

# What a figure is, by the nearest of these words in its clause; on a tie the earlier kind wins.
KINDS = (
    ("retained", r"\bretain\w*"),
    ("exit", r"\bexit\b|\bre-?tender\w*"),
    (
        "one_off",
        r"\b(?:one|1)[- ]?(?:off|time)\b|\bup-?front\b|\btransition\w*|\bseverance\b|\bredundanc\w*|\bset[- ]?up\b|"
        r"\bmigration\b|\b(?:dual|parallel) running\b|\badvis[eo]rs?\b|\bonce\b",
    ),
    ("other", r"\bgovernance\b|\bchange (?:requests?|allowance)"),
    ("vendor", r"\bvendor\w*|\bprovider\w*|\bsupplier\w*|\bbid\w*|\bquot\w*|\boffer\w*|\bmsp\b|\boutsourc\w*"),
    ("current", r"\bin[- ]house\b|\binternal\w*|\bcurrent\w*|\btoday\b|\bourselves\b|\bspend\w*|\bbudget\b"),
)
CLAUSE = r"[,;:]|\.\s|\?|\b(?:and|with|plus|but|while|whereas|against|versus|vs)\b"
MONTHLY = r"\b(?:a|per|each|every) month\b|\bmonthly\b|/\s*month\b"
YEARLY = r"\b(?:a|per|each|every) year\b|\bper annum\b|\bannual(?:ly)?\b|\byearly\b|/\s*y(?:ea)?r\b"
TERM = (
    rf"\b(?:over|for|across|during) (?:a |an |the |our |its )?(?:full |whole )?({NUM})[- ]?(years?|months?)\b"
    rf"(?: (?:term|contract|deal|period))?|\b({NUM})[- ](years?|months?) (?:term|contract|deal|period)\b"
)


def _term(text: Text) -> Decimal | None:
    """The term in years, taken out of the text so its number is not read as money."""
    found = text.take(TERM, first=True)
    if not found:
        return None
    count, unit = found[0].group(1) or found[0].group(3), found[0].group(2) or found[0].group(4)
    return value(count) / (12 if unit.startswith("month") else 1)


def _kind(clause: str, at: int) -> str | None:
    """The kind of the figure at `at` in `clause`: the nearest keyword's kind."""
    best = None
    for rank, (kind, pattern) in enumerate(KINDS):
        for m in re.finditer(pattern, clause):
            distance = m.start() - at if m.start() > at else max(0, at - m.end())
            if best is None or (distance, rank) < best[:2]:
                best = (distance, rank, kind)
    return best[2] if best else None


def _figures(text: Text) -> dict[str, list[tuple[Decimal, str | None]]]:
    """Money figures by kind, each with the period its clause states ("month", "year" or None)."""
    found: dict[str, list] = {kind: [] for kind, _ in KINDS} | {"unknown": [], "retained_percent": []}
    start = 0
    for end in [m.start() for m in re.finditer(CLAUSE, text.text)] + [len(text.text)]:
        clause = text.text[start:end]
        start = end
        unit = "month" if re.search(MONTHLY, clause) else ("year" if re.search(YEARLY, clause) else None)
        for m in re.finditer(PCT, clause):
            if _kind(clause, m.start()) == "retained":
                found["retained_percent"].append((value(m.group(0)), None))
        for m in re.finditer(AMT, clause):
            amount = value(m.group(0))
            # Counts (22 vendors, 40 staff) and years (2026) are not money; business-case money runs to thousands.
            if amount < 1000 or re.fullmatch(r"(?:19|20)\d\d", m.group(0).strip()):
                continue
            found[_kind(clause, m.start()) or "unknown"].append((amount, unit))
    for kind in ("current", "vendor"):  # an unlabelled figure is the in-house cost, then the vendor's charge
        if not found[kind] and found["unknown"]:
            found[kind].append(found["unknown"].pop(0))
    return found


def business_case_question(text: Text) -> Calculation | None:
    """'In-house costs 10m a year, the vendor quotes 7.5m, a 600k retained team and 1.2m of transition:
    what's the recurring saving and the payback?'"""
    if not (text.has(WANTS) and text.has(SUBJECT)) or text.has(OTHER):
        return None
    term = _term(text)
    found = _figures(text)
    recurring = found["current"][:1] + found["vendor"][:1] + found["retained"][:1] + found["other"]
    if not recurring and not found["one_off"]:
        return None  # no money in it: a question about payback, not a calculation
    per = "month" if any(u == "month" for _, u in recurring) and not any(u == "year" for _, u in recurring) else "year"
    converted = [(a, u) for a, u in recurring if u == "month" and per == "year"]

    def recurring_value(amount: Decimal, unit: str | None) -> Decimal:
        return amount * 12 if unit == "month" and per == "year" else amount

    needs = [
        "" if found["current"] else f"the current in-house cost of the service (a {per})",
        "" if found["vendor"] else f"the vendor's charge for the same scope (a {per})",
        "" if found["one_off"] or not text.has(PAYBACK) else "the one-off costs to pay back (transition, severance)",
    ]
    if any(needs):
        return ask("business_case", *needs)
    retained = found["retained"][0] if found["retained"] else None
    result = business_case(
        recurring_value(*found["current"][0]),
        recurring_value(*found["vendor"][0]),
        retained_cost=None if retained is None else recurring_value(*retained),
        retained_percent=found["retained_percent"][0][0] if found["retained_percent"] and not retained else None,
        one_off_costs=[a for a, _ in found["one_off"]],
        other_costs=[recurring_value(*f) for f in found["other"]],
        exit_costs=[a for a, _ in found["exit"]],
        term_years=term,
        per=per,
    )
    note = [
        "Monthly figures are counted as 12 a year: "
        + ", ".join(f"{money(a)} a month = {money(a * 12)} a year" for a, _ in converted)
        + "."
    ]
    return answer("business_case", result, (note if converted else []) + result.sentences())
