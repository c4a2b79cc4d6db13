"""Demo inventory: the sandbox catalogue in two warehouses, and a stock rule per demo account.

Called by `seed_demo` right after the accounts exist and before any order is
ingested, so that demo and sandbox orders reserve real units (and some become
back-orders). Quantities are seeded, not random per run.
"""

from __future__ import annotations

import random

from django.db import transaction

from inventory import actions
from inventory.actions import StockCount
from inventory.models import ChannelRule, Product, PurchaseOrder, PurchaseOrderLine, StockLevel, Warehouse
from marketplaces.sandbox.catalogue import CATALOGUE
from orders.actions import Actor

# One rule of each kind, so the product page shows them at work.
RULES_BY_PLATFORM = {
    "amazon": {"buffer": 2},  # keep two units back: Amazon penalises cancellations hardest
    "ebay": {"max_quantity": 20},
    "mirakl": {"unpublish_below": 3},  # the Lengow advice: show 0 when nearly out
    "cdiscount": {"percentage": 80},
}


@transaction.atomic
def seed(accounts) -> None:
    rng = random.Random(2026)
    lyon = Warehouse.objects.create(code="lyon", name="Lyon (main)", priority=1)
    paris = Warehouse.objects.create(code="paris", name="Paris (overflow)", priority=2)
    Product.objects.bulk_create(
        Product(sku=item.sku, ean=item.ean, title=item.title, weight_grams=item.weight_grams, low_stock_threshold=5)
        for item in CATALOGUE
    )
    counts = []
    for item in CATALOGUE:
        counts.append(StockCount(sku=item.sku, warehouse=lyon.code, quantity=rng.choice((0, 2, 4, 8, 15, 25, 40, 60))))
        if rng.random() < 0.4:
            counts.append(StockCount(sku=item.sku, warehouse=paris.code, quantity=rng.randint(1, 12)))
    actions.set_stock(rows=counts, actor=Actor.system("demo"), note="Opening stock count", reason="imported")
    # Bins: aisle letter, shelf, level, so that pick lists walk the aisles.
    for number, level in enumerate(StockLevel.objects.order_by("warehouse__priority", "product__sku")):
        StockLevel.objects.filter(pk=level.pk).update(
            bin_location=f"{'ABCDEF'[number % 6]}-{number // 6 % 20 + 1:02d}-{number % 4 + 1}"
        )
    for account in accounts:
        ChannelRule.objects.create(account=account, **RULES_BY_PLATFORM.get(account.platform, {}))
    actions.schedule_full_push()  # the SKUs counted 0 too: every channel must show the truth
    purchase_order = PurchaseOrder.objects.create(reference="PO-2026-001", supplier="Groupe SEB France", warehouse=lyon)
    for item in CATALOGUE[:4]:
        PurchaseOrderLine.objects.create(
            purchase_order=purchase_order,
            product=Product.objects.get(sku=item.sku),
            quantity_ordered=rng.choice((12, 24, 36)),
        )
