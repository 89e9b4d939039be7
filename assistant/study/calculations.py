"""Worked-calculation items: the corpus's own formulas with the numbers varied, answers computed.

Each family names the article section that teaches its formula; a family whose section is not in
the corpus yields nothing. Parameters come from a generator seeded with the family's name, and an
item's id hashes the family and its parameters, so ids stay the same from build to build.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from ..corpus import Article
from .items import Item, item_id
from .numbers import format_number
from .sections import split_sections

PER_FAMILY = 16


@dataclass(frozen=True)
class Problem:
    prompt: str
    value: float
    unit: str  # "%", "min" or "" (money and counts)
    decimals: int
    working: str


@dataclass(frozen=True)
class Family:
    name: str
    source: str  # article id
    heading: str  # the section that teaches the formula
    difficulty: int
    make: Callable[[random.Random], tuple[dict, Problem]]


def n(value: float, decimals: int = 0) -> str:
    return format_number(value, decimals)


def _downtime(rng):
    a = rng.choice([99, 99.5, 99.7, 99.8, 99.85, 99.9, 99.95, 99.99])
    label, minutes = rng.choice(
        [
            ("30-day month", 43_200),
            ("31-day month", 44_640),
            ("28-day month", 40_320),
            ("90-day quarter", 129_600),
            ("365-day year", 525_600),
        ]
    )
    value = (100 - a) / 100 * minutes
    return {"a": a, "period": label}, Problem(
        f"A service is available 24×7 with an availability target of {a}% measured over a {label}. "
        f"How many minutes of downtime does the target allow?",
        round(value, 2),
        "min",
        2,
        f"(1 − {a}%) × {n(minutes)} minutes = {n(value, 2)} minutes",
    )


def _achieved(rng):
    maintenance = rng.choice([0, 0, 120, 240, 480])
    down = rng.randrange(10, 400, 5)
    service = 43_200 - maintenance
    value = (service - down) / service * 100
    excluded = (
        f" {maintenance} minutes of scheduled maintenance are excluded from the agreed service time, and"
        if maintenance
        else ""
    )
    return {"maintenance": maintenance, "down": down}, Problem(
        f"In a 30-day month (43,200 minutes),{excluded} the service suffers {down} minutes of "
        f"unplanned downtime. What availability did it achieve, to three decimals?",
        round(value, 3),
        "%",
        3,
        f"({n(service)} − {down}) ÷ {n(service)} × 100 = {n(value, 3)}%",
    )


def _partial(rng):
    outage = rng.choice([20, 30, 40, 45, 60, 80, 90, 120, 150, 180])
    share = rng.choice([10, 20, 25, 40, 50, 75])
    value = outage * share / 100
    return {"outage": outage, "share": share}, Problem(
        f"The contract weights partial outages by the share of users affected. A {outage}-minute "
        f"outage hits {share}% of users. How many minutes of downtime count?",
        value,
        "min",
        1,
        f"{outage} minutes × {share}% = {n(value, 1)} minutes",
    )


def _composite(rng):
    a = rng.choice([99, 99.5, 99.9, 99.95, 98, 99.8])
    count = rng.choice([2, 3])
    if rng.random() < 0.5:
        value = (a / 100) ** count * 100
        how = "in series (all must work)"
        working = f"{a / 100:g}^{count} = {n(value, 4)}%"
    else:
        value = (1 - (1 - a / 100) ** count) * 100
        how = "in parallel (the service works while any one works)"
        working = f"1 − (1 − {a / 100:g})^{count} = {n(value, 4)}%"
    return {"a": a, "count": count, "how": how[:8]}, Problem(
        f"{count} independent components, each available {a}% of the time, are arranged {how}. "
        f"What is the availability of the whole, to four decimals?",
        round(value, 4),
        "%",
        4,
        working,
    )


def _pool_credit(rng):
    charges = rng.randrange(100_000, 500_001, 10_000)
    at_risk = rng.choice([8, 10, 12, 15])
    allocation = rng.choice([20, 25, 30, 40, 50, 60])
    value = charges * at_risk * allocation / 10_000
    return {"charges": charges, "at_risk": at_risk, "allocation": allocation}, Problem(
        f"Monthly charges are {n(charges)}, the at-risk amount is {at_risk}% of monthly charges, and "
        f"the availability service level carries an allocation of {allocation}% of the pool. What is "
        f"the largest credit a full availability failure can trigger in a month?",
        value,
        "",
        0,
        f"{at_risk}% × {allocation}% × {n(charges)} = {n(value)}",
    )


def _cap(rng):
    charges = rng.randrange(100_000, 400_001, 20_000)
    at_risk = rng.choice([10, 12, 15])
    cap = charges * at_risk / 100
    first = rng.randrange(2_000, int(cap), 1_000)
    second = rng.randrange(1_000, int(cap * 0.8), 500)
    total = first + second
    value = min(total, cap)
    why = "the cap applies" if total > cap else "the total is within the cap"
    return {"charges": charges, "at_risk": at_risk, "first": first, "second": second}, Problem(
        f"Monthly charges are {n(charges)} and the at-risk amount is {at_risk}%. Credits of "
        f"{n(first)} and {n(second)} accrue in the same month. How much does the client receive?",
        value,
        "",
        0,
        f"{n(first)} + {n(second)} = {n(total)}; cap {at_risk}% × {n(charges)} = {n(cap)}; {why}, so {n(value)}",
    )


_TIERS = [(99.9, 0), (99.5, 5), (99.0, 10), (0, 15)]


def _tiered(rng):
    charges = rng.randrange(100_000, 300_001, 25_000)
    achieved = rng.choice([99.95, 99.91, 99.87, 99.62, 99.5, 99.42, 99.1, 99.0, 98.7, 98.2])
    percent = next(p for floor, p in _TIERS if achieved >= floor)
    value = charges * percent / 100
    return {"charges": charges, "achieved": achieved}, Problem(
        f"Monthly charges are {n(charges)}. The availability credit table gives 0% at 99.9% or above, "
        f"5% from 99.5% to below 99.9%, 10% from 99.0% to below 99.5% and 15% below 99.0% of monthly "
        f"charges. Availability reached {achieved}%. What is the credit?",
        value,
        "",
        0,
        f"{achieved}% falls in the {percent}% band: {percent}% × {n(charges)} = {n(value)}",
    )


def _earn_back(rng):
    credit = rng.randrange(2_000, 20_001, 500)
    share = rng.choice([25, 50, 75, 100])
    met = rng.random() < 0.75
    value = credit * share / 100 if met else 0
    months = "meets it in April, May and June" if met else "meets it in April and May but misses it in June"
    return {"credit": credit, "share": share, "met": met}, Problem(
        f"In March a supplier incurs a {n(credit)} credit. The contract returns {share}% of a credit "
        f"if the same service level is met in each of the next three months, and the supplier "
        f"{months}. How much of the credit is returned?",
        value,
        "",
        0,
        (
            f"{share}% × {n(credit)} = {n(value)}"
            if met
            else "The condition (three months in a row) is not met, so 0 is returned"
        ),
    )


def _bonus_malus(rng):
    charges = rng.randrange(50_000, 250_001, 25_000)
    score = rng.choice([76, 78, 80, 82, 83, 84, 86, 88, 91, 92, 93, 94, 95, 97])
    if score < 85:
        percent, kind = min((85 - score) * 0.5, 2.5), "malus the supplier pays"
    elif score > 90:
        percent, kind = min((score - 90) * 0.5, 2.0), "bonus the supplier earns"
    else:
        percent, kind = 0.0, "bonus or malus"
    value = charges * percent / 100
    return {"charges": charges, "score": score}, Problem(
        f"Monthly charges are {n(charges)}. Below a CSAT of 85% the supplier loses 0.5% of monthly "
        f"charges per full point, up to 2.5%; from 85% to 90% nothing changes hands; above 90% it earns "
        f"0.5% per full point, up to 2%. CSAT this month is {score}%. What is the {kind}?",
        value,
        "",
        0,
        f"{percent:g}% × {n(charges)} = {n(value)}",
    )


def _time_and_materials(rng):
    devs, days, rate = rng.randrange(2, 6), rng.randrange(10, 23), rng.randrange(450, 901, 50)
    tester_days, tester_rate = rng.randrange(5, 21), rng.randrange(350, 601, 50)
    expenses = rng.randrange(0, 5_001, 100)
    value = devs * days * rate + tester_days * tester_rate + expenses
    return {"devs": devs, "days": days, "rate": rate, "td": tester_days, "tr": tester_rate, "exp": expenses}, Problem(
        f"Under time and materials, {devs} developers work {days} days each at {rate} per day and one "
        f"tester works {tester_days} days at {tester_rate} per day; approved expenses of {n(expenses)} "
        f"pass through at cost. What is the month's invoice?",
        value,
        "",
        0,
        f"{devs} × {days} × {rate} + {tester_days} × {tester_rate} + {n(expenses)} = {n(value)}",
    )


def _blended(rng):
    seniors, juniors = rng.randrange(1, 5), rng.randrange(2, 9)
    senior_rate, junior_rate = rng.randrange(700, 1_101, 50), rng.randrange(300, 551, 50)
    value = (seniors * senior_rate + juniors * junior_rate) / (seniors + juniors)
    return {"s": seniors, "j": juniors, "sr": senior_rate, "jr": junior_rate}, Problem(
        f"A team has {seniors} senior engineers at {senior_rate} per day and {juniors} junior engineers "
        f"at {junior_rate} per day. What is the blended rate per person-day, to two decimals?",
        round(value, 2),
        "",
        2,
        f"({seniors} × {senior_rate} + {juniors} × {junior_rate}) ÷ {seniors + juniors} = {n(value, 2)}",
    )


def _capped(rng):
    people, rate, estimate = rng.randrange(2, 7), rng.randrange(600, 1_301, 100), rng.randrange(30, 61, 5)
    actual = estimate + rng.choice([-10, -5, 4, 6, 9, 12, 15])
    cap = people * estimate * rate
    cost = people * actual * rate
    value = min(cost, cap)
    return {"p": people, "r": rate, "e": estimate, "a": actual}, Problem(
        f"{people} consultants at {n(rate)} per day are estimated at {estimate} days each, and the "
        f"parties agree a hard cap equal to that estimate. The work takes {actual} days each. What does "
        f"the client pay?",
        value,
        "",
        0,
        f"cap {people} × {estimate} × {n(rate)} = {n(cap)}; actual {people} × {actual} × "
        f"{n(rate)} = {n(cost)}; the client pays the lower, {n(value)}",
    )


def _resource_units(rng):
    baseline, band = rng.choice([400, 500, 600, 800, 1_000]), rng.choice([5, 10])
    arc = rng.randrange(60, 151, 10)
    volume = int(baseline * (1 + band / 100)) + rng.randrange(5, 80, 5)
    edge = baseline * (1 + band / 100)
    if rng.random() < 0.5:
        convention, units = "excess-only (ARCs only for units beyond the band's edge)", volume - edge
    else:
        convention = "full-variance (once the band is breached, ARCs for every unit above the baseline)"
        units = volume - baseline
    value = units * arc
    return {"b": baseline, "band": band, "arc": arc, "v": volume, "c": convention[:4]}, Problem(
        f"A resource-unit schedule has a baseline of {n(baseline)} servers, a deadband of plus or minus "
        f"{band}% and an ARC rate of {arc} per server, under the {convention} convention. This month has "
        f"{n(volume)} servers. What is the additional resource charge?",
        value,
        "",
        0,
        f"{n(units)} servers × {arc} = {n(value)}",
    )


def _tiered_units(rng):
    volume = rng.randrange(6_000, 24_001, 100)
    tiers = [(10_000, 12.00), (5_000, 10.50), (math.inf, 9.00)]
    left, value, parts = volume, 0.0, []
    for size, price in tiers:
        take = min(left, size)
        if take > 0:
            value += take * price
            parts.append(f"{n(take)} × {price:.2f}")
        left -= take
    return {"v": volume}, Problem(
        f"Tickets are priced in incremental tiers: 12.00 each for tickets 1 to 10,000, 10.50 for tickets "
        f"10,001 to 15,000 and 9.00 for every ticket above 15,000. What is the charge for a month with "
        f"{n(volume)} tickets?",
        round(value, 2),
        "",
        2 if value % 1 else 0,
        " + ".join(parts) + f" = {n(value, 2 if value % 1 else 0)}",
    )


def _gain_share(rng):
    workloads = rng.choice([500, 800, 1_000, 1_200])
    per = rng.choice([1_500, 2_000, 2_500])
    grown = workloads + rng.randrange(-100, 201, 50)
    adjusted = grown * per
    actual = adjusted - rng.randrange(20_000, 200_001, 10_000)
    share = rng.choice([30, 40, 50])
    value = (adjusted - actual) * share / 100
    return {"w": workloads, "per": per, "g": grown, "a": actual, "s": share}, Problem(
        f"A gain-share baseline of {n(workloads * per)} covered {n(workloads)} workloads. Next year the "
        f"client runs {n(grown)} workloads and actual spend is {n(actual)}. With the baseline normalised "
        f"for volume and a provider share of {share}%, what does the provider earn?",
        value,
        "",
        0,
        f"{n(grown)} × {n(per)} = {n(adjusted)}; saving {n(adjusted)} − {n(actual)} = "
        f"{n(adjusted - actual)}; {share}% of it = {n(value)}",
    )


def _indexation(rng):
    charge = rng.randrange(500_000, 2_000_001, 100_000)
    cpi = rng.choice([0.5, 1.5, 2.0, 2.8, 3.5, 4.0, 5.2, 6.1])
    floor, cap = rng.choice([(0, 3), (1, 3), (0, 4), (1, 4), (0, 2.5)])
    applied = min(max(cpi, floor), cap)
    value = charge * (1 + applied / 100)
    limits = f"a collar of {floor}% to {cap}%" if floor else f"a cap of {cap}%"
    return {"c": charge, "cpi": cpi, "f": floor, "cap": cap}, Problem(
        f"An annual charge of {n(charge)} is indexed to CPI with {limits}. CPI for the reference month "
        f"is {cpi}%. What is the new annual charge?",
        round(value, 2),
        "",
        0,
        f"{n(charge)} × (1 + {applied:g}%) = {n(value)}",
    )


def _cola(rng):
    charge = rng.randrange(500_000, 3_000_001, 250_000)
    cola, productivity = rng.choice([3, 4, 5, 6, 7]), rng.choice([1, 2, 3, 4])
    value = charge * (1 + cola / 100) * (1 - productivity / 100)
    return {"c": charge, "cola": cola, "p": productivity}, Problem(
        f"Offshore charges of {n(charge)} get a {cola}% cost-of-living adjustment combined with a "
        f"{productivity}% productivity reduction. What are the new charges?",
        round(value, 2),
        "",
        0,
        f"{n(charge)} × {1 + cola / 100:g} × {1 - productivity / 100:g} = {n(value)}",
    )


def _cost_plus(rng):
    estimate = rng.randrange(500_000, 2_000_001, 100_000)
    percent = rng.choice([5, 6, 8, 10, 12])
    actual = estimate + rng.randrange(-200_000, 300_001, 50_000)
    if rng.random() < 0.5:
        value, how = actual * (1 + percent / 100), f"cost plus {percent}%"
        working = f"{n(actual)} × {1 + percent / 100:g} = {n(value)}"
    else:
        fee = estimate * percent / 100
        value, how = actual + fee, f"cost plus a fixed fee of {n(fee)} ({percent}% of the estimate)"
        working = f"{n(actual)} + {n(fee)} = {n(value)}"
    return {"e": estimate, "p": percent, "a": actual, "how": how[:10]}, Problem(
        f"A service with an estimated annual cost of {n(estimate)} is priced at {how}. Actual cost "
        f"comes to {n(actual)}. What does the client pay in total?",
        round(value, 2),
        "",
        0,
        working,
    )


def _erlangs(rng):
    calls, aht = rng.randrange(40, 401, 20), rng.choice([3, 4, 5, 6, 8, 9, 10, 12])
    value = calls * aht / 60
    return {"calls": calls, "aht": aht}, Problem(
        f"A service desk receives {calls} calls an hour with an average handle time of {aht} minutes. "
        f"What is the traffic intensity in Erlangs?",
        round(value, 2),
        "",
        2 if value % 1 else 0,
        f"{calls} × {aht} ÷ 60 = {n(value, 2)} Erlangs",
    )


def _rostered(rng):
    agents, shrinkage = rng.randrange(8, 61), rng.choice([25, 30, 32, 35, 40])
    value = -(-agents * 100 // (100 - shrinkage))  # whole numbers: no float just above an integer
    return {"agents": agents, "shrinkage": shrinkage}, Problem(
        f"Erlang C says {agents} agents are needed on the phones, and shrinkage is {shrinkage}%. How many "
        f"agents must be rostered (rounded up)?",
        value,
        "",
        0,
        f"{agents} ÷ (1 − {shrinkage}%) = {agents / (1 - shrinkage / 100):.2f}, rounded up to {value}",
    )


def _msp_fee(rng):
    spend, fee = rng.randrange(100_000, 600_001, 25_000), rng.choice([4, 5, 6, 7, 8])
    cut = rng.randrange(10_000, int(spend * 0.3), 5_000)
    value = cut * fee / 100 * 12
    return {"s": spend, "f": fee, "c": cut}, Problem(
        f"An MSP charges {fee}% of monthly cloud spend of {n(spend)}. Its optimisation cuts spend by "
        f"{n(cut)} a month. How much management fee does the MSP lose over a year?",
        value,
        "",
        0,
        f"{fee}% × {n(cut)} × 12 = {n(value)}",
    )


FAMILIES = [
    Family("downtime", "availability-and-uptime", "Downtime allowed at each availability level", 2, _downtime),
    Family("achieved", "availability-and-uptime", "What changes the meaning of a percentage", 3, _achieved),
    Family("partial", "availability-and-uptime", "What changes the meaning of a percentage", 2, _partial),
    Family("composite", "availability-and-uptime", "Composite availability", 3, _composite),
    Family("pool-credit", "service-credits", "Worked example", 2, _pool_credit),
    Family("credit-cap", "service-credits", "Worked example", 2, _cap),
    Family("tiered-credit", "service-credits", "Worked example", 2, _tiered),
    Family("earn-back", "earn-back-and-bonus-malus", "How earn-back works", 2, _earn_back),
    Family("bonus-malus", "earn-back-and-bonus-malus", "How bonus/malus schemes work", 3, _bonus_malus),
    Family("t-and-m", "time-and-materials", "How a T&M charge is calculated", 2, _time_and_materials),
    Family("blended-rate", "time-and-materials", "Rate cards and blended rates", 2, _blended),
    Family("capped-t-and-m", "capped-t-and-m-and-hybrids", "Worked example: capped T&M", 2, _capped),
    Family("resource-units", "resource-unit-pricing", "Worked example: a month above the deadband", 3, _resource_units),
    Family("tiered-units", "unit-transaction-pricing", "Worked example: tiered unit prices", 3, _tiered_units),
    Family("gain-share", "outcome-and-gain-share", "Normalising the baseline for volume", 3, _gain_share),
    Family(
        "indexation", "pricing-adjustments-indexation", "Caps, floors and collars with a worked example", 2, _indexation
    ),
    Family("cola", "pricing-adjustments-indexation", "COLA for offshore labour", 2, _cola),
    Family("cost-plus", "cost-plus", "Worked example: how each version responds to cost changes", 2, _cost_plus),
    Family("erlangs", "service-desk-staffing-erlang-c", "Traffic intensity in Erlangs", 2, _erlangs),
    Family("rostered", "service-desk-staffing-erlang-c", "Shrinkage and rostering", 2, _rostered),
    Family("msp-fee", "finops-in-managed-cloud", "Worked example: gain-share on cloud savings", 2, _msp_fee),
]


def calculation_items(articles: list[Article], per_family: int = PER_FAMILY) -> list[Item]:
    """Up to `per_family` distinct problems for each family whose section is in the corpus."""
    by_id = {a.id: a for a in articles}
    items = []
    for family in FAMILIES:
        article = by_id.get(family.source)
        section = (
            next((s for s in split_sections(article.body) if s.heading == family.heading), None) if article else None
        )
        if section is None:
            continue
        rng, seen = random.Random(f"study:{family.name}"), set()
        for _ in range(per_family * 8):
            if len(seen) >= per_family:
                break
            params, problem = family.make(rng)
            key = tuple(sorted(params.items()))
            if key in seen:
                continue
            seen.add(key)
            items.append(
                Item(
                    id=item_id("calc", family.name, key),
                    kind="calculation",
                    topic=article.topic,
                    difficulty=family.difficulty,
                    prompt=problem.prompt,
                    answer=format_number(problem.value, problem.decimals, problem.unit),
                    grading="number",
                    url=f"/docs/{article.id}#{section.anchor}",
                    source=article.id,
                    section=section.heading,
                    title=article.title,
                    value=problem.value,
                    unit=problem.unit,
                    decimals=problem.decimals,
                    explanation=problem.working,
                )
            )
    return items
