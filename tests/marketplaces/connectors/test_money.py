"""Every money field of the platforms' orders, polled over HTTP and ingested, to the cent.

The payloads (`payloads/*_money*.json`) are written from the specs' order models: a
tax-excluded Mirakl order with shipping taxes, promotions, fees, a refund and a
cancellation; a Mirakl order whose total does not reconcile; Amazon promotion, gift,
business and COD orders; an eBay order shipped in part, refunded on one line, and a
cancelled one.
"""

import datetime as dt
from decimal import Decimal

import pytest

from marketplaces.connectors.ebay import map_order as map_ebay_order
from orders import events
from orders.actions import IngestOutcome, ingest_order
from orders.canonical import TaxMode
from orders.models import MarketplaceAdjustment, Order
from tests.factories import MarketplaceAccountFactory

from .conftest import load_wire_payload
from .test_amazon import make_connector as make_amazon
from .test_amazon import serve_token as serve_amazon_token
from .test_ebay import make_connector as make_ebay
from .test_ebay import serve_token as serve_ebay_token
from .test_mirakl import make_connector as make_mirakl

SINCE = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
D = Decimal


def poll_and_ingest(connector, platform):
    account = MarketplaceAccountFactory(platform=platform)
    page = connector.list_changed_orders(since=SINCE)
    assert page.rejected == []
    results = [ingest_order(account=account, data=data) for data in page.orders]
    return account, page, {result.order.marketplace_order_id: result.order for result in results}


def money_of(obj, *names):
    return {name: getattr(obj, name) for name in names}


# Mirakl -----------------------------------------------------------------------------


def serve_mirakl(server):
    server.reply("GET", "/mirakl/fnac/api/orders", body=load_wire_payload("mirakl_or11_money.json"))


@pytest.mark.django_db
def test_a_tax_excluded_mirakl_order_is_stored_with_its_taxes_shipping_taxes_promotions_and_fees(server):
    serve_mirakl(server)
    _, _, orders = poll_and_ingest(make_mirakl(server), "mirakl")
    order = Order.objects.get(pk=orders["FNAC-MONEY-EXCL-A"].pk)

    assert order.tax_mode == TaxMode.EXCLUDED
    # total_price 121.50 without taxes + order_taxes 24.20: what the buyer paid.
    assert order.total_amount == D("145.70") and order.lines_total_amount == D("145.70")
    assert order.money_warning == ""
    assert money_of(
        order, "items_amount", "discount_amount", "shipping_amount", "shipping_tax_amount", "tax_amount", "fee_amount"
    ) == {
        "items_amount": D("120.00"),
        "discount_amount": D("5.00"),
        "shipping_amount": D("6.00"),
        "shipping_tax_amount": D("1.20"),
        "tax_amount": D("23.00"),
        "fee_amount": D("0.50"),
    }
    kettle, mug = order.lines.order_by("marketplace_line_id")
    assert money_of(
        kettle,
        "unit_price_amount",
        "quantity",
        "total_amount",
        "discount_amount",
        "tax_amount",
        "shipping_amount",
        "shipping_tax_amount",
        "fee_amount",
    ) == {
        "unit_price_amount": D("47.50"),
        "quantity": 2,
        "total_amount": D("100.00"),
        "discount_amount": D("5.00"),
        "tax_amount": D("19.00"),
        "shipping_amount": D("6.00"),
        "shipping_tax_amount": D("1.20"),
        "fee_amount": D("0.50"),
    }
    assert mug.tax_amount == D("4.00") and mug.shipping_tax_amount == D("0")


