"""Orders shaped for rule tests, and rules written the way an admin writes them."""

from decimal import Decimal

import pytest

from orders.status import OrderStatus
from rules import actions
from tests.factories import MarketplaceAccountFactory, OrderLineDataFactory, make_order


def order_with(
    *, account, lines=(("CHAIR-01", 1, "42.90"),), shipping="0.00", status=OrderStatus.PENDING_ACCEPTANCE, **fields
):
    """An ingested order with the given (sku, quantity, unit price) lines; total = lines + shipping."""
    line_data = tuple(
        OrderLineDataFactory(
            marketplace_line_id=f"L{index}-{sku}",
            sku=sku,
            quantity=quantity,
            unit_price_amount=Decimal(price),
            total_amount=Decimal(price) * quantity,
        )
        for index, (sku, quantity, price) in enumerate(lines)
    )
    total = sum((line.total_amount for line in line_data), Decimal(shipping))
    return make_order(
        account=account, status=status, lines=line_data, shipping_amount=Decimal(shipping), total_amount=total, **fields
    )


def put_in_stock(sku: str, units: int):
    """`units` of `sku` on hand in the one warehouse (created on first use)."""
    from inventory.actions import adjust_stock
    from inventory.models import Product, Warehouse
    from orders.actions import Actor

    warehouse, _ = Warehouse.objects.get_or_create(code="main", defaults={"name": "Main"})
    product, _ = Product.objects.get_or_create(sku=sku, defaults={"title": sku})
    adjust_stock(product_id=product.pk, warehouse_id=warehouse.pk, change=units, note="count", actor=Actor.system())


def add_rule(*, name="Rule", action="tag", conditions=(), enabled=True, created_by=None, **definition):
    if action == "tag":
        definition.setdefault("action_tag", "rule-tag")
    return actions.create_rule(
        definition=actions.RuleDefinition(name=name, action=action, conditions=list(conditions), **definition),
        created_by=created_by,
        enabled=enabled,
    )


@pytest.fixture
def mirakl(db):
    return MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty FR")


@pytest.fixture
def amazon(db):
    return MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
