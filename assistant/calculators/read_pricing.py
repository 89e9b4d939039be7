"""Read pricing questions: capped time and materials, unit prices compared, indexation under a cap."""

from __future__ import annotations

import re
from decimal import Decimal

from .blended import blended_rate
from .calculation import Calculation, answer, ask
from .pricing import capped_tm, indexation, unit_pricing
from .text import AMT, NUM, PCT, Text, asks, figures, value


def _first(text: Text, pattern: str, kind: str = AMT) -> list[Decimal]:
    """The first figure of type `kind` in the first match of `pattern` (consumed), as a list of none or one."""
    return [v for m in text.take(pattern, first=True) for v in figures(m.group(0), kind)][:1]


# ---- capped time and materials -------------------------------------------------------------------

TM_WORDS = (
    r"\bt ?& ?m\b|\btime[- ](?:and|&)[- ]materials?\b|\b(?:hard|soft|binding) (?:cap|ceiling)s?\b|"
    r"\bnot[- ]to[- ]exceed\b|\bnte\b"
)
STAFF = (
    r"(?:developers?|consultants?|engineers?|testers?|people|persons?|staff|contractors?|analysts?|architects?|"
    r"ftes?|resources?|specialists?|members?)"
)
PAYS = (
    r"\bwhat (?:\w+ ){0,3}(?:do|does|did|will|would|should) (?:we|i|they|the client|the customer|you) (?:\w+ )?"
    r"(?:pay|owe)\b"
)
SPAN = r"(?P<n>\d+(?:\.\d+)?) (?P<unit>days?|hours?)\b"


def _share(text: Text) -> Decimal | None:
    """The client's share (%) of an overrun: '50/50', '60% us / 40% vendor', 'split it equally'."""
    if not text.has(r"\bshar\w*|\bsplit\w*|\bpain\b"):
        return None
    ours = text.take(rf"(?P<p>{PCT})\s*(?:to |for |on )?(?:us|the client|client|the customer|customer|ours)\b", True)
    if ours:
        return value(ours[0].group("p"))
    theirs = text.take(rf"(?P<p>{PCT})\s*(?:to |for |on )?(?:the )?(?:vendor|provider|supplier|them)\b", True)
    if theirs:
        return 100 - value(theirs[0].group("p"))
    ratio = text.take(r"(?<![\d.,])(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*%?(?![\d,]|\.\d)", True)
    if ratio and value(ratio[0].group(1)) + value(ratio[0].group(2)) == 100:
        return value(ratio[0].group(1))
    return Decimal(50) if text.has(r"\b(?:equally|half each|down the middle|half)\b") else None


def tm_cap_question(text: Text) -> Calculation | None:
    """'Three developers at 700 a day for 46 days each against an 84,000 cap: what under a hard cap?'"""
    if not (text.has(TM_WORDS) and (asks(text) or text.has(PAYS))):
        return None
    cap = _first(
        text,
        rf"(?:cap|ceiling|not[- ]to[- ]exceed|nte|limit)(?: amount| price| figure)?"
        rf"(?:\s+(?:of|at|is|was|=|set at))?\s*:?\s*{AMT}|"
        rf"{AMT}\s*(?:hard |soft |binding )?(?:cap|ceiling|nte|not[- ]to[- ]exceed)",
    )
    share = _share(text)
    rates = text.take(rf"(?P<amt>{AMT})\s*(?:a|an|per|/|each)\s*(?P<unit>day|hour|hr)\b", True)
    rates = rates or text.take(rf"(?P<unit>day|daily|hour|hourly) rate(?:\s+(?:of|is|at))?\s*(?P<amt>{AMT})", True)
    charge = _first(
        text,
        rf"(?:accrues?|accrued|came to|comes to|come to|reached|reaches|totall?ed|totals|billed|ran up)\s*"
        rf"(?:charges of\s*)?{AMT}",
    )
    people = text.take(rf"(?<![\w.,])(\d+)\s+(?:\w+\s+)?{STAFF}\b", True)
    estimate = text.take(
        rf"(?:estimat\w*|planned|budgeted|quoted)\s+(?:at\s+|to (?:need|take)\s+|for\s+)?"
        rf"(?:about\s+|around\s+)?{SPAN}",
        True,
    )
    actual = text.take(
        rf"(?:took|taking|takes?|needed|needs|ended up(?: \w+)?|came to|lasted|ran to|spent|worked|actually|"
        rf"in fact|instead)\s+(?:about\s+|around\s+|only\s+)?{SPAN}",
        True,
    )
    actual = actual or text.take(SPAN, True)
    unit = "hour" if rates and rates[0].group("unit").startswith("h") else "day"
    needs = [] if cap else ["the cap (the not-to-exceed amount)"]
    if not charge and not (rates and actual):
        needs += [] if rates else [f"the {unit} rate"]
        needs += [] if actual else [f"the {unit}s actually worked (by each person)"]
    if needs:
        return ask("tm_cap", *needs)
    total = bool(actual) and bool(re.search(r"\b(?:in total|total|altogether|between them)\b", _after(text, actual)))
    result = capped_tm(
        cap[0],
        value(rates[0].group("amt")) if rates else None,
        value(actual[0].group("n")) if actual and rates else None,
        int(people[0].group(1)) if people and not total else 1,
        None if rates and actual else charge[0],
        value(estimate[0].group("n")) if estimate and rates else None,
        share,
        unit,
    )
    return answer("tm_cap", result)


