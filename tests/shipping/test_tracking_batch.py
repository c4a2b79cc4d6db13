"""The tracking poll applies a batch of parcels in near-constant queries: one read, one lock pass
(orders, then shipments, by id), bulk writes; 20 parcels cost what 5 cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms import outbox
from orders import signals as order_signals
from orders.models import Order, OrderEvent
from shipping import actions, events, tracking
from shipping import signals as shipping_signals
from shipping.models import Shipment
from tests.factories import OrderLineDataFactory, make_order
from tests.shipping.conftest import SYSTEM
from tests.shipping.test_actions import make_shipment


@pytest.fixture
def handed_over_orders(warehouse, carrier_account, carrier_sandbox):
    """`handed_over_orders(n)`: n orders of two lines, each in one Colissimo shipment of one parcel, handed over."""

    def create(count: int, *, parcels: int = 1) -> list[Shipment]:
        account = carrier_account("colissimo")
        shipments = []
        for _ in range(count):
            order = make_order(
                lines=[OrderLineDataFactory(quantity=2, sku="KETTLE"), OrderLineDataFactory(quantity=1, sku="TEAPOT")]
            )
            lines = {line.pk: line.quantity for line in order.lines.all()}
            weights = [{"weight_grams": 500 + n} for n in range(parcels)]
            shipment = make_shipment(order, warehouse, account, lines, parcels=weights)
            actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
            shipments.append(shipment)
        while outbox.drain().get("sent"):
            pass
        for shipment in shipments:
            actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
        return shipments

    return create


def queries_of_a_poll(account_id: int) -> tuple[int, tracking.TrackingReport]:
    with CaptureQueriesContext(connection) as queries:
        report = tracking.poll_account(account_id=account_id)
    return len(queries), report


def poll_twice(handed_over_orders, carrier_sandbox, advance: int) -> tuple[int, int]:
    """Queries of a poll of 5 parcels, then of a poll of 20 (the first 5 out of it)."""
    few = handed_over_orders(5)
    carrier_sandbox.admin.advance(advance)
    few_queries, few_report = queries_of_a_poll(few[0].carrier_account_id)
    assert (few_report.asked, few_report.moved) == (5, 5)
    Shipment.objects.filter(pk__in=[s.pk for s in few]).update(status=Shipment.Status.VOIDED)  # out of the next poll

    many = handed_over_orders(20)
    carrier_sandbox.admin.advance(advance)
    many_queries, many_report = queries_of_a_poll(many[0].carrier_account_id)
    assert (many_report.asked, many_report.moved) == (20, 20)
    return few_queries, many_queries


def test_a_batch_of_20_parcels_costs_the_queries_of_5(handed_over_orders, carrier_sandbox, settings):
    settings.OMS_TRACKING_BATCH = 50
    few, many = poll_twice(handed_over_orders, carrier_sandbox, 650)  # in transit
    assert many == few


@pytest.fixture
def without_receivers(monkeypatch):
    """The other apps' receivers of the signals a delivery sends (stock, webhooks) left out: they pay per order."""
    for signal in (order_signals.order_status_changed, shipping_signals.shipment_delivered):
        monkeypatch.setattr(signal, "receivers", [])
        monkeypatch.setattr(signal, "sender_receivers_cache", {})


def test_delivering_20_orders_costs_shipping_the_queries_of_5(
    handed_over_orders, carrier_sandbox, settings, without_receivers
):
    settings.OMS_TRACKING_BATCH = 50
    few, many = poll_twice(handed_over_orders, carrier_sandbox, 2750)
    assert many == few


def test_delivering_20_orders_with_their_receivers(handed_over_orders, carrier_sandbox, settings):
    settings.OMS_TRACKING_BATCH = 50
    few, many = poll_twice(handed_over_orders, carrier_sandbox, 2750)
    # What is left per order is the receivers' own (the stock allocation closed, a webhook lookup per
    # event), sent once per order as before: 9 today, 25 queries per order before the batch.
    assert (many - few) / 15 <= 10
    orders = Order.objects.filter(shipments__status=Shipment.Status.DELIVERED).distinct()
    assert orders.count() == 20 and set(orders.values_list("status", flat=True)) == {"delivered"}
    kinds = OrderEvent.objects.filter(order__in=orders, kind=events.SHIPMENT_DELIVERED)
    assert set(kinds.values_list("from_status", "to_status")) == {("shipped", "delivered")}


def test_two_shipments_of_an_order_in_one_batch_deliver_the_order_once(
    shippable_order, warehouse, carrier_account, carrier_sandbox
):
    """Applied as one by one: the second shipment's first parcel puts it in transit, its second delivers
    it, and the order moves at that second delivery."""
    account = carrier_account("colissimo")
    kettle, teapot = shippable_order.lines.order_by("sku")
    shipments = [
        make_shipment(shippable_order, warehouse, account, {kettle.pk: kettle.quantity}),
        make_shipment(
            shippable_order,
            warehouse,
            account,
            {teapot.pk: teapot.quantity},
            parcels=[{"weight_grams": 300}, {"weight_grams": 400}],
        ),
    ]
    for shipment in shipments:
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    while outbox.drain().get("sent"):
        pass
    for shipment in shipments:
        actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
    carrier_sandbox.admin.advance(2750)

    report = tracking.poll_account(account_id=account.pk)

    assert (report.asked, report.moved) == (3, 3)
    assert Order.objects.get(pk=shippable_order.pk).status == "delivered"
    delivered = OrderEvent.objects.filter(order=shippable_order, kind=events.SHIPMENT_DELIVERED).order_by("pk")
    assert [(e.params["shipment"], e.to_status) for e in delivered] == [
        (shipments[0].pk, ""),
        (shipments[1].pk, "delivered"),
    ]
    tracked = OrderEvent.objects.filter(order=shippable_order, kind=events.SHIPMENT_TRACKED).order_by("pk")
    assert [(e.params["shipment"], e.params["shipment_status"]) for e in tracked] == [
        (shipments[0].pk, "delivered"),
        (shipments[1].pk, "in_transit"),
        (shipments[1].pk, "delivered"),
    ]
