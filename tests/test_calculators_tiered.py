"""Tiered (banded) unit prices, graduated and all-units: by hand, in the chat and over HTTP."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from assistant import calculators as calc
from assistant.calculators import Calculation, calculate
from assistant.errors import BadRequest

from .support import calculators_client

# 12 for units 1 to 5,000, 10 for 5,001 to 10,000, 8 above 10,000.
BANDS = [(5000, 12), (10000, 10), (None, 8)]
# The article's bands: 12.00 for tickets 1 to 10,000, 10.50 for 10,001 to 15,000, 9.00 above 15,000.
ARTICLE = [(10000, "12.00"), (15000, "10.50"), (None, "9.00")]

# ---- the arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bands, volume, graduated, all_units, reached",
    [
        # 5,000 × 12 + 5,000 × 10 + 3,200 × 8 = 60,000 + 50,000 + 25,600 = 135,600; all-units 13,200 × 8
        (BANDS, 13200, 135600, 105600, 2),
        # the article: 10,000 × 12 + 5,000 × 10.50 + 1,200 × 9 = 120,000 + 52,500 + 10,800 = 183,300; 16,200 × 9
        (ARTICLE, 16200, 183300, 145800, 2),
        # the article's check: 10,000 × 12 + 2,000 × 10.50 = 141,000; all-units 12,000 × 10.50 = 126,000
        (ARTICLE, 12000, 141000, 126000, 1),
        # on an edge the volume belongs to the band it closes: 10,000 × 12 + 5,000 × 10.50 = 172,500;
        # all-units 15,000 × 10.50 = 157,500 (the article's cliff)
        (ARTICLE, 15000, 172500, 157500, 1),
        # on the first edge: 5,000 × 12 = 60,000 either way
        (BANDS, 5000, 60000, 60000, 0),
        # inside the first band: 3,000 × 12 = 36,000 either way
        (BANDS, 3000, 36000, 36000, 0),
        # nothing used, nothing owed
        (BANDS, 0, 0, 0, 0),
        # a free first band: 100 × 0 + 50 × 2 = 100; all-units 150 × 2 = 300
        ([(100, 0), (None, 2)], 150, 100, 300, 1),
        # fractional units (GB): 10 × 1.5 + 2.5 × 1 = 17.5; all-units 12.5 × 1 = 12.5
        ([(10, "1.5"), (None, 1)], "12.5", D("17.5"), D("12.5"), 1),
    ],
)
def test_tiered_pricing_hand_computed(bands, volume, graduated, all_units, reached):
    result = calc.tiered_pricing(bands, volume)
    assert (result.graduated, result.all_units, result.reached) == (graduated, all_units, reached)
    assert result.charge == graduated and result.source.anchor == "worked-example-tiered-unit-prices"


def test_graduated_sentences_show_each_band_the_average_and_the_other_reading():
    text = " ".join(calc.tiered_pricing(BANDS, 13200, unit="ticket").sentences())
    assert "No scheme was given, so this is the graduated reading" in text
    assert "5,000 tickets × 12 + 5,000 tickets × 10 + 3,200 tickets × 8 = 60,000 + 50,000 + 25,600 = 135,600" in text
    assert "135,600 ÷ 13,200 tickets ≈ 10.27 per ticket" in text  # 10.2727…
    assert "On an all-units basis the whole volume would be charged at the band it reaches: 13,200 tickets × 8" in text


def test_all_units_leads_when_asked_for_and_shows_the_graduated_charge():
    # 1,400 users × 35 = 49,000; graduated 1,000 × 40 + 400 × 35 = 40,000 + 14,000 = 54,000
    result = calc.tiered_pricing([(1000, 40), (None, 35)], 1400, "all_units", "user")
    assert (result.charge, result.graduated) == (49000, 54000)
    first, other, _ = result.sentences()
    assert first.startswith("On all-units (volume) tiers") and "1,400 users × 35 = 49,000" in first
    assert "does not say" not in first and "it would be 1,000 users × 40 + 400 users × 35" in other


def test_the_all_units_cliff_is_stated():
    # 15,000 × 10.50 = 157,500 costs more than any all-units volume between 15,000 and 157,500 ÷ 9 = 17,500.
    cliff = calc.tiered_pricing(ARTICLE, 16200, unit="ticket").cliff()
    assert "15,000 tickets cost 15,000 × 10.5 = 157,500" in cliff
    assert "between 15,000 and 157,500 ÷ 9 = 17,500 tickets costs less" in cliff
    assert calc.tiered_pricing(ARTICLE, 9000).cliff() is None  # in the first band there is no edge below
    assert calc.tiered_pricing([(10, 5), (None, 6)], 20).cliff() is None  # a dearer band is no cliff


def test_within_the_first_band_both_readings_agree():
    text = " ".join(calc.tiered_pricing(BANDS, 3000, unit="user").sentences())
    assert "3,000 users × 12 = 36,000" in text and "An all-units basis gives the same" in text


def test_a_table_row_per_band():
    table = calc.tiered_pricing(ARTICLE, 16200, unit="ticket").table()
    assert table["header"] == ["Band", "Unit price", "Tickets in band", "Charge"]
    assert table["rows"] == [
        ["1 to 10,000", "12", "10,000", "120,000"],
        ["10,001 to 15,000", "10.5", "5,000", "52,500"],
        ["above 15,000", "9", "1,200", "10,800"],
    ]


@pytest.mark.parametrize(
    "bands, volume, message",
    [
        ([(10000, 12), (5000, 10), (None, 8)], 100, "must be above the band before it (10,000)"),  # unordered
        ([(10000, 12), (10000, 10)], 100, "must be above the band before it"),  # the same edge twice
        ([(10000, 12), (15000, 10, 9001)], 100, "starts at 9,001, inside the band before it"),  # overlapping
        ([(10000, 12), (15000, 10, 12001)], 100, "leaving the units above 10,000 and below 12,001 unpriced"),
        ([(10000, 12), (None, 10), (None, 8)], 100, "Only the last band can be open-ended"),
        ([(10000, 12), (15000, 10)], 16000, "above the last band's limit (15,000)"),
        ([(10000, -1), (None, 8)], 100, "Band #1's unit price must be at least 0"),
        ([(0, 12), (None, 8)], 100, "Band #1's upper limit must be more than 0"),
        ([], 100, "Give one to twenty price bands"),
        (BANDS, -1, "The volume must be at least 0"),
        (BANDS, "lots", "The volume must be a number"),
    ],
)
def test_bad_bands_are_refused_clearly(bands, volume, message):
    with pytest.raises(BadRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        calc.tiered_pricing(bands, volume)


def test_an_unknown_scheme_is_refused():
    with pytest.raises(BadRequest, match="graduated or all_units"):
        calc.tiered_pricing(BANDS, 100, "volume")


def test_a_stated_first_unit_that_follows_on_is_accepted():
    # 10,001 or 10,000 (the edge) both start the second band; 10,000 × 12 + 2,000 × 10.5 = 141,000
    for start in (10001, 10000):
        assert calc.tiered_pricing([(10000, 12, 1), (15000, "10.5", start), (None, 9)], 12000).graduated == 141000


# ---- the chat ---------------------------------------------------------------------------------------

ANSWERED = [
    (
        "Tickets are priced at 12 each for the first 5,000 a month, 10 for the next 5,000 and 8 above 10,000. We had "
        "13,200 last month. What's the bill?",
        ["graduated reading", "= 60,000 + 50,000 + 25,600 = 135,600", "≈ 10.27 per ticket", "13,200 tickets × 8"],
    ),
    (
        "volume discount: up to 1,000 users 40 each, over 1,000 users 35 each for all users; we have 1,400. What do "
        "we pay?",
        ["On all-units (volume) tiers", "1,400 users × 35 = 49,000", "it would be 1,000 users × 40 + 400 users × 35"],
    ),
    (
        "Our service desk is priced per ticket: 12.00 for the first 10,000, 10.50 up to 15,000 and 9.00 for "
        "everything above. We logged 18,400 tickets last month. What should the invoice be if the tiers are "
        "incremental, and what if the vendor reads it as all-units?",
        # 120,000 + 5,000 × 10.50 + 3,400 × 9 = 120,000 + 52,500 + 30,600 = 203,100; all-units 18,400 × 9 = 165,600
        ["= 120,000 + 52,500 + 30,600 = 203,100", "18,400 tickets × 9 = 165,600", "cliff"],
    ),
    (
        "A service desk is billed per ticket on incremental tiers: 12.00 for the first 10,000 tickets, 10.50 for "
        "the next 5,000 and 9.00 above 15,000. What is the bill for a 16,200-ticket month?",
        ["On graduated (incremental) tiers", "= 183,300", "≈ 11.31 per ticket", "16,200 tickets × 9 = 145,800"],
    ),
    (
        "First 5,000 tickets at 12, next 5,000 at 10, above 10,000 at 8. We had 13,200. How much is the bill?",
        ["= 135,600"],
    ),
    (
        "We had 13,200 tickets. The first 5,000 cost 12 each, the next 5,000 10 each and anything above that 8. "
        "What's the bill?",
        ["= 135,600"],
    ),
    (
        "tickets 1-10,000 at 12, 10,001-15,000 at 10.50, 15,001+ at 9. we had 16,200 tickets, what's the invoice?",
        ["= 183,300"],
    ),
    (
        "Our service desk is priced per ticket: 12.00 for the first 10,000, 10.50 up to 15,000 and 9.00 above. "
        "What is the bill for 15,000 tickets?",
        ["10,000 tickets × 12 + 5,000 tickets × 10.5 = 120,000 + 52,500 = 172,500", "15,000 tickets × 10.5"],
    ),
    (
        "Invoices are 2 each for the first 1,000 and 1.50 for the next 4,000, with 1 above 5,000. We process 800 "
        "invoices a month; what will it cost?",
        ["800 invoices × 2 = 1,600", "An all-units basis gives the same"],
    ),
]


@pytest.mark.parametrize("question, expected", ANSWERED, ids=[q[:40] for q, _ in ANSWERED])
def test_calculate_answers_tiered_questions(question, expected):
    found = calculate(question)
    assert isinstance(found, Calculation) and found.kind == "tiered_pricing" and found.missing is None, found
    assert found.anchor == "worked-example-tiered-unit-prices" and found.table is not None
    text = " ".join(found.result)
    for phrase in expected:
        assert phrase in text, (phrase, text)


@pytest.mark.parametrize(
    "question, asks",
    [
        (
            "Tiered pricing: 12 for the first 5,000 tickets, 10 for the next 5,000 and 8 above 10,000. "
            "What's the bill?",
            "How many tickets",
        ),
        (
            "12 for the first 10,000 and 9 for tickets 9,001 to 15,000 and 8 above 15,000; 16,000 tickets: "
            "what is the bill?",
            "Band #2 starts at 9,001, inside the band before it",
        ),
    ],
)
def test_a_missing_volume_or_a_bad_band_is_asked_about(question, asks):
    found = calculate(question)
    assert found is not None and found.kind == "tiered_pricing" and found.result == [], found
    assert asks.lower() in found.missing.lower() and found.missing.endswith("?"), found.missing


@pytest.mark.parametrize(
    "question",
    [
        "what is tiered pricing?",
        "tiered unit price example",
        "incremental vs all-units volume tiers",
        "the per-claim price drops at higher volumes, but does the cheaper rate cover every claim or just the extra "
        "ones?",
        "Draft a clause applying unit prices incrementally: 12 for the first 10,000 tickets and 10.50 above 10,000.",
        "Resource-unit question: baseline 500 servers for 60,000 a month, ARC rate 100 per server, deadband plus or "
        "minus 5%. The month ends with 560 servers. What is the charge under a full-variance convention?",
        "Vendor charges 340 per managed laptop per month for 6,000 laptops. The benchmarker came back with 290, our "
        "clause has a 5% tolerance band. What price reduction do we get?",
    ],
)
def test_questions_that_are_not_tiered_calculations(question):
    found = calculate(question)
    assert found is None or found.kind != "tiered_pricing", found


@pytest.mark.parametrize(
    "question, kind",
    [
        (
            "The MSP offers 38 per user per month for 5,200 users, or 11 per ticket; we average about 17,000 tickets "
            "a month. Which is cheaper?",
            "unit_pricing",
        ),
        ("Three developers at 700 a day worked 46 days each against an 84,000 hard cap. What do we pay?", "tm_cap"),
        (
            "We pay 1.2M a year indexed to RPI, capped at 3% with a floor of 0%. RPI was -0.5%. New charge?",
            "indexation",
        ),
        ("How much downtime does 99.95% allow per month?", "downtime"),
        ("monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 — what is paid?", "service_credit"),
        ("450 of 500 tickets were resolved within target; the target is 95%. What percentage is that?", "attainment"),
    ],
)
def test_the_other_calculators_still_win_their_own_questions(question, kind):
    assert calculate(question).kind == kind


# ---- the API ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return calculators_client(tmp_path_factory.mktemp("calc"))


def test_tiered_pricing_endpoint(client):
    bands = [{"up_to": 10000, "price": 12}, {"up_to": 15000, "price": 10.5}, {"up_to": None, "price": 9}]
    body = client.post("/api/calc/tiered-pricing", json={"bands": bands, "volume": 16200, "unit": "ticket"}).json()
    figures = body["figures"]
    # the article: 120,000 + 52,500 + 10,800 = 183,300, ≈ 11.31 a ticket; all-units 16,200 × 9 = 145,800
    assert (figures["scheme"], figures["charge"], figures["graduated"], figures["all_units"]) == (
        "graduated",
        183300,
        183300,
        145800,
    )
    assert round(figures["average_price"], 2) == 11.31 and figures["band_reached"] == 3
    assert [b["units"] for b in figures["bands"]] == [10000, 5000, 1200]
    assert body["citation"]["url"] == "/docs/unit-transaction-pricing#worked-example-tiered-unit-prices"
    assert body["kind"] == "tiered_pricing" and len(body["table"]["rows"]) == 3


def test_tiered_pricing_endpoint_all_units(client):
    bands = [{"up_to": 1000, "price": 40}, {"up_to": None, "price": 35}]
    body = client.post("/api/calc/tiered-pricing", json={"bands": bands, "volume": 1400, "scheme": "all_units"})
    assert body.json()["figures"]["charge"] == 49000  # 1,400 × 35


@pytest.mark.parametrize(
    "payload, status, message",
    [
        ({"bands": [{"up_to": 10000, "price": 12}, {"up_to": 5000, "price": 10}], "volume": 1}, 400, "lowest first"),
        (
            {"bands": [{"up_to": 10000, "price": 12}, {"up_to": None, "price": 9, "starts_at": 9001}], "volume": 1},
            400,
            "must not overlap",
        ),
        ({"bands": [{"up_to": 10, "price": 1}], "volume": 11}, 400, "above the last band's limit"),
        ({"bands": [{"up_to": None, "price": 1}], "volume": 5, "scheme": "volume"}, 422, "scheme"),
        ({"bands": [{"up_to": None, "price": 1}]}, 422, "volume: Field required"),
        ({"bands": [{"up_to": None, "price": 1, "floor": 2}], "volume": 1}, 422, "floor"),
    ],
)
def test_tiered_pricing_bad_input_is_a_clear_4xx(client, payload, status, message):
    response = client.post("/api/calc/tiered-pricing", json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_tiered_pricing_is_in_the_openapi_schema(client):
    assert "/api/calc/tiered-pricing" in client.get("/api/openapi.json").json()["paths"]
