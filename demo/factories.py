"""factory-boy factories of canonical order data, shared by the demo data and the tests.

They build what a connector would hand to `ingest_order`: realistic French
buyers and addresses, SKUs and EANs from the sandbox catalogue, EUR amounts
as Decimal, aware UTC datetimes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

import factory
from faker import Faker

from marketplaces.sandbox.catalogue import CATALOGUE
from orders import platforms
from orders.canonical import AddressData, CanonicalStatus, OrderData, OrderLineData

fake = Faker("fr_FR")

# What each canonical status is called on each platform (for realistic marketplace_status).
MARKETPLACE_STATUS = {
    platforms.AMAZON: {
        CanonicalStatus.AWAITING_PAYMENT: "Pending",
        CanonicalStatus.ACCEPTED: "Unshipped",
        CanonicalStatus.PARTIALLY_SHIPPED: "PartiallyShipped",
        CanonicalStatus.SHIPPED: "Shipped",
        CanonicalStatus.CANCELLED: "Canceled",
    },
    platforms.EBAY: {
        CanonicalStatus.AWAITING_PAYMENT: "NOT_STARTED",
        CanonicalStatus.ACCEPTED: "NOT_STARTED",
        CanonicalStatus.PARTIALLY_SHIPPED: "IN_PROGRESS",
        CanonicalStatus.SHIPPED: "FULFILLED",
        CanonicalStatus.CANCELLED: "NOT_STARTED",
    },
    platforms.MIRAKL: {
        CanonicalStatus.AWAITING_PAYMENT: "WAITING_DEBIT",
        CanonicalStatus.PENDING_ACCEPTANCE: "WAITING_ACCEPTANCE",
        CanonicalStatus.ACCEPTED: "SHIPPING",
        CanonicalStatus.SHIPPED: "SHIPPED",
        CanonicalStatus.DELIVERED: "RECEIVED",
        CanonicalStatus.REFUSED: "REFUSED",
        CanonicalStatus.CANCELLED: "CANCELED",
    },
    platforms.CDISCOUNT: {
        CanonicalStatus.AWAITING_PAYMENT: "Processing",
        CanonicalStatus.PENDING_ACCEPTANCE: "WaitingAcceptance",
        CanonicalStatus.ACCEPTED: "Accepted",
        CanonicalStatus.SHIPPED: "Shipped",
        CanonicalStatus.DELIVERED: "Delivered",
        CanonicalStatus.REFUSED: "Refused",
        CanonicalStatus.CANCELLED: "Cancelled",
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

    platform = platforms.MIRAKL
    marketplace_order_id = factory.Sequence(lambda n: f"ORDER-{n:08d}-{random.randint(1000, 9999)}")
    reference = factory.LazyAttribute(lambda o: o.marketplace_order_id)
    status = CanonicalStatus.ACCEPTED
    marketplace_status = factory.LazyAttribute(lambda o: marketplace_status_for(o.platform, o.status))
    purchased_at = factory.LazyFunction(_recent_moment)
    marketplace_updated_at = factory.LazyAttribute(lambda o: o.purchased_at + dt.timedelta(minutes=5))
    currency = "EUR"
    lines = factory.LazyAttribute(
        lambda o: tuple(
            OrderLineDataFactory(marketplace_line_id=f"{o.marketplace_order_id}-{i + 1}") for i in range(o.line_count)
        )
    )
    # The order's shipping: `_build` puts it on the first line (a canonical order sums its lines').
    shipping_amount = factory.LazyFunction(lambda: random.choice((Decimal("0.00"), Decimal("4.90"), Decimal("6.99"))))
    total_amount = factory.LazyAttribute(
        lambda o: sum((line.total_amount for line in o.lines), Decimal("0")) + o.shipping_amount
    )
    acceptance_deadline = factory.LazyAttribute(
        lambda o: o.purchased_at + dt.timedelta(hours=48) if o.status == CanonicalStatus.PENDING_ACCEPTANCE else None
    )
    ship_by = factory.LazyAttribute(lambda o: o.purchased_at + dt.timedelta(days=2))
    buyer_name = factory.LazyFunction(fake.name)
    buyer_email = factory.LazyFunction(lambda: fake.user_name() + "@marketplace.example")
    shipping_address = factory.LazyAttribute(lambda o: AddressDataFactory(name=o.buyer_name))
    shipping_method = "Standard"
    raw = factory.LazyAttribute(lambda o: {"order_id": o.marketplace_order_id, "status": o.marketplace_status})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls._build(model_class, *args, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        shipping = kwargs.pop("shipping_amount")
        if kwargs["lines"]:  # an order without lines is built to be refused
            first, *rest = kwargs["lines"]
            kwargs["lines"] = (dataclasses.replace(first, shipping_amount=first.shipping_amount + shipping), *rest)
        return model_class(*args, **kwargs)
