"""Amazon buyers told through the Messaging API's allowed message types only (specs/amazon/messaging.json),
and by e-mail to the order's relay address where no type fits; the sandbox on the spec's wire format."""

import datetime as dt
import socket
import time

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplaces import polling as order_polling
from messaging import actions as messaging_actions
from messaging import delay, events
from messaging.models import AccountMessaging, DelayNotice, Message, Thread
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions
from orders.models import Order, OrderEvent
from shipping import actions as shipping_actions
from tests.marketplaces.sandbox.spec_schemas import load_spec, problems, response_schema
from tests.marketplaces.sandbox.support import AMAZON_FR_MARKETPLACE_ID, amazon_session, decoded, new_account

SPEC = "amazon/messaging.json"
ACTIONS = "/messaging/v1/orders/{amazonOrderId}"


def wait_until(condition, *, seconds=30, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def test_the_sandbox_offers_types_per_order_and_refuses_the_others(sandbox):
    spec = load_spec(SPEC)
    key, creds = new_account(sandbox, "amazon")
    session = amazon_session(sandbox, creds)
    [unshipped] = sandbox.admin.generate_orders(key, 1, status="Unshipped")
    [cancelled] = sandbox.admin.generate_orders(key, 1, status="Canceled")
    api = f"{sandbox.url}/amazon/messaging/v1/orders"
    market = {"marketplaceIds": AMAZON_FR_MARKETPLACE_ID}

    offered = session.get(f"{api}/{unshipped['id']}", params=market, timeout=10)
    assert offered.status_code == 200
    assert problems(decoded(offered), response_schema(spec, ACTIONS, "get", "200"), spec) == []
    names = [action["name"] for action in offered.json()["_links"]["actions"]]
    assert "unexpectedProblem" in names and "confirmDeliveryDetails" not in names
    assert session.get(f"{api}/{cancelled['id']}", params=market, timeout=10).json()["_links"]["actions"] == []
    assert session.get(f"{api}/{unshipped['id']}", timeout=10).status_code == 400  # marketplaceIds is required
    assert session.get(f"{api}/999-0000000-0000000", params=market, timeout=10).status_code == 404

    def post(order_id, message_type, text):
        return session.post(f"{api}/{order_id}/messages/{message_type}", params=market, json={"text": text}, timeout=10)

    not_offered = post(unshipped["id"], "confirmDeliveryDetails", "Votre colis arrive demain.")
    assert not_offered.status_code == 400 and not_offered.json()["errors"][0]["code"] == "InvalidInput"
    assert post(unshipped["id"], "unexpectedProblem", "<b>Retard</b>").status_code == 400  # no HTML
    assert post(unshipped["id"], "unexpectedProblem", "Écrivez à moi@exemple.fr").status_code == 400  # no e-mail
    assert post(unshipped["id"], "unexpectedProblem", "x" * 2001).status_code == 400
    assert post(cancelled["id"], "unexpectedProblem", "Un retard.").status_code == 400
    assert sandbox.admin.order_actions(key, unshipped["id"]) == []  # nothing refused was recorded

    sent = post(unshipped["id"], "unexpectedProblem", "Votre commande partira avec un jour de retard.")
    assert sent.status_code == 201 and sent.json() == {}
    [recorded] = sandbox.admin.order_actions(key, unshipped["id"])
    assert recorded["action"] == "messaging.unexpectedProblem"
    assert recorded["body"] == {"text": "Votre commande partira avec un jour de retard."}
    assert requests.get(f"{api}/{unshipped['id']}", params=market, timeout=10).status_code in (401, 403)


def amazon_order(sandbox, sandbox_account, **messaging):
    account, key = sandbox_account("amazon")
    AccountMessaging.objects.create(account=account, **messaging)
    [remote] = sandbox.admin.generate_orders(key, 1, status="Unshipped")
    order_polling.poll_account(account_id=account.pk)
    return account, key, remote, Order.objects.get(account=account)


@pytest.mark.django_db
def test_a_delay_notice_to_an_amazon_buyer_is_an_unexpected_problem_message(sandbox, sandbox_account, operator):
    account, key, remote, order = amazon_order(sandbox, sandbox_account, notify_on_delay="propose")
    Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() + dt.timedelta(hours=2))
    client = Client()
    client.force_login(operator)
    assert 'id="delay-notice"' in client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    client.post(
        reverse("messaging:delay_notice", args=[order.pk]), {"body": "Bonjour {buyer_name}, un jour de retard."}
    )
    assert outbox.drain() == {"sent": 1}
    history = sandbox.admin.order_actions(key, remote["id"])
    assert [a["action"] for a in history] == ["messaging.unexpectedProblem"]
    assert history[0]["body"]["text"] == f"Bonjour {order.buyer_name}, un jour de retard."
    message = Message.objects.get(thread__order=order)
    assert message.delivery == Message.Delivery.SENT and message.platform_message_id  # Amazon's request id
    assert not sandbox.admin.threads(key)  # not by e-mail
    assert OrderEvent.objects.filter(order=order, kind=events.BUYER_TOLD_DELAYED).count() == 1
    assert DelayNotice.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_shipment_notice_fits_no_amazon_type_and_goes_by_relayed_mail(
    sandbox,
    sandbox_account,
    smtp,
    operator,
):
    account, key, remote, order = amazon_order(sandbox, sandbox_account, notify_on_shipment=True)
    assert order.buyer_email.endswith("@marketplace.amazon.fr")
    shipping_actions.ship_order(
        order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="colissimo", tracking_number="6A12345678901"
    )

    def nothing_left():
        outbox.drain()
        return not OutboxMessage.objects.filter(status__in=("pending", "sending")).exists()

    wait_until(nothing_left)
    assert [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])] == ["confirmShipment"]
    [remote_thread] = sandbox.admin.threads(key)  # the relay opened a thread on the order with our mail
    assert remote_thread["order_id"] == remote["id"]
    [shop] = remote_thread["messages"]
    assert shop["from"] == "shop" and "6A12345678901" in shop["body"]
    thread = Thread.objects.get(order=order)
    assert thread.messages.get().delivery == Message.Delivery.SENT
    assert OrderEvent.objects.filter(order=order, kind=events.BUYER_TOLD_SHIPPED).exists()


