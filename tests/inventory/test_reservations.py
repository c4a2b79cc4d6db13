"""Orders reserve stock when they arrive, release it when refused or cancelled, consume it when shipped."""

import pytest

from inventory import actions, selectors
from inventory.models import Listing, OrderAllocation, Reservation, StockMovement
from orders import actions as order_actions
from orders.actions import Actor
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import level, order_of, product, put_stock

pytestmark = pytest.mark.django_db
OPERATOR = Actor.system("operator")


def test_an_order_reserves_in_the_first_warehouse_that_can_ship_it_whole(account, lyon, paris):
    put_stock("KETTLE", 1, lyon)
    put_stock("KETTLE", 5, paris)
    put_stock("TOASTER", 3, lyon)
    put_stock("TOASTER", 3, paris)

    order = order_of(account, ("KETTLE", 2), ("TOASTER", 1))

    allocation = order.allocation
    assert allocation.status == OrderAllocation.Status.RESERVED
    assert allocation.warehouse == paris
    assert "Lyon lacks KETTLE 1/2" in allocation.explanation
    assert (level("KETTLE", paris).reserved, level("KETTLE", lyon).reserved) == (2, 0)
    assert level("TOASTER", paris).reserved == 1
    assert Reservation.objects.filter(order=order).count() == 2


def test_an_order_no_warehouse_can_ship_whole_is_a_backorder_holding_nothing(account, lyon, paris):
    put_stock("KETTLE", 1, lyon)
    put_stock("KETTLE", 1, paris)

    order = order_of(account, ("KETTLE", 2))

    assert order.allocation.status == OrderAllocation.Status.BACKORDER
    assert "KETTLE needs 2, 2 available in all" in order.allocation.explanation
    assert level("KETTLE", lyon).reserved == level("KETTLE", paris).reserved == 0
    assert selectors.can_reserve(order) is False


def test_an_unknown_sku_makes_a_backorder_with_the_reason(account, lyon):
    put_stock("KETTLE", 5, lyon)

    order = order_of(account, ("KETTLE", 1), ("NOT-OURS", 1))

    assert order.allocation.status == OrderAllocation.Status.BACKORDER
    assert "Unknown SKU NOT-OURS" in order.allocation.explanation
    assert level("KETTLE", lyon).reserved == 0
    assert selectors.stock_for_order(order) == {
        line.marketplace_line_id: (5 if line.sku == "KETTLE" else 0) for line in order.lines.all()
    }


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled", "refused"])
def test_orders_already_done_when_first_seen_hold_nothing(account, lyon, status):
    put_stock("KETTLE", 5, lyon)
    order = order_of(account, ("KETTLE", 1), status=status)
    assert not OrderAllocation.objects.filter(order=order).exists()
    assert level("KETTLE", lyon).reserved == 0


def test_orders_fulfilled_by_the_marketplace_hold_nothing(lyon):
    amazon = MarketplaceAccountFactory(platform="amazon")
    put_stock("KETTLE", 5, lyon)
    order = order_of(amazon, ("KETTLE", 1), fulfilled_by_marketplace=True)
    assert not OrderAllocation.objects.filter(order=order).exists()
    assert level("KETTLE", lyon).reserved == 0


def test_refusing_or_cancelling_releases_what_the_order_held(account, lyon):
    put_stock("KETTLE", 5, lyon)
    refused = order_of(account, ("KETTLE", 2), status="pending_acceptance")
    cancelled = order_of(account, ("KETTLE", 1))
    assert level("KETTLE", lyon).reserved == 3

    order_actions.refuse_order(order_id=refused.pk, actor=OPERATOR, reason="Out of stock")
    order_actions.cancel_order(order_id=cancelled.pk, actor=OPERATOR, reason="Buyer asked")

    stock = level("KETTLE", lyon)
    assert (stock.on_hand, stock.reserved) == (5, 0)
    assert OrderAllocation.objects.get(order=refused).status == OrderAllocation.Status.RELEASED
    assert StockMovement.objects.filter(order=cancelled, reason="released").get().reserved_change == -1


