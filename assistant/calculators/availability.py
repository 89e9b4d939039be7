"""Availability and downtime for a period (maintenance excluded), and composite availability."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import (
    AVAILABILITY_FORMULA,
    COMPOSITE,
    DOWNTIME_TABLE,
    HUNDRED,
    WINDOWS,
    Period,
    Source,
    approx,
    duration,
    every_period,
    fmt,
    fmt_percent,
    number,
    percent,
    percent_list,
    service_minutes,
    variants,
)

# ---- availability and downtime -------------------------------------------------------------------


@dataclass(frozen=True)
class Downtime:
    """The downtime an availability level allows in a period (maintenance excluded first)."""

    percent: Decimal
    period: Period
    maintenance_minutes: Decimal
    service_minutes: Decimal
    downtime_minutes: Decimal

    @property
    def source(self) -> Source:
        return WINDOWS if self.maintenance_minutes else DOWNTIME_TABLE

    @property
    def formula(self) -> str:
        if self.maintenance_minutes:
            return (
                "Downtime allowed = (period minutes − maintenance minutes) × (100% − availability); "
                "the maintenance is excluded from the agreed service time first."
            )
        return "Downtime allowed = period minutes × (100% − availability)."

    def sentence(self) -> str:
        """'99.95% availability allows 21.6 minutes of downtime in a 30-day month (43,200 minutes ×
        0.05% = 21.6 minutes, or 21 min 36 s).'"""
        where = _where(self.period, self.maintenance_minutes)
        rate = f"{fmt(HUNDRED - self.percent)}% = {fmt(self.downtime_minutes)} minutes"
        service = fmt(self.service_minutes)
        if self.maintenance_minutes:  # the agreed service time worked out too, not only its result
            working = (
                f"{fmt(self.period.minutes)} − {fmt(self.maintenance_minutes)} = {service} minutes of agreed "
                f"service time; {service} × {rate}"
            )
        else:
            working = f"{service} minutes × {rate}"
        if self.downtime_minutes:
            working += f", or {duration(self.downtime_minutes)}"
        return (
            f"{fmt(self.percent)}% availability allows {fmt(self.downtime_minutes)} minutes of downtime "
            f"in {where} ({working})."
        )

    def sentences(self) -> list[str]:
        return [self.sentence()]


def _where(span: Period, maintenance: Decimal) -> str:
    """'a 30-day month', 'February in a leap year, a 29-day month', '... with 240 minutes of maintenance excluded'."""
    where = f"{span.note}, a {span.label}" if span.note else f"a {span.label}"
    return where + (f" with {fmt(maintenance)} minutes of maintenance excluded" if maintenance else "")


def downtime_allowed(availability, span: Period, maintenance_minutes=0) -> Downtime:
    """Downtime = (period − maintenance) × (100% − availability), in minutes, exactly."""
    level = percent(availability)
    maintenance, service = service_minutes(span, maintenance_minutes)
    return Downtime(level, span, maintenance, service, service * (HUNDRED - level) / HUNDRED)


@dataclass(frozen=True)
class Availability:
    """The availability achieved with some downtime in a period; optionally against a target."""

    downtime_minutes: Decimal
    period: Period
    maintenance_minutes: Decimal
    service_minutes: Decimal
    percent: Decimal
    target: Decimal | None = None
    source: Source = AVAILABILITY_FORMULA

    @property
    def formula(self) -> str:
        return "Availability % = (agreed service time − downtime) ÷ agreed service time × 100."

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.percent >= self.target

    def sentences(self) -> list[str]:
        where = _where(self.period, self.maintenance_minutes)
        out = [
            f"{fmt(self.downtime_minutes)} minutes of downtime in {where} gives "
            f"{fmt_percent(self.percent)} availability (({fmt(self.service_minutes)} − "
            f"{fmt(self.downtime_minutes)}) ÷ {fmt(self.service_minutes)} × 100)."
        ]
        if self.target is not None:
            budget = self.service_minutes * (HUNDRED - self.target) / HUNDRED
            verdict = "meets" if self.met else "misses"
            out.append(
                f"That {verdict} a {fmt(self.target)}% target, which allows {fmt(budget)} minutes "
                f"of downtime in that period."
            )
        return out


