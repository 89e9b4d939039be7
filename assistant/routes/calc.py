"""SLA and pricing calculators over HTTP (/api/calc/...) and the /tools page; the arithmetic is in `calculators`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import calculators as calc

router = APIRouter()
PeriodName = Literal["day", "week", "month", "quarter", "year"]
BAD = {
    400: {"description": "A figure out of range, with what is wrong"},
    422: {"description": "A parameter missing or not a number"},
}


class CalcCitation(BaseModel):
    doc_id: str = Field(description="The article that explains the formula.")
    anchor: str = Field(description="Its section anchor.")
    url: str = Field(description="The article section's page, e.g. /docs/service-credits#worked-example.")


class Table(BaseModel):
    header: list[str]
    rows: list[list[str]]


class CalcResponse(BaseModel):
    kind: str
    result: list[str] = Field(description="Sentences stating the computed figures with the working.")
    formula: str = Field(description="The formula in one sentence.")
    citation: CalcCitation
    table: Table | None = None


class DowntimeFigures(BaseModel):
    percent: float
    period: str
    days: int
    period_minutes: int
    maintenance_minutes: float
    service_minutes: float = Field(description="Period minus maintenance: the agreed service time.")
    downtime_minutes: float
    downtime: str = Field(description="The same in days, hours, minutes and seconds.")


class DowntimeResponse(CalcResponse):
    figures: DowntimeFigures


class AvailabilityFigures(BaseModel):
    downtime_minutes: float
    period: str
    days: int
    period_minutes: int
    maintenance_minutes: float
    service_minutes: float
    availability_percent: float
    target_percent: float | None
    target_met: bool | None


class AvailabilityResponse(CalcResponse):
    figures: AvailabilityFigures


class CompositeFigures(BaseModel):
    series: list[float]
    parallel: list[float]
    parallel_group_percent: float | None = Field(description="The parallel group's availability, if any.")
    availability_percent: float
    downtime_minutes_per_30_day_month: float


class CompositeResponse(CalcResponse):
    figures: CompositeFigures


class CreditsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    monthly_charges: float | None = Field(None, description="The month's charges, e.g. 200000.", examples=[200000])
    at_risk_percent: float | None = Field(
        None, description="The at-risk amount as a % of the charges: the cap on the month's credits.", examples=[12]
    )
    at_risk_amount: float | None = Field(None, description="Or the cap as an amount.")
    credit_amounts: list[float] = Field([], max_length=100, description="Credits as amounts.", examples=[[20000, 8000]])
    credit_percents: list[float] = Field([], max_length=100, description="Credits as % of the charges.")
    allocations: list[float] = Field(
        [],
        max_length=100,
        description="Pool allocations (%) of the service "
        "levels missed; each is worth at-risk % × allocation % × charges.",
    )
    pool_percent: float | None = Field(None, description="The allocation pool (%), e.g. 200.")


class CreditsFigures(BaseModel):
    monthly_charges: float | None
    at_risk_percent: float | None
    credits: list[float]
    total: float
    cap: float | None = Field(description="The at-risk amount; null when nothing caps the credits.")
    paid: float
    not_payable: float
    pool_percent: float | None
    exposure: float | None = Field(description="Credits if every service level failed in full.")


class CreditsResponse(CalcResponse):
    figures: CreditsFigures


class EarnBackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credit: float = Field(description="The service credit incurred.", examples=[5000])
    earn_back_percent: float = Field(description="The share of it the clause returns.", examples=[50])
    months_required: int | None = Field(None, description="Following months the level must be met.", examples=[3])
    months_met: int | None = Field(None, description="Following months it was met; omit for 'if it qualifies'.")
    forfeited: bool = Field(False, description="A critical or chronic failure occurred, which forfeits earn-back.")


class EarnBackFigures(BaseModel):
    credit: float
    earn_back_percent: float
    months_required: int | None
    months_met: int | None
    forfeited: bool
    earnable: float = Field(description="What comes back if the supplier qualifies.")
    qualified: bool | None
    returned: float | None = Field(description="What comes back; null when the months met are not given.")
    kept: float | None


class EarnBackResponse(CalcResponse):
    figures: EarnBackFigures


class AttainmentFigures(BaseModel):
    met: int
    total: int
    missed: int
    attainment_percent: float
    target_percent: float | None
    target_met: bool | None
    shortfall: int = Field(description="More tickets that had to meet their target to reach it.")


class AttainmentResponse(CalcResponse):
    figures: AttainmentFigures


class TmCapRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cap: float = Field(description="The cap (not-to-exceed amount).", examples=[84000])
    rate: float | None = Field(None, description="The day (or hour) rate.", examples=[700])
    days: float | None = Field(None, description="Days (or hours) each person actually worked.", examples=[46])
    people: int = Field(1, description="People working at that rate.", examples=[3])
    charge: float | None = Field(None, description="Or the charge at the agreed rates, instead of rate and days.")
    estimate_days: float | None = Field(None, description="Days (or hours) each person was estimated at.")
    client_share_percent: float | None = Field(
        None, description="The client's share (%) of an overrun the parties share, e.g. 50."
    )
    unit: Literal["day", "hour"] = Field("day", description="What the rate is per.")


class TmCapFigures(BaseModel):
    cap: float
    charge: float = Field(description="At the agreed rates, uncapped: what plain T&M would charge.")
    overrun: float = Field(description="The charge above the cap (0 when within it).")
    hard_cap_pays: float = Field(description="What the client pays under a hard cap; the provider absorbs the overrun.")
    soft_cap_pays_if_approved: float = Field(description="Under a soft cap, with the overrun approved.")
    shared_pays: float | None = Field(description="What the client pays with the overrun shared; null if no share.")


class TmCapResponse(CalcResponse):
    figures: TmCapFigures


class UnitOption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field("unit", max_length=40, description="What is counted: user, ticket, device, …", examples=["user"])
    price: float = Field(description="The price per unit.", examples=[38])
    volume: float = Field(description="How many units are charged.", examples=[5200])


class UnitPricingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    options: list[UnitOption] = Field(
        max_length=10,
        description="Two to ten ways of pricing the same service.",
        examples=[[{"unit": "user", "price": 38, "volume": 5200}, {"unit": "ticket", "price": 11, "volume": 17000}]],
    )


class PricedOption(BaseModel):
    unit: str
    price: float
    volume: float
    charge: float


class UnitPricingFigures(BaseModel):
    options: list[PricedOption]
    cheapest: str = Field(description="The unit of the cheapest option.")
    difference: float = Field(description="How much less the cheapest costs than the next.")
    break_even: list[float] | None = Field(
        description="For two options with different units: the volume of each at which it costs as much as the other."
    )


class UnitPricingResponse(CalcResponse):
    figures: UnitPricingFigures


class IndexationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    charge: float = Field(description="The charge before indexation.", examples=[2500000])
    changes: list[float] = Field(max_length=50, description="Each year's index change (%).", examples=[[4.6, 2.1]])
    cap: float | None = Field(None, description="The most a year's uplift may be (%).", examples=[3])
    floor: float | None = Field(None, description="The least a year's uplift may be (%).")
    offset_percent: float | None = Field(None, description="A productivity reduction (%) after each uplift (COLA).")
    index: str = Field("the index", max_length=40, description="The index's name for the sentences, e.g. CPI.")


class IndexedYear(BaseModel):
    change: float
    uplift: float = Field(description="The uplift applied (%), after the cap and floor.")
    charge: float = Field(description="The charge after this year's uplift.")


class IndexationFigures(BaseModel):
    charge: float
    years: list[IndexedYear]
    final: float
    total_uplift: float
    total_uplift_percent: float


class IndexationResponse(CalcResponse):
    figures: IndexationFigures


class BusinessCaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_cost: float = Field(description="The in-house cost of the service, per `per`.", examples=[10000000])
    vendor_charge: float = Field(description="The vendor's charge for the same scope, per `per`.", examples=[7500000])
    retained_cost: float | None = Field(None, description="The retained organisation's cost, per `per`.")
    retained_percent: float | None = Field(
        None, description="Or the retained organisation as % of the vendor's charge."
    )
    one_off_costs: list[float] = Field([], max_length=100, description="Upfront costs: transition, severance.")
    other_costs: list[float] = Field([], max_length=100, description="Other recurring costs, per `per`: governance.")
    exit_costs: list[float] = Field([], max_length=100, description="Costs at the end of the term: exit, re-tender.")
    term_years: float | None = Field(None, description="The term, for the net saving over it.", examples=[5])
    per: Literal["year", "month"] = Field("year", description="The period of the recurring figures.")


class BusinessCaseFigures(BaseModel):
    per: str
    current_cost: float
    outsourced_cost: float = Field(description="Vendor charge + retained organisation + other recurring costs.")
    retained_cost: float | None
    saving: float = Field(description="The recurring saving per `per`; negative when outsourcing costs more.")
    saving_percent: float = Field(description="The saving as a % of the current cost.")
    annual_saving: float
    one_off: float
    payback_years: float | None = Field(description="One-off costs ÷ annual saving; null with no saving or none.")
    payback_months: float | None
    net_saving: float | None = Field(description="Over the term: term × annual saving − one-off and exit costs.")


class BusinessCaseResponse(CalcResponse):
    figures: BusinessCaseFigures


def reply(kind: str, result, figures: dict, table: dict | None = None) -> dict:
    """Every calculator's reply: its sentences, formula, figures, table and the section it cites."""
    source = result.source
    return {
        "kind": kind,
        "result": result.sentences(),
        "formula": result.formula,
        "figures": figures,
        "citation": {"doc_id": source.doc_id, "anchor": source.anchor, "url": source.url},
        "table": table,
    }


