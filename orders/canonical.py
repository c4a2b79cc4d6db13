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


class TaxMode:
    """Whether an order's prices (items, shipping, fees, discounts) include their taxes.

    The names are Mirakl's `order_tax_mode`; the other platforms' connectors say which
    one their prices follow.
    """

    INCLUDED = "TAX_INCLUDED"  # taxes are a part of each price (EU consumer prices)
    EXCLUDED = "TAX_EXCLUDED"  # taxes are added on top of each price to reach what the buyer pays

    ALL = (INCLUDED, EXCLUDED)


class AdjustmentKind:
    """Money the marketplace took back from an order, whoever asked for it."""

    REFUND = "refund"
    CANCELLATION = "cancellation"

    ALL = (REFUND, CANCELLATION)


@dataclass(frozen=True)
class AdjustmentData:
    """One refund or cancellation recorded on the marketplace, with the platform's own id.

    Amounts are positive and in the order's tax mode, as the platform states them.
    """

    kind: str  # one of AdjustmentKind.ALL
    marketplace_adjustment_id: str  # unique per order and kind on the platform
    marketplace_line_id: str = ""  # "" when the platform records it on the whole order
    amount: Decimal = Decimal("0")  # items
    shipping_amount: Decimal = Decimal("0")
    tax_amount: Decimal = Decimal("0")  # taxes on the items and the shipping
    quantity: int = 0
    reason: str = ""  # the platform's reason code or text
    state: str = ""  # the platform's own state of the refund, kept verbatim
    created_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in AdjustmentKind.ALL:
            raise ValueError(f"unknown adjustment kind {self.kind!r}")


@dataclass(frozen=True)
class OrderLineData:
    marketplace_line_id: str
    sku: str  # the seller's SKU (Amazon SellerSKU, eBay sku, Mirakl offer_sku)
    title: str
    quantity: int
    unit_price_amount: Decimal
    total_amount: Decimal  # items (unit price x quantity) before discounts, in the order's tax mode
    shipping_amount: Decimal = Decimal("0")  # before shipping discounts
    tax_amount: Decimal = Decimal("0")  # taxes on the items, after discounts
    shipping_tax_amount: Decimal = Decimal("0")  # taxes on the shipping, after discounts
    discount_amount: Decimal = Decimal("0")  # promotions on the items, positive
    shipping_discount_amount: Decimal = Decimal("0")  # promotions on the shipping, positive
    fee_amount: Decimal = Decimal("0")  # COD fee (less its discount), platform fees on the line
    gift_wrap_amount: Decimal = Decimal("0")
    gift_wrap_tax_amount: Decimal = Decimal("0")
    is_gift: bool = False
    gift_message: str = ""
    buyer_cancel_reason: str = ""
    quantity_shipped: int = 0
    marketplace_product_id: str = ""  # ASIN, eBay legacyItemId, Mirakl product_sku
    ean: str = ""
    marketplace_status: str = ""  # the platform's own line status, kept verbatim
    ship_by: dt.datetime | None = None  # per-line ship-by (eBay)
    buyer_requested_cancel: bool = False

    @property
    def charges_amount(self) -> Decimal:
        """What the line costs the buyer in the order's tax mode: items, shipping, fees and
        gift wrap, less the discounts."""
        return (
            self.total_amount
            + self.shipping_amount
            + self.fee_amount
            + self.gift_wrap_amount
            - self.discount_amount
            - self.shipping_discount_amount
        )

    @property
    def taxes_amount(self) -> Decimal:
        return self.tax_amount + self.shipping_tax_amount + self.gift_wrap_tax_amount


@dataclass(frozen=True)
class OrderData:
    platform: str  # one of platforms.ALL
    marketplace_order_id: str
    status: str  # one of CanonicalStatus.ALL
    marketplace_status: str  # the platform's own status, kept verbatim
    purchased_at: dt.datetime
    marketplace_updated_at: dt.datetime
    currency: str  # ISO 4217
    total_amount: Decimal  # what the buyer pays, taxes included, as the platform states it
    lines: tuple[OrderLineData, ...]
    tax_mode: str = TaxMode.INCLUDED  # how the line prices are stated
    fee_amount: Decimal = Decimal("0")  # order-level fees no line carries (eBay pricingSummary.fee)
    adjustments: tuple[AdjustmentData, ...] = ()  # refunds and cancellations made on the platform
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
    purchase_order_number: str = ""  # the business buyer's PO number (Amazon Business)
    payment_method: str = ""  # the platform's own name, e.g. Amazon "COD"; "" when not stated
    earliest_ship_date: dt.datetime | None = None
    earliest_delivery_date: dt.datetime | None = None
    fulfilled_by_marketplace: bool = False  # Amazon AFN, Cdiscount Fulfilment: read-only for us
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.status not in CanonicalStatus.ALL:
            raise ValueError(f"unknown canonical status {self.status!r}")
        if self.platform not in platforms.ALL:
            raise ValueError(f"unknown platform {self.platform!r}")
        if self.tax_mode not in TaxMode.ALL:
            raise ValueError(f"unknown tax mode {self.tax_mode!r}")
        for moment in (self.purchased_at, self.marketplace_updated_at):
            if moment.tzinfo is None:
                raise ValueError("order datetimes must be timezone-aware")

    @property
    def shipping_amount(self) -> Decimal:
        return sum((line.shipping_amount for line in self.lines), Decimal("0"))

    @property
    def lines_total_amount(self) -> Decimal:
        """What the buyer pays according to the lines: their charges, the order-level fees,
        and the taxes when the prices exclude them. Equals `total_amount` when the
        platform's figures reconcile."""
        total = sum((line.charges_amount for line in self.lines), Decimal("0")) + self.fee_amount
        if self.tax_mode == TaxMode.EXCLUDED:
            total += sum((line.taxes_amount for line in self.lines), Decimal("0"))
        return total
