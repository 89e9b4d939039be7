"""The outsourcing business case: recurring saving against the in-house cost, payback and net saving over a term."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import HUNDRED, SAVINGS, TCO, Source, approx, fmt, fmt_percent, money, number, percent

TWELVE = Decimal(12)
RETAINED_TYPICAL = (Decimal(5), Decimal(10))  # % of annual contract value (business-case-and-tco, hidden costs)
# Bounds that keep every figure, ratio and product finite when the API returns it as a float.
MOST = 10**15


@dataclass(frozen=True)
class BusinessCase:
    """Outsourcing against running the service in-house; recurring figures are per `per` (year or month)."""

    current_cost: Decimal
    vendor_charge: Decimal
    retained_cost: Decimal | None
    retained_percent: Decimal | None  # the retained organisation as a % of the vendor's charge, when so given
    other_costs: tuple[Decimal, ...]  # further recurring costs: governance, change allowance
    one_off_costs: tuple[Decimal, ...]  # upfront: transition, severance, advisers
    exit_costs: tuple[Decimal, ...]  # at the end of the term: counted over the term, not in the payback
    term_years: Decimal | None
    per: str = "year"

    @property
    def source(self) -> Source:
        return TCO if self.term_years is not None or self.exit_costs or self.other_costs else SAVINGS

    @property
    def outsourced_cost(self) -> Decimal:
        return self.vendor_charge + (self.retained_cost or 0) + sum(self.other_costs, Decimal(0))

    @property
    def saving(self) -> Decimal:
        """The recurring saving per `per`; negative when outsourcing costs more."""
        return self.current_cost - self.outsourced_cost

    @property
    def saving_percent(self) -> Decimal:
        return self.saving / self.current_cost * HUNDRED

    @property
    def annual_saving(self) -> Decimal:
        return self.saving * (TWELVE if self.per == "month" else 1)

    @property
    def one_off(self) -> Decimal:
        return sum(self.one_off_costs, Decimal(0))

    @property
    def payback_years(self) -> Decimal | None:
        """One-off costs ÷ annual saving; None without one-off costs or without a saving to pay them back."""
        if not self.one_off_costs or self.saving <= 0:
            return None
        return self.one_off / self.annual_saving

    @property
    def net_saving(self) -> Decimal | None:
        """Over the term: term × annual saving − one-off costs − exit costs."""
        if self.term_years is None:
            return None
        return self.term_years * self.annual_saving - self.one_off - sum(self.exit_costs, Decimal(0))

    @property
    def formula(self) -> str:
        others = " + other recurring costs" if self.other_costs else ""
        exits = " − exit costs" if self.exit_costs else ""
        return (
            f"Recurring saving = current in-house cost − (vendor charge + retained organisation cost{others}); "
            f"payback = one-off costs ÷ annual saving; net saving over a term = term × annual saving − one-off "
            f"costs{exits}."
        )

    def sentences(self) -> list[str]:
        per = f"a {self.per}"
        current, vendor = money(self.current_cost), money(self.vendor_charge)
        extras = ([self.retained_cost] if self.retained_cost is not None else []) + list(self.other_costs)
        out = self._retained() if self.retained_cost is not None else []
        if extras:
            headline = self.current_cost - self.vendor_charge
            out.append(
                f"The headline saving is {current} − {vendor} = {signed(headline)} {per} "
                f"({signed_percent(headline / self.current_cost * HUNDRED)} of the current cost)."
            )
            working = f"{current} − ({' + '.join(money(c) for c in [self.vendor_charge, *extras])})"
        else:
            working = f"{current} − {vendor}"
        monthly = f" ({signed(self.annual_saving)} a year)" if self.per == "month" else ""
        share = (
            f"{fmt_percent(self.saving_percent, 2)} of the current cost"
            if self.saving >= 0
            else f"so outsourcing costs {fmt_percent(-self.saving_percent, 2)} more than the current cost"
        )
        out.append(f"The recurring saving is {working} = {signed(self.saving)} {per}{monthly}, {share}.")
        if self.retained_cost is None:
            out += self._retained()
        return out + self._payback() + self._term()

    def _retained(self) -> list[str]:
        """The retained organisation's cost, set against the 5-10% of contract value it typically costs."""
        low, high = RETAINED_TYPICAL
        typical = f"the {fmt(low)}-{fmt(high)}% of annual contract value it typically costs"
        if self.retained_cost is None:
            return [
                f"No retained organisation cost was given; it typically costs about {fmt(low)}-{fmt(high)}% of "
                f"annual contract value ({money(self.vendor_charge * low / HUNDRED)}-"
                f"{money(self.vendor_charge * high / HUNDRED)} a {self.per} here), which outsourcing adds to the "
                f"vendor's charge."
            ]
        if self.retained_percent is not None:
            share = self.retained_percent
            said = (
                f"The retained organisation costs {fmt(share)}% × {money(self.vendor_charge)} = "
                f"{money(self.retained_cost)} a {self.per}"
            )
        else:
            share = self.retained_cost / self.vendor_charge * HUNDRED
            said = (
                f"The retained organisation's {money(self.retained_cost)} a {self.per} is "
                f"{fmt_percent(share, 2)} of the vendor's charge"
            )
        where = "within" if low <= share <= high else ("below" if share < low else "above")
        return [f"{said}, {where} {typical}."]

    def _payback(self) -> list[str]:
        if not self.one_off_costs:
            return []
        one_off = money(self.one_off)
        if self.saving <= 0:
            gap = "saves nothing" if self.saving == 0 else f"costs {money(-self.saving)} more a {self.per}"
            return [f"There is no payback: outsourcing {gap}, so the one-off costs of {one_off} are never recovered."]
        if self.one_off == 0:
            return ["With no one-off costs, the saving starts at once (payback 0)."]
        years, months = self.payback_years, self.payback_years * TWELVE
        if self.per == "month":
            when = f"{one_off} ÷ {money(self.saving)} = {approx(months, 1)} months ({approx(years, 2)} years)"
        else:
            when = f"{one_off} ÷ {money(self.saving)} = {approx(years, 2)} years ({approx(months, 1)} months)"
        if len(self.one_off_costs) > 1:
            parts = " + ".join(money(c) for c in self.one_off_costs)
            return [f"The one-off costs are {parts} = {one_off}; they pay back in {when}."]
        return [f"The one-off costs of {one_off} pay back in {when}."]

    def _term(self) -> list[str]:
        if self.term_years is None:
            return []
        count = self.term_years * (TWELVE if self.per == "month" else 1)
        span = f"{fmt(self.term_years)}-year term" + (f" ({fmt(count)} months)" if self.per == "month" else "")
        costs = [self.one_off, *self.exit_costs] if self.one_off_costs else list(self.exit_costs)
        working = f"{fmt(count)} × {signed(self.saving)}" + "".join(f" − {money(c)}" for c in costs)
        net = self.net_saving
        in_house = count * self.current_cost
        result = (
            f"{money(net)}, {fmt_percent(net / in_house * HUNDRED, 2)} of the {money(in_house)} the service "
            f"would cost in-house"
            if net >= 0
            else f"−{money(-net)}: a net cost, not a saving"
        )
        return [f"Over a {span} the net saving is {working} = {result}."]


