"""Delay notices: an accepted order not shipped near its ship-by date is proposed to the operator (order page,
inbox hint), sent by the operator or automatically per account, through the platform's channel, once per
order and ship-by date, on the order's timeline. Over HTTP against the sandbox (Mirakl OR43, Amazon's
Messaging API)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplaces import polling as order_polling
from messaging import delay, events, tasks
from messaging.models import AccountMessaging, DelayNotice, Message, Template, Thread, Topic
from oms import outbox
from oms.errors import DomainError
from oms.outbox import OutboxMessage
from orders import actions
from orders.models import Order, OrderEvent
from orders.platforms import CAPABILITIES


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accepted_mirakl_order(sandbox, sandbox_account, operator, *, mode):
    account, key = sandbox_account("mirakl")
    AccountMessaging.objects.create(account=account, notify_on_delay=mode, delay_horizon_hours=6)
    [remote] = sandbox.admin.generate_orders(key, 1, status="WAITING_ACCEPTANCE")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    outbox.drain()
    return account, key, remote, order


def set_ship_by(order, hours_from_now: float):
    Order.objects.filter(pk=order.pk).update(ship_by=timezone.now() + dt.timedelta(hours=hours_from_now))
    order.refresh_from_db()


def notices_on(sandbox, key, remote_id):
    return [a for a in sandbox.admin.order_actions(key, remote_id) if a["action"] == "OR43"]


@pytest.mark.django_db
def test_the_operator_is_offered_a_delay_notice_and_sends_it_once_on_mirakl(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    client = logged_in(operator)
    set_ship_by(order, 10)  # beyond the account's 6 h horizon: not at risk
    assert 'id="delay-notice"' not in client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="delay-hint"' not in client.get(reverse("messaging:inbox")).content.decode()

    set_ship_by(order, 3)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="delay-notice"' in page and order.buyer_name in page  # the default text, filled in
    hint = client.get(reverse("messaging:inbox")).content.decode()
    assert 'id="delay-hint"' in hint and reverse("orders:detail", args=[order.pk]) in hint

    body = "Bonjour {buyer_name}, votre commande {order_number} partira demain. Toutes nos excuses."
    sent = client.post(reverse("messaging:delay_notice", args=[order.pk]), {"body": body})
    assert sent.status_code == 302
    assert outbox.drain() == {"sent": 1}
    [notice] = notices_on(sandbox, key, remote["id"])
    [remote_thread] = [t for t in sandbox.admin.threads(key) if t["order_id"] == remote["id"]]
    text = remote_thread["messages"][0]["body"]
    assert text.startswith(f"Bonjour {order.buyer_name}, votre commande ") and "{" not in text
    thread = Thread.objects.get(order=order, topic=Topic.DELAY)
    assert thread.platform_thread_id == remote_thread["id"]
    assert thread.messages.get().delivery == Message.Delivery.SENT and thread.messages.get().author == operator
    event = OrderEvent.objects.get(order=order, kind=events.BUYER_TOLD_DELAYED)
    assert event.params == {"platform": CAPABILITIES[account.platform].display_name}
    assert DelayNotice.objects.get(order=order).ship_by == order.ship_by

    # Once per ship-by date: offered no more, a second send is refused and changes nothing.
    assert 'id="delay-notice"' not in client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert 'id="delay-hint"' not in client.get(reverse("messaging:inbox")).content.decode()
    again = client.post(reverse("messaging:delay_notice", args=[order.pk]), {"body": body}, follow=True)
    assert "already told" in again.content.decode() or "déjà" in again.content.decode()
    assert DelayNotice.objects.filter(order=order).count() == 1
    assert not OutboxMessage.objects.filter(status="pending").exists()

    # A notice too long for every platform is refused before anything is written.
    set_ship_by(order, 2)  # a new ship-by date: the buyer may be told again
    refused = client.post(reverse("messaging:delay_notice", args=[order.pk]), {"body": "x" * 2001})
    assert refused.status_code == 302 and DelayNotice.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_an_account_set_to_send_tells_its_buyers_by_itself_once_per_ship_by(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="send")
    set_ship_by(order, -1)  # already late
    assert delay.proposal(order)["automatic"] and delay.proposal(order)["overdue"]
    assert 'id="delay-hint"' not in logged_in(operator).get(reverse("messaging:inbox")).content.decode()

    assert tasks.send_delay_notices() == 1
    assert outbox.drain() == {"sent": 1}
    assert len(notices_on(sandbox, key, remote["id"])) == 1
    assert DelayNotice.objects.get(order=order).automatic
    assert tasks.send_delay_notices() == 0  # told for this ship-by date

    set_ship_by(order, 1)  # the platform moved the ship-by date: at risk again, told again
    assert tasks.send_delay_notices() == 1
    outbox.drain()
    assert len(notices_on(sandbox, key, remote["id"])) == 2
    assert OrderEvent.objects.filter(order=order, kind=events.BUYER_TOLD_DELAYED).count() == 2


@pytest.mark.django_db
def test_nothing_is_proposed_when_switched_off_or_once_shipped(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="off")
    set_ship_by(order, -1)
    assert delay.proposal(order) is None and tasks.send_delay_notices() == 0
    with pytest.raises(DomainError):
        delay.notify_delay(order_id=order.pk, user=operator)
    assert not DelayNotice.objects.exists() and not Thread.objects.filter(order=order).exists()

    AccountMessaging.objects.filter(pk=account.pk).update(notify_on_delay="propose")
    assert delay.proposal(order) is not None
    Order.objects.filter(pk=order.pk).update(status="shipped")
    assert delay.proposal(order) is None


@pytest.mark.django_db(transaction=True)
def test_two_operators_sending_at_once_tell_the_buyer_once(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    set_ship_by(order, 1)
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait()
            delay.notify_delay(order_id=order.pk, user=operator)
            outcomes.append("sent")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [threading.Thread(target=send) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["refused", "sent"]
    assert DelayNotice.objects.filter(order=order).count() == 1
    assert OutboxMessage.objects.filter(kind="messaging.notify").count() == 1


@pytest.mark.django_db
def test_the_operator_sends_a_delay_template_filled_in_for_the_order(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    set_ship_by(order, 1)
    template = Template.objects.create(
        name="Retard fournisseur",
        language="fr",
        topic=Topic.DELAY,
        body="Bonjour {buyer_name}, retard pour {order_number}.",
    )
    Template.objects.create(name="Colis parti", language="fr", topic=Topic.WHERE_IS_MY_PARCEL, body="Parti !")
    client = logged_in(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f'<option value="{template.pk}">Retard fournisseur' in page and "Colis parti" not in page

    client.post(reverse("messaging:delay_notice", args=[order.pk]), {"template": template.pk, "body": "ignored"})
    assert outbox.drain() == {"sent": 1}
    [remote_thread] = [t for t in sandbox.admin.threads(key) if t["order_id"] == remote["id"]]
    number = order.reference or order.marketplace_order_id
    assert remote_thread["messages"][0]["body"] == f"Bonjour {order.buyer_name}, retard pour {number}."
