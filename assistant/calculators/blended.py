"""A blended rate: a team's day (or hour) rates averaged over its people, and what a change of mix does to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import BLENDED, Source, approx, fmt, money, number

RATE_UNITS = ("day", "hour")


@dataclass(frozen=True)
class Role:
    """People of one role, grade or location, at one rate each."""

    label: str  # "onshore developer", "senior engineer", or "" when unnamed
    people: Decimal
    rate: Decimal

    @property
    def cost(self) -> Decimal:
        return self.people * self.rate

    def working(self) -> str:
        named = f" {self.label}" if self.label else ""
        return f"{fmt(self.people)}{named} × {money(self.rate)}"


@dataclass(frozen=True)
class BlendedRate:
    """The cost of the whole mix ÷ its headcount; a blended rate holds only while the mix does."""

    roles: tuple[Role, ...]
    unit: str = "day"
    source: Source = BLENDED

    formula = "Blended rate = the sum of people × rate over every role ÷ the number of people."

    @property
    def cost(self) -> Decimal:
        return sum((r.cost for r in self.roles), Decimal(0))

    @property
    def people(self) -> Decimal:
        return sum((r.people for r in self.roles), Decimal(0))

    @property
    def rate(self) -> Decimal:
        return self.cost / self.people

    def sentences(self) -> list[str]:
        working = " + ".join(r.working() for r in self.roles)
        out = [
            f"The team costs {working} = {money(self.cost)} per {self.unit} for {fmt(self.people)} "
            f"{'person' if self.people == 1 else 'people'}, "
            f"a blended rate of {money(self.cost)} ÷ {fmt(self.people)} {_equals(self.rate)} per person-{self.unit}."
        ]
        if self.mix_shift is not None:  # why the mix must be fixed: one person moved between the extreme rates
            low, high = self.extremes
            out.append(
                f"Each person moved from the {money(low)} rate to the {money(high)} rate raises the blended rate by "
                f"({money(high)} − {money(low)}) ÷ {fmt(self.people)} {_equals(self.mix_shift)}, and each person "
                f"moved the other way lowers it as much; a contract should fix the mix or re-blend the rate when it "
                f"changes."
            )
        return out

    @property
    def extremes(self) -> tuple[Decimal, Decimal]:
        """The lowest and the highest rate in the team."""
        return min(r.rate for r in self.roles), max(r.rate for r in self.roles)

    @property
    def mix_shift(self) -> Decimal | None:
        """What one person moved from the lowest rate to the highest adds to the blended rate."""
        low, high = self.extremes
        return (high - low) / self.people if high > low else None

    def table(self) -> dict:
        rows = [
            [r.label or f"role {i}", fmt(r.people), money(r.rate), money(r.cost)] for i, r in enumerate(self.roles, 1)
        ]
        rows.append(["team", fmt(self.people), approx(self.rate), money(self.cost)])
        return {"header": ["Role", "People", f"Rate per {self.unit}", f"Cost per {self.unit}"], "rows": rows}


def _equals(value: Decimal) -> str:
    shown = approx(value)
    return f"≈ {shown[1:]}" if shown.startswith("≈") else f"= {shown}"


def blended_rate(roles, unit: str = "day") -> BlendedRate:
    """One to twenty roles, each `(label, people, rate)`: their cost per `unit` and the blended rate."""
    items = list(roles or ())
    if not 1 <= len(items) <= 20:
        raise BadRequest(f"Give one to twenty roles, each with its people and rate; got {len(items)}.")
    if unit not in RATE_UNITS:
        raise BadRequest(f"The rate is per day or per hour; got {unit!r}.")
    team = tuple(
        Role(
            str(label or "").strip().lower()[:40],
            number(people, f"Role #{i}'s number of people", 0, 10**6, low_open=True),
            number(rate, f"Role #{i}'s rate", 0, 10**9),
        )
        for i, (label, people, rate) in enumerate(items, 1)
    )
    return BlendedRate(team, unit)
