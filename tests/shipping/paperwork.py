"""Helpers of the paperwork tests: stock with bins, orders that reserve it, PDFs read back."""

from __future__ import annotations

import importlib
import io
import uuid

import pytest
from django.apps import apps as django_apps
from pypdf import PdfReader

from inventory import actions as stock
from inventory.actions import StockCount
from inventory.models import Product, StockLevel, Warehouse
from orders.actions import Actor
from shipping.models import Carrier
from tests.factories import OrderLineDataFactory, make_order

SYSTEM = Actor.system("tests")


def stock_in(warehouse: Warehouse, sku: str, quantity: int, *, bin_location: str = "", ean: str = "") -> Product:
    product = Product.objects.get_or_create(sku=sku, defaults={"title": f"Product {sku}", "ean": ean})[0]
    stock.set_stock(rows=[StockCount(sku=sku, warehouse=warehouse.code, quantity=quantity)], actor=SYSTEM, note="count")
    StockLevel.objects.filter(product=product, warehouse=warehouse).update(bin_location=bin_location)
    return product


def order_of(account, *lines, status="accepted", **fields):
    """An order ingested as connectors do, lines as (sku, quantity) or (sku, quantity, ean)."""
    order_id = f"T-{uuid.uuid4().hex[:10]}"
    return make_order(
        account=account,
        marketplace_order_id=order_id,
        status=status,
        lines=tuple(
            OrderLineDataFactory(
                marketplace_line_id=f"{order_id}-{i}",
                sku=line[0],
                quantity=line[1],
                ean=line[2] if len(line) > 2 else "",
            )
            for i, line in enumerate(lines)
        ),
        **fields,
    )


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\xa0", " ")


def pdf_pages(content: bytes) -> list:
    return list(PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def seeded_carriers(transactional_db):
    """The carriers migration 0001 seeds, again when an earlier transactional test flushed them."""
    if not Carrier.objects.exists():
        importlib.import_module("shipping.migrations.0001_initial").seed_carriers(django_apps, None)