def availability_achieved(downtime_minutes, span: Period, maintenance_minutes=0, target=None) -> Availability:
    """Availability % = (service time − downtime) ÷ service time × 100, service time = period − maintenance."""
    maintenance, service = service_minutes(span, maintenance_minutes)
    down = number(downtime_minutes, "The downtime (minutes)", 0)
    if down > service:
        raise BadRequest(
            f"The downtime ({fmt(down)} minutes) is longer than the agreed service time of the "
            f"{span.label} ({fmt(service)} minutes)."
        )
    goal = None if target is None else percent(target, "The target")
    return Availability(down, span, maintenance, service, (service - down) / service * HUNDRED, goal)


# ---- composite availability ----------------------------------------------------------------------


@dataclass(frozen=True)
class Composite:
    """Series components multiply; a parallel group fails only when all its members fail."""

    series: tuple[Decimal, ...]
    parallel: tuple[Decimal, ...]
    parallel_percent: Decimal | None
    percent: Decimal
    source: Source = COMPOSITE

    @property
    def formula(self) -> str:
        parts = []
        if self.series:
            parts.append("in series, multiply the availabilities: A = a₁ × a₂ × … (all must work)")
        if self.parallel:
            parts.append(
                "in parallel A = 1 − (1 − a₁) × (1 − a₂) × … (any one is enough; independent "
                "failures and instant failover assumed)"
            )
        return "Composite availability: " + "; ".join(parts) + "."

    @property
    def monthly_downtime(self) -> Decimal:
        """The downtime the composite availability allows in a 30-day month, in minutes."""
        return Period("month", 30).minutes * (HUNDRED - self.percent) / HUNDRED

    def sentences(self) -> list[str]:
        out = []
        if self.parallel:
            gaps = " × ".join(f"(1 − {fmt(p / HUNDRED, 12)})" for p in self.parallel)
            out.append(f"{_names(self.parallel)} in parallel give {fmt_percent(self.parallel_percent)} (1 − {gaps}).")
        if self.series:
            factors = [fmt(p / HUNDRED, 12) for p in self.series]
            if self.parallel:
                factors.append(fmt(self.parallel_percent / HUNDRED, 12))
            label = _names(self.series) + (" in series with that parallel group" if self.parallel else " in series")
            verb = "gives" if len(self.series) == 1 else "give"
            out.append(f"{label} {verb} {fmt_percent(self.percent)} ({' × '.join(factors)}).")
        out.append(
            f"The whole service at {fmt_percent(self.percent)} allows {approx(self.monthly_downtime, 2)} "
            f"minutes of downtime in a 30-day month."
        )
        return out


COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _names(levels) -> str:
    """'A 99.9% component', 'two 99% components', '99.9% and 99.95%'."""
    if len(levels) == 1:
        return f"A {fmt(levels[0])}% component"
    if len(set(levels)) == 1:
        return f"{COUNTS.get(len(levels), len(levels))} {fmt(levels[0])}% components".capitalize()
    shown = [f"{fmt(p)}%" for p in levels]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def composite(series=(), parallel=()) -> Composite:
    """Availability of components in series, a parallel group, or a parallel group in series with others."""
    series = tuple(percent_list(series, "Series component"))
    parallel = tuple(percent_list(parallel, "Parallel component"))
    if len(series) + len(parallel) < 2:
        raise BadRequest("Give at least two components, e.g. series=99.9,99.95 or parallel=99,99.")
    group = (1 - math.prod((1 - p / HUNDRED for p in parallel), start=Decimal(1))) * HUNDRED if parallel else None
    fraction = math.prod((p / HUNDRED for p in series), start=Decimal(1))
    if group is not None:
        fraction *= group / HUNDRED
    return Composite(series, parallel, group, fraction * HUNDRED)


def downtime_table(levels, maintenance_minutes=0, kind: str | None = None) -> dict:
    """Downtime allowed in every period length (or only the lengths of `kind`), one column per level."""
    spans = variants(kind) if kind else every_period()
    header = ["Period", "Agreed service time (minutes)"] + [f"{fmt(percent(level))}%" for level in levels]
    rows = []
    for span in spans:
        results = [downtime_allowed(level, span, maintenance_minutes) for level in levels]
        label = span.label + (f" ({span.note})" if span.note else "")
        rows.append(
            [label, fmt(results[0].service_minutes)]
            + [
                f"{fmt(r.downtime_minutes)} min" + (f" ({duration(r.downtime_minutes)})" if r.downtime_minutes else "")
                for r in results
            ]
        )
    return {"header": header, "rows": rows}
