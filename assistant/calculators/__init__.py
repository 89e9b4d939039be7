"""SLA, pricing and business-case arithmetic as pure functions, each citing the corpus section that
explains its formula.

Figures are exact Decimals; bad input raises BadRequest with a message that says what is wrong.
`calculate(question)` recognises a calculation question in the chat and answers it with these.
"""

from .availability import (
    Availability,
    Composite,
    Downtime,
    availability_achieved,
    composite,
    downtime_allowed,
    downtime_table,
)
from .base import SOURCES, Period, Source, duration, every_period, fmt, fmt_percent, period, variants
from .blended import BlendedRate, blended_rate
from .business_case import BusinessCase, business_case
from .chat import Calculation, calculate, has_figures
from .credits import Attainment, Credits, EarnBack, attainment, earn_back, service_credits
from .pricing import CappedTM, Indexation, UnitPricing, capped_tm, indexation, unit_pricing
from .recovery import Recovery, recovery
from .tiered import TieredPricing, tiered_pricing

__all__ = [
    "Attainment",
    "Availability",
    "BlendedRate",
    "BusinessCase",
    "Calculation",
    "CappedTM",
    "Composite",
    "Credits",
    "Downtime",
    "EarnBack",
    "Indexation",
    "Period",
    "Recovery",
    "SOURCES",
    "Source",
    "TieredPricing",
    "UnitPricing",
    "attainment",
    "availability_achieved",
    "blended_rate",
    "business_case",
    "calculate",
    "capped_tm",
    "has_figures",
    "composite",
    "downtime_allowed",
    "downtime_table",
    "duration",
    "earn_back",
    "every_period",
    "fmt",
    "fmt_percent",
    "indexation",
    "period",
    "recovery",
    "service_credits",
    "tiered_pricing",
    "unit_pricing",
    "variants",
]
