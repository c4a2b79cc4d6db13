"""The platforms' own figures, read into `ReportedFigure` beside ours.

Mirakl A21 (`GET /api/account/statistics`, once a day at most) reports, per period, the shop's
late shipment rate, valid tracking rate, cancellation rate and approval rate as fractions
(unverified: the spec's example shows 0; a fraction is what "divided by" in its descriptions
means). Its LAST_MONTH is read as our 30-day window; the refusal rate is 1 − approval rate.
Amazon's seller performance report (Reports API) and Cdiscount's indicators are not read yet.
"""

from __future__ import annotations

from decimal import Decimal

from orders import platforms

HUNDRED = Decimal("100")
MIRAKL_PERIODS = {"LAST_MONTH": 30}
# Our metric → how to read it from A21's figures (fractions).
MIRAKL_METRICS = {
    "late_shipment_rate": lambda figures: figures.get("late_shipment_rate"),
    "valid_tracking_rate": lambda figures: figures.get("valid_tracking_rate"),
    "cancellation_rate": lambda figures: figures.get("cancelation_rate"),
    "refusal_rate": lambda figures: None if figures.get("approval_rate") is None else 1 - figures["approval_rate"],
}

READABLE = frozenset({platforms.MIRAKL})


def as_percent(fraction: Decimal) -> Decimal:
    return (fraction * HUNDRED).quantize(Decimal("0.01"))
