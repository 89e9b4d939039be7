"""Tiered (banded) unit prices: a volume charged band by band (graduated) or all at one band's price (all-units)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..errors import BadRequest
from .base import TIERED, Source, approx, fmt, money, number

Scheme = Literal["graduated", "all_units"]
SCHEMES = ("graduated", "all_units")


@dataclass(frozen=True)
class Band:
    """One price band: the units above `floor` up to `ceiling` (None: no upper limit), at `price` each."""

    floor: Decimal
    ceiling: Decimal | None
    price: Decimal

    def holds(self, volume: Decimal) -> bool:
        """Whether a volume falls in this band; a volume on an edge belongs to the band it closes."""
        return volume > self.floor and (self.ceiling is None or volume <= self.ceiling)

    def units(self, volume: Decimal) -> Decimal:
        """How many of `volume`'s units fall in this band."""
        top = volume if self.ceiling is None else min(volume, self.ceiling)
        return max(Decimal(0), top - self.floor)

    @property
    def label(self) -> str:
        whole = self.floor == int(self.floor) and (self.ceiling is None or self.ceiling == int(self.ceiling))
        if self.ceiling is None:
            return f"above {fmt(self.floor)}"
        start = fmt(self.floor + 1) if whole else f"above {fmt(self.floor)}"
        return f"{start} to {fmt(self.ceiling)}"


@dataclass(frozen=True)
class TieredPricing:
    """A volume priced on bands: what each scheme charges, the one asked for first, and any all-units cliff."""

    unit: str  # "ticket", "user", …
    volume: Decimal
    bands: tuple[Band, ...]
    scheme: Scheme
    stated: bool  # whether the scheme was said; if not, graduated is assumed and the other shown
    source: Source = TIERED

    @property
    def graduated(self) -> Decimal:
        return sum((b.units(self.volume) * b.price for b in self.bands), Decimal(0))

    @property
    def reached(self) -> int:
        """The index of the band the whole volume falls in (the first band for no volume)."""
        return next((i for i, b in enumerate(self.bands) if b.holds(self.volume)), 0)

    @property
    def all_units(self) -> Decimal:
        return self.volume * self.bands[self.reached].price

    @property
    def charge(self) -> Decimal:
        return self.graduated if self.scheme == "graduated" else self.all_units

    @property
    def formula(self) -> str:
        return (
            "Graduated (incremental) tiers: charge = the sum over the bands of the units within each band × that "
            "band's price; all-units (volume) tiers: charge = the whole volume × the price of the band it falls in; "
            "average unit price = charge ÷ volume."
        )

    def units(self, count: Decimal) -> str:
        return f"{fmt(count)} {self.unit if count == 1 else self.unit + 's'}"

    def _graduated(self) -> str:
        used = [b for b in self.bands if b.units(self.volume)]
        if not used:
            return f"no {self.unit}s, so nothing to pay"
        parts = [f"{self.units(b.units(self.volume))} × {money(b.price)}" for b in used]
        if len(parts) == 1:
            return f"{parts[0]} = {money(self.graduated)}"
        each = " + ".join(money(b.units(self.volume) * b.price) for b in used)
        return f"{' + '.join(parts)} = {each} = {money(self.graduated)}"

    def _all_units(self) -> str:
        return f"{self.units(self.volume)} × {money(self.bands[self.reached].price)} = {money(self.all_units)}"

    def _average(self) -> str:
        if not self.volume:
            return ""
        average = _equals(self.charge / self.volume)
        return f" That is {money(self.charge)} ÷ {self.units(self.volume)} {average} per {self.unit} on average."

    def cliff(self) -> str | None:
        """The all-units cliff below the band reached: volumes just over its edge that cost less than the edge."""
        k = self.reached
        if k == 0 or self.bands[k].price >= self.bands[k - 1].price:
            return None
        edge, below, price = self.bands[k - 1].ceiling, self.bands[k - 1].price, self.bands[k].price
        top = edge * below / price
        return (
            f"All-units tiers create a cliff: {self.units(edge)} cost {fmt(edge)} × {money(below)} = "
            f"{money(edge * below)}, yet any volume between {fmt(edge)} and {money(edge * below)} ÷ "
            f"{money(price)} {_equals(top)} {self.unit}s costs less."
        )

    def sentences(self) -> list[str]:
        each = f"each band's {self.unit}s at that band's price"
        if self.scheme == "graduated":
            first = f"On graduated (incremental) tiers, {each}: {self._graduated()}."
            other = (
                f"On an all-units basis the whole volume would be charged at the band it reaches: {self._all_units()}."
            )
        else:
            first = f"On all-units (volume) tiers, the whole volume at the price of its band: {self._all_units()}."
            other = f"On graduated (incremental) tiers, {each}, it would be {self._graduated()}."
        if self.reached == 0:
            other = "An all-units basis gives the same: the whole volume is within the first band."
        if not self.stated:
            first = f"No scheme was given, so this is the graduated reading. {first}"
        out = [first + self._average(), other]
        cliff = self.cliff()
        return out + [cliff] if cliff else out

    def table(self) -> dict:
        return {
            "header": ["Band", "Unit price", f"{self.unit.capitalize()}s in band", "Charge"],
            "rows": [
                [b.label, money(b.price), fmt(b.units(self.volume)), money(b.units(self.volume) * b.price)]
                for b in self.bands
            ],
        }


