"""Token buckets per account and operation, at each platform's documented rates.

`RATE_LIMITS[(platform, operation)] = (requests per second, burst)`. Operations not in
the table are not limited. The scale multiplies the refill rate (not the burst): a test
that wants many calls uses a large scale, one that wants a 429 quickly uses scale 1.
Buckets refill on the world clock, so advancing the clock refills them too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# Amazon: the "Usage Plan" of each operation in specs/amazon/*.json.
# eBay: a daily call budget per application (unverified figure), spread over the day.
# Mirakl: OR11 and STO01 "Maximum usage: once per minute" (spec descriptions).
# Octopia: 10 requests/s (unverified).
EBAY_DAILY_BUDGET = 5000  # (unverified) calls per day per account and operation
CDISCOUNT_RATE = (10.0, 10)  # (unverified)

RATE_LIMITS: dict[tuple[str, str], tuple[float, int]] = {
    ("amazon", "getOrders"): (0.0167, 20),
    ("amazon", "getOrder"): (0.5, 30),
    ("amazon", "getOrderBuyerInfo"): (0.5, 30),
    ("amazon", "getOrderAddress"): (0.5, 30),
    ("amazon", "getOrderItems"): (0.5, 30),
    ("amazon", "confirmShipment"): (2.0, 10),
    ("amazon", "patchListingsItem"): (5.0, 5),
    ("amazon", "getListingsItem"): (5.0, 10),
    ("amazon", "createFeedDocument"): (0.5, 15),
    ("amazon", "createFeed"): (0.0083, 15),
    ("amazon", "getFeed"): (2.0, 15),
    ("amazon", "getFeedDocument"): (0.0222, 10),
    # Messaging (specs/amazon/messaging.json): 1 request per second, burst 5, for every operation.
    ("amazon", "getMessagingActionsForOrder"): (1.0, 5),
    ("amazon", "createUnexpectedProblem"): (1.0, 5),
    ("amazon", "createConfirmOrderDetails"): (1.0, 5),
    ("amazon", "createConfirmDeliveryDetails"): (1.0, 5),
    # Solicitations (specs/amazon/solicitations.json): 1 request per second, burst 5.
    ("amazon", "getSolicitationActionsForOrder"): (1.0, 5),
    ("amazon", "createProductReviewAndSellerFeedbackSolicitation"): (1.0, 5),
    ("amazon", "createReport"): (0.0167, 15),
    ("amazon", "getReport"): (2.0, 15),
    ("amazon", "getReportDocument"): (0.0167, 15),
    ("mirakl", "OR11"): (1 / 60, 1),
    ("mirakl", "STO01"): (1 / 60, 1),
}
for _operation in (
    "getOrders",
    "getOrder",
    "getShippingFulfillments",
    "createShippingFulfillment",
    "issueRefund",
    "bulkUpdatePriceQuantity",
    "createCancellation",
    "searchReturns",
    "decideReturn",
    "markReturnReceived",
):
    RATE_LIMITS[("ebay", _operation)] = (EBAY_DAILY_BUDGET / 86_400, EBAY_DAILY_BUDGET)
for _operation in (
    "getOrders",
    "getOrder",
    "validateOrder",
    "createShipment",
    "getShipments",
    "cancelOrder",
    "createRefund",
    "createOfferPackage",
    "getOfferPackage",
    "getCarriers",
    "getClaims",
):
    RATE_LIMITS[("cdiscount", _operation)] = CDISCOUNT_RATE


@dataclass
class _Bucket:
    tokens: float
    updated: float  # world-clock seconds


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def take(
        self,
        *,
        account_key: str,
        platform: str,
        operation: str,
        now: float,
        scale: float,
        override: tuple[float, int] | None = None,
    ) -> float | None:
        """Spend one token. None when allowed, else the seconds until one is available.

        `override` (rate, burst) replaces the documented limit (admin API, for tests)."""
        limit = tuple(override) if override else RATE_LIMITS.get((platform, operation))
        if limit is None:
            return None
        rate, burst = limit[0] * scale, limit[1]
        with self._lock:
            bucket = self._buckets.get((account_key, operation))
            if bucket is None:
                bucket = self._buckets[(account_key, operation)] = _Bucket(tokens=float(burst), updated=now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(burst), bucket.tokens + elapsed * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / rate if rate > 0 else 3600.0

    def refill(self, account_key: str | None = None) -> None:
        """Forget buckets (all, or one account's) so they start full again."""
        with self._lock:
            if account_key is None:
                self._buckets.clear()
            else:
                for key in [k for k in self._buckets if k[0] == account_key]:
                    del self._buckets[key]

    def clear(self) -> None:
        self.refill()