def _after(text: Text, found: list[re.Match]) -> str:
    end = found[0].end()
    return text.text[end : end + 20]


# ---- unit prices compared ------------------------------------------------------------------------

UNITS = (
    r"users?|tickets?|devices?|laptops?|desktops?|seats?|calls?|contacts?|invoices?|transactions?|payslips?|"
    r"claims?|orders?|servers?|vms?|mailboxes|mailbox|accounts?|employees?|sites?|incidents?|requests?|endpoints?"
)
PRICE = rf"(?P<amt>{AMT})\s*(?:per|a|an|each|/)\s*(?:managed |supported |active |named |processed )?(?P<unit>{UNITS})\b"
COMPARES = (
    r"\bcheaper\b|\bcheapest\b|\bless expensive\b|\bcosts? (?:less|more)\b|\bbreak[- ]?even\b|\bwhich (?:option|one|"
    r"is|of)\b|\bcompare\b|\bbetter deal\b|\bversus\b|\bvs\b"
)
# Tiers, resource units and benchmarks price differently; their questions are not a plain comparison.
OTHER_PRICING = r"\btier(?:s|ed)?\b|\barcs?\b|\brrcs?\b|\bbaseline\b|\bbenchmark\w*|\bdead ?band\b"


def _singular(unit: str) -> str:
    return unit[:-2] if unit.endswith("xes") else unit[:-1] if unit.endswith("s") else unit


def unit_pricing_question(text: Text) -> Calculation | None:
    """'38 per user per month for 5,200 users, or 11 per ticket at 17,000 tickets: which is cheaper?'"""
    if text.has(OTHER_PRICING) or not (text.has(COMPARES) or asks(text)):
        return None
    prices = text.take(PRICE)
    if len(prices) < 2:
        return None
    units = [_singular(m.group("unit")) for m in prices]
    volumes = {}
    for unit in dict.fromkeys(units):
        found = text.take(rf"(?P<amt>{AMT})\s*(?:[a-z]+\s+){{0,2}}?{unit}(?:s|es)?\b", True)
        if found:
            volumes[unit] = value(found[0].group("amt"))
    missing = [f"{u}s" for u in dict.fromkeys(units) if u not in volumes]
    if missing:
        return ask("unit_pricing", question=f"How many {' and how many '.join(missing)} should I price?")
    result = unit_pricing([(u, value(m.group("amt")), volumes[u]) for u, m in zip(units, prices)])
    return answer("unit_pricing", result, table=result.table())


# ---- indexation ----------------------------------------------------------------------------------

INDEX_WORDS = r"\bindex(?:ed|ation|ing)?\b|\bcpi\b|\brpi\b|\bhicp\b|\binflation\b|\bcola\b|\bescalat\w*|\buplifts?\b"
NEW_CHARGE = (
    r"\bwhat(?:'s| is| are| will be| would be)? (?:the |our )?(?:new |resulting |indexed |annual |revised )?"
    r"(?:charges?|prices?|fees?|rates?|increase|uplift)s?\b|\bafter (?:each|the|both|every) (?:uplift|increase|"
    r"adjustment|year)s?\b|\bnew (?:charges?|prices?|fees?)\b"
)
NAMES = {"cpi": "CPI", "rpi": "RPI", "hicp": "HICP"}


def _changes(text: Text) -> list[Decimal]:
    """The remaining percentages, in year order ('2.1% this year and 4.6% last year' is last year first)."""
    found = list(re.finditer(rf"(?P<p>{PCT})(?P<when>[^%\d]{{0,25}})", text.text))
    order = {"last year": 0, "this year": 1, "next year": 2}
    rank = [next((r for w, r in order.items() if w in m.group("when")), None) for m in found]
    if all(r is not None for r in rank):
        found = [m for _, m in sorted(zip(rank, found), key=lambda pair: pair[0])]
    return [-value(m.group("p")) if _negative(text.text[: m.start()]) else value(m.group("p")) for m in found]


def _negative(before: str) -> bool:
    """Whether a percentage is signed negative: '-0.5%', 'minus 0.5%', 'fell 1%' (normalise makes − a hyphen)."""
    return (
        re.search(r"(?:(?<![\w%.])-\s?|\b(?:minus|negative|fell(?: by)?|fall(?: of)?|dropped(?: by)?) )$", before)
        is not None
    )


