"""The recovery-targets check over HTTP (POST /api/calc/recovery); the arithmetic is in `calculators.recovery`."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ..calculators.recovery import Measure, recovery
from .calc import BAD, CalcResponse, optional_float, reply

router = APIRouter()
Clock = Field(None, description="A time of day, HH:MM (24-hour).", examples=["10:40"])


class RecoveryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rto_minutes: float | None = Field(None, description="The recovery time objective.", examples=[240])
    rpo_minutes: float | None = Field(None, description="The recovery point objective.", examples=[15])
    failure_time: str | None = Clock
    last_copy_time: str | None = Field(None, description="The last recoverable copy (backup, log), HH:MM.")
    restored_time: str | None = Field(None, description="Service running again, HH:MM.", examples=["13:55"])
    data_lost_minutes: float | None = Field(None, description="The data lost, instead of the two times.")
    downtime_minutes: float | None = Field(None, description="The downtime, instead of the two times.")
    copy_previous_day: bool | None = Field(None, description="The copy time is on the day before the failure.")
    restored_next_day: bool | None = Field(None, description="The restore time is on the day after the failure.")


class RecoveryCheck(BaseModel):
    minutes: float | None = Field(description="What was measured; null when it cannot be worked out.")
    target_minutes: float | None
    met: bool | None
    margin_minutes: float | None = Field(description="Target − measured: spare if positive, overrun if negative.")


class RecoveryFigures(BaseModel):
    data_loss: RecoveryCheck = Field(description="Failure time − last recoverable copy, against the RPO.")
    downtime: RecoveryCheck = Field(description="Restore time − failure time, against the RTO.")


class RecoveryResponse(CalcResponse):
    figures: RecoveryFigures


def _check(measure: Measure) -> dict:
    known = measure.minutes is not None and measure.limit is not None
    return {
        "minutes": optional_float(measure.minutes),
        "target_minutes": optional_float(measure.limit),
        "met": measure.met,
        "margin_minutes": float(measure.limit - measure.minutes) if known else None,
    }


@router.post("/api/calc/recovery", response_model=RecoveryResponse, tags=["calculators"], responses=BAD)
def recovery_check(body: RecoveryRequest):
    """Whether an incident's recovery met the RPO (data lost) and the RTO (downtime), and by how much."""
    result = recovery(**body.model_dump())
    return reply("recovery", result, {"data_loss": _check(result.data_loss), "downtime": _check(result.downtime)})