@pytest.mark.django_db
def test_mirakl_refunds_and_cancellations_become_amounts_and_events_once(server):
    serve_mirakl(server)
    connector = make_mirakl(server)
    account, page, orders = poll_and_ingest(connector, "mirakl")
    order = Order.objects.get(pk=orders["FNAC-MONEY-EXCL-A"].pk)

    # Refund 47.50 + its tax 9.50; cancellation 20.00 + its tax 4.00 (tax-excluded order).
    assert order.marketplace_refunded_amount == D("57.00")
    assert order.marketplace_cancelled_amount == D("24.00")
    kettle, mug = order.lines.order_by("marketplace_line_id")
    assert (kettle.marketplace_refunded_amount, kettle.marketplace_cancelled_amount) == (D("57.00"), D("0"))
    assert (mug.marketplace_refunded_amount, mug.marketplace_cancelled_amount) == (D("0"), D("24.00"))
    refund = MarketplaceAdjustment.objects.get(order=order, kind="refund")
    assert (refund.marketplace_adjustment_id, refund.line, refund.amount, refund.tax_amount, refund.total_amount) == (
        "9001",
        kettle,
        D("47.50"),
        D("9.50"),
        D("57.00"),
    )
    assert (refund.reason, refund.state, refund.quantity) == ("15", "REFUNDED", 1)
    recorded = list(order.events.filter(kind__in=[events.MARKETPLACE_REFUND, events.MARKETPLACE_CANCELLATION]))
    assert sorted((e.kind, D(e.params["amount"]), e.params["adjustment_id"]) for e in recorded) == [
        (events.MARKETPLACE_CANCELLATION, D("24.00"), "7001"),
        (events.MARKETPLACE_REFUND, D("57.00"), "9001"),
    ]

    # The same page again (Mirakl's safety delta), then the same order updated later: nothing twice.
    again = connector.list_changed_orders(since=SINCE)
    assert [ingest_order(account=account, data=data).outcome for data in again.orders] == [IngestOutcome.UNCHANGED] * 2
    data = next(d for d in again.orders if d.marketplace_order_id == "FNAC-MONEY-EXCL-A")
    later = data.__class__(
        **{**data.__dict__, "marketplace_updated_at": data.marketplace_updated_at + dt.timedelta(hours=1)}
    )
    assert ingest_order(account=account, data=later).outcome == IngestOutcome.UPDATED
    assert MarketplaceAdjustment.objects.filter(order=order).count() == 2
    assert order.events.filter(kind__in=[events.MARKETPLACE_REFUND, events.MARKETPLACE_CANCELLATION]).count() == 2
    order.refresh_from_db()
    assert order.marketplace_refunded_amount == D("57.00")


@pytest.mark.django_db
def test_a_mirakl_order_whose_total_does_not_reconcile_is_stored_as_stated_with_a_warning(server, client, admin_user):
    serve_mirakl(server)
    _, _, orders = poll_and_ingest(make_mirakl(server), "mirakl")
    order = Order.objects.get(pk=orders["FNAC-MONEY-OFF-A"].pk)

    assert order.total_amount == D("50.00")  # never adjusted
    assert order.lines_total_amount == D("44.89")
    assert "50.00" in order.money_warning and "44.89" in order.money_warning

    client.force_login(admin_user)
    page = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "does not equal what its lines add up to" in page.content.decode()
    api = client.get(f"/api/v1/orders/{order.pk}/").json()
    assert api["money_warning"] == order.money_warning
    assert (api["total_amount"], api["lines_total_amount"], api["tax_mode"]) == ("50.00", "44.89", "TAX_INCLUDED")


# Amazon -----------------------------------------------------------------------------


def serve_amazon(server):
    serve_amazon_token(server)
    server.reply("GET", "/amazon/orders/v0/orders", body=load_wire_payload("amazon_money_orders.json"))
    for order_id, response in load_wire_payload("amazon_money_order_items.json").items():
        server.reply("GET", f"/amazon/orders/v0/orders/{order_id}/orderItems", body=response)


@pytest.mark.django_db
def test_an_amazon_gift_order_with_promotions_keeps_every_amount_the_gift_and_the_po_number(server):
    serve_amazon(server)
    _, _, orders = poll_and_ingest(make_amazon(server), "amazon")
    order = Order.objects.get(pk=orders["407-1000001-0000001"].pk)

    assert order.tax_mode == TaxMode.INCLUDED
    # 49.98 items + 4.99 shipping − 4.99 shipping discount − 5.00 promotion + 3.00 gift wrap.
    assert order.total_amount == D("47.98") and order.money_warning == ""
    (line,) = order.lines.all()
    assert money_of(
        line,
        "total_amount",
        "unit_price_amount",
        "tax_amount",
        "shipping_amount",
        "shipping_tax_amount",
        "discount_amount",
        "shipping_discount_amount",
        "gift_wrap_amount",
        "gift_wrap_tax_amount",
    ) == {
        "total_amount": D("49.98"),
        "unit_price_amount": D("24.99"),
        "tax_amount": D("7.50"),  # ItemTax 8.33 − PromotionDiscountTax 0.83
        "shipping_amount": D("4.99"),
        "shipping_tax_amount": D("0.00"),  # ShippingTax 0.83 − ShippingDiscountTax 0.83
        "discount_amount": D("5.00"),
        "shipping_discount_amount": D("4.99"),
        "gift_wrap_amount": D("3.00"),
        "gift_wrap_tax_amount": D("0.50"),
    }
    assert line.is_gift and line.gift_message == "Joyeux anniversaire, Camille !"
    assert order.is_gift and order.is_business and order.purchase_order_number == "PO-2026-118"
    assert order.earliest_ship_date == dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.timezone.utc)
    assert order.earliest_delivery_date == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.timezone.utc)


