"""Deliveries to a real receiver on 127.0.0.1, through the outbox, verified with the documented snippet."""

import datetime as dt

import pytest
from django.utils import timezone

from inventory import actions as inventory_actions
from inventory.actions import StockCount
from inventory.models import Product, Warehouse
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions as order_actions
from orders.actions import Actor
from orders.status import OrderStatus
from tests.factories import OrderLineDataFactory, make_order
from tests.webhooks.conftest import add_endpoint
from webhooks import actions
from webhooks.models import DeliveryAttempt

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def make_due() -> None:
    """Fast-forward the backoff: every waiting retry is due now."""
    OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).update(next_attempt_at=timezone.now())


def test_a_new_order_is_delivered_signed_and_verifies_with_the_documented_snippet(account, receiver, documented):
    endpoint, secret = add_endpoint(url=receiver.url)
    order = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE)

    assert outbox.drain() == {"sent": 1}

    [(headers, body)] = receiver.requests
    event = documented["verify_webhook"](body, headers["OMS-Signature"], secret)
    assert event["type"] == "order.created"
    assert event["version"] == "2026-11-01"
    assert event["data"]["order"]["id"] == order.pk
    assert event["data"]["order"]["number"] == order.number
    assert event["data"]["order"]["status"] == "pending_acceptance"
    assert headers["OMS-Event-Id"] == event["id"]
    attempt = DeliveryAttempt.objects.get(endpoint=endpoint)
    assert (attempt.status_code, attempt.event_type, str(attempt.event_id)) == (200, "order.created", event["id"])
    assert attempt.response_excerpt == '{"ok": true}'


def test_the_snippet_refuses_a_wrong_secret_a_tampered_body_and_an_old_timestamp(account, receiver, documented):
    _, secret = add_endpoint(url=receiver.url)
    make_order(account=account)
    outbox.drain()
    [(headers, body)] = receiver.requests
    verify, invalid = documented["verify_webhook"], documented["InvalidSignature"]
    timestamp = int(headers["OMS-Signature"].split(",")[0].removeprefix("t="))

    with pytest.raises(invalid):
        verify(body, headers["OMS-Signature"], "whsec_not-the-secret")
    with pytest.raises(invalid):
        verify(body.replace(b"order.created", b"order.cancelled"), headers["OMS-Signature"], secret)
    with pytest.raises(invalid):
        verify(body, headers["OMS-Signature"], secret, now=timestamp + 301)
    assert verify(body, headers["OMS-Signature"], secret, now=timestamp + 299)["type"] == "order.created"


def test_a_receiver_down_for_a_while_gets_every_event_once_it_recovers(account, receiver):
    add_endpoint(url=receiver.url, events=["order.created", "order.status_changed"])
    receiver.status = 500
    orders = [make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(3)]
    order_actions.accept_order(order_id=orders[0].pk, actor=SYSTEM)
    OutboxMessage.objects.exclude(kind="webhook.deliver").delete()  # the push to the marketplace is not what this tests

    for _ in range(3):  # three rounds of failures, each retried after its backoff
        assert outbox.drain() == {"retry": 4}
        make_due()
    receiver.status = 200
    assert outbox.drain() == {"sent": 4}
    make_due()
    assert outbox.drain() == {}

    ids = [event["id"] for event in receiver.accepted]
    assert len(ids) == len(set(ids)) == 4
    assert sorted(event["data"]["order"]["id"] for event in receiver.events_of("order.created")) == sorted(
        o.pk for o in orders
    )
    [changed] = receiver.events_of("order.status_changed")
    assert (changed["data"]["previous_status"], changed["data"]["status"]) == ("pending_acceptance", "accepted")
    assert changed["data"]["order"]["status"] == "accepted"
    assert DeliveryAttempt.objects.filter(status_code=500).count() == 12


def test_a_refusal_is_a_dead_letter_at_once_and_throttling_is_retried(account, receiver):
    add_endpoint(url=receiver.url)
    receiver.status = 429
    make_order(account=account)
    assert outbox.drain() == {"retry": 1}
    receiver.status = 410
    make_due()
    assert outbox.drain() == {"dead": 1}
    message = OutboxMessage.objects.get(kind="webhook.deliver")
    assert message.status == OutboxMessage.Status.DEAD
    assert "HTTP 410" in message.last_error