def test_shipping_consumes_the_reserved_units(account, lyon):
    put_stock("KETTLE", 5, lyon)
    order = order_of(account, ("KETTLE", 2))

    shipping_actions.ship_order(order_id=order.pk, actor=OPERATOR, carrier="colissimo", tracking_number="6A00000000123")

    stock = level("KETTLE", lyon)
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert OrderAllocation.objects.get(order=order).status == OrderAllocation.Status.CONSUMED


def test_a_partial_shipment_consumes_the_shipped_units_and_keeps_the_rest(account, lyon):
    put_stock("KETTLE", 5, lyon)
    order = order_of(account, ("KETTLE", 3))
    line = order.lines.get()
    line.quantity_shipped = 1
    line.save()

    actions.on_order_status_changed(None, order=order, before="accepted", after="partially_shipped", actor=OPERATOR)
    stock = level("KETTLE", lyon)
    assert (stock.on_hand, stock.reserved) == (4, 2)

    shipping_actions.ship_order(order_id=order.pk, actor=OPERATOR, carrier="colissimo", tracking_number="6A00000000124")
    stock = level("KETTLE", lyon)
    assert (stock.on_hand, stock.reserved) == (2, 0)


def test_a_backorder_shipped_anyway_takes_what_is_available_and_says_so(account, lyon):
    put_stock("KETTLE", 1, lyon)
    order = order_of(account, ("KETTLE", 2))
    assert order.allocation.status == OrderAllocation.Status.BACKORDER

    shipping_actions.ship_order(order_id=order.pk, actor=OPERATOR, carrier="colissimo", tracking_number="6A00000000125")

    stock = level("KETTLE", lyon)
    assert (stock.on_hand, stock.reserved) == (0, 0)
    assert "only 1 of 2" in StockMovement.objects.get(order=order, reason="shipped").note


def test_a_backorder_reserves_once_stock_comes_in(account, lyon):
    put_stock("KETTLE", 0, lyon)
    order = order_of(account, ("KETTLE", 2))
    assert order.allocation.status == OrderAllocation.Status.BACKORDER
    assert actions.retry_backorders() == 0

    actions.adjust_stock(product_id=product("KETTLE").pk, warehouse_id=lyon.pk, change=3, note="found", actor=OPERATOR)
    assert actions.retry_backorders() == 1

    order.allocation.refresh_from_db()
    assert order.allocation.status == OrderAllocation.Status.RESERVED
    assert level("KETTLE", lyon).reserved == 2


def test_a_bundle_listing_reserves_each_component(account, lyon):
    put_stock("POT-16", 4, lyon)
    put_stock("POT-20", 4, lyon)
    Listing.objects.create(listing_sku="POT-SET", product=product("POT-16"), units=1)
    Listing.objects.create(listing_sku="POT-SET", product=product("POT-20"), units=2)

    order = order_of(account, ("POT-SET", 2))

    assert order.allocation.status == OrderAllocation.Status.RESERVED
    assert (level("POT-16", lyon).reserved, level("POT-20", lyon).reserved) == (2, 4)
    line = order.lines.get()
    assert selectors.stock_for_order(order) == {line.marketplace_line_id: 0}  # 4-2=2 and (4-4)//2=0
    assert selectors.can_reserve(order) is True


def test_can_reserve_and_stock_for_order_before_any_allocation(account, lyon, paris):
    put_stock("KETTLE", 3, lyon)
    put_stock("KETTLE", 4, paris)
    order = order_of(account, ("KETTLE", 9), status="shipped")  # holds nothing: no allocation
    line = order.lines.get()
    assert selectors.stock_for_order(order) == {line.marketplace_line_id: 7}
    assert selectors.can_reserve(order) is False


def test_shipping_an_order_of_unknown_skus_takes_nothing_and_says_so(account, lyon):
    put_stock("KETTLE", 5, lyon)
    order = order_of(account, ("NOT-OURS", 1))
    shipping_actions.ship_order(order_id=order.pk, actor=OPERATOR, carrier="ups", tracking_number="1Z999AA10123456784")
    allocation = OrderAllocation.objects.get(order=order)
    assert (allocation.status, allocation.explanation) == ("consumed", "Shipped: nothing known in stock was taken.")
    assert level("KETTLE", lyon).on_hand == 5