@pytest.mark.django_db
def test_an_amazon_cod_order_keeps_its_fee_and_the_buyers_cancel_reason(server, client, admin_user):
    serve_amazon(server)
    _, _, orders = poll_and_ingest(make_amazon(server), "amazon")
    order = Order.objects.get(pk=orders["407-1000002-0000002"].pk)

    assert order.payment_method == "COD"
    # 19.90 + 3.90 shipping + COD fee 2.00 − its discount 0.50.
    assert order.total_amount == D("25.30") and order.fee_amount == D("1.50") and order.money_warning == ""
    (line,) = order.lines.all()
    assert line.buyer_requested_cancel and line.buyer_cancel_reason == "Commandé par erreur"

    client.force_login(admin_user)
    page = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Commandé par erreur" in page and "COD" in page
    api = client.get(f"/api/v1/orders/{order.pk}/").json()
    assert api["payment_method"] == "COD" and api["fee_amount"] == "1.50"
    assert api["lines"][0]["buyer_cancel_reason"] == "Commandé par erreur"


# eBay -------------------------------------------------------------------------------


def serve_ebay(server):
    serve_ebay_token(server)
    server.reply("GET", "/ebay/sell/fulfillment/v1/order", body=load_wire_payload("ebay_money_orders.json"))
    server.reply(
        "GET",
        "/ebay/sell/fulfillment/v1/order/12-19000-00001/shipping_fulfillment",
        body=load_wire_payload("ebay_money_fulfillments.json"),
    )


@pytest.mark.django_db
def test_an_ebay_order_shipped_in_part_says_how_many_units_of_each_line_left(server):
    serve_ebay(server)
    _, _, orders = poll_and_ingest(make_ebay(server), "ebay")
    order = Order.objects.get(pk=orders["12-19000-00001"].pk)

    lamp, candle = order.lines.order_by("marketplace_line_id")
    assert (lamp.quantity, lamp.quantity_shipped) == (3, 2)  # IN_PROGRESS: 2 units in the fulfillment
    assert (candle.quantity, candle.quantity_shipped) == (1, 1)  # FULFILLED
    # Only the order shipped in part costs a fulfillment read; the cancelled one does not.
    assert [r.path for r in server.requests if "shipping_fulfillment" in r.path] == [
        "/ebay/sell/fulfillment/v1/order/12-19000-00001/shipping_fulfillment"
    ]
    # Read alone (no fulfillments at hand), an IN_PROGRESS line is not counted as shipped.
    alone = map_ebay_order(load_wire_payload("ebay_money_orders.json")["orders"][0])
    assert [line.quantity_shipped for line in alone.lines] == [0, 1]


@pytest.mark.django_db
def test_ebay_discounts_refunds_and_cancellation_are_stored_once(server):
    serve_ebay(server)
    connector = make_ebay(server)
    account, _, orders = poll_and_ingest(connector, "ebay")
    order = Order.objects.get(pk=orders["12-19000-00001"].pk)

    assert order.total_amount == D("74.00") and order.money_warning == ""
    assert (order.discount_amount, order.shipping_amount, order.shipping_discount_amount) == (
        D("6.00"),
        D("5.00"),
        D("5.00"),
    )
    # The refund appears on the line and in paymentSummary with the same id: counted once.
    assert order.marketplace_refunded_amount == D("20.00")
    assert order.lines.get(marketplace_line_id="10009000002").marketplace_refunded_amount == D("20.00")
    assert order.events.filter(kind=events.MARKETPLACE_REFUND).count() == 1

    cancelled = Order.objects.get(pk=orders["12-19000-00002"].pk)
    assert cancelled.status == "cancelled" and cancelled.marketplace_cancelled_amount == D("30.00")
    assert cancelled.lines.get().buyer_cancel_reason == "ORDER_MISTAKE"
    event = cancelled.events.get(kind=events.MARKETPLACE_CANCELLATION)
    assert event.params["reason"] == "ORDER_MISTAKE"

    for data in connector.list_changed_orders(since=SINCE).orders:
        ingest_order(account=account, data=data)
    assert MarketplaceAdjustment.objects.filter(order__account=account).count() == 2
