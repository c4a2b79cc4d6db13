"""Warehouses, products and stock for the inventory tests, and the sandbox marketplaces."""

import uuid

import pytest

from inventory import actions
from inventory.actions import StockCount
from inventory.models import Product, StockLevel, Warehouse
from orders.actions import Actor
from tests.factories import OrderLineDataFactory, make_order
from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401

SYSTEM = Actor.system("test")


@pytest.fixture
def lyon(db):
    return Warehouse.objects.create(code="lyon", name="Lyon", priority=1)


@pytest.fixture
def paris(db):
    return Warehouse.objects.create(code="paris", name="Paris", priority=2)


def product(sku: str, **fields) -> Product:
    return Product.objects.get_or_create(sku=sku, defaults={"title": f"Product {sku}", **fields})[0]


def put_stock(sku: str, quantity: int, warehouse: Warehouse) -> Product:
    """Count `quantity` units of `sku` in `warehouse` (creating the product), as a person would."""
    item = product(sku)
    actions.set_stock(
        rows=[StockCount(sku=sku, warehouse=warehouse.code, quantity=quantity)], actor=SYSTEM, note="count"
    )
    return item


def order_of(account, *lines, status="accepted", **fields):
    """An order ingested the way connectors do, with lines given as (sku, quantity)."""
    order_id = f"T-{uuid.uuid4().hex[:12]}"
    order_lines = tuple(
        OrderLineDataFactory(marketplace_line_id=f"{order_id}-{i + 1}", sku=sku, quantity=quantity)
        for i, (sku, quantity) in enumerate(lines)
    )
    return make_order(account=account, marketplace_order_id=order_id, status=status, lines=order_lines, **fields)


def level(sku: str, warehouse: Warehouse) -> StockLevel:
    return StockLevel.objects.get(product__sku=sku, warehouse=warehouse)
