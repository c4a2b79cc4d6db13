"""Shipped orders to refund and return, built the way connectors create them."""

from decimal import Decimal

import pytest

from inventory.models import Warehouse
from orders.actions import Actor, ingest_order
from shipping.actions import ship_order
from tests.factories import MarketplaceAccountFactory, OrderDataFactory, OrderLineDataFactory


def shipped_order(*, account=None, lines=(("KETTLE", 2, "20.00"), ("TOASTER", 1, "35.00")), shipping="4.90", tag=""):
    """An order of `lines` (sku, quantity, unit price), shipped: the first line carries the shipping."""
    account = account or MarketplaceAccountFactory(platform="mirakl")
    data = OrderDataFactory(
        platform=account.platform,
        status="accepted",
        shipping_amount=Decimal(shipping),
        lines=tuple(
            OrderLineDataFactory(
                marketplace_line_id=f"{tag or 'L'}-{index}",
                sku=sku,
                ean="",
                quantity=quantity,
                unit_price_amount=Decimal(price),
                total_amount=Decimal(price) * quantity,
            )
            for index, (sku, quantity, price) in enumerate(lines, start=1)
        ),
    )
    order = ingest_order(account=account, data=data).order
    ship_order(order_id=order.pk, actor=Actor.system("test"), carrier="colissimo", tracking_number=f"6A{order.pk:011d}")
    order.refresh_from_db()
    return order


@pytest.fixture
def lyon(db):
    return Warehouse.objects.create(code="lyon", name="Lyon", priority=1)


# The marketplace sandbox on a loopback port, as in tests/marketplaces.
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: E402, F401
