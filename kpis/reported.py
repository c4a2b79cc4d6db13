"""The platforms' own figures, read into `ReportedFigure` beside ours.

Mirakl A21 (`GET /api/account/statistics`, once a day at most) reports, per period, the shop's
late shipment rate, valid tracking rate, cancellation rate and approval rate as fractions
(unverified: the spec's example shows 0; a fraction is what "divided by" in its descriptions
means). Its LAST_MONTH is read as our 30-day window; the refusal rate is 1 − approval rate.

eBay's seller standards (getSellerStandardsProfile, sell_analytics_v1, cycle CURRENT) report the
late shipment rate (SHIPPING_MISS_RATE), the transaction defect rate (DEFECTIVE_TRANSACTION_RATE,
shown beside our order defect rate: eBay's counts cancellations too) and the tracking uploaded on
time and validated, as percentages over eBay's evaluation period, read as our 90-day window; the keys
and the unit are unverified (the spec lists neither).

Amazon's seller performance report (Reports API: createReport GET_V2_SELLER_PERFORMANCE_REPORT,
getReport, getReportDocument; accountHealthReport-2020-11-18) gives, for the account's marketplace,
each metric's `rate` over its `reportingDateRange`: the range's length in days is the window it is
shown beside (late shipment 30 or 10 days, cancellation 7, valid tracking 30, order defects 60 from
the MFN part); `rate` read as a fraction (unverified: the schema says only "number").

Cdiscount's indicators (`GET /sellers/indicators`, all unverified: no spec, the names from
MARKETPLACES.md, values read as percentages over 30 days): order_acceptation (our refusal rate is
100 − it), deadline_compliance (our late shipment rate is 100 − it), order_claims (beside our order
defect rate).
"""

from __future__ import annotations

import datetime as dt
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

EBAY_WINDOW_DAYS = 90
EBAY_CYCLE = "CURRENT"
# Our metric → eBay's metricKey (a percentage).
EBAY_METRICS = {
    "late_shipment_rate": "SHIPPING_MISS_RATE",
    "order_defect_rate": "DEFECTIVE_TRANSACTION_RATE",
    "valid_tracking_rate": "TRACKING_UPLOADED_ON_TIME_AND_VALIDATED",
}

# Our metric → where Amazon's report has it, within one marketplace's performanceMetrics.
AMAZON_METRICS = {
    "late_shipment_rate": ("lateShipmentRate",),
    "cancellation_rate": ("preFulfillmentCancellationRate",),
    "valid_tracking_rate": ("validTrackingRate",),
    "order_defect_rate": ("orderDefectRate", "mfn"),
}

CDISCOUNT_WINDOW_DAYS = 30
# Our metric → (the indicator, whether ours is 100 − it).
CDISCOUNT_METRICS = {
    "refusal_rate": ("order_acceptation", True),
    "late_shipment_rate": ("deadline_compliance", True),
    "order_defect_rate": ("order_claims", False),
}

READABLE = frozenset({platforms.MIRAKL, platforms.EBAY, platforms.AMAZON, platforms.CDISCOUNT})


def as_percent(fraction: Decimal) -> Decimal:
    return (fraction * HUNDRED).quantize(Decimal("0.01"))


def read(connector, platform: str) -> list[tuple[str, int, str, Decimal]]:
    """The platform's figures as (our metric, window in days, the platform's period, percent); one call per period."""
    figures = []
    if platform == platforms.MIRAKL:
        for period, window_days in MIRAKL_PERIODS.items():
            statistics = connector.shop_statistics(period=period)
            for metric, pick in MIRAKL_METRICS.items():
                fraction = pick(statistics)
                if fraction is not None:
                    figures.append((metric, window_days, period, as_percent(fraction)))
    elif platform == platforms.EBAY:
        standards = connector.seller_standards(cycle=EBAY_CYCLE)
        for metric, key in EBAY_METRICS.items():
            if key in standards and Decimal("0") <= standards[key] <= HUNDRED:
                figures.append((metric, EBAY_WINDOW_DAYS, EBAY_CYCLE, standards[key].quantize(Decimal("0.01"))))
    elif platform == platforms.CDISCOUNT:
        indicators = connector.seller_indicators()
        for metric, (name, complement) in CDISCOUNT_METRICS.items():
            value = indicators.get(name)
            if value is not None and Decimal("0") <= value <= HUNDRED:
                value = HUNDRED - value if complement else value
                figures.append((metric, CDISCOUNT_WINDOW_DAYS, "LAST_30_DAYS", value.quantize(Decimal("0.01"))))
    elif platform == platforms.AMAZON:
        figures += _amazon(connector.seller_performance(), connector.marketplace_id)
    return figures


def _amazon(report: dict, marketplace_id: str) -> list[tuple[str, int, str, Decimal]]:
    figures = []
    for entry in report.get("performanceMetrics") or []:
        if not isinstance(entry, dict) or entry.get("marketplaceId") != marketplace_id:
            continue
        for metric, path in AMAZON_METRICS.items():
            node = entry
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if not isinstance(node, dict) or node.get("rate") is None:
                continue
            span = node.get("reportingDateRange") or {}
            try:
                start = dt.datetime.fromisoformat(str(span["reportingDateFrom"]).replace("Z", "+00:00"))
                end = dt.datetime.fromisoformat(str(span["reportingDateTo"]).replace("Z", "+00:00"))
                rate = Decimal(str(node["rate"]))
            except (KeyError, ValueError, ArithmeticError):
                continue
            days = round((end - start).total_seconds() / 86400)
            if 1 <= days <= 366 and Decimal("0") <= rate <= 1:
                figures.append((metric, days, f"{start.date()}..{end.date()}", as_percent(rate)))
    return figures