def test_an_unreachable_receiver_is_retried(account, receiver):
    add_endpoint(url=receiver.url)
    receiver.server.shutdown()
    receiver.server.server_close()
    make_order(account=account)
    assert outbox.drain() == {"retry": 1}
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert "ConnectionError" in attempt.error


def test_during_a_rotation_both_secrets_verify_then_only_the_new_one(account, receiver, documented):
    endpoint, old = add_endpoint(url=receiver.url)
    _, new = actions.rotate_secret(endpoint_id=endpoint.pk)
    make_order(account=account)
    outbox.drain()
    ((headers, body),) = receiver.requests
    verify, invalid = documented["verify_webhook"], documented["InvalidSignature"]
    assert headers["OMS-Signature"].count("v1=") == 2
    assert verify(body, headers["OMS-Signature"], old)["type"] == "order.created"
    assert verify(body, headers["OMS-Signature"], new)["type"] == "order.created"

    actions.finish_rotation(endpoint_id=endpoint.pk)
    make_order(account=account)
    outbox.drain()
    headers, body = receiver.requests[1]
    assert headers["OMS-Signature"].count("v1=") == 1
    assert verify(body, headers["OMS-Signature"], new)["type"] == "order.created"
    with pytest.raises(invalid):
        verify(body, headers["OMS-Signature"], old)


def test_stock_falling_to_its_threshold_is_told_once(account, receiver):
    add_endpoint(url=receiver.url, events=["stock.low"])
    Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    product = Product.objects.create(sku="MUG-01", title="Mug", low_stock_threshold=2)
    inventory_actions.set_stock(
        rows=[StockCount(sku="MUG-01", warehouse="lyon", quantity=4)], actor=SYSTEM, note="count"
    )
    for _ in range(3):  # 4 → 3 (not low), → 2 (low: told), → 1 (still low: not told again)
        make_order(
            account=account,
            status=OrderStatus.PENDING_ACCEPTANCE,
            lines=(OrderLineDataFactory(sku="MUG-01", quantity=1),),
        )

    outbox.drain()
    [event] = receiver.events_of("stock.low")
    assert event["data"]["product"]["id"] == product.pk
    assert event["data"]["product"]["available"] == 2
    assert event["data"]["product"]["low_stock"] is True


def test_an_endpoint_hears_only_what_it_subscribes_to_and_nothing_while_switched_off(account, receiver):
    add_endpoint(url=receiver.url, events=["stock.low"])
    add_endpoint(url=receiver.url, events=["order.created"], active=False)
    make_order(account=account)
    assert OutboxMessage.objects.filter(kind="webhook.deliver").count() == 0


def test_replay_one_delivery_or_everything_since_an_instant_sends_the_same_events(account, receiver):
    endpoint, _ = add_endpoint(url=receiver.url)
    make_order(account=account)
    make_order(account=account)
    outbox.drain()
    first, second = receiver.accepted
    one = OutboxMessage.objects.filter(kind="webhook.deliver").order_by("id").first()

    actions.replay_delivery(endpoint_id=endpoint.pk, delivery_id=one.pk)
    outbox.drain()
    assert receiver.accepted[2]["id"] == first["id"]

    assert actions.replay_since(endpoint_id=endpoint.pk, since=timezone.now() - dt.timedelta(minutes=5)) == 2
    outbox.drain()
    assert sorted(event["id"] for event in receiver.accepted[3:]) == sorted([first["id"], second["id"]])
    assert actions.replay_since(endpoint_id=endpoint.pk, since=timezone.now() + dt.timedelta(minutes=5)) == 0


def test_a_deleted_endpoint_gets_nothing_more(account, receiver):
    endpoint, _ = add_endpoint(url=receiver.url)
    make_order(account=account)
    actions.delete_endpoint(endpoint_id=endpoint.pk)
    assert outbox.drain() == {"sent": 1}
    assert receiver.requests == []
