"""factory-boy factories of canonical order data, shared by the demo data and the tests.

They build what a connector would hand to `ingest_order`: realistic French
buyers and addresses, SKUs and EANs from the sandbox catalogue, EUR amounts
as Decimal, aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import factory
from faker import Faker

from marketplaces.sandbox.catalogue import CATALOGUE
from orders.canonical import AddressData, OrderData, OrderLineData, OrderStatus, Platform

fake = Faker("fr_FR")

# What each canonical status is called on each platform (for realistic marketplace_status).
MARKETPLACE_STATUS = {
    Platform.AMAZON: {
        OrderStatus.AWAITING_PAYMENT: "Pending",
        OrderStatus.ACCEPTED: "Unshipped",
        OrderStatus.PARTIALLY_SHIPPED: "PartiallyShipped",
        OrderStatus.SHIPPED: "Shipped",
        OrderStatus.CANCELLED: "Canceled",
    },
    Platform.EBAY: {
        OrderStatus.AWAITING_PAYMENT: "NOT_STARTED",
        OrderStatus.ACCEPTED: "NOT_STARTED",
        OrderStatus.PARTIALLY_SHIPPED: "IN_PROGRESS",
        OrderStatus.SHIPPED: "FULFILLED",
        OrderStatus.CANCELLED: "NOT_STARTED",
    },
    Platform.MIRAKL: {
        OrderStatus.AWAITING_PAYMENT: "WAITING_DEBIT",
        OrderStatus.PENDING_ACCEPTANCE: "WAITING_ACCEPTANCE",
        OrderStatus.ACCEPTED: "SHIPPING",
        OrderStatus.SHIPPED: "SHIPPED",
        OrderStatus.DELIVERED: "RECEIVED",
        OrderStatus.REFUSED: "REFUSED",
        OrderStatus.CANCELLED: "CANCELED",
    },
    Platform.CDISCOUNT: {
        OrderStatus.AWAITING_PAYMENT: "Processing",
        OrderStatus.PENDING_ACCEPTANCE: "WaitingAcceptance",
        OrderStatus.ACCEPTED: "Accepted",
        OrderStatus.SHIPPED: "Shipped",
        OrderStatus.DELIVERED: "Delivered",
        OrderStatus.REFUSED: "Refused",
        OrderStatus.CANCELLED: "Cancelled",
    },
}


def marketplace_status_for(platform: str, status: str) -> str:
    return MARKETPLACE_STATUS[platform].get(status, status)


def _recent_moment() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=random.randint(5, 60 * 24 * 5))


class AddressDataFactory(factory.Factory):
    class Meta:
        model = AddressData

    name = factory.LazyFunction(fake.name)
    line1 = factory.LazyFunction(fake.street_address)
    postal_code = factory.LazyFunction(fake.postcode)
    city = factory.LazyFunction(fake.city)
    country_code = "FR"
    phone = factory.LazyFunction(lambda: "+33 6 " + " ".join(f"{random.randint(0, 99):02d}" for _ in range(4)))


class OrderLineDataFactory(factory.Factory):
    class Meta:
        model = OrderLineData

    class Params:
        product = factory.LazyFunction(lambda: random.choice(CATALOGUE))

    marketplace_line_id = factory.Sequence(lambda n: f"line-{n}")
    sku = factory.LazyAttribute(lambda o: o.product.sku)
    ean = factory.LazyAttribute(lambda o: o.product.ean)
    title = factory.LazyAttribute(lambda o: o.product.title)
    quantity = factory.LazyFunction(lambda: random.choice((1, 1, 1, 1, 2, 3)))
    unit_price_amount = factory.LazyAttribute(lambda o: o.product.price)
    total_amount = factory.LazyAttribute(lambda o: o.unit_price_amount * o.quantity)


class OrderDataFactory(factory.Factory):
    """`OrderDataFactory(platform=..., status=...)`; lines with `lines=[...]` or `line_count=N`."""

    class Meta:
        model = OrderData

    class Params:
        line_count = factory.LazyFunction(lambda: random.choice((1, 1, 1, 2, 2, 3)))

    platform = Platform.MIRAKL
    marketplace_order_id = factory.Sequence(lambda n: f"ORDER-{n:08d}-{random.randint(1000, 9999)}")
    reference = factory.LazyAttribute(lambda o: o.marketplace_order_id)
    status = OrderStatus.ACCEPTED
    marketplace_status = factory.LazyAttribute(lambda o: marketplace_status_for(o.platform, o.status))
    purchased_at = factory.LazyFunction(_recent_moment)
    marketplace_updated_at = factory.LazyAttribute(lambda o: o.purchased_at + dt.timedelta(minutes=5))
    currency = "EUR"
    lines = factory.LazyAttribute(
        lambda o: tuple(OrderLineDataFactory(marketplace_line_id=f"{o.marketplace_order_id}-{i + 1}") for i in range(o.line_count))
    )
    shipping_amount = factory.LazyFunction(lambda: random.choice((Decimal("0.00"), Decimal("4.90"), Decimal("6.99"))))
    total_amount = factory.LazyAttribute(lambda o: sum((line.total_amount for line in o.lines), Decimal("0")) + o.shipping_amount)
    acceptance_deadline = factory.LazyAttribute(
        lambda o: o.purchased_at + dt.timedelta(hours=48) if o.status == OrderStatus.PENDING_ACCEPTANCE else None
    )
    ship_by = factory.LazyAttribute(lambda o: o.purchased_at + dt.timedelta(days=2))
    buyer_name = factory.LazyFunction(fake.name)
    buyer_email = factory.LazyFunction(lambda: fake.user_name() + "@marketplace.example")
    shipping_address = factory.LazyAttribute(lambda o: AddressDataFactory(name=o.buyer_name))
    shipping_method = "Standard"
    raw = factory.LazyAttribute(lambda o: {"order_id": o.marketplace_order_id, "status": o.marketplace_status})
