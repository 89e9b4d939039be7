"""What every calculator shares: exact input parsing, figure formatting, periods, and cited sections."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import BadRequest

D = Decimal
HUNDRED, MINUTES_PER_DAY = D(100), 1440


@dataclass(frozen=True)
class Source:
    """A corpus section: the article id and the anchor of its `##` heading (markdown.slugify)."""

    doc_id: str
    anchor: str

    @property
    def url(self) -> str:
        return f"/docs/{self.doc_id}#{self.anchor}"


DOWNTIME_TABLE = Source("availability-and-uptime", "downtime-allowed-at-each-availability-level")
WINDOWS = Source("availability-and-uptime", "what-changes-the-meaning-of-a-percentage")
AVAILABILITY_FORMULA = Source("availability-and-uptime", "overview")
COMPOSITE = Source("availability-and-uptime", "composite-availability")
CREDITS = Source("service-credits", "worked-example")
AT_RISK = Source("service-credits", "at-risk-amount")
EARN_BACK = Source("earn-back-and-bonus-malus", "how-earn-back-works")
ATTAINMENT = Source("response-vs-resolution-time", "overview")
TM_CAP = Source("capped-t-and-m-and-hybrids", "worked-example-capped-tm")
PAIN_SHARE = Source("capped-t-and-m-and-hybrids", "target-cost-with-paingain-share")
UNIT_PRICE = Source("unit-transaction-pricing", "overview")
TIERED = Source("unit-transaction-pricing", "worked-example-tiered-unit-prices")
INDEXATION = Source("pricing-adjustments-indexation", "caps-floors-and-collars-with-a-worked-example")
COLA = Source("pricing-adjustments-indexation", "cola-for-offshore-labour")
SAVINGS = Source("why-organisations-outsource", "what-the-savings-look-like-in-practice")
TCO = Source("business-case-and-tco", "worked-example-five-year-tco")
RECOVERY = Source("business-continuity-disaster-recovery", "rto-vs-rpo")
BLENDED = Source("time-and-materials", "rate-cards-and-blended-rates")
SOURCES = (
    DOWNTIME_TABLE,
    WINDOWS,
    AVAILABILITY_FORMULA,
    COMPOSITE,
    CREDITS,
    AT_RISK,
    EARN_BACK,
    ATTAINMENT,
    TM_CAP,
    PAIN_SHARE,
    UNIT_PRICE,
    TIERED,
    INDEXATION,
    COLA,
    SAVINGS,
    TCO,
    RECOVERY,
    BLENDED,
)


# ---- input ---------------------------------------------------------------------------------------


def number(
    value, name: str, low: Decimal | int | None = None, high: Decimal | int | None = None, low_open: bool = False
) -> Decimal:
    """`value` (int, float, str or Decimal) as an exact Decimal within [low, high], or BadRequest.

    Floats go through their shortest repr, so 99.95 becomes Decimal('99.95'), not its binary value.
    """
    if isinstance(value, bool) or value is None:
        raise BadRequest(f"{name} must be a number.")
    try:
        result = D(str(value).replace(",", "").strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise BadRequest(f"{name} must be a number, not {str(value)[:40]!r}.") from None
    if not result.is_finite():
        raise BadRequest(f"{name} must be a finite number.")
    if low is not None and (result < low or (low_open and result == low)):
        raise BadRequest(f"{name} must be {'more than' if low_open else 'at least'} {fmt(D(low))}; got {fmt(result)}.")
    if high is not None and result > high:
        raise BadRequest(f"{name} must be at most {fmt(D(high))}; got {fmt(result)}.")
    return result


def whole(value, name: str, low: int, high: int) -> int:
    """`value` as a whole number within [low, high] (people, months, tickets), or BadRequest."""
    result = number(value, name, low, high)
    if result != int(result):
        raise BadRequest(f"{name} must be a whole number; got {fmt(result)}.")
    return int(result)


def percent(value, name: str = "The availability") -> Decimal:
    """A percentage from 0 to 100."""
    return number(value, f"{name} (a percentage)", 0, 100)


def percent_list(text: str, name: str) -> list[Decimal]:
    """'99.9, 99.95' (or a list) as percentages; BadRequest names the item that is wrong."""
    items = text if isinstance(text, (list, tuple)) else [p for p in str(text).split(",") if p.strip()]
    return [percent(str(item).strip().rstrip("%"), f"{name} #{i}") for i, item in enumerate(items, 1)]


# ---- output --------------------------------------------------------------------------------------


def fmt(value: Decimal, places: int = 6) -> str:
    """A figure with thousands separators and no trailing zeros, rounded to at most `places`."""
    value = D(value)
    if places is not None:
        try:
            value = value.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # more digits than the context holds (e.g. 1e150): shown unrounded
            pass
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value) -> str:
    """An amount to two places at most ("24,000", "10.5")."""
    return fmt(value, 2)


def approx(value: Decimal, places: int = 2) -> str:
    """`fmt(value, places)`, prefixed with '≈' when rounding changed the value."""
    shown = fmt(value, places)
    return shown if D(shown.replace(",", "")) == value else f"≈{shown}"


def fmt_percent(value: Decimal, places: int = 6) -> str:
    """'99.85005%', or '≈99.884259%' when rounding to `places` decimals changed the value."""
    return f"{approx(value, places)}%"


def duration(minutes: Decimal) -> str:
    """Minutes as days, hours, minutes and seconds: '21 min 36 s', '3 days 15 h 36 min', '25.92 s'."""
    seconds = (D(minutes) * 60).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    if seconds == 0:
        return "0 s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    parts = [
        f"{int(days)} day{'s' if days != 1 else ''}" if days else "",
        f"{int(hours)} h" if hours else "",
        f"{int(mins)} min" if mins else "",
        f"{fmt(secs, 2)} s" if secs else "",
    ]
    return " ".join(p for p in parts if p)


# ---- periods -------------------------------------------------------------------------------------

PERIOD_DAYS = {
    "day": (1, 1, 1),
    "week": (7, 7, 7),
    "month": (28, 31, 30),
    "quarter": (90, 92, 90),
    "year": (365, 366, 365),
}  # (shortest, longest, default when unstated)


@dataclass(frozen=True)
class Period:
    name: str  # day, week, month, quarter or year
    days: int

    @property
    def minutes(self) -> int:
        return self.days * MINUTES_PER_DAY

    @property
    def label(self) -> str:
        return self.name if self.name in ("day", "week") else f"{self.days}-day {self.name}"

    @property
    def note(self) -> str:
        return {("month", 28): "February", ("month", 29): "February in a leap year", ("year", 366): "a leap year"}.get(
            (self.name, self.days), ""
        )


def period(name: str = "month", days: int | None = None) -> Period:
    """A measurement period; `days` picks the month (28-31), quarter (90-92) or year (365-366) length."""
    key = str(name).strip().lower()
    if key not in PERIOD_DAYS:
        raise BadRequest(f"The period must be one of {', '.join(PERIOD_DAYS)}; got {str(name)[:40]!r}.")
    shortest, longest, default = PERIOD_DAYS[key]
    if days is None:
        return Period(key, default)
    count = number(days, f"The number of days in a {key}", shortest, longest)
    if count != int(count):
        raise BadRequest(f"The number of days in a {key} must be a whole number; got {fmt(count)}.")
    return Period(key, int(count))


def variants(kind: str) -> list[Period]:
    """Every length of one kind of period: the four month lengths, the three quarters, both years."""
    shortest, longest, _ = PERIOD_DAYS[kind]
    return [Period(kind, days) for days in range(shortest, longest + 1)]


def every_period() -> list[Period]:
    return [p for kind in PERIOD_DAYS for p in variants(kind)]


def service_minutes(span: Period, maintenance_minutes) -> tuple[Decimal, Decimal]:
    maintenance = number(maintenance_minutes, "The maintenance window (minutes)", 0)
    if maintenance >= span.minutes:
        raise BadRequest(
            f"The maintenance window ({fmt(maintenance)} minutes) must be shorter than the "
            f"{span.label} ({span.minutes:,} minutes)."
        )
    return maintenance, span.minutes - maintenance
