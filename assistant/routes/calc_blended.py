"""The blended rate calculator over HTTP: POST /api/calc/blended-rate."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from .. import calculators as calc
from .calc import BAD, CalcResponse, optional_float, reply

router = APIRouter()


class TeamRole(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field("", max_length=40, description="The role, grade or location: onshore developer, senior, …")
    people: float = Field(description="How many people (full-time equivalents) in this role.", examples=[2])
    rate: float = Field(description="The rate of each of them, per day or per hour.", examples=[900])


class BlendedRateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[TeamRole] = Field(
        max_length=20,
        description="One to twenty roles of the team.",
        examples=[[{"label": "onshore", "people": 2, "rate": 900}, {"label": "offshore", "people": 6, "rate": 300}]],
    )
    unit: Literal["day", "hour"] = Field("day", description="What the rates are per.")


class BlendedRateFigures(BaseModel):
    people: float = Field(description="The team's headcount.")
    cost: float = Field(description="The whole team's cost per day (or hour).")
    blended_rate: float = Field(description="Cost ÷ people: the rate per person-day (or person-hour).")
    mix_shift: float | None = Field(
        description="How much one person moved from the lowest rate to the highest changes the blended rate; "
        "null when every role has the same rate."
    )


class BlendedRateResponse(CalcResponse):
    figures: BlendedRateFigures


@router.post("/api/calc/blended-rate", response_model=BlendedRateResponse, tags=["calculators"], responses=BAD)
def blended_rate(body: BlendedRateRequest):
    """A team's rates averaged over its people, and what one person moved between rates does to it."""
    result = calc.blended_rate([(r.label, r.people, r.rate) for r in body.roles], body.unit)
    return reply(
        "blended_rate",
        result,
        {
            "people": float(result.people),
            "cost": float(result.cost),
            "blended_rate": float(result.rate),
            "mix_shift": optional_float(result.mix_shift),
        },
        result.table(),
    )
