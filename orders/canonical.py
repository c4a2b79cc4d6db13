"""The canonical shape of an order, as connectors hand it to `ingest_order`.

Connectors translate each platform's payload into these dataclasses and never
touch models; `orders.actions.ingest_order` is the only code that turns them
into rows. Money is `Decimal` with one ISO 4217 currency per order; datetimes
are timezone-aware (UTC or with an offset, never naive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orders import platforms


class CanonicalStatus:
    """Canonical order states as plain strings, for code that has no Django (connectors).

    `orders.status.OrderStatus` is the same set as model choices, with labels.
    """

    AWAITING_PAYMENT = "awaiting_payment"
    PENDING_ACCEPTANCE = "pending_acceptance"
    ACCEPTED = "accepted"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    REFUSED = "refused"
    CANCELLED = "cancelled"

    ALL = (
        AWAITING_PAYMENT,
        PENDING_ACCEPTANCE,
        ACCEPTED,
        PARTIALLY_SHIPPED,
        SHIPPED,
        DELIVERED,
        REFUSED,
        CANCELLED,
    )


@dataclass(frozen=True)
class AddressData:
    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    line3: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country_code: str = ""  # ISO 3166-1 alpha-2, e.g. "FR"
    phone: str = ""
    email: str = ""
    relay_point_id: str = ""  # pickup point (Mondial Relay, Relais Colis...), "" for home delivery


@dataclass(frozen=True)
class OrderLineData:
    marketplace_line_id: str
    sku: str  # the seller's SKU (Amazon SellerSKU, eBay sku, Mirakl offer_sku)
    title: str
    quantity: int
    unit_price_amount: Decimal
    total_amount: Decimal  # line total, items only, taxes included as the platform states
    shipping_amount: Decimal = Decimal("0")
    tax_amount: Decimal = Decimal("0")
    quantity_shipped: int = 0
    marketplace_product_id: str = ""  # ASIN, eBay legacyItemId, Mirakl product_sku
    ean: str = ""
    marketplace_status: str = ""  # the platform's own line status, kept verbatim
    ship_by: dt.datetime | None = None  # per-line ship-by (eBay)
    buyer_requested_cancel: bool = False


@dataclass(frozen=True)
class OrderData:
    platform: str  # one of platforms.ALL
    marketplace_order_id: str
    status: str  # one of CanonicalStatus.ALL
    marketplace_status: str  # the platform's own status, kept verbatim
    purchased_at: dt.datetime
    marketplace_updated_at: dt.datetime
    currency: str  # ISO 4217
    total_amount: Decimal
    lines: tuple[OrderLineData, ...]
    shipping_amount: Decimal = Decimal("0")
    reference: str = ""  # the human number the buyer sees (Mirakl commercial_id, eBay legacyOrderId)
    channel: str = ""  # sales channel / site, e.g. "Amazon.fr", "FNAC FR", "CDISFR"
    acceptance_deadline: dt.datetime | None = None
    ship_by: dt.datetime | None = None
    deliver_by: dt.datetime | None = None
    shipping_method: str = ""  # ShipServiceLevel, shipping_type_code...
    buyer_name: str = ""
    buyer_email: str = ""
    shipping_address: AddressData | None = None
    billing_address: AddressData | None = None
    is_prime: bool = False
    is_business: bool = False
    fulfilled_by_marketplace: bool = False  # Amazon AFN, Cdiscount Fulfilment: read-only for us
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.status not in CanonicalStatus.ALL:
            raise ValueError(f"unknown canonical status {self.status!r}")
        if self.platform not in platforms.ALL:
            raise ValueError(f"unknown platform {self.platform!r}")
        for moment in (self.purchased_at, self.marketplace_updated_at):
            if moment.tzinfo is None:
                raise ValueError("order datetimes must be timezone-aware")
