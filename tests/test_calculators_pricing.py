"""Pricing calculators: capped T&M, blended rates, unit prices compared and indexation, by hand, in the chat and
over HTTP."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from assistant import calculators as calc
from assistant.calculators import Calculation, calculate
from assistant.errors import BadRequest

from .support import calculators_client

# ---- capped time and materials ---------------------------------------------------------------------


def test_capped_tm_over_the_cap():
    # 3 people × 46 days × 700 = 96,600 against an 84,000 cap (the estimate: 3 × 40 × 700 = 84,000):
    # hard cap pays 84,000, the provider absorbs 96,600 − 84,000 = 12,600; soft cap 96,600 if approved.
    result = calc.capped_tm(84_000, rate=700, days=46, people=3, estimate_days=40)
    assert (result.charge, result.hard, result.overrun, result.shared) == (96_600, 84_000, 12_600, None)
    text = " ".join(result.sentences())
    assert "The estimate was 3 × 40 days × 700 = 84,000." in text
    assert "3 × 46 days × 700 = 96,600" in text
    assert "Under a hard cap you pay 84,000" in text and "absorbs the 12,600 overrun" in text
    assert "Under a soft cap" in text and "only if you approve more budget through change control (96,600" in text
    assert result.source.anchor == "worked-example-capped-tm"


@pytest.mark.parametrize(
    "kwargs, charge, hard",
    [
        ({"rate": 1000, "days": 59, "people": 4}, 236_000, 200_000),  # the article: 4 × 59 × 1,000; absorbs 36,000
        ({"rate": 1000, "days": 45, "people": 4}, 180_000, 180_000),  # the article: an underrun passes straight on
        ({"rate": 1000, "days": 50, "people": 4}, 200_000, 200_000),  # exactly at the cap: no overrun
        ({"rate": 1000, "days": 0, "people": 4}, 0, 0),  # nothing worked, nothing owed
        ({"rate": "137.5", "days": 10, "unit": "hour"}, D("1375"), D("1375")),  # 10 hours × 137.50, one person
    ],
)
def test_capped_tm_hand_computed(kwargs, charge, hard):
    result = calc.capped_tm(200_000, **kwargs)
    assert (result.charge, result.hard, result.overrun) == (charge, hard, max(D(0), charge - 200_000))


def test_capped_tm_within_the_cap_says_both_caps_pay_the_charge():
    text = " ".join(calc.capped_tm(200_000, rate=1000, days=45, people=4).sentences())
    assert "within the 200,000 cap, so you pay 180,000 under a hard or a soft cap alike" in text


def test_capped_tm_from_a_charge_and_a_shared_overrun():
    # The article's check: a 120,000 hard cap and 135,000 at the agreed rates: pays 120,000, absorbs 15,000.
    assert calc.capped_tm(120_000, charge=135_000).hard == 120_000
    # 50/50 on the article's 36,000 overrun: 200,000 + 50% × 36,000 = 218,000; the provider absorbs 18,000.
    shared = calc.capped_tm(200_000, rate=1000, days=59, people=4, client_share_percent=50)
    assert shared.shared == 218_000 and shared.source.anchor == "target-cost-with-paingain-share"
    assert "you pay 200,000 + 50% × 36,000 = 218,000 and the provider absorbs 18,000" in " ".join(shared.sentences())
    # 60/40: 200,000 + 0.6 × 36,000 = 221,600; 0% pays the cap, 100% the whole charge.
    assert calc.capped_tm(200_000, charge=236_000, client_share_percent=60).shared == 221_600
    assert calc.capped_tm(200_000, charge=236_000, client_share_percent=0).shared == 200_000
    assert calc.capped_tm(200_000, charge=236_000, client_share_percent=100).shared == 236_000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cap": 0, "charge": 1}, "The cap must be more than 0"),
        ({"cap": 100}, "Give the charge at the agreed rates, or the day rate and the days worked"),
        ({"cap": 100, "rate": -700, "days": 5}, "The day rate must be more than 0"),
        ({"cap": 100, "rate": 700, "days": -1}, "The days worked must be at least 0"),
        ({"cap": 100, "rate": 700, "days": 5, "people": 0}, "The number of people must be at least 1"),
        ({"cap": 100, "rate": 700, "days": 5, "people": 2.5}, "The number of people must be a whole number"),
        ({"cap": 100, "charge": 150, "client_share_percent": 101}, "Your share of the overrun must be at most 100"),
        ({"cap": 100, "rate": 700, "days": 5, "unit": "week"}, "per day or per hour"),
        ({"cap": 100, "rate": 10, "days": 5, "charge": 60}, "The charge 60 is not 1 × 5 × 10"),
    ],
)
def test_bad_capped_tm_input_is_refused(kwargs, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.capped_tm(**kwargs)


# ---- unit prices compared ----------------------------------------------------------------------------


def test_unit_pricing_per_user_against_per_ticket():
    # 38 × 5,200 users = 197,600; 11 × 17,000 tickets = 187,000; per ticket cheaper by 10,600.
    # Break-even: 197,600 ÷ 11 = 17,963.6… tickets; 187,000 ÷ 38 = 4,921.05… users.
    result = calc.unit_pricing([("user", 38, 5200), ("ticket", 11, 17000)])
    user, ticket = result.options
    assert (user.charge, ticket.charge, result.cheapest) == (197_600, 187_000, ticket)
    assert result.break_even(ticket, user) == D(197_600) / 11
    assert result.break_even(user, ticket) == D(187_000) / 38
    text = " ".join(result.sentences())
    assert "Per ticket is cheaper by 10,600 (197,600 − 187,000)." in text
    assert "per ticket costs the same as per user at 197,600 ÷ 11 ≈ 17,963.64 tickets" in text
    assert result.table()["rows"] == [["per user", "38", "5,200", "197,600"], ["per ticket", "11", "17,000", "187,000"]]


def test_unit_pricing_equal_charges_same_units_and_zero_volume():
    # The article's per-user price: 4,000 users × 45 = 180,000; 15,000 tickets × 12 = 180,000: the same.
    same = calc.unit_pricing([("user", 45, 4000), ("ticket", 12, 15000)])
    assert "Per user and per ticket cost the same, 180,000." in same.sentences()
    # Two vendors per ticket: the lower price wins at any volume, so no break-even is given.
    vendors = calc.unit_pricing([("ticket", "10.5", 1000), ("ticket", 11, 1000)])
    assert vendors.cheapest.price == D("10.5") and "break" not in " ".join(vendors.sentences()).lower()
    assert not any("costs the same as" in s for s in vendors.sentences())
    assert calc.unit_pricing([("user", 38, 0), ("ticket", 11, 0)]).options[0].charge == 0


@pytest.mark.parametrize(
    "options, message",
    [
        ([("user", 38, 5200)], "Give two to ten options to compare; got 1"),
        ([("user", 0, 5200), ("ticket", 11, 1)], "Option #1's unit price must be more than 0"),
        ([("user", 38, 5200), ("ticket", 11, -1)], "Option #2's volume must be at least 0"),
        ([("user", 38, "lots"), ("ticket", 11, 1)], "Option #1's volume must be a number"),
    ],
)
def test_bad_unit_pricing_input_is_refused(options, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.unit_pricing(options)


# ---- indexation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "charge, changes, cap, floor, charges",
    [
        (1_000_000, [4, 2], 3, None, [1_030_000, 1_050_600]),  # the article: 1,000,000 × 1.03, then × 1.02
        (2_500_000, ["4.6", "2.1"], 3, None, [2_575_000, 2_629_075]),  # × 1.03 = 2,575,000; × 1.021 = 2,629,075
        (500_000, ["2.5"], 3, None, [512_500]),  # the article's check: 2.5% is below the cap
        (1_000_000, ["0.5"], 3, 1, [1_010_000]),  # the article's collar: 0.5% becomes 1%
        (1_000_000, [-2], 3, 0, [1_000_000]),  # a floor at zero: deflation changes nothing
        (1_000_000, [-2], None, None, [980_000]),  # no floor: × 0.98
        (1_000_000, [0, 0], 3, None, [1_000_000, 1_000_000]),
    ],
)
def test_indexation_compounds_each_capped_uplift(charge, changes, cap, floor, charges):
    result = calc.indexation(charge, changes, cap, floor)
    assert [y.after for y in result.years] == [D(c) for c in charges]


def test_indexation_sentences_and_cola_offset():
    text = " ".join(calc.indexation(2_500_000, ["4.6", "2.1"], 3, index="CPI").sentences())
    assert "Year 1: CPI 4.6% is above the 3% cap, so the uplift is 3%: 2,500,000 × 1.03 = 2,575,000." in text
    assert "Year 2: CPI 2.1% is within the cap, so the uplift is 2.1%: 2,575,000 × 1.021 = 2,629,075." in text
    # 1.03 × 1.021 = 1.05163; 2,629,075 − 2,500,000 = 129,075.
    assert "Compounded (1.03 × 1.021 = 1.05163)" in text and "a total uplift of 129,075 (5.163%)" in text
    # The article's COLA: 1,000,000 × 1.05 × 0.97 = 1,018,500, a net 1.85%.
    cola = calc.indexation(1_000_000, [5], offset=3, index="the COLA")
    assert cola.final == 1_018_500 and cola.source.anchor == "cola-for-offshore-labour"
    assert "net change is 18,500 (1.85%)" in " ".join(cola.sentences())
    assert calc.indexation(1_000_000, [4], 3).source.anchor == "caps-floors-and-collars-with-a-worked-example"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"charge": 0, "changes": [2]}, "The charge must be more than 0"),
        ({"charge": 100, "changes": []}, "Give one to fifty yearly index changes; got 0"),
        ({"charge": 100, "changes": [150]}, "The index change for year 1 (a percentage) must be at most 100"),
        ({"charge": 100, "changes": [2], "cap": 1, "floor": 2}, "The floor (2%) must not be above the cap (1%)"),
        ({"charge": 100, "changes": [2], "offset": 100}, "less than 100%"),
        ({"charge": 100, "changes": ["x"]}, "must be a number"),
    ],
)
def test_bad_indexation_input_is_refused(kwargs, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.indexation(**kwargs)


# ---- the chat parser --------------------------------------------------------------------------------

ANSWERED = [
    (
        "Three developers at 700 a day, estimated at 40 days each. The vendor agreed a cap of 84,000 on the T&M "
        "work. It ended up taking 46 days each. What do we owe under a hard cap, and under a soft cap?",
        "tm_cap",
        ["3 × 46 days × 700 = 96,600", "Under a hard cap you pay 84,000", "other 12,600 only if you approve"],
    ),
    (
        "Four consultants at 1,000 per day on capped T&M with a cap of 200,000; the work took 59 days each. "
        "We agreed to share the overrun 50/50. How much do we pay?",
        "tm_cap",
        ["4 × 59 days × 1,000 = 236,000", "200,000 + 50% × 36,000 = 218,000"],
    ),
    (
        "A capped T&M job with a hard cap of 120,000 accrues 135,000 at the agreed rates. What does the client pay?",
        "tm_cap",
        ["you pay 120,000", "absorbs the 15,000 overrun"],
    ),
    (
        "T&M with a hard cap of 50k: the supplier billed 62k. What do we owe?",
        "tm_cap",
        ["you pay 50,000", "absorbs the 12,000 overrun"],
    ),
    (
        "Two testers at 90 an hour worked 300 hours each against a not-to-exceed of 60,000. What do we pay?",
        "tm_cap",
        ["2 × 300 hours × 90 = 54,000", "within the 60,000 cap"],
    ),
    (
        "The MSP offers 38 per user per month for 5,200 users, or 11 per ticket; we average about 17,000 tickets "
        "a month. Which is cheaper?",
        "unit_pricing",
        ["38 × 5,200 users = 197,600", "11 × 17,000 tickets = 187,000", "cheaper by 10,600", "17,963.64 tickets"],
    ),
    (
        "Per device at 55 per device for 3,000 devices versus 40 per user for 4,200 users: which is cheaper?",
        "unit_pricing",
        ["55 × 3,000 devices = 165,000", "40 × 4,200 users = 168,000", "Per device is cheaper by 3,000"],
    ),
    (
        "Annual run charge is 2.5M, indexed to CPI with a 3% cap. CPI was 4.6% last year and 2.1% this year. "
        "What are the charges after each uplift?",
        "indexation",
        ["2,500,000 × 1.03 = 2,575,000", "2,575,000 × 1.021 = 2,629,075", "total uplift of 129,075"],
    ),
    (
        "CPI was 2.1% this year and 4.6% last year; our 2.5M charge is indexed with a 3% cap. What are the new "
        "charges?",
        "indexation",
        ["Year 1: CPI 4.6%", "Year 2: CPI 2.1%", "2,629,075"],
    ),
    (
        "We pay 1.2M a year indexed to RPI, capped at 3% with a floor of 0%. RPI was -0.5%. What's the new charge?",
        "indexation",
        ["RPI -0.5% is below the 0% floor, so the uplift is 0%: 1,200,000 × 1 = 1,200,000"],
    ),
    (
        "We pay 2M a year with CPI indexation capped at 3%; CPI came in at 5%, 4% and 2% over three years. "
        "How much will we pay in year 3?",
        "indexation",
        # 2,000,000 × 1.03 × 1.03 × 1.02 = 2,164,236
        ["Year 3: CPI 2% is within the cap", "2,121,800 × 1.02 = 2,164,236", "total uplift of 164,236"],
    ),
    (
        "Our offshore charges are 900k and the vendor wants a 6% COLA with a 2% productivity offset. What is the "
        "new charge?",
        "indexation",
        ["900,000 × 1.06 × 0.98 = 934,920"],  # the article's COLA formula with these figures
    ),
    (
        "Annual charge 1,000,000 with a collar of 1% to 3%; CPI came in at 0.5%. What is the new charge?",
        "indexation",
        ["below the 1% floor", "1,000,000 × 1.01 = 1,010,000"],
    ),
    (
        "Annual run charge is 2.5M, indexed to CPI with a 3% cap. CPI was 4.6% last year and 2.1% this year. What "
        "are the charges after each uplift? Separately, the offshore part (900k) gets a 6% COLA with a 2% "
        "productivity offset - what's the net effect on that part?",
        "indexation",
        ["2,629,075", "Separately, the COLA of 6% applies in full: 900,000 × 1.06 × 0.98 = 934,920", "(3.88%)"],
    ),
]


@pytest.mark.parametrize("question, kind, expected", ANSWERED, ids=[q[:40] for q, _, _ in ANSWERED])
def test_calculate_answers_pricing_questions(question, kind, expected):
    found = calculate(question)
    assert isinstance(found, Calculation) and found.kind == kind and found.missing is None, found
    text = " ".join(found.result)
    for phrase in expected:
        assert phrase in text, (phrase, text)


MISSING = [
    ("How much do we pay under a hard cap?", "tm_cap", "the cap (the not-to-exceed amount), the day rate and"),
    ("Our T&M cap is 84,000 and they billed 700 a day. What do we owe?", "tm_cap", "the days actually worked"),
    ("The MSP offers 38 per user per month or 11 per ticket. Which is cheaper?", "unit_pricing", "How many users"),
    ("What's the new charge after indexation with a 3% cap?", "indexation", "the charge being indexed"),
    ("Our 2M charge is indexed to CPI with a 3% cap. What is the new charge?", "indexation", "the CPI change"),
]


@pytest.mark.parametrize("question, kind, asks", MISSING, ids=[q[:40] for q, _, _ in MISSING])
def test_a_missing_pricing_figure_is_asked_for(question, kind, asks):
    found = calculate(question)
    assert found is not None and found.result == [] and found.kind == kind, found
    assert asks in found.missing and found.missing.endswith("?"), found.missing


@pytest.mark.parametrize(
    "question",
    [
        "What is a T&M cap?",
        "hard cap t&m overrun who pays",
        "do we pay anything above the ceiling if the cap was never labelled hard or soft?",
        "under target cost pricing with a 50/50 share, how much does the client pay on an overrun",
        "hard cap vs soft cap",
        "What's the difference between a hard cap and a soft cap on T&M?",
        "What wording should we use for a hard cap of 200,000 on T&M work?",
        "Draft a clause for capped time and materials with a not-to-exceed of 200,000.",
        "Should we pay per user or per ticket?",
        "per ticket pricing gives the vendor no reason to fix root causes",
        "Our service desk is priced per ticket: 12.00 for the first 10,000, 10.50 up to 15,000 and 9.00 above. "
        "What is the bill for 18,400 tickets?",
        "can we cap the annual CPI increase",
        "What is COLA?",
        "the supplier wants to raise prices every year with inflation",
        "Should we accept indexation at CPI with a 3% cap?",
    ],
)
def test_questions_that_are_not_pricing_calculations_return_none(question):
    found = calculate(question)
    assert found is None or found.kind not in ("tm_cap", "unit_pricing", "indexation"), found


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How much downtime does 99.95% allow per month?", "downtime"),
        ("monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 — what is paid?", "service_credit"),
        ("450 of 500 tickets were resolved within target; the target is 95%. What percentage is that?", "attainment"),
    ],
)
def test_the_sla_calculators_still_win_their_own_questions(question, kind):
    assert calculate(question).kind == kind


# ---- blended rate ------------------------------------------------------------------------------------


def test_blended_rate_of_the_articles_team():
    # The T&M article: 2 × 800 + 6 × 400 = 4,000 per day for 8 people, 4,000 ÷ 8 = 500 per person-day;
    # one person moved from 400 to 800 adds 400 ÷ 8 = 50.
    result = calc.blended_rate([("senior engineer", 2, 800), ("junior engineer", 6, 400)])
    assert (result.cost, result.people, result.rate, result.mix_shift) == (4000, 8, 500, 50)
    first, second = result.sentences()
    assert first == (
        "The team costs 2 senior engineer × 800 + 6 junior engineer × 400 = 4,000 per day for 8 people, "
        "a blended rate of 4,000 ÷ 8 = 500 per person-day."
    )
    assert "from the 400 rate to the 800 rate raises the blended rate by (800 − 400) ÷ 8 = 50" in second
    assert result.table()["rows"][-1] == ["team", "8", "500", "4,000"]
    assert result.source.url == "/docs/time-and-materials#rate-cards-and-blended-rates"


@pytest.mark.parametrize(
    "roles, unit, rate, shift",
    [
        ([("", 1, 1000), ("", 4, 500)], "day", D(600), D(100)),  # the article's Check yourself: 3,000 ÷ 5
        ([("", 3, 120), ("", 5, 85), ("", 4, 55)], "hour", D("83.75"), D(65) / 12),  # 1,005 ÷ 12
        ([("", "1.5", 1100), ("", 4, 450)], "day", D(3450) / D("5.5"), D(650) / D("5.5")),  # part-time FTE
        ([("all", 5, 700)], "day", D(700), None),  # one rate: the blend is that rate, no mix to shift
        ([("lead", 1, 950)], "hour", D(950), None),  # "for 1 person"
    ],
)
def test_blended_rate_hand_computed(roles, unit, rate, shift):
    result = calc.blended_rate(roles, unit)
    assert (result.rate, result.mix_shift, result.unit) == (rate, shift, unit)
    sentences = result.sentences()
    assert len(sentences) == (2 if shift else 1)
    assert (" for 1 person," in sentences[0]) == (result.people == 1)


@pytest.mark.parametrize(
    "roles, unit, message",
    [
        ([], "day", "Give one to twenty roles"),
        ([("", 0, 500)], "day", "Role #1's number of people must be more than 0"),
        ([("", 2, -1)], "day", "Role #1's rate must be at least 0"),
        ([("", 2, "lots")], "day", "Role #1's rate must be a number"),
        ([("", 2, 500)], "week", "per day or per hour"),
    ],
)
def test_bad_blended_rate_input_is_refused(roles, unit, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.blended_rate(roles, unit)


@pytest.mark.parametrize(
    "question, rate",
    [
        ("what's the blended day rate for 2 onshore devs at 900 a day and 6 offshore at 300?", "3,600 ÷ 8 = 450"),
        (
            "A team has one architect at 1,000 per day and four developers at 500 per day. What is the blended rate?",
            "3,000 ÷ 5 = 600 per person-day",
        ),
        (
            "blended hourly rate: 3 seniors at $120 an hour, 5 mid at 85 and 4 juniors at 55",
            "1,005 ÷ 12 = 83.75 per person-hour",
        ),
        ("900 a day for 2 onshore developers and 300 a day for 6 offshore developers: blended rate?", "= 450"),
        (
            "Our T&M team is 2 senior engineers at 800 per day and 6 junior engineers at 400; what's our blended rate?",
            "4,000 ÷ 8 = 500",
        ),
    ],
)
def test_calculate_answers_blended_rate_questions(question, rate):
    found = calculate(question)
    assert found is not None and found.kind == "blended_rate" and found.missing is None, found
    assert rate in found.result[0] and found.table["header"][0] == "Role"


@pytest.mark.parametrize(
    "question",
    [
        "What is a blended rate?",
        "How is a blended rate calculated?",
        "If the onshore share goes from 20% to 30% what happens to the blended rate?",
        "Three developers at a blended rate of 700 a day for 46 days each against an 84,000 hard cap: what do we pay?",
    ],
)
def test_questions_without_a_team_are_not_blended_rate_calculations(question):
    found = calculate(question)
    assert found is None or found.kind != "blended_rate", found


# ---- the API ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return calculators_client(tmp_path_factory.mktemp("calc"))


def test_tm_cap_endpoint(client):
    body = client.post(
        "/api/calc/tm-cap", json={"cap": 84000, "rate": 700, "days": 46, "people": 3, "client_share_percent": 50}
    ).json()
    assert body["figures"] == {
        "cap": 84000,
        "charge": 96600,
        "overrun": 12600,
        "hard_cap_pays": 84000,
        "soft_cap_pays_if_approved": 96600,
        "shared_pays": 90300,  # 84,000 + 50% × 12,600
    }
    assert body["citation"]["url"] == "/docs/capped-t-and-m-and-hybrids#target-cost-with-paingain-share"


def test_unit_pricing_endpoint(client):
    options = [{"unit": "user", "price": 38, "volume": 5200}, {"unit": "ticket", "price": 11, "volume": 17000}]
    body = client.post("/api/calc/unit-pricing", json={"options": options}).json()
    figures = body["figures"]
    assert (figures["cheapest"], figures["difference"]) == ("ticket", 10600)
    assert [round(v, 2) for v in figures["break_even"]] == [4921.05, 17963.64]
    assert body["citation"]["url"] == "/docs/unit-transaction-pricing#overview" and len(body["table"]["rows"]) == 2


def test_blended_rate_endpoint(client):
    roles = [{"label": "onshore", "people": 2, "rate": 900}, {"label": "offshore", "people": 6, "rate": 300}]
    body = client.post("/api/calc/blended-rate", json={"roles": roles}).json()
    assert body["figures"] == {"people": 8, "cost": 3600, "blended_rate": 450, "mix_shift": 75}
    assert body["kind"] == "blended_rate" and body["table"]["rows"][-1] == ["team", "8", "450", "3,600"]
    assert body["citation"]["url"] == "/docs/time-and-materials#rate-cards-and-blended-rates"
    hourly = client.post("/api/calc/blended-rate", json={"roles": roles[:1], "unit": "hour"}).json()
    assert hourly["figures"]["mix_shift"] is None and "per person-hour" in hourly["result"][0]


def test_indexation_endpoint(client):
    body = client.post(
        "/api/calc/indexation", json={"charge": 2500000, "changes": [4.6, 2.1], "cap": 3, "index": "CPI"}
    ).json()
    assert [y["charge"] for y in body["figures"]["years"]] == [2575000, 2629075]
    assert body["figures"]["total_uplift"] == 129075 and body["result"][0].startswith("Year 1: CPI 4.6%")
    assert body["citation"]["anchor"] == "caps-floors-and-collars-with-a-worked-example"


@pytest.mark.parametrize(
    "path, payload, status, message",
    [
        ("/api/calc/tm-cap", {"cap": 0, "charge": 5}, 400, "The cap must be more than 0"),
        ("/api/calc/tm-cap", {"cap": 100}, 400, "Give the charge at the agreed rates"),
        ("/api/calc/tm-cap", {"charge": 5}, 422, "cap: Field required"),
        ("/api/calc/tm-cap", {"cap": 100, "charge": 5, "unit": "week"}, 422, "unit"),
        ("/api/calc/unit-pricing", {"options": [{"unit": "user", "price": 1, "volume": 1}]}, 400, "two to ten"),
        ("/api/calc/unit-pricing", {"options": []}, 400, "two to ten"),
        ("/api/calc/unit-pricing", {"options": [{"price": -1, "volume": 1}] * 2}, 400, "must be more than 0"),
        ("/api/calc/blended-rate", {"roles": []}, 400, "Give one to twenty roles"),
        ("/api/calc/blended-rate", {"roles": [{"people": 0, "rate": 500}]}, 400, "must be more than 0"),
        ("/api/calc/blended-rate", {"roles": [{"people": 1, "rate": 500}], "unit": "week"}, 422, "unit"),
        ("/api/calc/indexation", {"charge": 100, "changes": [2], "cap": 1, "floor": 2}, 400, "not be above the cap"),
        ("/api/calc/indexation", {"charge": 100, "changes": []}, 400, "Give one to fifty"),
        ("/api/calc/indexation", {"charge": 100, "changes": [2], "extra": 1}, 422, "extra"),
    ],
)
def test_pricing_api_bad_input_is_a_clear_4xx(client, path, payload, status, message):
    response = client.post(path, json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_pricing_calculators_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/calc/tm-cap", "/api/calc/blended-rate", "/api/calc/unit-pricing", "/api/calc/indexation"} <= set(
        paths
    )