# At most once through the Messaging API (it cannot list what was sent) ------------------------------------------


def delay_notice_queued(sandbox, sandbox_account):
    account, key, remote, order = amazon_order(sandbox, sandbox_account, notify_on_delay="propose")
    Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() + dt.timedelta(hours=2))
    notice = delay.notify_delay(order_id=order.pk, body="Votre commande partira avec un jour de retard.")
    return account, key, remote, order, notice


def sent_on_amazon(sandbox, key, remote) -> int:
    return sum(a["action"] == "messaging.unexpectedProblem" for a in sandbox.admin.order_actions(key, remote["id"]))


@pytest.mark.django_db
def test_a_notice_whose_worker_died_after_the_call_is_not_sent_again(sandbox, sandbox_account, operator):
    """Kill-equivalent: the worker claimed the notice and made the HTTP call (Amazon took it; the answer never
    came back), then died before storing an outcome. Its lease expires, another worker claims it: the message
    is still marked as being sent, so nothing goes to Amazon again; a dead letter says why, on the thread."""
    account, key, remote, order, notice = delay_notice_queued(sandbox, sandbox_account)
    sandbox.admin.inject_fault(key, "timeout", operation="createUnexpectedProblem", seconds=0.1, drop=True, apply=True)
    [claimed] = outbox.claim()
    with pytest.raises(outbox.Undeliverable):  # whatever this attempt concluded, the kill loses it
        outbox.kind_named(claimed.kind).send(claimed)
    assert sent_on_amazon(sandbox, key, remote) == 1
    OutboxMessage.objects.filter(pk=claimed.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    assert outbox.drain() == {"dead": 1}
    assert sent_on_amazon(sandbox, key, remote) == 1
    dead = OutboxMessage.objects.get(pk=claimed.pk)
    assert dead.status == OutboxMessage.Status.DEAD and dead.last_error == messaging_actions.MAYBE_SENT
    notice.refresh_from_db()
    assert notice.delivery == Message.Delivery.FAILED and notice.delivery_error == messaging_actions.MAYBE_SENT
    assert not OrderEvent.objects.filter(order=order, kind=events.BUYER_TOLD_DELAYED).exists()

    client = Client()
    client.force_login(operator)
    html = client.get(reverse("messaging:thread", args=[notice.thread_id])).content.decode()
    assert "Amazon may already have it: check Seller Central, then resend or drop." in html
    assert f'data-resend="{notice.pk}"' in html
    order_page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'data-maybe-sent="{notice.thread_id}"' in order_page
    # The operator checked Seller Central and chose to send it again: it goes, once more, by their decision.
    assert client.post(reverse("messaging:resend_anyway", args=[notice.pk])).status_code == 302
    assert outbox.drain() == {"sent": 1}
    assert sent_on_amazon(sandbox, key, remote) == 2
    notice.refresh_from_db()
    assert notice.delivery == Message.Delivery.SENT and notice.send_started_at is not None
    assert client.post(reverse("messaging:resend_anyway", args=[notice.pk])).status_code == 302
    assert outbox.drain() == {}  # nothing is waiting for a decision any more


@pytest.mark.django_db
def test_a_read_timeout_on_the_send_becomes_a_dead_letter_at_once(sandbox, sandbox_account):
    account, key, remote, order, notice = delay_notice_queued(sandbox, sandbox_account)
    sandbox.admin.inject_fault(key, "timeout", operation="createUnexpectedProblem", seconds=0.1, drop=True, apply=True)
    assert outbox.drain() == {"dead": 1}
    assert sent_on_amazon(sandbox, key, remote) == 1
    assert OutboxMessage.objects.get(kind="messaging.notify").last_error == messaging_actions.MAYBE_SENT


@pytest.mark.django_db
def test_a_refused_connection_is_retried_and_sent_once(sandbox, sandbox_account):
    account, key, remote, order, notice = delay_notice_queued(sandbox, sandbox_account)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    real_url = account.api_base_url
    type(account).objects.filter(pk=account.pk).update(api_base_url=f"http://127.0.0.1:{closed_port}/amazon")
    assert outbox.drain() == {"retry": 1}
    message = OutboxMessage.objects.get(kind="messaging.notify")
    assert message.status == OutboxMessage.Status.PENDING
    notice.refresh_from_db()
    assert notice.send_started_at is None  # nothing reached Amazon: no mark left

    type(account).objects.filter(pk=account.pk).update(api_base_url=real_url)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"sent": 1}
    assert sent_on_amazon(sandbox, key, remote) == 1


