"""Decisions reach the marketplaces through the outbox, over real HTTP, exactly once."""

import pytest

from marketplaces import polling
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions, events, pushes
from orders.models import Order, OrderEvent
from returns import actions as returns_actions
from shipping import actions as shipping_actions

S = OutboxMessage.Status
# A new order as each platform first shows it to a seller who must act.
READY = {"amazon": "Unshipped", "ebay": None, "mirakl": "WAITING_ACCEPTANCE", "cdiscount": "WaitingAcceptance"}
# What the sandbox records for each push (its own action names), per platform.
APPLIED = {
    "amazon": {"ship": ["confirmShipment"], "refund": ["refund"]},
    "ebay": {"ship": ["createShippingFulfillment"], "refund": ["issueRefund"]},
    "mirakl": {"accept": ["OR21"], "ship": ["OR23", "OR24"], "refund": ["OR28"]},
    "cdiscount": {"accept": ["validate"], "ship": ["createShipment"], "refund": ["createRefund"]},
}
SHIPPED = {"amazon": "Shipped", "ebay": "FULFILLED", "mirakl": "SHIPPED", "cdiscount": "Shipped"}


def ingest_one(sandbox, account, key, **options):
    if READY[account.platform]:
        options.setdefault("status", READY[account.platform])
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, **options)
    polling.poll_account(account_id=account.pk)
    return Order.objects.get(account=account, marketplace_order_id=remote["id"])


def messages_of(order):
    return outbox.messages_about(pushes.order_subject(order.pk))


def applied(sandbox, key, order):
    return [action["action"] for action in sandbox.admin.order_actions(key, order.marketplace_order_id)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["amazon", "ebay", "mirakl", "cdiscount"])
def test_new_order_to_shipped_and_refunded(sandbox, sandbox_account, operator, platform):
    account, key = sandbox_account(platform)
    order = ingest_one(sandbox, account, key)
    actor = actions.Actor.of_user(operator)

    expected = APPLIED[platform]
    if "accept" in expected:
        assert order.status == "pending_acceptance"
        actions.accept_order(order_id=order.pk, actor=actor)
        assert outbox.drain() == {"sent": 1}
    assert Order.objects.get(pk=order.pk).status == "accepted"

    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")
    assert outbox.drain() == {"sent": 1}
    returns_actions.refund_order(order_id=order.pk, actor=actor, reason="Damaged parcel")
    assert outbox.drain() == {"sent": 1}
    assert outbox.drain() == {}

    history = applied(sandbox, key, order)
    assert history == expected.get("accept", []) + expected["ship"] + expected["refund"]
    assert sandbox.admin.order(key, order.marketplace_order_id)["status"] == SHIPPED[platform]
    assert OrderEvent.objects.filter(order=order, kind=events.PUSHED).count() == len(expected)

    # The next poll sees the marketplace agree: nothing moves backwards, nothing is duplicated.
    polling.poll_account(account_id=account.pk)
    order.refresh_from_db()
    assert order.status == "shipped"


@pytest.mark.django_db(transaction=True)
def test_refusing_on_mirakl_reaches_the_operator(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    order = ingest_one(sandbox, account, key)
    actions.refuse_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="Out of stock")
    outbox.drain()
    assert sandbox.admin.order(key, order.marketplace_order_id)["status"] == "REFUSED"


@pytest.mark.django_db(transaction=True)
def test_5xx_is_retried_later_and_applied_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl", settings={"http_retries": 0})
    order = ingest_one(sandbox, account, key)
    sandbox.admin.inject_fault(key, "http_error", operation="OR21", status=503, count=1)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))

    assert outbox.drain() == {"retry": 1}
    message = messages_of(order).get()
    assert message.status == S.PENDING and "503" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox.drain() == {"sent": 1}
    assert applied(sandbox, key, order) == ["OR21"]


@pytest.mark.django_db(transaction=True)
def test_a_refusal_by_the_platform_is_a_dead_letter_on_the_timeline(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    order = ingest_one(sandbox, account, key)
    sandbox.admin.buyer_cancel(key, order.marketplace_order_id)  # we have not seen it yet
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))

    assert outbox.drain() == {"dead": 1}
    message = messages_of(order).get()
    assert message.status == S.DEAD and message.last_error
    failure = OrderEvent.objects.get(order=order, kind=events.PUSH_FAILED)
    assert failure.params["push"] == "accept" and failure.params["error"]

    outbox.retry_dead(message_id=message.pk)
    assert OutboxMessage.objects.get(pk=message.pk).status == S.PENDING
    outbox.drain()
    outbox.discard_dead(message_id=message.pk)
    assert OutboxMessage.objects.get(pk=message.pk).status == S.DISCARDED


@pytest.mark.django_db(transaction=True)
def test_a_later_push_waits_for_the_earlier_one_of_its_order(sandbox, sandbox_account, operator):
    account, key = sandbox_account("cdiscount", settings={"http_retries": 0})
    order = ingest_one(sandbox, account, key)
    actor = actions.Actor.of_user(operator)
    sandbox.admin.inject_fault(key, "http_error", operation="validateOrder", status=500, count=1)
    actions.accept_order(order_id=order.pk, actor=actor)
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")

    assert outbox.drain() == {"retry": 1}  # the shipment is not sent before the acceptance
    messages_of(order).update(next_attempt_at=order.created_at)
    assert outbox.drain() == {"sent": 2}
    assert applied(sandbox, key, order) == ["validate", "createShipment"]