def optional_float(value):
    """A figure the calculator may leave out (None), as JSON's number."""
    return None if value is None else float(value)


Period = Annotated[PeriodName, Query(description="The measurement period.")]
Days = Annotated[
    int | None,
    Query(description="Its length: month 28-31 (default 30), quarter 90-92 (default 90), year 365-366 (default 365)."),
]
Maintenance = Annotated[float, Query(description="Maintenance excluded from the period, in minutes.")]
Levels = Annotated[str, Query(description="Availabilities (%), comma-separated.", examples=["99.9,99.95"])]


@router.get("/api/calc/availability", response_model=DowntimeResponse, tags=["calculators"], responses=BAD)
def availability_to_downtime(
    percent: Annotated[float, Query(description="Availability target in %.", examples=[99.95])],
    period: Period = "month",
    days: Days = None,
    maintenance_minutes: Maintenance = 0,
):
    """The downtime an availability level allows in a period, with a table of every period length."""
    span = calc.period(period, days)
    result = calc.downtime_allowed(percent, span, maintenance_minutes)
    table = calc.downtime_table(
        [result.percent], result.maintenance_minutes, kind=span.name if result.maintenance_minutes else None
    )
    return reply(
        "downtime",
        result,
        {
            "percent": float(result.percent),
            "period": span.name,
            "days": span.days,
            "period_minutes": span.minutes,
            "maintenance_minutes": float(result.maintenance_minutes),
            "service_minutes": float(result.service_minutes),
            "downtime_minutes": float(result.downtime_minutes),
            "downtime": calc.duration(result.downtime_minutes),
        },
        table,
    )


