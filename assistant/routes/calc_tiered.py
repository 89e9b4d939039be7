"""The tiered (banded) unit pricing calculator over HTTP: POST /api/calc/tiered-pricing."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from .. import calculators as calc
from .calc import BAD, CalcResponse, reply

router = APIRouter()


class PriceBand(BaseModel):
    model_config = ConfigDict(extra="forbid")
    up_to: float | None = Field(
        description="The band's last unit, counted over the whole volume (15000 for units 10,001 to 15,000); "
        "null for the open top band.",
        examples=[15000],
    )
    price: float = Field(description="The price of each unit in the band.", examples=[12])
    starts_at: float | None = Field(
        None, description="Optional: the band's first unit (10001) or the edge it starts above (10000), checked."
    )


class TieredPricingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bands: list[PriceBand] = Field(
        max_length=20,
        description="The price bands, lowest first; only the last may be open-ended.",
        examples=[[{"up_to": 10000, "price": 12}, {"up_to": 15000, "price": 10.5}, {"up_to": None, "price": 9}]],
    )
    volume: float = Field(description="How many units to price.", examples=[16200])
    scheme: Literal["graduated", "all_units"] | None = Field(
        None,
        description="graduated: each band's units at its price; all_units: the whole volume at the price of the "
        "band it falls in; omitted: graduated, with the all-units reading alongside.",
    )
    unit: str = Field("unit", max_length=40, description="What is counted: ticket, user, invoice, …")


class BandCharge(BaseModel):
    band: str = Field(description="The band's units, e.g. '10,001 to 15,000' or 'above 15,000'.")
    price: float
    units: float = Field(description="The volume's units within this band.")
    charge: float


class TieredPricingFigures(BaseModel):
    volume: float
    scheme: str = Field(description="The scheme the answer leads with.")
    charge: float = Field(description="The charge under that scheme.")
    graduated: float
    all_units: float
    average_price: float | None = Field(description="Charge ÷ volume; null for no volume.")
    band_reached: int = Field(description="The band (from 1) the whole volume falls in, used by all-units pricing.")
    bands: list[BandCharge]


class TieredPricingResponse(CalcResponse):
    figures: TieredPricingFigures


@router.post("/api/calc/tiered-pricing", response_model=TieredPricingResponse, tags=["calculators"], responses=BAD)
def tiered_pricing(body: TieredPricingRequest):
    """A volume priced on tiered unit prices: graduated (band by band) and all-units (at the band reached)."""
    result = calc.tiered_pricing(
        [(b.up_to, b.price, b.starts_at) for b in body.bands], body.volume, body.scheme, body.unit
    )
    return reply(
        "tiered_pricing",
        result,
        {
            "volume": float(result.volume),
            "scheme": result.scheme,
            "charge": float(result.charge),
            "graduated": float(result.graduated),
            "all_units": float(result.all_units),
            "average_price": float(result.charge / result.volume) if result.volume else None,
            "band_reached": result.reached + 1,
            "bands": [
                {
                    "band": b.label,
                    "price": float(b.price),
                    "units": float(b.units(result.volume)),
                    "charge": float(b.units(result.volume) * b.price),
                }
                for b in result.bands
            ],
        },
        result.table(),
    )
