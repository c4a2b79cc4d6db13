"""The buyer told when the order is accepted and when it ships, on the platform (Mirakl OR43), per account switch."""

import time

import pytest
from django.utils import timezone

from marketplaces import polling as order_polling
from messaging import events, polling, selectors
from messaging.models import AccountMessaging, Message, Thread
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions, pushes
from orders.models import Order, OrderEvent
from shipping import actions as shipping_actions
from shipping import carriers
from shipping.models import Parcel


def wait_until(condition, *, seconds=30, step=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db
def test_acceptance_and_shipment_are_told_on_the_platform_after_the_orders_own_pushes(
    sandbox, sandbox_account, operator
):
    account, key = sandbox_account("mirakl")
    AccountMessaging.objects.create(account=account, notify_on_acceptance=True, notify_on_shipment=True)
    [remote] = sandbox.admin.generate_orders(key, 1, status="WAITING_ACCEPTANCE")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actor = actions.Actor.of_user(operator)

    def drain_all():  # a notice waits for its decision's push: drain until nothing is left to send
        def nothing_left():
            outbox.drain()
            return not OutboxMessage.objects.filter(status__in=("pending", "sending")).exists()

        wait_until(nothing_left)

    actions.accept_order(order_id=order.pk, actor=actor)
    drain_all()
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")
    drain_all()

    history = [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])]
    assert history == ["OR21", "OR43", "OR23", "OR24", "OR43"]  # each notice after its decision reached Mirakl
    remote_threads = sandbox.admin.threads(key)
    assert len(remote_threads) == 2
    shipped_text = next(t for t in remote_threads if t["subject"] == "Commande expédiée")["messages"][0]["body"]
    assert "6A12345678901" in shipped_text and "laposte.fr" in shipped_text
    threads = selectors.threads_of_order(order.pk)
    assert {t.platform_thread_id for t in threads} == {t["id"] for t in remote_threads}
    assert set(Message.objects.filter(thread__order=order).values_list("delivery", flat=True)) == {"sent"}
    kinds = set(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert {events.BUYER_TOLD_ACCEPTED, events.BUYER_TOLD_SHIPPED} <= kinds


@pytest.mark.django_db
def test_nothing_is_told_when_the_account_has_not_switched_it_on(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    AccountMessaging.objects.create(account=account, notify_on_acceptance=False, notify_on_shipment=True)
    sandbox.admin.generate_orders(key, 1, status="WAITING_ACCEPTANCE")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    assert outbox.drain() == {"sent": 1}
    assert sandbox.admin.threads(key) == [] and not Thread.objects.exists()


@pytest.mark.django_db
def test_a_notice_is_not_sent_when_the_decision_did_not_reach_the_platform(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    AccountMessaging.objects.create(account=account, notify_on_acceptance=True)
    sandbox.admin.generate_orders(key, 1, status="WAITING_ACCEPTANCE")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    # The acceptance is a dead letter (refused, or out of attempts): the buyer must not hear it is accepted.
    outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.ACCEPT).update(status="dead")
    assert outbox.drain() == {"dead": 1}
    assert sandbox.admin.threads(key) == []
    assert Message.objects.get(thread__order=order).delivery == Message.Delivery.FAILED


@pytest.mark.django_db
def test_an_ebay_buyer_is_told_of_the_shipment_in_a_new_conversation_found_again_by_the_poll(
    sandbox, sandbox_account, operator
):
    account, key = sandbox_account("ebay")
    AccountMessaging.objects.create(account=account, notify_on_shipment=True)
    [remote] = sandbox.admin.generate_orders(key, 1)
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    shipping_actions.ship_order(
        order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="colissimo", tracking_number="6A12345678901"
    )

    def nothing_left():
        outbox.drain()
        return not OutboxMessage.objects.filter(status__in=("pending", "sending")).exists()

    wait_until(nothing_left)
    [conversation] = sandbox.admin.threads(key)
    assert conversation["customer"]["username"] == remote["buyer"]["username"]
    assert "6A12345678901" in conversation["messages"][0]["body"]
    assert polling.poll_threads(account_id=account.pk).new_messages == 0  # our own notice, known
    [thread] = Thread.objects.filter(account=account)
    assert thread.platform_thread_id == conversation["id"] and thread.order == order
    assert events.BUYER_TOLD_SHIPPED in set(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    # The buyer answers in that conversation (a second later: platforms stamp whole seconds): it needs a reply.
    time.sleep(1.1)
    sandbox.admin.buyer_writes(key, conversation["id"], "Merci, je l'attends.")
    assert polling.poll_threads(account_id=account.pk).new_messages == 1
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEEDS_REPLY


@pytest.mark.django_db
def test_the_buyer_is_told_of_the_delivery_the_carrier_reports(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    AccountMessaging.objects.create(account=account, notify_on_delivery=True)
    [remote] = sandbox.admin.generate_orders(key, 1, status="WAITING_ACCEPTANCE")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actor = actions.Actor.of_user(operator)
    actions.accept_order(order_id=order.pk, actor=actor)
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")

    def nothing_left():
        outbox.drain()
        return not OutboxMessage.objects.filter(status__in=("pending", "sending")).exists()

    wait_until(nothing_left)
    assert not Thread.objects.filter(order=order).exists()  # acceptance and shipment notices are off

    parcel = Parcel.objects.get(shipment__order=order)
    delivered = carriers.TrackingEvent(at=timezone.now(), status=carriers.DELIVERED, code="DI1", description="Livré")
    shipping_actions.record_tracking(parcel_id=parcel.pk, events_seen=[delivered], checked_at=timezone.now())
    order.refresh_from_db()
    assert order.status == "delivered"
    assert outbox.drain() == {"sent": 1}
    [told] = [t for t in sandbox.admin.threads(key) if t["subject"] == "Commande livrée"]
    assert "a été livrée" in told["messages"][0]["body"]
    assert OrderEvent.objects.filter(order=order, kind=events.BUYER_TOLD_DELIVERED).count() == 1