@router.get("/api/calc/downtime", response_model=AvailabilityResponse, tags=["calculators"], responses=BAD)
def downtime_to_availability(
    minutes: Annotated[float, Query(description="Downtime in the period, in minutes.", examples=[50])],
    period: Period = "month",
    days: Days = None,
    maintenance_minutes: Maintenance = 0,
    target: Annotated[float | None, Query(description="An availability target (%) to compare with.")] = None,
):
    """The availability achieved with some downtime in a period, optionally against a target."""
    span = calc.period(period, days)
    result = calc.availability_achieved(minutes, span, maintenance_minutes, target)
    return reply(
        "availability",
        result,
        {
            "downtime_minutes": float(result.downtime_minutes),
            "period": span.name,
            "days": span.days,
            "period_minutes": span.minutes,
            "maintenance_minutes": float(result.maintenance_minutes),
            "service_minutes": float(result.service_minutes),
            "availability_percent": float(result.percent),
            "target_percent": optional_float(result.target),
            "target_met": result.met,
        },
    )


@router.get("/api/calc/composite", response_model=CompositeResponse, tags=["calculators"], responses=BAD)
def composite_availability(series: Levels = "", parallel: Levels = ""):
    """Composite availability of components in `series`, of a redundant group in `parallel`, or of that
    group in series with the `series` components."""
    result = calc.composite(series, parallel)
    return reply(
        "composite",
        result,
        {
            "series": [float(p) for p in result.series],
            "parallel": [float(p) for p in result.parallel],
            "parallel_group_percent": optional_float(result.parallel_percent),
            "availability_percent": float(result.percent),
            "downtime_minutes_per_30_day_month": float(result.monthly_downtime),
        },
    )


