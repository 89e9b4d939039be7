"""Pricing arithmetic: capped time and materials, unit prices compared, and indexation under a cap."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import COLA, HUNDRED, INDEXATION, PAIN_SHARE, TM_CAP, UNIT_PRICE, Source, approx, fmt, money, number, whole

ZERO = Decimal(0)


def _plural(count: Decimal, unit: str) -> str:
    return unit if count == 1 else f"{unit}s"


# ---- capped time and materials -------------------------------------------------------------------


@dataclass(frozen=True)
class CappedTM:
    """Time and materials at the agreed rates against a cap: what a hard and a soft cap make payable."""

    cap: Decimal
    charge: Decimal  # at the agreed rates, uncapped: what plain T&M would charge
    working: str  # "3 × 46 days × 700 = 96,600", or the charge alone when it was given
    estimate: str | None  # the estimate's working at the same rates, when given
    client_share: Decimal | None  # the client's % of the overrun, when the parties share it

    @property
    def overrun(self) -> Decimal:
        return max(ZERO, self.charge - self.cap)

    @property
    def hard(self) -> Decimal:
        """What the client pays under a hard cap."""
        return min(self.charge, self.cap)

    @property
    def shared(self) -> Decimal | None:
        """What the client pays when it bears `client_share` % of the overrun."""
        return None if self.client_share is None else self.hard + self.client_share * self.overrun / HUNDRED

    @property
    def source(self) -> Source:
        return PAIN_SHARE if self.client_share is not None and self.overrun else TM_CAP

    @property
    def formula(self) -> str:
        shared = "; sharing the overrun, you pay cap + your share × (charge − cap)" if self.client_share else ""
        return (
            "T&M charge = people × days × day rate; under a hard cap you pay min(charge, cap) and the provider "
            "absorbs the rest; under a soft cap the excess over the cap is payable only if you approve it"
            f"{shared}."
        )

    def sentences(self) -> list[str]:
        out = [f"The estimate was {self.estimate}."] if self.estimate else []
        out.append(f"At the agreed rates the work costs {self.working}, which is what plain T&M would charge.")
        cap, overrun = money(self.cap), money(self.overrun)
        if not self.overrun:
            out.append(
                f"That is within the {cap} cap, so you pay {money(self.charge)} under a hard or a soft cap alike: "
                f"capped T&M passes underruns straight to the client."
            )
            return out
        out += [
            f"That is {overrun} over the {cap} cap.",
            f"Under a hard cap you pay {cap} (the lower of {money(self.charge)} and the cap) and the provider "
            f"absorbs the {overrun} overrun.",
            f"Under a soft cap you pay {cap} when charges reach the cap, and the other {overrun} only if you "
            f"approve more budget through change control ({money(self.charge)} in all); if you do not, the work "
            f"stops at the cap.",
        ]
        if self.client_share is not None:
            share = fmt(self.client_share)
            out.append(
                f"Sharing the overrun {share}/{fmt(HUNDRED - self.client_share)}, you pay {cap} + {share}% × "
                f"{overrun} = {money(self.shared)} and the provider absorbs {money(self.charge - self.shared)}."
            )
        return out


def capped_tm(
    cap, rate=None, days=None, people=1, charge=None, estimate_days=None, client_share_percent=None, unit="day"
) -> CappedTM:
    """Capped T&M: the charge at the agreed rates against the cap.

    Args: `cap` is the not-to-exceed amount; the charge is `charge` if given, else `people` × `days`
    (each, actually worked) × `rate` per `unit` ("day" or "hour"); `estimate_days` (each) adds the
    estimate at the same rates; `client_share_percent` is the client's share of any overrun.
    """
    ceiling = number(cap, "The cap", 0, low_open=True)
    if unit not in ("day", "hour"):
        raise BadRequest(f"The rate must be per day or per hour; got {str(unit)[:20]!r}.")
    share = None if client_share_percent is None else number(client_share_percent, "Your share of the overrun", 0, 100)
    if rate is None or days is None:
        if charge is None:
            raise BadRequest(f"Give the charge at the agreed rates, or the {unit} rate and the {unit}s worked.")
        total = number(charge, "The charge at the agreed rates", 0)
        if estimate_days is not None:
            raise BadRequest(f"An estimate in {unit}s needs the {unit} rate.")
        return CappedTM(ceiling, total, money(total), None, share)
    price = number(rate, f"The {unit} rate", 0, low_open=True)
    count = whole(people, "The number of people", 1, 10_000)
    worked = number(days, f"The {unit}s worked", 0)
    total = count * worked * price
    given = None if charge is None else number(charge, "The charge at the agreed rates", 0)
    if given is not None and given != total:
        raise BadRequest(
            f"The charge {money(given)} is not {count} × {fmt(worked)} × {money(price)}; give one or the other."
        )

    def working(each: Decimal) -> str:
        people_part = f"{count} × " if count != 1 else ""
        return f"{people_part}{fmt(each)} {_plural(each, unit)} × {money(price)} = {money(count * each * price)}"

    estimate = None if estimate_days is None else working(number(estimate_days, f"The estimated {unit}s", 0))
    return CappedTM(ceiling, total, working(worked), estimate, share)


# ---- unit prices compared ------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One way of pricing: a unit price and the volume of units it is charged on."""

    unit: str  # "user", "ticket", "device", …
    price: Decimal
    volume: Decimal

    @property
    def charge(self) -> Decimal:
        return self.price * self.volume

    @property
    def working(self) -> str:
        return f"{money(self.price)} × {fmt(self.volume)} {_plural(self.volume, self.unit)} = {money(self.charge)}"


