"""Service credits under the at-risk cap and the allocation pool, earn-back, and targets met as a share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import ATTAINMENT, CREDITS, EARN_BACK, HUNDRED, Source, fmt, fmt_percent, money, number, percent, whole


@dataclass(frozen=True)
class Credit:
    """One service level's credit: its amount and how it was worked out."""

    amount: Decimal
    working: str


@dataclass(frozen=True)
class Credits:
    """The credits that accrued, their total, the at-risk cap, and what is payable."""

    monthly_charges: Decimal | None
    at_risk_percent: Decimal | None
    credits: tuple[Credit, ...]
    total: Decimal
    cap: Decimal | None
    paid: Decimal
    not_payable: Decimal
    pool_percent: Decimal | None = None
    exposure: Decimal | None = None  # credits if every service level failed in full (pool × at-risk)
    source: Source = CREDITS

    @property
    def formula(self) -> str:
        return (
            "Credit paid = min(sum of the credits, at-risk amount), where at-risk amount = at-risk % × "
            "monthly charges and a pooled credit = at-risk % × allocation % × monthly charges."
        )

    def sentences(self) -> list[str]:
        out = []
        if self.cap is not None and self.at_risk_percent is not None and self.monthly_charges is not None:
            out.append(
                f"The at-risk amount is {fmt(self.at_risk_percent)}% × {money(self.monthly_charges)} = "
                f"{money(self.cap)}, the most the supplier can lose to credits in the month."
            )
        elif self.cap is not None:
            out.append(f"The at-risk amount caps the month's credits at {money(self.cap)}.")
        if self.credits:
            workings = [c.working for c in self.credits]
            line = (
                "The credit is " + workings[0]
                if len(workings) == 1
                else (
                    "The credits are "
                    + ", ".join(workings[:-1])
                    + " and "
                    + workings[-1]
                    + f"; together {' + '.join(money(c.amount) for c in self.credits)} = {money(self.total)}"
                )
            )
            out.append(line + ".")
            if self.cap is None:
                out.append(f"With no at-risk cap, {money(self.paid)} is payable.")
            elif self.not_payable:
                out.append(
                    f"The at-risk amount of {money(self.cap)} caps the month, so {money(self.paid)} is "
                    f"paid ({money(self.total)} capped) and the remaining {money(self.not_payable)} is "
                    f"not payable."
                )
            else:
                out.append(f"That is within the at-risk amount of {money(self.cap)}, so {money(self.paid)} is paid.")
        if self.exposure is not None:
            limit = (
                f"but with the pool above 100% the at-risk amount limits the payment to {money(self.cap)}"
                if self.exposure > self.cap
                else "within the at-risk amount"
            )
            out.append(
                f"If every service level failed in full, the credits would reach "
                f"{fmt(self.at_risk_percent)}% × the {fmt(self.pool_percent)}% allocation pool × "
                f"{money(self.monthly_charges)} = {money(self.exposure)}, {limit}."
            )
        return out


def _check_pool(charges, risk, shares, weights, pool, at_risk_amount) -> None:
    """Refuse percentages without the charges, and allocations without the at-risk % or over the pool."""
    if (shares or weights or (risk is not None and at_risk_amount is None) or pool) and charges is None:
        raise BadRequest("The monthly charges are needed to turn percentages into amounts.")
    if weights and risk is None:
        raise BadRequest(
            "Pool allocations need the at-risk percentage: a pooled credit is "
            "at-risk % × allocation % × monthly charges."
        )
    if pool is not None and sum(weights, Decimal(0)) > pool:
        raise BadRequest(f"The allocations add up to {fmt(sum(weights))}%, more than the {fmt(pool)}% pool.")
    if pool is not None and risk is None:
        raise BadRequest("The allocation pool needs the at-risk percentage.")


def service_credits(
    monthly_charges=None,
    at_risk_percent=None,
    credit_amounts=(),
    credit_percents=(),
    allocations=(),
    pool_percent=None,
    at_risk_amount=None,
) -> Credits:
    """The month's credits and what is paid under the at-risk cap.

    Args: `credit_amounts` are credits in money; `credit_percents` are credits as a percentage of the
    monthly charges; `allocations` are the pool allocations (%) of the service levels missed in full,
    each worth at-risk % × allocation % × charges. The cap is `at_risk_amount`, or `at_risk_percent`
    of the charges; with neither, nothing is capped. `pool_percent` checks the allocations against
    the pool and adds the exposure if every level failed.
    """
    charges = None if monthly_charges is None else number(monthly_charges, "The monthly charges", 0, low_open=True)
    risk = None if at_risk_percent is None else percent(at_risk_percent, "The at-risk amount")
    amounts = [number(a, f"Credit amount #{i}", 0) for i, a in enumerate(credit_amounts or (), 1)]
    shares = [percent(p, f"Credit #{i}") for i, p in enumerate(credit_percents or (), 1)]
    weights = [number(a, f"Allocation #{i} (a percentage)", 0) for i, a in enumerate(allocations or (), 1)]
    pool = (
        None if pool_percent is None else number(pool_percent, "The allocation pool (a percentage)", 0, low_open=True)
    )
    _check_pool(charges, risk, shares, weights, pool, at_risk_amount)
    if at_risk_amount is not None:
        cap = number(at_risk_amount, "The at-risk amount", 0)
        if risk is not None and charges is not None and cap != risk * charges / HUNDRED:
            raise BadRequest(
                f"The at-risk amount {money(cap)} is not {fmt(risk)}% of {money(charges)}; give one or the other."
            )
    else:
        cap = None if risk is None else risk * charges / HUNDRED
    if not (amounts or shares or weights) and cap is None:
        raise BadRequest(
            "Give the credits (amounts, percentages of the monthly charges or pool allocations) or the at-risk amount."
        )
    items = [Credit(a, money(a)) for a in amounts]
    items += [
        Credit(p * charges / HUNDRED, f"{fmt(p)}% × {money(charges)} = {money(p * charges / HUNDRED)}") for p in shares
    ]
    items += [
        Credit(
            risk * w * charges / HUNDRED / HUNDRED,
            f"{fmt(risk)}% × {fmt(w)}% × {money(charges)} = {money(risk * w * charges / HUNDRED / HUNDRED)}",
        )
        for w in weights
    ]
    total = sum((c.amount for c in items), Decimal(0))
    paid = total if cap is None else min(total, cap)
    exposure = None if pool is None else risk * pool * charges / HUNDRED / HUNDRED
    return Credits(charges, risk, tuple(items), total, cap, paid, total - paid, pool, exposure)


