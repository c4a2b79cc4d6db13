"""Refunds per line: units, items and shipping; goodwill; after a paid cancellation; never more than paid."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from oms import outbox
from oms.errors import IllegalTransition, InvalidInput
from orders import events, pushes
from orders.actions import Actor, cancel_order, ingest_order
from orders.models import Order
from returns import actions
from returns.actions import LineRefund
from returns.models import Refund, RefundLine
from tests.factories import MarketplaceAccountFactory, OrderDataFactory, OrderLineDataFactory
from tests.returns.conftest import shipped_order

D = Decimal


def lines_of(order):
    return list(order.lines.order_by("pk"))


@pytest.mark.django_db
def test_a_partial_refund_sends_the_units_items_and_shipping_of_each_line(operator):
    order = shipped_order()
    kettle, toaster = lines_of(order)
    refund = actions.refund_order(
        order_id=order.pk,
        actor=Actor.of_user(operator),
        reason="One kettle came back",
        lines=[
            LineRefund(order_line_id=kettle.pk, quantity=1, amount=D("20.00"), shipping_amount=D("4.90")),
            LineRefund(order_line_id=toaster.pk, amount=D("5.00")),  # goodwill: a scratch, nothing comes back
        ],
    )
    assert refund.total_amount == D("29.90")
    message = outbox.messages_about(pushes.order_subject(order.pk)).get(kind=pushes.REFUND)
    assert message.payload["lines"] == [
        {"line_id": kettle.marketplace_line_id, "quantity": 1, "amount": "20.00", "shipping_amount": "4.90"},
        {"line_id": toaster.marketplace_line_id, "quantity": 0, "amount": "5.00", "shipping_amount": "0.00"},
    ]
    assert message.payload["refund_id"] == refund.pk and message.payload["refunded_before"] == "0"
    order.refresh_from_db()
    assert order.refunded_amount == D("29.90") and order.status == "shipped"
    event = order.events.get(kind=events.REFUNDED)
    assert event.params["amount"] == "29.90" and event.params["reason"] == "One kettle came back"


@pytest.mark.django_db
def test_never_more_than_paid_per_line_and_per_order(operator):
    order = shipped_order()
    kettle, toaster = lines_of(order)
    actor = Actor.of_user(operator)
    actions.refund_order(
        order_id=order.pk, actor=actor, reason="first", lines=[LineRefund(order_line_id=kettle.pk, amount=D("30.00"))]
    )
    with pytest.raises(InvalidInput, match=r"10\.00 EUR left to refund on the items"):
        actions.refund_order(
            order_id=order.pk, actor=actor, reason="x", lines=[LineRefund(order_line_id=kettle.pk, amount=D("10.01"))]
        )
    with pytest.raises(InvalidInput, match="left to refund on shipping"):
        actions.refund_order(
            order_id=order.pk,
            actor=actor,
            reason="x",
            lines=[LineRefund(order_line_id=toaster.pk, shipping_amount=D("0.01"))],
        )
    with pytest.raises(InvalidInput, match="unit"):
        actions.refund_order(
            order_id=order.pk,
            actor=actor,
            reason="x",
            lines=[LineRefund(order_line_id=toaster.pk, quantity=2, amount=D("1.00"))],
        )
    with pytest.raises(InvalidInput, match="not a line"):
        other = shipped_order(tag="other")
        actions.refund_order(
            order_id=order.pk,
            actor=actor,
            reason="x",
            lines=[LineRefund(order_line_id=lines_of(other)[0].pk, amount=D("1.00"))],
        )
    with pytest.raises(InvalidInput):
        actions.refund_order(
            order_id=order.pk, actor=actor, reason="x", lines=[LineRefund(order_line_id=kettle.pk, amount=D("-1"))]
        )
    # Everything left, in one go, then nothing more.
    rest = actions.refund_order(order_id=order.pk, actor=actor, reason="all the rest")
    assert rest.total_amount == D("49.90")  # 10.00 + 4.90 + 35.00
    assert Refund.objects.filter(order=order).count() == 2
    with pytest.raises(InvalidInput):
        actions.refund_order(order_id=order.pk, actor=actor, reason="again")
    order.refresh_from_db()
    assert order.refunded_amount == order.total_amount == D("79.90")
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.REFUND).count() == 2


@pytest.mark.django_db
def test_only_shipped_orders_or_cancelled_ones_are_refunded(operator):
    actor = Actor.of_user(operator)
    account = MarketplaceAccountFactory(platform="mirakl")
    data = OrderDataFactory(platform="mirakl", status="accepted", lines=(OrderLineDataFactory(quantity=1),))
    to_ship = ingest_order(account=account, data=data).order
    with pytest.raises(IllegalTransition, match="only shipped or cancelled"):
        actions.refund_order(order_id=to_ship.pk, actor=actor, reason="damaged")
    with pytest.raises(InvalidInput, match="reason"):
        actions.refund_order(order_id=to_ship.pk, actor=actor, reason=" ")

    # A paid order cancelled by the seller: the buyer gets the money back.
    cancel_order(order_id=to_ship.pk, actor=actor, reason="Out of stock")
    refund = actions.refund_order(order_id=to_ship.pk, actor=actor, reason="Paid, then cancelled")
    assert refund.total_amount == Order.objects.get(pk=to_ship.pk).total_amount


@pytest.mark.django_db
def test_the_database_refuses_more_than_paid_whoever_writes(operator):
    order = shipped_order()
    kettle, _ = lines_of(order)
    refund = Refund.objects.create(order=order, reason="by hand", currency="EUR", total_amount=D("40.01"))
    with pytest.raises(IntegrityError, match=r"paid 40\.00 for its items"), transaction.atomic():
        RefundLine.objects.create(refund=refund, order_line=kettle, amount=D("40.01"))
    with pytest.raises(IntegrityError, match=r"paid 4\.90 for shipping"), transaction.atomic():
        RefundLine.objects.create(refund=refund, order_line=kettle, amount=D("1"), shipping_amount=D("4.91"))
    other = shipped_order(tag="other")
    with pytest.raises(IntegrityError, match="not a line of the refunded order"), transaction.atomic():
        RefundLine.objects.create(refund=refund, order_line=lines_of(other)[0], amount=D("1"))
    RefundLine.objects.create(refund=refund, order_line=kettle, amount=D("40.00"))
    # A refused refund gives nothing back: the amount is free again.
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
    again = Refund.objects.create(order=order, reason="again", currency="EUR", total_amount=D("40.00"))
    RefundLine.objects.create(refund=again, order_line=kettle, amount=D("40.00"))


def run_together(work, arguments):
    """work(argument) in one thread and one database connection each, released together."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def target(argument):
        try:
            barrier.wait(timeout=30)
            outcomes.append(work(argument))
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_partial_refunds_never_exceed_what_was_paid(operator):
    order = shipped_order()
    kettle, toaster = lines_of(order)
    actor = Actor.of_user(operator)

    def refund_some(_):
        return actions.refund_order(
            order_id=order.pk,
            actor=actor,
            reason="race",
            lines=[
                LineRefund(order_line_id=kettle.pk, amount=D("15.00"), quantity=1),
                LineRefund(order_line_id=toaster.pk, amount=D("10.00")),
            ],
        )

    outcomes = run_together(refund_some, range(8))
    made = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(made) == 2 and len(refused) == 6, outcomes  # 2 × 15 ≤ 40 < 3 × 15
    order.refresh_from_db()
    assert order.refunded_amount == D("50.00")
    assert sum(line.amount for line in RefundLine.objects.filter(order_line=kettle)) == D("30.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_raw_inserts_are_stopped_by_the_database(operator):
    """Writers that skip the action (and its order lock) still cannot refund twice: the trigger locks."""
    order = shipped_order()
    kettle, _ = lines_of(order)

    def insert(_):
        with transaction.atomic():
            refund = Refund.objects.create(order_id=order.pk, reason="raw", currency="EUR", total_amount=D("25.00"))
            return RefundLine.objects.create(refund=refund, order_line_id=kettle.pk, amount=D("25.00"))

    outcomes = run_together(insert, range(6))
    assert sum(isinstance(o, RefundLine) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, IntegrityError) for o in outcomes) == 5
    assert sum(line.amount for line in RefundLine.objects.filter(order_line=kettle)) == D("25.00")