@dataclass(frozen=True)
class UnitPricing:
    """Options priced per unit, side by side: each charge, the cheapest, and where two break even."""

    options: tuple[Option, ...]
    source: Source = UNIT_PRICE

    @property
    def formula(self) -> str:
        return (
            "Each option's charge equals price × volume; one option's break-even volume is the other option's "
            "charge ÷ its unit price."
        )

    @property
    def cheapest(self) -> Option:
        return min(self.options, key=lambda o: o.charge)

    def break_even(self, option: Option, other: Option) -> Decimal:
        """The volume of `option` at which it costs as much as `other` (whose volume stays as given)."""
        return other.charge / option.price

    def sentences(self) -> list[str]:
        out = [f"Per {o.unit}: {o.working}." for o in self.options]
        ranked = sorted(self.options, key=lambda o: o.charge)
        first, second = ranked[0], ranked[1]
        if first.charge == second.charge:
            out.append(f"Per {first.unit} and per {second.unit} cost the same, {money(first.charge)}.")
        else:
            out.append(
                f"Per {first.unit} is cheaper by {money(second.charge - first.charge)} "
                f"({money(second.charge)} − {money(first.charge)})."
            )
        if len(self.options) == 2 and first.unit != second.unit:
            a, b = self.options
            for option, other in ((b, a), (a, b)):
                even = approx(self.break_even(option, other))
                equals = f"≈ {even[1:]}" if even.startswith("≈") else f"= {even}"
                out.append(
                    f"With {fmt(other.volume)} {_plural(other.volume, other.unit)}, per {option.unit} costs the same "
                    f"as per {other.unit} at {money(other.charge)} ÷ {money(option.price)} {equals} {option.unit}s, "
                    f"and more above that."
                )
        return out

    def table(self) -> dict:
        return {
            "header": ["Option", "Unit price", "Volume", "Charge"],
            "rows": [[f"per {o.unit}", money(o.price), fmt(o.volume), money(o.charge)] for o in self.options],
        }


def unit_pricing(options) -> UnitPricing:
    """Two to ten options, each `(unit, price, volume)`: charge = price × volume for each."""
    items = list(options or ())
    if not 2 <= len(items) <= 10:
        raise BadRequest(f"Give two to ten options to compare; got {len(items)}.")
    priced = []
    for i, (unit, price, volume) in enumerate(items, 1):
        label = str(unit or "unit").strip().lower()[:40] or "unit"
        priced.append(
            Option(
                label,
                number(price, f"Option #{i}'s unit price", 0, low_open=True),
                number(volume, f"Option #{i}'s volume", 0),
            )
        )
    return UnitPricing(tuple(priced))


