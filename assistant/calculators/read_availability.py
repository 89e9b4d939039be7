"""Read availability questions: downtime allowed, availability achieved, composite availability."""

from __future__ import annotations

import re
from decimal import Decimal

from .availability import availability_achieved, composite, downtime_allowed, downtime_table
from .base import Period, fmt
from .calculation import Calculation, answer, ask, join
from .text import NUM, Text, asks, value

AVAILABILITY_WORDS = r"\b(?:availability|uptime|up ?time|downtime|down ?time|nines|outages?)\b"
MAINTENANCE = r"(?:planned |scheduled )?maintenance"
LENGTHS = {"month": range(28, 32), "quarter": range(90, 93), "year": range(365, 367)}


def levels(text: Text) -> list[Decimal]:
    """Availability percentages, or bare 9x numbers when the question is about availability."""
    found = text.percents()
    if not found and text.has(AVAILABILITY_WORDS):  # "how much downtime is 99.9" without a % sign
        found = [value(m.group(0)) for m in text.take(r"(?<![\w.,])(?:9\d(?:\.\d+)?|100)(?![\w.,])")]
    return found


def downtime(text: Text) -> Calculation | None:
    """'How much downtime does 99.95% allow per month?' and its kin."""
    probe = text.copy()
    probe.durations(near=MAINTENANCE)
    probe.period()
    high = [level for level in levels(probe) if level >= 90]
    asked = asks(text) or text.has(
        r"^\W*(?:down ?time|\d)|\bdown ?time (?:budget|allowed|allowance|for|of|at)\b|\bwhat does .* mean\b|"
        r"\ballows?\b.*\b(?:per|a|in a) (?:day|week|month|quarter|year)"
    )
    if not (asked and (text.has(AVAILABILITY_WORDS) or high and text.has(r"\bminutes?\b|\bhours?\b|\ballow"))):
        return None
    maintenance = sum(text.durations(near=MAINTENANCE), Decimal(0))
    span, stated = text.period()
    found = levels(text)
    if not found:
        if span and text.has(r"\bhow (?:much|many|long)\b") and text.has(r"\bdown ?time|\ballow|\bpermit|\bbudget"):
            return ask("downtime", "the availability percentage the SLA sets (for example 99.9%)")
        return None
    if any(level > 100 for level in found):
        return None  # not an availability level (e.g. a 125% liability cap)
    spans = [span] if span else [Period("month", 30), Period("year", 365)]
    results = [downtime_allowed(level, s, maintenance) for level in found for s in spans]
    sentences = [r.sentence() for r in results]
    if span and not stated and len(found) == 1 and span.name in LENGTHS:
        # "per month": the 30-day figure first, then the other month lengths.
        others = [
            downtime_allowed(found[0], Period(span.name, d), maintenance) for d in LENGTHS[span.name] if d != span.days
        ]
        items = [f"in a {o.period.label} {fmt(o.downtime_minutes)} minutes" for o in others]
        items[0] = items[0].replace(f"{span.name} ", f"{span.name} it is ", 1)
        sentence = join(items)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    table = downtime_table(found, maintenance, kind=span.name if maintenance and span else None)
    return answer("downtime", results[0], sentences, table)


def availability(text: Text) -> Calculation | None:
    """'What's the availability if we had 50 minutes of downtime in a 30-day month?'"""
    if not (
        text.has(r"\bdown ?time\b|\bdown\b|\boutages?\b|\bunavailab|\boffline\b|\bdisruption")
        and text.has(r"\bavailab|\buptime|\bup time|%|\bsla\b|\btarget\b|\bmeet\b|\bmet\b|\bbreach")
    ):
        return None
    maintenance = sum(text.durations(near=MAINTENANCE), Decimal(0))
    span, _ = text.period()
    down = text.durations()
    if not down or not (
        asks(text)
        or text.has(
            r"\b(?:did|do|have|has) (?:we|they|it|the \w+) (?:meet|met|breach|miss)"
            r"|\bbreach"
        )
    ):
        return None
    targets = [level for level in text.percents() if level >= 50]
    if span is None:
        return ask(
            "availability",
            question="Over what period was the downtime measured (for example a 30-day month, a quarter or a year)?",
        )
    return answer("availability", availability_achieved(sum(down), span, maintenance, targets[0] if targets else None))


PARALLEL = (
    r"\bparallel\b|\bredundan|\bactive[- ](?:active|passive)\b|\bfailover\b|\bload[- ]balanced\b|"
    r"\b(?:either|any) (?:one|of them|node|server)\b.*\b(?:can|on its own|alone)\b"
)
SERIES = (
    r"\bseries\b|\bchain|\ball (?:\d+ |of them |the components )?(?:must|need|have to)\b|\bmust all\b|"
    r"\bboth (?:must|need)\b|\bdepends? on\b"
)
COMPONENTS = (
    r"(?:nodes?|servers?|components?|instances?|sites?|links?|replicas?|zones?|regions?|machines?|"
    r"systems?|data ?cent(?:re|er)s?|copies|tiers?|databases?)"
)


def composite_availability(text: Text) -> Calculation | None:
    """'99.9% and 99.95% in series', 'two 99% servers in parallel behind a 99.9% load balancer'."""
    if not text.has(rf"\bcomposite\b|\bend[- ]to[- ]end availability\b|\bcombined availability\b|{PARALLEL}|{SERIES}"):
        return None
    counted = [
        (int(m.group(1)), value(m.group(2)))
        for m in text.take(
            rf"(?<![\w.,])([2-9])(?:\s*(?:x|×)\s*|\s+)(?:[a-z-]+\s+){{0,3}}?(?:at|of|with|rated at)?\s*({NUM})\s*%"
        )
    ]
    single = text.percents()
    group = re.search(rf"\b([2-9]) (?:[\w-]+ ){{0,3}}?{COMPONENTS}\b", text.text)
    if not counted and len(single) == 1 and group and text.has(r"\beach\b"):  # "2 nodes, each at 99.5%"
        counted, single = [(int(group.group(1)), single[0])], []
    if not counted and not single:  # "99.9 and 99.95 in series" without % signs
        single = [value(m.group(0)) for m in text.take(r"(?<![\w.,])(?:9\d(?:\.\d+)?|100)(?![\w.,%])")]
    found = [level for count, level in counted for _ in range(count)] + single
    if len(found) < 2:
        if found or text.has(r"\d|\bhow\b|\bwhat (?:is|'s) the\b.*\bof\b"):
            return ask("composite", "the availability of each component (for example 99.9% and 99.95%)")
        return None
    in_parallel, in_series = text.has(PARALLEL), text.has(SERIES)
    if in_parallel and (in_series or (counted and single)):
        if len(counted) != 1 or not single:
            return ask(
                "composite",
                question="Which components are in parallel and which in series? For example: "
                "two 99% servers in parallel, in series with a 99.9% database.",
            )
        parallel, series = [counted[0][1]] * counted[0][0], single
    elif in_parallel:
        series, parallel = [], found
    elif in_series:
        series, parallel = found, []
    else:
        return ask(
            "composite", question="Are the components in series (all must work) or in parallel (any one is enough)?"
        )
    return answer("composite", composite(series, parallel))
