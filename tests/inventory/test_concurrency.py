"""The oversell race, on real concurrent PostgreSQL connections (one per thread)."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from inventory import actions
from inventory.models import OrderAllocation, Product, StockLevel, StockMovement
from orders import actions as order_actions
from orders.actions import Actor, ingest_order
from orders.models import Order
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory, OrderDataFactory, OrderLineDataFactory
from tests.inventory.conftest import put_stock

CONNECTIONS = 50
ROUNDS = 12
PLATFORMS = ("amazon", "ebay", "mirakl", "cdiscount")


def run_together(work, arguments):
    """Run work(argument) in one thread (and one database connection) each, released together."""
    barrier = threading.Barrier(len(arguments))
    errors = []

    def target(argument):
        try:
            barrier.wait(timeout=30)
            work(argument)
        except Exception as error:  # reported below: a thread must not fail silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert errors == []


def one_unit_order(account, sku: str, tag: str):
    line = OrderLineDataFactory(marketplace_line_id=f"{tag}-1", sku=sku, quantity=1)
    return OrderDataFactory(platform=account.platform, marketplace_order_id=tag, status="accepted", lines=(line,))


@pytest.mark.django_db(transaction=True)
def test_fifty_connections_racing_for_the_last_unit_never_oversell(lyon):
    accounts = [MarketplaceAccountFactory(platform=PLATFORMS[i % 4], name=f"racer {i}") for i in range(CONNECTIONS)]
    for round_number in range(ROUNDS):
        sku = f"LAST-UNIT-{round_number}"
        put_stock(sku, 1, lyon)
        # Built before the race: only the ingest (and its reservation) runs concurrently.
        orders = [(account, one_unit_order(account, sku, f"R{round_number}-{account.pk}")) for account in accounts]
        run_together(lambda pair: ingest_order(account=pair[0], data=pair[1]), orders)

        allocations = OrderAllocation.objects.filter(order__lines__sku=sku)
        assert allocations.count() == CONNECTIONS, f"round {round_number}"
        assert allocations.filter(status="reserved").count() == 1, f"round {round_number}"
        assert allocations.filter(status="backorder").count() == CONNECTIONS - 1, f"round {round_number}"
        level = StockLevel.objects.get(product__sku=sku)
        assert (level.on_hand, level.reserved) == (1, 1), f"round {round_number}"


@pytest.mark.django_db(transaction=True)
def test_release_consume_and_counts_under_concurrency_keep_the_level_exact(lyon):
    account = MarketplaceAccountFactory(platform="mirakl")
    product = put_stock("BUSY", 200, lyon)
    orders = []
    for i in range(CONNECTIONS):
        data = OrderDataFactory(
            platform="mirakl",
            marketplace_order_id=f"BUSY-{i}",
            status="accepted",
            lines=(OrderLineDataFactory(marketplace_line_id=f"BUSY-{i}-1", sku="BUSY", quantity=2),),
        )
        orders.append(ingest_order(account=account, data=data).order)
    assert StockLevel.objects.get(product=product).reserved == 100
    actor = Actor.system("test")

    def work(i):
        order = orders[i]
        if i % 3 == 0:
            order_actions.cancel_order(order_id=order.pk, actor=actor, reason="buyer")
        elif i % 3 == 1:
            shipping_actions.ship_order(
                order_id=order.pk, actor=actor, carrier="colissimo", tracking_number=f"6A{i:011d}"
            )
        else:
            actions.adjust_stock(product_id=product.pk, warehouse_id=lyon.pk, change=1, note="found one", actor=actor)

    run_together(work, list(range(CONNECTIONS)))

    cancelled = len(range(0, CONNECTIONS, 3))
    shipped = len(range(1, CONNECTIONS, 3))
    adjusted = len(range(2, CONNECTIONS, 3))
    level = StockLevel.objects.get(product=product)
    assert level.on_hand == 200 - 2 * shipped + adjusted
    assert level.reserved == 2 * adjusted  # the orders that were neither cancelled nor shipped still hold theirs
    assert Order.objects.filter(status="cancelled").count() == cancelled
    totals = StockMovement.objects.filter(level=level).aggregate(
        on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")
    )
    assert (totals["on_hand"], totals["reserved"]) == (level.on_hand, level.reserved)
    assert Product.objects.count() == 1