@router.post("/api/calc/service-credits", response_model=CreditsResponse, tags=["calculators"], responses=BAD)
def service_credits(body: CreditsRequest):
    """The month's service credits, capped by the at-risk amount; pool allocations priced in."""
    result = calc.service_credits(
        body.monthly_charges,
        body.at_risk_percent,
        body.credit_amounts,
        body.credit_percents,
        body.allocations,
        body.pool_percent,
        body.at_risk_amount,
    )
    return reply(
        "service_credit",
        result,
        {
            "monthly_charges": optional_float(result.monthly_charges),
            "at_risk_percent": optional_float(result.at_risk_percent),
            "credits": [float(c.amount) for c in result.credits],
            "total": float(result.total),
            "cap": optional_float(result.cap),
            "paid": float(result.paid),
            "not_payable": float(result.not_payable),
            "pool_percent": optional_float(result.pool_percent),
            "exposure": optional_float(result.exposure),
        },
    )


@router.post("/api/calc/earn-back", response_model=EarnBackResponse, tags=["calculators"], responses=BAD)
def earn_back(body: EarnBackRequest):
    """How much of a service credit the supplier earns back by meeting the level in following months."""
    result = calc.earn_back(body.credit, body.earn_back_percent, body.months_required, body.months_met, body.forfeited)
    return reply(
        "earn_back",
        result,
        {
            "credit": float(result.credit),
            "earn_back_percent": float(result.percent),
            "months_required": result.months_required,
            "months_met": result.months_met,
            "forfeited": result.forfeited,
            "earnable": float(result.earnable),
            "qualified": result.qualified,
            "returned": optional_float(result.returned),
            "kept": optional_float(result.kept),
        },
    )


@router.get("/api/calc/attainment", response_model=AttainmentResponse, tags=["calculators"], responses=BAD)
def attainment(
    met: Annotated[int, Query(description="Tickets that met their response or resolution target.", examples=[450])],
    total: Annotated[int, Query(description="All tickets measured.", examples=[500])],
    target: Annotated[float | None, Query(description="The target share (%), e.g. 95.")] = None,
):
    """Response or resolution targets met, as a percentage of tickets, against an optional target."""
    result = calc.attainment(met, total, target)
    return reply(
        "attainment",
        result,
        {
            "met": result.met,
            "total": result.total,
            "missed": result.total - result.met,
            "attainment_percent": float(result.percent),
            "target_percent": optional_float(result.target),
            "target_met": None if result.target is None else result.shortfall == 0,
            "shortfall": result.shortfall,
        },
    )