def signed(value: Decimal) -> str:
    """A money figure with a proper minus sign when negative."""
    return f"−{money(-value)}" if value < 0 else money(value)


def signed_percent(value: Decimal) -> str:
    return f"−{fmt_percent(-value, 2)}" if value < 0 else fmt_percent(value, 2)


def business_case(
    current_cost,
    vendor_charge,
    retained_cost=None,
    retained_percent=None,
    one_off_costs=(),
    other_costs=(),
    exit_costs=(),
    term_years=None,
    per: str = "year",
) -> BusinessCase:
    """The recurring saving of outsourcing, its payback on the one-off costs, and the net saving over a term.

    Args: `current_cost` is the in-house cost and `vendor_charge` the vendor's, both per `per` ("year" or
    "month"), as are `retained_cost` (or `retained_percent` of the vendor's charge) and `other_costs`
    (governance, change allowance). `one_off_costs` are paid up front (transition, severance);
    `exit_costs` at the end of the term. `term_years` adds the net saving over the term.
    """
    if per not in ("year", "month"):
        raise BadRequest(f"The recurring figures must be per year or per month; got {str(per)[:40]!r}.")
    current = number(current_cost, "The current in-house cost", 1, MOST)
    vendor = number(vendor_charge, "The vendor's charge", 0, MOST, low_open=True)
    if retained_cost is not None and retained_percent is not None:
        raise BadRequest("Give the retained organisation's cost or its percentage of the vendor's charge, not both.")
    share = None if retained_percent is None else percent(retained_percent, "The retained organisation")
    retained = (
        vendor * share / HUNDRED
        if share is not None
        else (None if retained_cost is None else number(retained_cost, "The retained organisation's cost", 0, MOST))
    )
    others = tuple(number(c, f"Recurring cost #{i}", 0, MOST) for i, c in enumerate(other_costs or (), 1))
    one_offs = tuple(number(c, f"One-off cost #{i}", 0, MOST) for i, c in enumerate(one_off_costs or (), 1))
    exits = tuple(number(c, f"Exit cost #{i}", 0, MOST) for i, c in enumerate(exit_costs or (), 1))
    term = None if term_years is None else number(term_years, "The term (years)", 0, 50, low_open=True)
    return BusinessCase(current, vendor, retained, share, others, one_offs, exits, term, per)
