"""A worker killed with SIGKILL mid-page or mid-push: after a restart nothing is lost, duplicated or applied twice."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from marketplaces import polling
from marketplaces.models import MarketplaceAccount
from marketplaces.tasks import poll_account
from oms import outbox
from oms.outbox import OutboxMessage
from oms.tasks import drain_outbox
from orders import actions, events, pushes
from orders.models import Order, OrderEvent
from shipping import actions as shipping_actions
from tests.workers import kill, start_worker

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, *, seconds=60, step=0.005):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def test_worker_killed_in_the_middle_of_a_page(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl", settings={"page_size": 100})
    remote = sandbox.admin.generate_orders(key, 2000, lines=3)
    worker = start_worker()
    try:
        poll_account.delay(account.pk)
        wait_until(lambda: Order.objects.filter(account=account).count())  # a page is in
        kill(worker)  # most of a poll is spent fetching or storing a page: this lands in one
    finally:
        kill(worker)
    killed_at = timezone.now()
    stored_when_killed = Order.objects.filter(account=account).count()
    assert 0 < stored_when_killed < 2000, stored_when_killed
    account.refresh_from_db()
    assert account.cursor is None  # nothing said the pages were done
    assert account.poll_lease_owner, account.last_poll_error  # the dead worker's lease is still there...
    assert int(account.resume_page_token or 0) <= stored_when_killed  # ...and the page it reached

    # ...until it expires, within a minute of the last page it stored (the lease is renewed at each page)...
    assert polling.LEASE <= dt.timedelta(minutes=1)
    assert killed_at < account.poll_lease_until <= killed_at + polling.LEASE
    assert not polling.claim(account.pk, "another worker", killed_at)
    assert polling.claim(account.pk, "another worker", account.poll_lease_until + dt.timedelta(milliseconds=1))
    # ...then the next poll reads the same pages again.
    MarketplaceAccount.objects.filter(pk=account.pk).update(poll_lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert polling.poll_account(account_id=account.pk).error == ""

    stored = list(Order.objects.filter(account=account).values_list("marketplace_order_id", flat=True))
    assert sorted(stored) == sorted(order["id"] for order in remote)
    assert OrderEvent.objects.filter(order__account=account, kind=events.RECEIVED).count() == 2000
    assert all(order.lines.count() == 3 for order in Order.objects.filter(account=account).prefetch_related("lines"))


def test_worker_killed_in_the_middle_of_a_push(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, status="WAITING_ACCEPTANCE")
    polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actor = actions.Actor.of_user(operator)
    actions.accept_order(order_id=order.pk, actor=actor)
    outbox.drain()
    # The platform will apply the shipment 3 s after it receives it, long after the worker died.
    sandbox.admin.inject_fault(key, "timeout", operation="OR24", seconds=3, count=1)
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")

    worker = start_worker()
    try:
        drain_outbox.delay()
        wait_until(lambda: any(r["operation"] == "OR23" for r in sandbox.admin.requests(account=key)), step=0.05)
        time.sleep(0.5)  # OR24 is in flight now
        kill(worker)
    finally:
        kill(worker)
    message = outbox.messages_about(pushes.order_subject(order.pk)).get(kind=pushes.SHIP)
    assert message.status == OutboxMessage.Status.SENDING  # nobody knows whether it went through
    wait_until(lambda: sandbox.admin.order(key, remote["id"])["status"] == "SHIPPED", step=0.1)

    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox.drain() == {"sent": 1}

    history = [action["action"] for action in sandbox.admin.order_actions(key, remote["id"])]
    assert history == ["OR21", "OR23", "OR24"]


def test_a_poll_refused_once_is_retried_after_its_backoff_not_after_the_accounts_interval(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl", poll_interval_seconds=3600)
    sandbox.admin.generate_orders(key, 3)
    sandbox.admin.set_rate_scale(1, account=key)
    sandbox.admin.set_rate_limit(key, "OR11", rate=1 / 20, burst=1)  # one call per 20 s on the platform's side
    assert polling.due_accounts() == [account.pk]  # dispatched: due again in an hour
    assert polling.poll_account(account_id=account.pk).error == ""

    sandbox.admin.generate_orders(key, 2)
    failed_at = timezone.now()
    report = polling.poll_account(account_id=account.pk)  # the platform answers 429, Retry-After ~20 s
    assert "429" in report.error or "rate" in report.error.lower(), report.error
    account.refresh_from_db()
    assert account.consecutive_failures == 1 and account.poll_lease_owner == ""
    assert failed_at < account.next_poll_at <= timezone.now() + dt.timedelta(seconds=21)  # not in an hour

    sandbox.admin.set_rate_scale(1_000_000, account=key)
    assert polling.due_accounts(now=account.next_poll_at) == [account.pk]
    assert polling.poll_account(account_id=account.pk).error == ""
    assert Order.objects.filter(account=account).count() == 5