def indexation_question(text: Text) -> Calculation | None:
    """'2.5M indexed to CPI with a 3% cap; CPI was 4.6% then 2.1%. What are the charges after each uplift?'"""
    if not (text.has(INDEX_WORDS) and (asks(text) or text.has(NEW_CHARGE))):
        return None
    name = next((label for word, label in NAMES.items() if text.has(rf"\b{word}\b")), "the index")
    collar = text.take(rf"collar(?: of| at| between)?\s*(?P<f>{PCT})\s*(?:to|-|and)\s*(?P<c>{PCT})", True)
    cap = [value(collar[0].group("c"))] if collar else []
    floor = [value(collar[0].group("f"))] if collar else []
    cap = cap or _first(text, rf"{PCT}\s*(?:annual\s+)?cap|\bcap(?:ped)?(?:\s+(?:of|at|is))?\s*{PCT}", PCT)
    floor = floor or _first(text, rf"{PCT}\s*floor|\bfloor(?:\s+(?:of|at|is))?\s*{PCT}", PCT)
    if not floor and text.take(r"\bfloor (?:at|of) (?:zero|0)\b", True):
        floor = [Decimal(0)]
    offset = _first(text, rf"{PCT}\s*productivity|productivity (?:\w+ )?(?:of\s*)?{PCT}", PCT)
    cola = _first(text, rf"{PCT}\s*cola\b|\bcola(?: of| at| is)?\s*{PCT}", PCT)
    changes = _changes(text)
    charges = [
        value(m.group("amt"))
        for m in re.finditer(rf"(?P<amt>{AMT})(?!\s*(?:years?|months?|days?|%))", text.text)
        if not re.fullmatch(r"(?:19|20)\d\d", m.group("amt"))
    ]
    needs = [] if charges else ["the charge being indexed"]
    label = "index" if name == "the index" else name
    needs += [] if changes or cola else [f"the {label} change for each year (for example 4.6% and then 2.1%)"]
    if needs:
        return ask("indexation", *needs)
    if not changes:  # a COLA alone
        result = indexation(charges[0], cola, offset=offset[0] if offset else None, index="the COLA")
        return answer("indexation", result)
    result = indexation(charges[0], changes, cap[0] if cap else None, floor[0] if floor else None, index=name)
    sentences = result.sentences()
    if cola and len(charges) > 1:  # 'separately, the offshore part (900k) gets a 6% COLA'
        part = indexation(charges[1], cola, offset=offset[0] if offset else None, index="the COLA")
        first, *rest = part.sentences()
        sentences += [f"Separately, {first[0].lower()}{first[1:]}", *rest]
        calculation = answer("indexation", result, sentences, result.table())
        calculation.formula = (
            calculation.formula[:-1] + "; with a COLA and a productivity offset, new charge = "
            "charge × (1 + COLA) × (1 − offset)."
        )
        return calculation
    return answer("indexation", result, sentences, result.table())


# ---- blended rate --------------------------------------------------------------------------------

BLENDED_WORDS = r"\bblend(?:ed)?\b|\baverage (?:day |daily |hourly )?rate\b|\bper person[- ]day\b"
PER = r"(?:\s*(?:a|an|per|/|each)\s*(?P<{0}>day|hour|hr|person[- ]day|man[- ]day)\b)?"
WHO = r"[a-z][a-z-]*(?: [a-z][a-z-]*){0,2}?"  # up to three words naming the role: "onshore developers"
# "2 onshore developers at 900 a day", "six juniors at 400", and "900 a day for 2 onshore developers".
ROLE = (
    rf"(?<![\w.,])(?P<n>{NUM})\s+(?:(?P<who>{WHO})\s+)?"
    rf"(?:at|@|on|costing|charging|billed at|charged at)\s+(?P<rate>{AMT}){PER.format('per')}"
    rf"|(?P<rate2>{AMT}){PER.format('per2')}\s+(?:for|x|×)\s+(?P<n2>{NUM})\s+(?P<who2>{WHO})"
    rf"(?=\s*(?:[,;:.?!]|$|and\b|plus\b|with\b))"
)


def blended_rate_question(text: Text) -> Calculation | None:
    """'What's the blended day rate for 2 onshore developers at 900 a day and 6 offshore at 300?'"""
    if not text.has(BLENDED_WORDS):
        return None
    found = text.take(ROLE)
    if len(found) < 2:
        return None  # "what is a blended rate?": the article explains it
    roles = [
        (
            (m.group("who") or m.group("who2") or "").strip(),
            value(m.group("n") or m.group("n2")),
            value(m.group("rate") or m.group("rate2")),
        )
        for m in found
    ]
    per = next((m.group("per") or m.group("per2") for m in found if m.group("per") or m.group("per2")), "day")
    unit = "hour" if per in ("hour", "hr") else "day"
    result = blended_rate(roles, unit)
    return answer("blended_rate", result, table=result.table())