@router.post("/api/calc/tm-cap", response_model=TmCapResponse, tags=["calculators"], responses=BAD)
def tm_cap(body: TmCapRequest):
    """Capped time and materials: what a hard and a soft cap make payable, and a shared overrun."""
    result = calc.capped_tm(
        body.cap,
        body.rate,
        body.days,
        body.people,
        body.charge,
        body.estimate_days,
        body.client_share_percent,
        body.unit,
    )
    return reply(
        "tm_cap",
        result,
        {
            "cap": float(result.cap),
            "charge": float(result.charge),
            "overrun": float(result.overrun),
            "hard_cap_pays": float(result.hard),
            "soft_cap_pays_if_approved": float(result.charge),
            "shared_pays": optional_float(result.shared),
        },
    )


@router.post("/api/calc/business-case", response_model=BusinessCaseResponse, tags=["calculators"], responses=BAD)
def business_case(body: BusinessCaseRequest):
    """The recurring saving of outsourcing against the in-house cost, its payback and the net saving over a term."""
    result = calc.business_case(
        body.current_cost,
        body.vendor_charge,
        body.retained_cost,
        body.retained_percent,
        body.one_off_costs,
        body.other_costs,
        body.exit_costs,
        body.term_years,
        body.per,
    )
    payback = result.payback_years
    return reply(
        "business_case",
        result,
        {
            "per": result.per,
            "current_cost": float(result.current_cost),
            "outsourced_cost": float(result.outsourced_cost),
            "retained_cost": optional_float(result.retained_cost),
            "saving": float(result.saving),
            "saving_percent": float(result.saving_percent),
            "annual_saving": float(result.annual_saving),
            "one_off": float(result.one_off),
            "payback_years": optional_float(payback),
            "payback_months": None if payback is None else float(payback * 12),
            "net_saving": optional_float(result.net_saving),
        },
    )


@router.post("/api/calc/unit-pricing", response_model=UnitPricingResponse, tags=["calculators"], responses=BAD)
def unit_pricing(body: UnitPricingRequest):
    """Options priced per unit compared: each charge, the cheapest, and the break-even volumes."""
    result = calc.unit_pricing([(o.unit, o.price, o.volume) for o in body.options])
    ranked = sorted(result.options, key=lambda o: o.charge)
    first, second = result.options[:2]
    return reply(
        "unit_pricing",
        result,
        {
            "options": [
                {"unit": o.unit, "price": float(o.price), "volume": float(o.volume), "charge": float(o.charge)}
                for o in result.options
            ],
            "cheapest": result.cheapest.unit,
            "difference": float(ranked[1].charge - ranked[0].charge),
            "break_even": [float(result.break_even(first, second)), float(result.break_even(second, first))]
            if len(result.options) == 2 and first.unit != second.unit
            else None,
        },
        result.table(),
    )


@router.post("/api/calc/indexation", response_model=IndexationResponse, tags=["calculators"], responses=BAD)
def indexation(body: IndexationRequest):
    """A charge indexed year on year, each uplift held between a floor and a cap, compounded."""
    result = calc.indexation(body.charge, body.changes, body.cap, body.floor, body.offset_percent, body.index)
    rise = result.final - result.charge
    return reply(
        "indexation",
        result,
        {
            "charge": float(result.charge),
            "years": [
                {"change": float(y.change), "uplift": float(y.uplift), "charge": float(y.after)} for y in result.years
            ],
            "final": float(result.final),
            "total_uplift": float(rise),
            "total_uplift_percent": float(rise / result.charge * 100),
        },
        result.table(),
    )


@router.get("/tools", response_class=HTMLResponse, include_in_schema=False)
def tools(request: Request):
    """The calculators page: one form per calculator, each calling the API above."""
    return request.app.state.templates.TemplateResponse(request, "tools.html", {"page": "tools"})