# ---- indexation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Uplift:
    """One year's adjustment: the index change, the uplift applied after cap and floor, the charges."""

    change: Decimal
    uplift: Decimal
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class Indexation:
    """A charge indexed year on year, each uplift held between a floor and a cap and compounded."""

    charge: Decimal
    years: tuple[Uplift, ...]
    cap: Decimal | None
    floor: Decimal | None
    offset: Decimal | None  # a productivity reduction applied after each uplift (COLA)
    index: str = "the index"

    @property
    def source(self) -> Source:
        return COLA if self.offset else INDEXATION

    @property
    def final(self) -> Decimal:
        return self.years[-1].after

    @property
    def formula(self) -> str:
        offset = " × (1 − productivity offset)" if self.offset else ""
        return (
            "Each year's uplift = the index change, no more than the cap and no less than the floor, "
            f"compounded: new charge = previous charge × (1 + uplift){offset}."
        )

    def _why(self, year: Uplift) -> str:
        index = f"{self.index} {fmt(year.change)}%"
        if self.cap is not None and year.change > self.cap:
            return f"{index} is above the {fmt(self.cap)}% cap, so the uplift is {fmt(year.uplift)}%"
        if self.floor is not None and year.change < self.floor:
            return f"{index} is below the {fmt(self.floor)}% floor, so the uplift is {fmt(year.uplift)}%"
        if self.cap is None and self.floor is None:
            return f"{self.index} of {fmt(year.change)}% applies in full"
        limits = {(True, False): "within the cap", (False, True): "above the floor"}.get(
            (self.cap is not None, self.floor is not None), "within the collar"
        )
        return f"{index} is {limits}, so the uplift is {fmt(year.uplift)}%"

    def sentences(self) -> list[str]:
        offset = f" × {fmt(1 - self.offset / HUNDRED)}" if self.offset else ""
        out = [
            f"{self._why(y)}: {money(y.before)} × {fmt(1 + y.uplift / HUNDRED)}{offset} = {money(y.after)}."
            for y in self.years
        ]
        out = (
            [f"Year {n}: {line}" for n, line in enumerate(out, 1)] if len(out) > 1 else [out[0][0].upper() + out[0][1:]]
        )
        rise = self.final - self.charge
        factors = " × ".join(fmt(1 + y.uplift / HUNDRED) for y in self.years)
        percent = approx(rise / self.charge * HUNDRED, 4)
        if self.offset:
            out.append(
                f"With the {fmt(self.offset)}% productivity offset the net change is {money(rise)} "
                f"({percent}%) on {money(self.charge)}."
            )
        elif len(self.years) > 1:
            out.append(
                f"Compounded ({factors} = {fmt(self.final / self.charge, 8)}), the charge goes from "
                f"{money(self.charge)} to {money(self.final)}, a total uplift of {money(rise)} ({percent}%)."
            )
        return out

    def table(self) -> dict:
        return {
            "header": ["Year", f"{self.index[0].upper()}{self.index[1:]} change", "Uplift applied", "Charge"],
            "rows": [
                [str(n), f"{fmt(y.change)}%", f"{fmt(y.uplift)}%", money(y.after)] for n, y in enumerate(self.years, 1)
            ],
        }


def indexation(charge, changes, cap=None, floor=None, offset=None, index="the index") -> Indexation:
    """`charge` indexed by each year's `changes` (%), each held to [`floor`, `cap`] and compounded.

    Args: `offset` is a productivity reduction (%) applied after each uplift, as with a COLA;
    `index` names the index in the sentences ("CPI").
    """
    amount = number(charge, "The charge", 0, low_open=True)
    rates = [number(c, f"The index change for year {n} (a percentage)", -100, 100) for n, c in enumerate(changes, 1)]
    if not 1 <= len(rates) <= 50:
        raise BadRequest(f"Give one to fifty yearly index changes; got {len(rates)}.")
    top = None if cap is None else number(cap, "The cap (a percentage)", -100, 100)
    bottom = None if floor is None else number(floor, "The floor (a percentage)", -100, 100)
    if top is not None and bottom is not None and bottom > top:
        raise BadRequest(f"The floor ({fmt(bottom)}%) must not be above the cap ({fmt(top)}%).")
    cut = None if offset is None else number(offset, "The productivity offset (a percentage)", 0, 100)
    if cut == 100:
        raise BadRequest("The productivity offset must be less than 100%.")
    years, current = [], amount
    for change in rates:
        uplift = change if top is None else min(change, top)
        uplift = uplift if bottom is None else max(uplift, bottom)
        after = current * (1 + uplift / HUNDRED) * (1 - (cut or 0) / HUNDRED)
        if after < 0:
            raise BadRequest(f"An uplift of {fmt(uplift)}% would make the charge negative.")
        years.append(Uplift(change, uplift, current, after))
        current = after
    return Indexation(amount, tuple(years), top, bottom, cut, str(index)[:40])