@pytest.mark.django_db
def test_a_send_amazon_says_it_did_not_fulfil_is_retried_and_sent_once(sandbox, sandbox_account):
    """A 500 ("prevented the server from fulfilling the request", the spec) or a 429 on the create call: the
    mark is cleared, the outbox retries, the buyer gets one message."""
    account, key, remote, order, notice = delay_notice_queued(sandbox, sandbox_account)
    sandbox.admin.inject_fault(key, "http_error", operation="createUnexpectedProblem", status=500)
    assert outbox.drain() == {"retry": 1}
    notice.refresh_from_db()
    assert notice.send_started_at is None and sent_on_amazon(sandbox, key, remote) == 0
    OutboxMessage.objects.filter(kind="messaging.notify").update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"sent": 1}
    assert sent_on_amazon(sandbox, key, remote) == 1


@pytest.mark.django_db
def test_a_503_after_amazon_took_the_message_is_not_resent(sandbox, sandbox_account):
    """503 does not say the request was not carried out (the spec): unknown, never sent blindly again."""
    account, key, remote, order, notice = delay_notice_queued(sandbox, sandbox_account)
    sandbox.admin.inject_fault(key, "http_error", operation="createUnexpectedProblem", status=503, apply=True)
    assert outbox.drain() == {"dead": 1}
    assert sent_on_amazon(sandbox, key, remote) == 1
