"""Polling over real HTTP against the sandbox marketplaces: every platform, every fault, every race."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from marketplaces import polling
from marketplaces.models import MarketplaceAccount, QuarantinedOrder
from orders import events
from orders.models import Order, OrderEvent

PLATFORMS = ["amazon", "ebay", "mirakl", "cdiscount"]
LIST_OPERATION = {"amazon": "getOrders", "ebay": "getOrders", "mirakl": "OR11", "cdiscount": "getOrders"}


@pytest.mark.django_db
@pytest.mark.parametrize("platform", PLATFORMS)
def test_poll_ingests_every_order_once_across_pages(sandbox, sandbox_account, platform):
    account, key = sandbox_account(platform, settings={"page_size": 7})
    # Amazon's "Pending" turns "Unshipped" after a short while: start where it stays put.
    stable = {"status": "Unshipped"} if platform == "amazon" else {}
    remote = sandbox.admin.generate_orders(key, 23, lines=2, **stable)

    report = polling.poll_account(account_id=account.pk)

    assert report.claimed and report.error == "" and report.pages >= 4
    assert Order.objects.filter(account=account).count() == 23
    stored = set(Order.objects.filter(account=account).values_list("marketplace_order_id", flat=True))
    assert stored == {order["id"] for order in remote}
    account.refresh_from_db()
    assert account.cursor is not None and account.last_poll_succeeded_at is not None
    assert account.poll_lease_owner == "" and account.consecutive_failures == 0

    events_before = OrderEvent.objects.count()
    assert polling.poll_account(account_id=account.pk).error == ""
    assert Order.objects.filter(account=account).count() == 23
    assert OrderEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_change_on_the_marketplace_reaches_the_order(sandbox, sandbox_account, platform):
    account, key = sandbox_account(platform)
    [remote] = sandbox.admin.generate_orders(key, 1)
    polling.poll_account(account_id=account.pk)
    sandbox.admin.advance_clock(5)

    sandbox.admin.buyer_cancel(key, remote["id"], reason="changed my mind")
    polling.poll_account(account_id=account.pk)

    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    if platform == "ebay":  # an eBay buyer only asks; the seller decides (cancelState IN_PROGRESS)
        assert order.status == "accepted"
        assert order.lines.filter(buyer_requested_cancel=True).exists()
        return
    assert order.status == "cancelled"
    assert order.events.filter(kind=events.STATUS_CHANGED, actor_type="marketplace").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("http_error", {"status": 503}),
        ("malformed_json", {}),
        ("truncated_json", {}),
        ("expired_token", {}),
        ("timeout", {"seconds": 3}),
    ],
)
def test_faults_never_lose_or_duplicate_orders(sandbox, sandbox_account, kind, options):
    account, key = sandbox_account("mirakl", settings={"timeout_read": 1, "http_retries": 0})
    sandbox.admin.generate_orders(key, 12)
    sandbox.admin.inject_fault(key, kind, operation="OR11", count=1, **options)

    first = polling.poll_account(account_id=account.pk)
    account.refresh_from_db()
    if first.error:  # the fault reached us: nothing half-done, the cursor did not move
        assert account.cursor is None and account.consecutive_failures == 1 and account.last_poll_error
        MarketplaceAccount.objects.filter(pk=account.pk).update(next_poll_at=None)
        assert polling.poll_account(account_id=account.pk).error == ""
    else:  # an expired token is refreshed on the spot
        assert kind == "expired_token"

    assert Order.objects.filter(account=account).count() == 12
    assert Order.objects.filter(account=account).values("marketplace_order_id").distinct().count() == 12


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["duplicate_page", "reordered_page", "clock_skew"])
def test_odd_pages_still_give_every_order_once(sandbox, sandbox_account, kind):
    account, key = sandbox_account("cdiscount", settings={"page_size": 5})
    remote = sandbox.admin.generate_orders(key, 17)
    sandbox.admin.inject_fault(key, kind, operation="getOrders", count=2, seconds=3600)

    polling.poll_account(account_id=account.pk)
    polling.poll_account(account_id=account.pk)

    stored = list(Order.objects.filter(account=account).values_list("marketplace_order_id", flat=True))
    assert sorted(stored) == sorted(order["id"] for order in remote)
    account.refresh_from_db()
    assert account.cursor <= dt.datetime.now(dt.UTC)  # a skewed clock never pushes the cursor into the future


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_dispatch_each_account_once(sandbox, sandbox_account):
    accounts = [sandbox_account("mirakl")[0] for _ in range(5)]
    results, barrier = [], threading.Barrier(4)

    def dispatch():
        barrier.wait()
        try:
            results.append(polling.due_accounts())
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    close_old_connections()

    dispatched = [account_id for batch in results for account_id in batch]
    assert sorted(dispatched) == sorted(account.pk for account in accounts)


@pytest.mark.django_db(transaction=True)
def test_one_poller_per_account_even_when_many_start_together(sandbox, sandbox_account):
    account, key = sandbox_account("ebay")
    sandbox.admin.generate_orders(key, 30)
    reports, barrier = [], threading.Barrier(6)

    def poll():
        barrier.wait()
        try:
            reports.append(polling.poll_account(account_id=account.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(6)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    close_old_connections()

    assert sum(report.claimed for report in reports) == 1
    assert Order.objects.filter(account=account).count() == 30
    assert sandbox.admin.count(key, "getOrders")["requests"] == next(r.pages for r in reports if r.claimed)


@pytest.mark.django_db
def test_mirakl_is_never_polled_more_than_once_a_minute(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl", poll_interval_seconds=5)
    assert polling.interval_for(account) == dt.timedelta(seconds=60)


@pytest.mark.django_db
def test_a_payload_that_cannot_be_stored_is_quarantined_and_the_rest_still_arrives(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl")
    sandbox.admin.generate_orders(key, 3)
    sandbox.admin.generate_orders(key, 1, quantity=0)  # a line with no quantity: cannot be stored

    report = polling.poll_account(account_id=account.pk)

    assert report.error == "" and report.quarantined == 1
    assert Order.objects.filter(account=account).count() == 3
    quarantined = QuarantinedOrder.objects.get(account=account)
    assert "quantity" in quarantined.reason and quarantined.raw
    account.refresh_from_db()
    assert account.cursor is not None  # a quarantined order counts as stored: the cursor moves on
