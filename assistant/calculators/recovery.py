"""Recovery targets after an incident: the data lost against the RPO and the downtime against the RTO."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..errors import BadRequest
from .base import MINUTES_PER_DAY, RECOVERY, Source, fmt, number

NOON, YEAR = 12 * 60, 366 * MINUTES_PER_DAY  # the longest target or duration taken, in minutes


def clock(value, name: str) -> int:
    """'10:40' (or '9:05') as minutes after midnight, or BadRequest for anything else (25:00, 10:75)."""
    text = str(value).strip()
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not found or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise BadRequest(f"{name} must be a time of day from 00:00 to 23:59, like 10:40; got {text[:40]!r}.")
    return int(found.group(1)) * 60 + int(found.group(2))


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span(minutes: Decimal) -> str:
    """Minutes in words: '5 minutes', '3 hours 15 minutes', '1 day 2 hours'."""
    days, rest = divmod(Decimal(minutes), MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{fmt(n)} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "0 minutes"


def target(minutes: Decimal) -> str:
    """A target as an adjective: '4-hour', '15-minute', '90-minute', '1-day'."""
    minutes = Decimal(minutes)
    if minutes and minutes % MINUTES_PER_DAY == 0:
        return f"{fmt(minutes / MINUTES_PER_DAY)}-day"
    if minutes and minutes % 60 == 0:
        return f"{fmt(minutes / 60)}-hour"
    return f"{fmt(minutes)}-minute"


@dataclass(frozen=True)
class Measure:
    """One side of the check: data lost against the RPO, or downtime against the RTO."""

    name: str  # "Data loss" or "Downtime"
    objective: str  # "RPO" or "RTO"
    minutes: Decimal | None
    working: str  # '10:40 − 10:35 = ' or ''
    limit: Decimal | None
    deadline: str = ""  # 'service had to be running again by 14:40'

    @property
    def met(self) -> bool | None:
        return None if self.minutes is None or self.limit is None else self.minutes <= self.limit

    def sentence(self) -> str:
        measured = f"{self.name} = {self.working}{span(self.minutes)}"
        if self.limit is None:
            return f"{measured}; with no {self.objective} given, it cannot be judged."
        goal = f"the {target(self.limit)} {self.objective}"
        when = f" ({self.deadline})" if self.deadline else ""
        if self.minutes == self.limit:
            return f"{measured}, exactly {goal}{when}: the {self.objective} is met, with nothing to spare."
        if self.met:
            spare = span(self.limit - self.minutes)
            return f"{measured}, within {goal} by {spare}{when}: the {self.objective} is met."
        over = span(self.minutes - self.limit)
        return f"{measured}, over {goal} by {over}{when}: the {self.objective} is missed."


@dataclass(frozen=True)
class Recovery:
    """What the incident cost in data and in time, each against its target when given."""

    data_loss: Measure
    downtime: Measure
    source: Source = RECOVERY

    @property
    def formula(self) -> str:
        return (
            "Data loss = failure time − time of the last recoverable copy, met if it is no more than the RPO; "
            "downtime = time service was restored − failure time, met if it is no more than the RTO "
            "(the RTO clock is taken from the failure time as given, not from a later declaration of a disaster)."
        )

    def sentences(self) -> list[str]:
        return [m.sentence() for m in (self.data_loss, self.downtime) if m.minutes is not None]


def _gap(start: int, end: int, names: tuple[str, str], wrap: bool | None, other_day: str) -> tuple[int, bool]:
    """Minutes from clock time `start` to the later clock time `end`, and whether it crosses midnight.

    An earlier `end` crosses midnight when `wrap` is true, or (when `wrap` is None) when an
    afternoon or evening `start` meets a morning `end` (23:30 → 02:10); otherwise it is refused."""
    if end >= start:
        return end - start, False
    if wrap or (wrap is None and start >= NOON > end):
        return end + MINUTES_PER_DAY - start, True
    raise BadRequest(f"{names[1]} ({hhmm(end)}) is before {names[0].lower()} ({hhmm(start)}); if {other_day}, say so.")


def _measured(given, times: tuple, names: tuple[str, str], wrap: bool | None, what: str, other_day: str) -> tuple:
    """(minutes, working) from a duration given directly or from two clock times; (None, '') if neither."""
    if given is not None:
        if all(t is not None for t in times):
            raise BadRequest(f"Give the {what} either as a duration or as times, not both.")
        return number(given, f"The {what} (minutes)", 0, YEAR), ""
    if any(t is None for t in times):
        return None, ""
    start, end = (clock(t, n) for t, n in zip(times, names, strict=True))
    minutes, crossed = _gap(start, end, names, wrap, other_day)
    return Decimal(minutes), f"{hhmm(end)}{' (the next day)' if crossed else ''} − {hhmm(start)} = "


def recovery(
    rto_minutes=None,
    rpo_minutes=None,
    failure_time=None,
    last_copy_time=None,
    restored_time=None,
    data_lost_minutes=None,
    downtime_minutes=None,
    copy_previous_day: bool | None = None,
    restored_next_day: bool | None = None,
) -> Recovery:
    """Whether an incident's recovery met the RPO and the RTO.

    Args: targets in minutes; times of day as 'HH:MM' (the failure, the last recoverable copy, the
    restore), or the data lost and the downtime in minutes directly. A restore time earlier than the
    failure is the next day if `restored_next_day`, and a copy time later than the failure the day
    before if `copy_previous_day`; left as None, only an evening-to-morning crossing is read so.
    """
    rto = None if rto_minutes is None else number(rto_minutes, "The RTO (minutes)", 0, YEAR)
    rpo = None if rpo_minutes is None else number(rpo_minutes, "The RPO (minutes)", 0, YEAR)
    lost, lost_working = _measured(
        data_lost_minutes,
        (last_copy_time, failure_time),
        ("The time of the last recoverable copy", "The failure time"),
        copy_previous_day,
        "data lost",
        "the copy was from the day before",
    )
    down, down_working = _measured(
        downtime_minutes,
        (failure_time, restored_time),
        ("The failure time", "The restore time"),
        restored_next_day,
        "downtime",
        "service came back the next day",
    )
    if lost is None and down is None:
        raise BadRequest(
            "Give the failure time with the time of the last recoverable copy or the restore time "
            "(or the data lost and the downtime in minutes)."
        )
    return Recovery(
        Measure("Data loss", "RPO", lost, lost_working, rpo),
        Measure("Downtime", "RTO", down, down_working, rto, _deadline(failure_time, rto) if down_working else ""),
    )


def _deadline(failure_time, rto: Decimal | None) -> str:
    """'service had to be running again by 14:40' (failure + RTO), within a day of the failure."""
    if rto is None or rto != int(rto) or rto >= MINUTES_PER_DAY:
        return ""
    due = clock(failure_time, "The failure time") + int(rto)
    later = " the next day" if due >= MINUTES_PER_DAY else ""
    return f"service had to be running again by {hhmm(due % MINUTES_PER_DAY)}{later}"