def _equals(value: Decimal) -> str:
    shown = approx(value)
    return f"≈ {shown[1:]}" if shown.startswith("≈") else f"= {shown}"


def tiered_pricing(bands, volume, scheme: str | None = None, unit: str = "unit") -> TieredPricing:
    """`volume` priced on `bands`, each `(up_to, price)` or `(up_to, price, starts_at)`, lowest band first.

    Args: `up_to` is the band's last unit (None for the open top band); `starts_at`, when given, is its
    first unit (10,001) or the edge it starts above (10,000), checked against the band before; `scheme`
    is "graduated" (each band's units at its price), "all_units" (every unit at the reached band's
    price) or None (graduated, not stated); `unit` names what is counted.
    Returns: a TieredPricing; BadRequest for bands out of order, overlapping, gapped or not covering the volume.
    """
    if scheme is not None and scheme not in SCHEMES:
        raise BadRequest(f"The scheme must be graduated or all_units; got {str(scheme)[:20]!r}.")
    items = list(bands or ())
    if not 1 <= len(items) <= 20:
        raise BadRequest(f"Give one to twenty price bands; got {len(items)}.")
    parsed, floor = [], Decimal(0)
    for i, item in enumerate(items, 1):
        parsed.append(_band(i, floor, *item))
        if parsed[-1].ceiling is None and i < len(items):
            raise BadRequest(f"Only the last band can be open-ended; band #{i} has no upper limit.")
        floor = parsed[-1].ceiling
    count = number(volume, "The volume", 0)
    if parsed[-1].ceiling is not None and count > parsed[-1].ceiling:
        raise BadRequest(
            f"The volume ({fmt(count)}) is above the last band's limit ({fmt(parsed[-1].ceiling)}); "
            f"give a price for units above it."
        )
    label = str(unit or "unit").strip().lower()[:40] or "unit"
    return TieredPricing(label, count, tuple(parsed), scheme or "graduated", scheme is not None)


def _band(i: int, floor: Decimal, up_to, price, starts_at=None) -> Band:
    """Band #i, which must start where the band before it (ending at `floor`) ends."""
    cost = number(price, f"Band #{i}'s unit price", 0)
    if starts_at is not None:
        start = number(starts_at, f"Band #{i}'s first unit", 0)
        if start < floor:
            raise BadRequest(
                f"Band #{i} starts at {fmt(start)}, inside the band before it (which ends at {fmt(floor)}): "
                f"bands must not overlap."
            )
        if start > floor + 1:
            raise BadRequest(
                f"Band #{i} starts at {fmt(start)}, leaving the units above {fmt(floor)} and below {fmt(start)} "
                f"unpriced: bands must follow on without gaps."
            )
    if up_to is None:
        return Band(floor, None, cost)
    ceiling = number(up_to, f"Band #{i}'s upper limit", 0, low_open=True)
    if ceiling <= floor:
        raise BadRequest(
            f"Band #{i}'s upper limit ({fmt(ceiling)}) must be above the band before it ({fmt(floor)}): "
            f"give the bands lowest first, without overlaps."
        )
    return Band(floor, ceiling, cost)
