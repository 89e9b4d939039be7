"""SLA calculators: hand-computed figures and edge cases, the chat parser, the API and the /tools page."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest

from assistant import calculators as calc
from assistant.calculators import Calculation, calculate, has_figures
from assistant.errors import BadRequest
from assistant.markdown import slugify
from assistant.settings import ROOT

from .support import calculators_client

CORPUS = ROOT / "corpus"


# ---- availability and downtime (hand-computed: minutes in the period × (100% − availability)) ------


@pytest.mark.parametrize(
    "level, kind, days, minutes",
    [
        ("99.95", "month", 30, "21.6"),  # 43,200 × 0.0005
        ("99.9", "month", 31, "44.64"),  # 44,640 × 0.001
        ("99.9", "month", 28, "40.32"),  # February: 40,320 × 0.001
        ("99.9", "month", 29, "41.76"),  # February in a leap year
        ("99.9", "quarter", 90, "129.6"),
        ("99.95", "quarter", 92, "66.24"),  # 132,480 × 0.0005
        ("99.9", "year", 365, "525.6"),
        ("99.9", "year", 366, "527.04"),  # leap year
        ("99.99", "month", 30, "4.32"),
        ("99.999", "month", 30, "0.432"),  # five nines: 25.92 seconds
        ("99.9", "week", None, "10.08"),
        ("99.9", "day", None, "1.44"),
        ("100", "year", 365, "0"),
        ("0", "month", 30, "43200"),
    ],
)
def test_downtime_allowed_matches_hand_computed_minutes(level, kind, days, minutes):
    result = calc.downtime_allowed(level, calc.period(kind, days))
    assert result.downtime_minutes == D(minutes)


def test_downtime_sentence_shows_the_working():
    sentence = calc.downtime_allowed(99.95, calc.period("month")).sentence()
    assert sentence == (
        "99.95% availability allows 21.6 minutes of downtime in a 30-day month "
        "(43,200 minutes × 0.05% = 21.6 minutes, or 21 min 36 s)."
    )


def test_maintenance_is_excluded_before_the_percentage():
    # The article's example: 240 minutes excluded from a 30-day month leave 42,960 minutes; 99.9% allows 42.96.
    result = calc.downtime_allowed(99.9, calc.period("month", 30), maintenance_minutes=240)
    assert (result.service_minutes, result.downtime_minutes) == (D(42960), D("42.96"))
    assert result.source.anchor == "what-changes-the-meaning-of-a-percentage"
    # The working shows where the agreed service time comes from, then the percentage of it.
    assert "(43,200 − 240 = 42,960 minutes of agreed service time; 42,960 × 0.1% = 42.96 minutes" in result.sentence()


def test_downtime_table_covers_every_period_length():
    table = calc.downtime_table([D("99.9")])
    labels = [row[0] for row in table["rows"]]
    assert labels == [
        "day",
        "week",
        "28-day month (February)",
        "29-day month (February in a leap year)",
        "30-day month",
        "31-day month",
        "90-day quarter",
        "91-day quarter",
        "92-day quarter",
        "365-day year",
        "366-day year (a leap year)",
    ]
    assert table["rows"][5][2].startswith("44.64 min")
    with_maintenance = calc.downtime_table([D("99.9")], 240, kind="month")
    assert [row[1] for row in with_maintenance["rows"]] == ["40,080", "41,520", "42,960", "44,400"]


@pytest.mark.parametrize(
    "minutes, text",
    [
        (D("21.6"), "21 min 36 s"),
        (D("5256"), "3 days 15 h 36 min"),
        (D("0.432"), "25.92 s"),
        (D("525.6"), "8 h 45 min 36 s"),
        (D("1440"), "1 day"),
        (D("0"), "0 s"),
    ],
)
def test_duration_reads_as_days_hours_minutes_seconds(minutes, text):
    assert calc.duration(minutes) == text


def test_availability_achieved_from_downtime():
    result = calc.availability_achieved(50, calc.period("month", 30))
    assert result.percent.quantize(D("0.000001")) == D("99.884259")  # 43,150 / 43,200
    assert calc.availability_achieved(0, calc.period("day")).percent == 100
    assert calc.availability_achieved(1440, calc.period("day")).percent == 0
    # The article: one 100-minute outage fails a monthly 99.9% but passes a quarterly one.
    assert calc.availability_achieved(100, calc.period("month"), target=99.9).met is False
    assert calc.availability_achieved(100, calc.period("quarter"), target=99.9).met is True


# ---- composite --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "series, parallel, percent",
    [
        ("99.9,99.9", "", "99.8001"),  # the article: 0.999 × 0.999
        ("99.9,99.9,99.9", "", "99.7002999"),  # 0.999³
        ("99.9,99.95", "", "99.85005"),
        ("", "99,99", "99.99"),  # the article: 1 − 0.01²
        ("99.9", "99,99", "99.89001"),  # 0.999 × 0.9999
        ("100,99.9", "", "99.9"),
        ("", "0,0", "0"),
    ],
)
def test_composite_availability(series, parallel, percent):
    assert calc.composite(series, parallel).percent == D(percent)


# ---- service credits (the article's worked example) -------------------------------------------------


def test_credits_are_capped_by_the_at_risk_amount():
    result = calc.service_credits(200_000, 12, credit_amounts=[20_000, 8_000])
    assert (result.total, result.cap, result.paid, result.not_payable) == (28_000, 24_000, 24_000, 4_000)


def test_pool_allocation_and_exposure():
    result = calc.service_credits(200_000, 12, allocations=[50], pool_percent=200)
    assert result.credits[0].amount == 12_000 and result.paid == 12_000
    assert result.exposure == 48_000  # 12% × 200% × 200,000, limited to 24,000 by the cap
    assert "the 200% allocation pool" in " ".join(result.sentences())
    assert "with the pool above 100% the at-risk amount limits the payment to 24,000" in " ".join(result.sentences())
    within = calc.service_credits(200_000, 12, allocations=[50], pool_percent=100)
    assert within.exposure == 24_000 and "= 24,000, within the at-risk amount." in " ".join(within.sentences())


def test_credit_percentages_and_no_cap():
    result = calc.service_credits(200_000, credit_percents=[10, 5])
    assert (result.total, result.cap, result.paid) == (30_000, None, 30_000)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"monthly_charges": 0, "at_risk_percent": 12, "credit_amounts": [1]}, "monthly charges must be more than 0"),
        ({"at_risk_percent": 12, "credit_amounts": [1]}, "monthly charges are needed"),
        ({"monthly_charges": 100, "at_risk_percent": 120}, "at most 100"),
        (
            {"monthly_charges": 100, "at_risk_percent": 12, "allocations": [150, 100], "pool_percent": 200},
            "more than the 200% pool",
        ),
        ({"monthly_charges": 100, "credit_amounts": [-5]}, "Credit amount #1 must be at least 0"),
        ({"monthly_charges": 100}, "Give the credits"),
    ],
)
def test_bad_credit_input_is_refused(kwargs, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        calc.service_credits(**kwargs)


# ---- earn-back and attainment --------------------------------------------------------------------


def test_earn_back():
    assert calc.earn_back(5000, 50, 3, 3).returned == 2500  # the article's worked case
    assert calc.earn_back(5000, 50, 3, 2).returned == 0
    assert calc.earn_back(5000, 50, 3, 3, forfeited=True).returned == 0
    unknown = calc.earn_back(5000, 50, 3)
    assert unknown.returned is None and unknown.earnable == 2500
    with pytest.raises(BadRequest, match="cannot exceed"):
        calc.earn_back(5000, 50, 3, 4)


def test_attainment():
    result = calc.attainment(450, 500, 95)
    assert (result.percent, result.shortfall) == (90, 25)
    assert calc.attainment(475, 500, 95).shortfall == 0
    assert calc.attainment(0, 1).percent == 0
    with pytest.raises(BadRequest, match="cannot exceed"):
        calc.attainment(501, 500)
    with pytest.raises(BadRequest, match="at least 1"):
        calc.attainment(0, 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: calc.downtime_allowed(100.01, calc.period("month")), "at most 100"),
        (lambda: calc.downtime_allowed(-1, calc.period("month")), "at least 0"),
        (lambda: calc.downtime_allowed("nan", calc.period("month")), "finite"),
        (lambda: calc.downtime_allowed("ninety", calc.period("month")), "must be a number"),
        (lambda: calc.period("month", 32), "at most 31"),
        (lambda: calc.period("quarter", 89), "at least 90"),
        (lambda: calc.period("year", 365.5), "whole number"),
        (lambda: calc.period("fortnight"), "must be one of day, week, month, quarter, year"),
        (lambda: calc.downtime_allowed(99.9, calc.period("day"), 1440), "shorter than the day"),
        (lambda: calc.availability_achieved(50, calc.period("day"), 1400), "longer than the agreed service time"),
        (lambda: calc.composite("99.9", ""), "at least two components"),
    ],
)
def test_bad_input_raises_a_clear_bad_request(call, message):
    with pytest.raises(BadRequest, match=re.escape(message)):
        call()


def _anchors(doc_id: str) -> set[str]:
    path = next(CORPUS.rglob(f"{doc_id}.md"))
    taken = {"overview"}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            slugify(line[3:].strip(), taken)
    return taken


@pytest.mark.parametrize("source", calc.SOURCES, ids=lambda s: f"{s.doc_id}#{s.anchor}")
def test_every_cited_section_exists_in_the_corpus(source):
    assert source.anchor in _anchors(source.doc_id)


def test_the_articles_downtime_table_agrees_with_the_calculator():
    text = (CORPUS / "sla" / "availability-and-uptime.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([\d.]+)% \| ([\d.,]+) min .*\| ([\d.,]+) min", text, re.M)
    assert len(rows) == 6
    for level, month, year in rows:
        for span, stated in ((calc.period("month", 30), month), (calc.period("year", 365), year)):
            computed = calc.downtime_allowed(level, span).downtime_minutes
            assert computed.quantize(D("0.01")) == D(stated.replace(",", "")), (level, span)


# ---- the chat parser ------------------------------------------------------------------------------

ANSWERED = [
    (
        "How much downtime does 99.95% allow per month?",
        "downtime",
        ["21.6 minutes of downtime in a 30-day month (43,200 minutes × 0.05% = 21.6 minutes", "31-day month 22.32"],
    ),
    ("how much downtime is 99.9", "downtime", ["43.2 minutes", "525.6 minutes"]),
    ("What does five nines mean in minutes per year?", "downtime", ["5.256 minutes"]),
    (
        "How much downtime does three nines allow in February 2028?",
        "downtime",
        ["41.76 minutes", "February in a leap year"],
    ),
    ("How much downtime does 99.99% allow in a 92-day quarter?", "downtime", ["13.248 minutes"]),
    (
        "how much downtime does 99.9% allow per month with 4 hours of maintenance excluded?",
        "downtime",
        ["42.96 minutes", "240 minutes of maintenance excluded"],
    ),
    (
        "what's the availability if we had 50 minutes of downtime in a 30 day month",
        "availability",
        ["≈99.884259% availability"],
    ),
    ("We had 100 minutes of downtime this month, did we meet 99.9%?", "availability", ["misses a 99.9% target"]),
    (
        "We had 3 hours of outage in a 31-day month, what availability did we actually get?",
        "availability",
        ["≈99.596774% availability ((44,640 − 180) ÷ 44,640 × 100)"],
    ),
    (
        "The supplier was down 95 minutes in June. What uptime did they deliver against 99.9%?",
        "availability",
        ["≈99.780093% availability", "misses a 99.9% target"],
    ),
    ("99.9% and 99.95% in series", "composite", ["99.85005%", "0.999 × 0.9995"]),
    (
        "What is the availability of two 99% servers in parallel, in series with a 99.9% database?",
        "composite",
        ["99.99%", "99.89001%"],
    ),
    (
        "Two identical load-balanced nodes, each rated at 99.5%; either one can carry the load on its own. "
        "What availability do we get?",
        "composite",
        ["99.9975%"],
    ),
    (
        "monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 — what is paid?",
        "service_credit",
        ["24,000 is paid (28,000 capped)", "4,000 is not payable"],
    ),
    (
        "We pay 150k a month and 10% of that is at risk; credits of 5% and 6,000 accrued. How much do we get?",
        "service_credit",
        ["5% × 150,000 = 7,500", "13,500 is paid"],
    ),
    (
        "We pay 150k a month and 10% of that is at risk; credits of 10% and 6,000 accrued. How much do we get?",
        "service_credit",
        ["15,000 is paid (21,000 capped)"],
    ),
    (
        "Monthly charges 80k, at-risk 15%, pool 250%, 60% of the pool on availability: what's the most they can lose?",
        "service_credit",
        ["15% × 60% × 80,000 = 7,200", "30,000"],
    ),
    (
        "A 5,000 credit with 50% earn-back after three months; the supplier met all three. How much is returned?",
        "earn_back",
        ["2,500 is earned back"],
    ),
    (
        "Half of a 7,200 credit comes back if they meet the level in each of the next 3 months. They met it in "
        "2 of the 3 months. How much comes back?",
        "earn_back",
        ["nothing is earned back"],
    ),
    (
        "450 of 500 tickets were resolved within target; the target is 95%. What percentage is that?",
        "attainment",
        ["90%", "25 more"],
    ),
    (
        "The supplier missed 30 of 480 P2 incidents this month against a 95% target. How many met it?",
        "attainment",
        ["450 of 480", "93.75%"],
    ),
]


@pytest.mark.parametrize("question, kind, expected", ANSWERED, ids=[q[:40] for q, _, _ in ANSWERED])
def test_calculate_answers_with_figures_formula_and_citation(question, kind, expected):
    found = calculate(question)
    assert isinstance(found, Calculation), question
    assert found.kind == kind and found.missing is None, found
    text = " ".join(found.result)
    for phrase in expected:
        assert phrase in text, (phrase, text)
    assert found.formula and found.anchor in _anchors(found.doc_id)


def test_a_downtime_answer_carries_the_table_of_period_lengths():
    found = calculate("How much downtime does 99.95% allow per month?")
    assert found.table["header"][-1] == "99.95%"
    assert ["28-day month (February)", "40,320", "20.16 min (20 min 9.6 s)"] in found.table["rows"]


MISSING = [
    ("how much do we get back in service credits?", "service_credit", "monthly charges"),
    ("Our availability was 99.5% last month; what is our credit?", "service_credit", "99.5% availability"),
    ("Credits of 20,000 and 8,000 this month: what is paid?", "service_credit", "at-risk amount"),
    ("How much downtime is allowed per month?", "downtime", "availability percentage"),
    ("What's the availability if we were down for 3 hours?", "availability", "Over what period"),
    ("How much can the vendor earn back?", "earn_back", "service credit that was incurred"),
    ("We had 480 incidents this month. What percentage met the SLA?", "attainment", "How many of them met"),
    ("what's the composite availability of 99.9% components in series", "composite", "each component"),
    ("How much downtime does 99.9% allow in a 35-day month?", "availability", "at most 31"),
]


@pytest.mark.parametrize("question, kind, asks", MISSING, ids=[q[:40] for q, _, _ in MISSING])
def test_a_missing_figure_is_asked_for_not_guessed(question, kind, asks):
    found = calculate(question)
    assert found is not None and found.result == [] and found.table is None, found
    assert found.kind == kind and asks in found.missing and found.missing.endswith("?"), found.missing


@pytest.mark.parametrize(
    "question",
    [
        "What is an earn-back?",
        "How are service credits calculated?",
        "What is the at-risk amount?",
        "How much are service credits usually?",
        "What is GDPR article 28?",
        "Should we agree to let the vendor earn back service credits, and on what conditions?",
        "What wording would you use for a service credits clause that caps credits at 12% of monthly charges?",
        "Is 99.9% a good availability target for payroll?",
        "Our provider reports 99.9% availability every month but users lose every Sunday to planned maintenance. "
        "Is that allowed?",
        "We pay 8,000,000 a year and the liability cap is 125% of the previous 12 months' charges. How much can we "
        "claw back?",
        "",
        "   ",
    ],
)
def test_questions_that_are_not_calculations_return_none(question):
    assert calculate(question) is None


def test_calculate_never_raises_on_the_evaluation_questions():
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for question in [record.get("question")] + [t.get("question") for t in record.get("turns", [])]:
                if isinstance(question, str):
                    found = calculate(question)
                    assert found is None or found.result or found.missing, question


# ---- the API and the /tools page ----------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return calculators_client(tmp_path_factory.mktemp("calc"))


def test_availability_endpoint(client):
    body = client.get("/api/calc/availability", params={"percent": 99.95, "period": "month"}).json()
    assert body["figures"]["downtime_minutes"] == 21.6 and body["figures"]["downtime"] == "21 min 36 s"
    assert body["citation"] == {
        "doc_id": "availability-and-uptime",
        "anchor": "downtime-allowed-at-each-availability-level",
        "url": "/docs/availability-and-uptime#downtime-allowed-at-each-availability-level",
    }
    assert body["formula"].startswith("Downtime allowed") and len(body["table"]["rows"]) == 11
    leap = client.get("/api/calc/availability", params={"percent": 99.9, "period": "year", "days": 366}).json()
    assert leap["figures"]["downtime_minutes"] == 527.04


def test_downtime_composite_and_attainment_endpoints(client):
    body = client.get("/api/calc/downtime", params={"minutes": 100, "period": "quarter", "target": 99.9}).json()
    assert body["figures"]["target_met"] is True and body["citation"]["url"].startswith("/docs/")
    body = client.get("/api/calc/composite", params={"series": "99.9", "parallel": "99,99"}).json()
    assert body["figures"]["availability_percent"] == 99.89001
    body = client.get("/api/calc/attainment", params={"met": 450, "total": 500, "target": 95}).json()
    assert body["figures"]["attainment_percent"] == 90 and body["figures"]["shortfall"] == 25


def test_credit_and_earn_back_endpoints(client):
    body = client.post(
        "/api/calc/service-credits",
        json={"monthly_charges": 200000, "at_risk_percent": 12, "credit_amounts": [20000, 8000]},
    ).json()
    assert (body["figures"]["paid"], body["figures"]["not_payable"]) == (24000, 4000)
    assert body["citation"]["url"] == "/docs/service-credits#worked-example"
    body = client.post(
        "/api/calc/earn-back", json={"credit": 5000, "earn_back_percent": 50, "months_required": 3, "months_met": 3}
    ).json()
    assert body["figures"]["returned"] == 2500


@pytest.mark.parametrize(
    "method, path, payload, status, message",
    [
        ("get", "/api/calc/availability", {"percent": 101}, 400, "at most 100"),
        ("get", "/api/calc/availability", {"percent": "abc"}, 422, "percent: Input should be a valid number"),
        ("get", "/api/calc/availability", {}, 422, "percent: Field required"),
        ("get", "/api/calc/availability", {"percent": "nan"}, 400, "finite"),
        ("get", "/api/calc/availability", {"percent": 99, "period": "fortnight"}, 422, "'day', 'week'"),
        ("get", "/api/calc/availability", {"percent": 99, "days": 32}, 400, "at most 31"),
        ("get", "/api/calc/availability", {"percent": 99, "maintenance_minutes": -1}, 400, "at least 0"),
        ("get", "/api/calc/downtime", {"minutes": 50000}, 400, "longer than the agreed service time"),
        ("get", "/api/calc/composite", {"series": "99.9,x"}, 400, "Series component #2"),
        ("get", "/api/calc/composite", {}, 400, "at least two components"),
        ("get", "/api/calc/attainment", {"met": 6, "total": 5}, 400, "cannot exceed"),
        ("post", "/api/calc/service-credits", {}, 400, "Give the credits"),
        ("post", "/api/calc/service-credits", {"monthly_charges": "lots"}, 422, "monthly_charges"),
        ("post", "/api/calc/service-credits", {"credit_amounts": [1], "extra": 1}, 422, "extra"),
        ("post", "/api/calc/earn-back", {"credit": 5000}, 422, "earn_back_percent: Field required"),
        (
            "post",
            "/api/calc/earn-back",
            {"credit": 5000, "earn_back_percent": 50, "months_met": 2},
            400,
            "months_required",
        ),
    ],
)
def test_api_bad_input_is_a_clear_4xx(client, method, path, payload, status, message):
    response = client.get(path, params=payload) if method == "get" else client.post(path, json=payload)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_calculators_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/calc/availability",
        "/api/calc/downtime",
        "/api/calc/composite",
        "/api/calc/service-credits",
        "/api/calc/earn-back",
        "/api/calc/attainment",
    ):
        assert path in paths, path
    assert "/tools" not in paths


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.labels, self.current, self.scripts = [], set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs.get("data-endpoint"))
        if tag == "label":
            self.labels.add(attrs.get("for"))
        if tag == "a" and attrs.get("aria-current") == "page":
            self.current.append(attrs.get("href"))
        if tag == "script":
            self.scripts.append(attrs)


def test_tools_page_has_a_labelled_form_per_calculator(client):
    response = client.get("/tools")
    assert response.status_code == 200
    page = _Page()
    page.feed(response.text)
    assert page.forms == [
        "/api/calc/availability",
        "/api/calc/downtime",
        "/api/calc/composite",
        "/api/calc/service-credits",
        "/api/calc/earn-back",
        "/api/calc/attainment",
        "/api/calc/recovery",
        "/api/calc/tm-cap",
        "/api/calc/blended-rate",
        "/api/calc/unit-pricing",
        "/api/calc/tiered-pricing",
        "/api/calc/indexation",
        "/api/calc/business-case",
    ]
    inputs = re.findall(r'<(?:input|select) id="([^"]+)"', response.text)
    assert inputs and all(i in page.labels for i in inputs)
    assert len(inputs) == len(set(inputs))  # ids are unique, so each label names one input
    assert "<h1>Calculators</h1>" in response.text
    assert page.current == ["http://localhost/tools"]
    assert all(s.get("src") for s in page.scripts)  # no inline script (CSP)
    # Modules, but for base.html's theme.js, which runs before the first paint.
    assert [s["src"].rsplit("/", 1)[1] for s in page.scripts if s.get("type") != "module"] == ["theme.js"]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("99.9% over a 30-day month", True),
        ("we have three nines today, they offer four nines", True),
        ("what does two hours of downtime cost us", True),
        ("what is a watermelon sla", False),
        ("how are service credits calculated?", False),
    ],
)
def test_a_question_has_figures_in_digits_or_words(question, expected):
    assert has_figures(question) is expected
