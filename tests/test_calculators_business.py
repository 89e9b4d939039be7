"""The business-case calculator: hand-computed savings and paybacks, edge cases, the chat reader and the API."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from assistant import calculators as calc
from assistant.calculators import Calculation, calculate
from assistant.errors import BadRequest
from assistant.settings import ROOT

from .support import calculators_client

# ---- the arithmetic (hand-computed) ----------------------------------------------------------------


def test_the_why_organisations_outsource_example():
    # 10,000,000 − (7,500,000 + 600,000) = 1,900,000 = 19% of 10,000,000;
    # payback 1,200,000 ÷ 1,900,000 = 12/19 = 0.6315… years = 144/19 = 7.578… months.
    result = calc.business_case(10_000_000, 7_500_000, retained_cost=600_000, one_off_costs=[1_200_000])
    assert (result.saving, result.saving_percent) == (D(1_900_000), D(19))
    assert result.payback_years == D(12) / D(19)
    assert result.sentences() == [
        "The retained organisation's 600,000 a year is 8% of the vendor's charge, within the 5-10% of annual "
        "contract value it typically costs.",
        "The headline saving is 10,000,000 − 7,500,000 = 2,500,000 a year (25% of the current cost).",
        "The recurring saving is 10,000,000 − (7,500,000 + 600,000) = 1,900,000 a year, 19% of the current cost.",
        "The one-off costs of 1,200,000 pay back in 1,200,000 ÷ 1,900,000 = ≈0.63 years (≈7.6 months).",
    ]
    assert result.source == calc.Source("why-organisations-outsource", "what-the-savings-look-like-in-practice")


def test_the_five_year_tco_worked_example():
    # Retained 7% × 2,600,000 = 182,000; 3,500,000 − (2,600,000 + 182,000 + 50,000 + 130,000) = 538,000 a year;
    # one-off 650,000 + 300,000 + 200,000 = 1,150,000 → 1,150,000 ÷ 538,000 = 2.137… years;
    # five years: 5 × 538,000 − 1,150,000 − 400,000 exit = 1,140,000 = 6.514…% of 5 × 3,500,000 = 17,500,000.
    result = calc.business_case(
        3_500_000,
        2_600_000,
        retained_percent=7,
        other_costs=[50_000, 130_000],
        one_off_costs=[650_000, 300_000, 200_000],
        exit_costs=[400_000],
        term_years=5,
    )
    assert (result.retained_cost, result.saving, result.one_off) == (D(182_000), D(538_000), D(1_150_000))
    assert result.payback_years == D(1_150_000) / D(538_000)
    assert result.net_saving == D(1_140_000)
    text = " ".join(result.sentences())
    assert "5 × 538,000 − 1,150,000 − 400,000 = 1,140,000, ≈6.51% of the 17,500,000" in text
    assert "≈2.14 years" in text
    assert result.source == calc.Source("business-case-and-tco", "worked-example-five-year-tco")


def test_the_study_guide_example():
    # Retained 7% × 7,200,000 = 504,000; 10,000,000 − 7,704,000 = 2,296,000 = 22.96%;
    # payback 3,000,000 ÷ 2,296,000 = 1.306… years; five years 5 × 2,296,000 − 3,000,000 = 8,480,000.
    result = calc.business_case(
        10_000_000, 7_200_000, retained_percent=7, one_off_costs=[1_800_000, 900_000, 300_000], term_years=5
    )
    assert (result.saving, result.saving_percent, result.net_saving) == (D(2_296_000), D("22.96"), D(8_480_000))
    assert "≈1.31 years" in " ".join(result.sentences())


def test_monthly_figures_and_a_term_in_months():
    # 80,000 − 62,000 = 18,000 a month = 216,000 a year (22.5%); payback 150,000 ÷ 18,000 = 8.33 months;
    # a 3-year term is 36 months: 36 × 18,000 − 150,000 = 498,000.
    result = calc.business_case(80_000, 62_000, one_off_costs=[150_000], term_years=3, per="month")
    assert (result.saving, result.annual_saving, result.net_saving) == (D(18_000), D(216_000), D(498_000))
    assert result.payback_years * 12 == D(150_000) / D(18_000)
    text = " ".join(result.sentences())
    assert "= 18,000 a month (216,000 a year), 22.5% of the current cost" in text
    assert "150,000 ÷ 18,000 = ≈8.3 months (≈0.69 years)" in text
    assert "Over a 3-year term (36 months) the net saving is 36 × 18,000 − 150,000 = 498,000" in text


def test_check_yourself_without_one_off_costs_has_no_payback_figure():
    # 5,000,000 − (4,000,000 + 300,000) = 700,000 = 14%.
    result = calc.business_case(5_000_000, 4_000_000, retained_cost=300_000)
    assert (result.saving, result.saving_percent, result.payback_years) == (D(700_000), D(14), None)
    assert not any("pay back" in s for s in result.sentences())


@pytest.mark.parametrize(
    "vendor, retained, expected",
    [
        (1_000_000, 100_000, "no payback: outsourcing saves nothing"),  # 1,100,000 − 1,100,000 = 0
        (1_000_000, 200_000, "no payback: outsourcing costs 100,000 more a year"),  # 1,100,000 − 1,200,000
    ],
)
def test_no_saving_means_no_payback_and_no_division(vendor, retained, expected):
    result = calc.business_case(1_100_000, vendor, retained_cost=retained, one_off_costs=[50_000], term_years=2)
    assert result.payback_years is None
    text = " ".join(result.sentences())
    assert expected in text
    if result.saving < 0:  # 2 × −100,000 − 50,000 = −250,000
        assert "2 × −100,000 − 50,000 = −250,000: a net cost" in text and "outsourcing costs ≈9.09% more" in text


def test_zero_one_off_costs_pay_back_at_once():
    result = calc.business_case(100_000, 90_000, one_off_costs=[0])
    assert result.payback_years == 0
    assert "payback 0" in " ".join(result.sentences())


@pytest.mark.parametrize(
    "retained, word",
    [(30_000, "below"), (50_000, "within"), (100_000, "within"), (120_000, "above")],  # of a 1,000,000 charge
)
def test_the_retained_organisation_is_set_against_the_typical_5_to_10_percent(retained, word):
    result = calc.business_case(2_000_000, 1_000_000, retained_cost=retained)
    assert f"{word} the 5-10% of annual contract value" in result.sentences()[0]


def test_a_missing_retained_organisation_is_noted_with_its_typical_cost():
    # 5% and 10% of 7,500,000: 375,000-750,000.
    text = " ".join(calc.business_case(10_000_000, 7_500_000).sentences())
    assert "No retained organisation cost was given" in text and "375,000-750,000 a year" in text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"current_cost": 0, "vendor_charge": 1}, "The current in-house cost must be at least 1"),
        ({"current_cost": 1e16, "vendor_charge": 1}, "at most 1,000,000,000,000,000"),
        ({"current_cost": 1, "vendor_charge": -5}, "The vendor's charge must be more than 0"),
        ({"current_cost": 1, "vendor_charge": 1, "retained_percent": 101}, "at most 100"),
        ({"current_cost": 1, "vendor_charge": 1, "retained_cost": 1, "retained_percent": 5}, "not both"),
        ({"current_cost": 1, "vendor_charge": 1, "one_off_costs": [5, -1]}, "One-off cost #2 must be at least 0"),
        ({"current_cost": 1, "vendor_charge": 1, "term_years": 0}, "The term (years) must be more than 0"),
        ({"current_cost": 1, "vendor_charge": 1, "term_years": 60}, "at most 50"),
        ({"current_cost": 1, "vendor_charge": 1, "per": "week"}, "per year or per month"),
        ({"current_cost": "lots", "vendor_charge": 1}, "must be a number"),
    ],
)
def test_bad_input_raises_a_clear_bad_request(kwargs, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.business_case(**kwargs)


def test_the_articles_state_what_the_calculator_computes():
    text = (ROOT / "corpus" / "foundations" / "why-organisations-outsource.md").read_text(encoding="utf-8")
    assert "the recurring saving falls to 1,900,000, or 19%" in text and "about 7.6 months" in text
    text = (ROOT / "corpus" / "lifecycle" / "business-case-and-tco.md").read_text(encoding="utf-8")
    assert "The recurring annual saving is £538,000" in text and "about 2.1 years" in text
    assert "which is £1,140,000, or 6.5% of the in-house cost" in text


# ---- the chat reader ----------------------------------------------------------------------------

ANSWERED = [
    (
        "If internal IT costs 10 million a year and the vendor quotes 7.5 million, and we keep a 600k retained team "
        "with 1.2m of one-off transition costs, what's the recurring saving and how long is the payback?",
        ["= 1,900,000 a year, 19% of the current cost", "≈7.6 months"],
    ),
    (
        "Sanity check on our business case: in-house the service costs 2.4M a year, the best bid is 1.9M a year. "
        "We'd need a retained team (people say around 7% of contract value), transition is roughly 500k one-off "
        "plus 150k of severance. What's the real yearly saving and how long is the payback?",
        # 7% × 1,900,000 = 133,000; 2,400,000 − 2,033,000 = 367,000; 650,000 ÷ 367,000 = 1.771… years
        ["7% × 1,900,000 = 133,000", "= 367,000 a year", "500,000 + 150,000 = 650,000", "≈1.77 years"],
    ),
    (
        "we spend 80k a month in-house, vendor wants 62k a month, transition costs 150k. What's the payback, "
        "and the net saving over a 3-year contract?",
        ["18,000 a month (216,000 a year)", "≈8.3 months", "36 × 18,000 − 150,000 = 498,000"],
    ),
    (
        "In-house 3.5m a year against the preferred bidder's 2.6m a year, retained organisation 7% of contract "
        "value, governance 50k a year, change allowance 130k a year, transition 650k, severance 300k, knowledge "
        "loss 200k one-off and exit 400k. What is the net saving over five years and the payback?",
        ["= 538,000 a year", "≈2.14 years", "= 1,140,000"],
    ),
    (
        "We pay 1.1m a year in-house and the supplier would charge 900k a year. How much would we save?",
        ["1,100,000 − 900,000 = 200,000 a year"],  # 200,000 ÷ 1,100,000 = 18.18…%
    ),
    (
        "Internal cost 90k a month; the provider quotes 1.2m a year and there's 100k of transition. Payback?",
        ["90,000 a month = 1,080,000 a year", "1,080,000 − 1,200,000 = −120,000 a year", "no payback"],
    ),
]


@pytest.mark.parametrize("question, expected", ANSWERED, ids=[q[:40] for q, _ in ANSWERED])
def test_business_case_questions_are_answered_with_the_working(question, expected):
    found = calculate(question)
    assert isinstance(found, Calculation) and found.kind == "business_case" and found.missing is None, found
    text = " ".join(found.result)
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert found.doc_id in ("why-organisations-outsource", "business-case-and-tco")


MISSING = [
    ("Sanity check: retained team around 7% of contract value, transition 500k. How long is the payback?", "in-house"),
    ("The vendor quotes 7.5m a year with 1.2m of transition. What's the payback?", "current in-house cost"),
    ("In-house costs 10m a year and the vendor quotes 7.5m. How long is the payback?", "one-off costs"),
    ("In-house costs 10m a year, transition 1m. What would we save by outsourcing?", "vendor's charge"),
    ("In-house costs 10m a year and the vendor quotes 0.5 million. What's the saving with 200% retained?", "at most"),
]


@pytest.mark.parametrize("question, asks", MISSING, ids=[q[:40] for q, _ in MISSING])
def test_a_missing_business_case_figure_is_asked_for(question, asks):
    found = calculate(question)
    assert found is not None and found.kind == "business_case" and found.result == [], found
    assert asks in found.missing and found.missing.endswith("?"), found.missing


@pytest.mark.parametrize(
    "question",
    [
        "What is payback?",
        "how is simple payback calculated when outsourcing has one-off transition costs and a recurring saving",
        "Will outsourcing really save us money?",
        "What does the retained organisation cost in a business case?",
        "What wording should the contract use for the retained organisation's obligations?",
        "The preferred bidder has offered to take over our vendor management and enterprise architecture teams as "
        "well, which would push the savings from 18% to 22%. Tempting. Any reason not to?",
        "We spend 7.5M a year across 22 testing vendors. Consolidating to 2 preferred suppliers should get a 7% "
        "rate cut, and transition would cost around 900k one-off. What's the payback?",
        "Cloud optimisation gain-share: the baseline was 3.2M of spend for 1,600 workloads. This year we ran 1,750 "
        "workloads and spent 3.15M. The deal is 50/50 above a 150k hurdle. What does the provider earn?",
        "A vendor says it can run our IT operations for 25% less than we spend today. What costs are we missing?",
    ],
)
def test_questions_that_are_not_a_business_case_return_none(question):
    assert calculate(question) is None


# ---- the API ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return calculators_client(tmp_path_factory.mktemp("calc-business"))


def test_business_case_endpoint(client):
    body = client.post(
        "/api/calc/business-case",
        json={"current_cost": 10e6, "vendor_charge": 7.5e6, "retained_cost": 6e5, "one_off_costs": [1.2e6]},
    ).json()
    figures = body["figures"]
    assert (figures["saving"], figures["saving_percent"], figures["outsourced_cost"]) == (1.9e6, 19, 8.1e6)
    assert round(figures["payback_months"], 2) == 7.58 and figures["net_saving"] is None  # 144 / 19
    assert body["citation"]["url"] == "/docs/why-organisations-outsource#what-the-savings-look-like-in-practice"
    body = client.post(
        "/api/calc/business-case",
        json={
            "current_cost": 80000,
            "vendor_charge": 62000,
            "one_off_costs": [150000],
            "term_years": 3,
            "per": "month",
        },
    ).json()
    assert (body["figures"]["annual_saving"], body["figures"]["net_saving"]) == (216000, 498000)
    assert body["citation"]["anchor"] == "worked-example-five-year-tco"
    assert "/api/calc/business-case" in client.get("/api/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"current_cost": 0, "vendor_charge": 1}, 400, "at least 1"),
        ({"current_cost": 1e-300, "vendor_charge": 1e308}, 400, "at least 1"),  # would overflow a float
        ({"current_cost": 1, "vendor_charge": 1, "retained_percent": 150}, 400, "at most 100"),
        ({"current_cost": 1, "vendor_charge": 1, "term_years": 0}, 400, "The term (years)"),
        ({"current_cost": 1}, 422, "vendor_charge: Field required"),
        ({"current_cost": 1, "vendor_charge": "x"}, 422, "vendor_charge"),
        ({"current_cost": 1, "vendor_charge": 1, "per": "week"}, 422, "per"),
        ({"current_cost": 1, "vendor_charge": 1, "extra": 1}, 422, "extra"),
    ],
)
def test_business_case_bad_input_is_a_clear_4xx(client, payload, status, message):
    response = client.post("/api/calc/business-case", json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]