@dataclass(frozen=True)
class EarnBack:
    """How much of a credit comes back when the supplier recovers in the following months."""

    credit: Decimal
    percent: Decimal
    months_required: int | None
    months_met: int | None
    forfeited: bool
    source: Source = EARN_BACK

    @property
    def earnable(self) -> Decimal:
        """What comes back if the supplier qualifies."""
        return self.credit * self.percent / HUNDRED

    @property
    def returned(self) -> Decimal | None:
        """What comes back given the months met; None when they are not known."""
        return None if self.qualified is None else (self.earnable if self.qualified else Decimal(0))

    @property
    def kept(self) -> Decimal | None:
        return None if self.returned is None else self.credit - self.returned

    @property
    def qualified(self) -> bool | None:
        if self.forfeited:
            return False
        if self.months_met is None or self.months_required is None:
            return None
        return self.months_met >= self.months_required

    @property
    def formula(self) -> str:
        return (
            "Earned back = earn-back % × credit, if the same service level is met in each of the "
            "required following months (and no critical or chronic failure occurs); otherwise nothing."
        )

    def sentences(self) -> list[str]:
        share = f"{fmt(self.percent)}% × {money(self.credit)} = {money(self.earnable)}"
        months = f" in each of the {self.months_required} following months" if self.months_required else ""
        if self.forfeited:
            return [
                f"No earn-back: a critical or chronic failure forfeits it, so the client keeps the whole "
                f"{money(self.credit)} credit."
            ]
        if self.qualified is None:
            return [
                f"If the supplier meets the service level{months}, {share} is earned back and the client "
                f"keeps {money(self.credit - self.earnable)}."
            ]
        if self.qualified:
            return [
                f"The supplier met the service level{months}, so {share} is earned back and the client "
                f"keeps {money(self.kept)}."
            ]
        return [
            f"The supplier met the service level in {self.months_met} of the {self.months_required} "
            f"following months, so nothing is earned back and the client keeps the whole "
            f"{money(self.credit)} (it would have earned back {share})."
        ]


def earn_back(credit, earn_back_percent, months_required=None, months_met=None, forfeited=False) -> EarnBack:
    """Earn-back of `earn_back_percent` of `credit` when the service level is met in each following month."""
    amount = number(credit, "The service credit", 0, low_open=True)
    share = percent(earn_back_percent, "The earn-back share")
    required = None if months_required is None else whole(months_required, "The months required", 1, 36)
    met = None if months_met is None else whole(months_met, "The months met", 0, 36)
    if met is not None and required is not None and met > required:
        raise BadRequest(f"The months met ({met}) cannot exceed the months required ({required}).")
    if met is not None and required is None:
        raise BadRequest(
            "Give the number of following months the service level must be met "
            "(months_required) along with the months met."
        )
    return EarnBack(amount, share, required, met, bool(forfeited))


@dataclass(frozen=True)
class Attainment:
    """The share of tickets that met their response or resolution target, optionally against a goal."""

    met: int
    total: int
    percent: Decimal
    target: Decimal | None
    source: Source = ATTAINMENT

    @property
    def formula(self) -> str:
        return "Attainment % = tickets within target ÷ all tickets measured × 100."

    @property
    def shortfall(self) -> int:
        """How many more tickets had to meet their target to reach the goal (0 when reached)."""
        if self.target is None:
            return 0
        return max(0, math.ceil(self.target * self.total / HUNDRED) - self.met)

    def sentences(self) -> list[str]:
        out = [
            f"{self.met:,} of {self.total:,} tickets within target is {fmt_percent(self.percent, 2)} "
            f"({self.met:,} ÷ {self.total:,} × 100); {self.total - self.met:,} missed it."
        ]
        if self.target is not None:
            if self.shortfall:
                needed = self.met + self.shortfall
                out.append(
                    f"That misses a {fmt(self.target)}% target: {needed:,} of {self.total:,} had to meet it, "
                    f"{self.shortfall:,} more than did."
                )
            else:
                out.append(f"That meets a {fmt(self.target)}% target.")
        return out


def attainment(met, total, target_percent=None) -> Attainment:
    """Tickets (or calls, requests) within target as a percentage of all measured, against an optional goal."""
    count = whole(total, "The total number of tickets", 1, 10**9)
    within = whole(met, "The number of tickets within target", 0, 10**9)
    if within > count:
        raise BadRequest(f"The tickets within target ({within:,}) cannot exceed the total ({count:,}).")
    goal = None if target_percent is None else percent(target_percent, "The target")
    return Attainment(within, count, Decimal(within) / Decimal(count) * HUNDRED, goal)
