"""The Octopia (Cdiscount) seller API v2 wire format, as agreed with the sandbox.

(unverified) No official spec of this API is stored: every path, parameter,
status and limit below is the format agreed in the wire brief (and documented by
the sandbox in marketplaces/sandbox/README.md). Correct it here, in one place,
once the real API description is available.
"""

from __future__ import annotations

from collections.abc import Mapping

from orders.canonical import CanonicalStatus

ORDERS_PATH = "/seller/v2/orders"
ORDER_PATH = "/seller/v2/orders/{order_id}"
VALIDATE_PATH = "/seller/v2/orders/{order_id}/validate"
SHIPMENTS_PATH = "/seller/v2/orders/{order_id}/shipments"
CANCEL_PATH = "/seller/v2/orders/{order_id}/cancel"
# The seller's indicators (MARKETPLACES.md names the path and the five indicators; no spec: the shape
# {"indicators": [{"name", "value" (percent), "period"}]} is the sandbox's, unverified).
INDICATORS_PATH = "/seller/v2/sellers/indicators"
REFUNDS_PATH = "/seller/v2/orders/{order_id}/refunds"
OFFER_PACKAGES_PATH = "/seller/v2/offer-packages"
OFFER_PACKAGE_PATH = "/seller/v2/offer-packages/{package_id}"  # the package's status and per-offer errors (unverified)
CARRIERS_PATH = "/seller/v2/carriers"

SELLER_ID_HEADER = "SellerId"

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_OFFERS_PER_PACKAGE = 1000
OFFER_PACKAGE_TYPE = "Update"
# An offer package's `status` once Octopia is done with it; any other status is still in progress.
# `errors: [{sellerProductId, message}]` lists the offers it refused (all unverified: no spec stored).
OFFER_PACKAGE_INTEGRATED = "Integrated"
OFFER_PACKAGE_FAILED = "Failed"

RATE_LIMITS: Mapping[str, tuple[float, int]] = {"per_operation": (10.0, 10)}

STATUS_MAP: Mapping[str, str] = {
    "Processing": CanonicalStatus.AWAITING_PAYMENT,  # payment being checked
    "WaitingAcceptance": CanonicalStatus.PENDING_ACCEPTANCE,
    "Accepted": CanonicalStatus.ACCEPTED,
    "InPreparation": CanonicalStatus.ACCEPTED,  # partially_shipped when some lines are shipped (see cdiscount.py)
    "Shipped": CanonicalStatus.SHIPPED,
    "Delivered": CanonicalStatus.DELIVERED,
    "Refused": CanonicalStatus.REFUSED,
    "Cancelled": CanonicalStatus.CANCELLED,
}
SHIPPED_LINE_STATUSES = frozenset({"Shipped", "Delivered"})
ACCEPTED_STATUSES = frozenset({"Accepted", "InPreparation", "Shipped", "Delivered"})

# Only supply mode Seller is ours to act on; the others are fulfilled by Cdiscount.
SUPPLY_MODES = frozenset({"Seller", "Fulfillment", "Xdock"})
SELLER_SUPPLY_MODE = "Seller"
