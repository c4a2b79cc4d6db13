"""The platforms' API operations in an operator's words, for the accounts page; pure data.

Connectors name each call by the platform's own operation (`getOrders`, Mirakl `OR11`…)
for rate limiting and usage counts; a person reads what the calls were for.
An operation not listed here is shown by its name.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

ORDERS_READ = _("Orders read")
ORDER_LINES_READ = _("Order lines read")
ACCEPTANCES = _("Acceptances and refusals sent")
SHIPMENTS = _("Shipments sent")
CANCELLATIONS = _("Cancellations sent")
REFUNDS = _("Refunds sent")
STOCK = _("Stock updates sent")

LABELS: Mapping[str, object] = {
    # Amazon SP-API
    "getOrders": ORDERS_READ,
    "getOrderItems": ORDER_LINES_READ,
    "confirmShipment": SHIPMENTS,
    "patchListingsItem": STOCK,
    "createFeedDocument": STOCK,
    "createFeed": STOCK,
    "createRestrictedDataToken": _("Buyer addresses read"),
    # eBay (one daily budget for every call)
    "daily_application_calls": _("All calls"),
    "createShippingFulfillment": SHIPMENTS,
    "getShippingFulfillments": _("Shipments read"),
    "bulkUpdatePriceQuantity": STOCK,
    "issueRefund": REFUNDS,
    "createCancellation": CANCELLATIONS,
    # Cdiscount (Octopia)
    "getOrder": ORDERS_READ,
    "validateOrder": ACCEPTANCES,
    "cancelOrder": CANCELLATIONS,
    "createShipment": SHIPMENTS,
    "getShipments": _("Shipments read"),
    "createRefund": REFUNDS,
    "getRefunds": _("Refunds read"),
    "createOfferPackage": STOCK,
    "getCarriers": _("Carriers read"),
    # Mirakl
    "OR11": ORDERS_READ,
    "OR12": ORDERS_READ,
    "OR21": ACCEPTANCES,
    "OR23": _("Tracking numbers sent"),
    "OR24": SHIPMENTS,
    "OR28": REFUNDS,
    "OR29": CANCELLATIONS,
    "OR30": CANCELLATIONS,
    "STO01": STOCK,
    "SH21": _("Carriers read"),
}


def operation_label(operation: str) -> str:
    label = LABELS.get(operation)
    return str(label) if label is not None else operation
