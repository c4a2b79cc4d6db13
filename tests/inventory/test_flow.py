"""End to end on the sandbox marketplaces: an order polled in on one platform changes what every platform shows."""

import pytest

from demo import stock as demo_stock
from inventory import actions
from inventory.models import ChannelRule, OrderAllocation, Product, StockLevel, Warehouse
from marketplaces import polling
from marketplaces.sandbox.catalogue import CATALOGUE
from oms import outbox
from orders import actions as order_actions
from orders.actions import Actor
from orders.models import Order
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import put_stock


@pytest.fixture(autouse=True)
def push_at_every_run(settings):
    settings.INVENTORY_PUSH_INTERVAL_SECONDS = 0


def shown(sandbox, key, sku):
    return sandbox.admin.stock(key)["stock"][sku]["quantity"]


@pytest.mark.django_db
def test_an_order_on_one_marketplace_lowers_the_stock_shown_on_all_of_them(sandbox, sandbox_account, lyon):
    # The account pushes at every run: Mirakl's own minute between stock imports is lifted.
    fnac, fnac_key = sandbox_account("mirakl", settings={"stock_push_interval_seconds": 0})
    ebay, ebay_key = sandbox_account("ebay")
    ChannelRule.objects.create(account=ebay, unpublish_below=1)
    sku = CATALOGUE[5].sku
    put_stock(sku, 3, lyon)
    actions.queue_stock_pushes()
    outbox.drain()
    assert (shown(sandbox, fnac_key, sku), shown(sandbox, ebay_key, sku)) == (3, 3)

    [remote] = sandbox.admin.generate_orders(fnac_key, 1, skus=[sku], quantity=2, lines=1, status="WAITING_ACCEPTANCE")
    polling.poll_account(account_id=fnac.pk)
    order = Order.objects.get(account=fnac, marketplace_order_id=remote["id"])
    assert order.allocation.status == OrderAllocation.Status.RESERVED
    actions.queue_stock_pushes()
    outbox.drain()
    assert (shown(sandbox, fnac_key, sku), shown(sandbox, ebay_key, sku)) == (1, 0)  # eBay unpublishes at 1

    order_actions.refuse_order(order_id=order.pk, actor=Actor.system("test"), reason="Out of stock")
    actions.queue_stock_pushes()
    outbox.drain()
    assert (shown(sandbox, fnac_key, sku), shown(sandbox, ebay_key, sku)) == (3, 3)
    assert StockLevel.objects.get(product__sku=sku).reserved == 0


@pytest.mark.django_db
def test_demo_inventory_covers_the_sandbox_catalogue():
    accounts = [MarketplaceAccountFactory(platform=p) for p in ("amazon", "ebay", "mirakl", "cdiscount")]
    demo_stock.seed(accounts)
    assert set(Product.objects.values_list("sku", flat=True)) == {item.sku for item in CATALOGUE}
    assert Warehouse.objects.count() == 2
    assert ChannelRule.objects.filter(account__in=accounts, product__isnull=True).count() == 4
    assert StockLevel.objects.filter(on_hand__gt=0).exists()
    queued = actions.queue_stock_pushes()
    assert set(queued) == {a.name for a in accounts}
