"""Our shared limiter keeps every worker under each platform's limits: the sandbox counts."""

import threading

import pytest
from django.db import close_old_connections, connection

from marketplaces import polling
from marketplaces.ratelimit import RedisRateLimiter
from marketplaces.usage import calls
from orders.models import Order


@pytest.mark.django_db(transaction=True)
def test_polling_amazon_never_exceeds_get_order_items(sandbox, sandbox_account, settings):
    # Both sides at 10× Amazon's documented rates: the same shape, ten times faster.
    sandbox.admin.set_rate_scale(10)
    settings.OMS_RATE_LIMIT_SCALE = 10
    account, key = sandbox_account("amazon", settings={"page_size": 20})
    sandbox.admin.generate_orders(key, 45, status="Unshipped")

    report = polling.poll_account(account_id=account.pk)

    assert report.error == "" and Order.objects.filter(account=account).count() == 45
    items = sandbox.admin.count(key, "getOrderItems")
    assert items == {"requests": 45, "throttled": 0}
    assert sandbox.admin.count(key, "getOrders")["throttled"] == 0
    assert calls(account.pk)["getOrderItems"]["last_hour"] == 45


@pytest.mark.django_db(transaction=True)
def test_workers_share_one_budget(sandbox, sandbox_account, settings):
    """Three accounts of one eBay application polled at once share the application's quota."""
    settings.OMS_RATE_LIMIT_SCALE = 1
    sandbox.admin.set_rate_scale(1)
    limiter = RedisRateLimiter(max_wait=0)
    granted, barrier = [], threading.Barrier(6)

    def spend():
        barrier.wait()
        ok = 0
        for _ in range(10):
            if limiter.try_acquire("test:shared-app", rate=0.001, burst=12) == 0:
                ok += 1
        granted.append(ok)
        connection.close()

    threads = [threading.Thread(target=spend) for _ in range(6)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    close_old_connections()
    assert sum(granted) == 12  # 60 attempts from 6 threads, exactly the burst granted


@pytest.mark.django_db
def test_a_throttled_poll_backs_off_until_the_quota_returns(sandbox, sandbox_account, settings):
    settings.OMS_RATE_LIMIT_SCALE = 1
    sandbox.admin.set_rate_scale(1)
    account, key = sandbox_account("mirakl")
    sandbox.admin.generate_orders(key, 3)
    assert polling.poll_account(account_id=account.pk).error == ""

    second = polling.poll_account(account_id=account.pk)  # OR11: at most once a minute

    assert "retry after" in second.error
    assert sandbox.admin.count(key, "OR11") == {"requests": 1, "throttled": 0}  # we did not even ask
    account.refresh_from_db()
    assert account.next_poll_at is not None and account.consecutive_failures == 1


@pytest.mark.django_db
def test_a_poll_stopped_by_the_quota_goes_on_from_the_page_it_reached(sandbox, sandbox_account, settings):
    """At peak, Mirakl allows one OR11 call a minute: a long backlog is read page after page, never from the start again."""
    from marketplaces.ratelimit import redis_client

    settings.OMS_RATE_LIMIT_SCALE = 1
    sandbox.admin.set_rate_scale(1)
    account, key = sandbox_account("mirakl", settings={"page_size": 100})
    remote = sandbox.admin.generate_orders(key, 250)

    first = polling.poll_account(account_id=account.pk)
    assert first.pages == 1 and "retry after" in first.error
    account.refresh_from_db()
    assert account.resume_page_token == "100" and account.cursor is None

    for _ in range(2):  # a minute passes, twice
        for bucket in redis_client().scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:ratelimit:*"):
            redis_client().delete(bucket)
        sandbox.admin.set_rate_scale(1)  # refills the sandbox's buckets
        polling.poll_account(account_id=account.pk)

    offsets = [
        request["path"].split("offset=")[1].split("&")[0]
        for request in sandbox.admin.requests(account=key, operation="OR11")
    ]
    assert sorted(offsets, key=int) == ["0", "100", "200"]
    assert Order.objects.filter(account=account).count() == len(remote) == 250
    account.refresh_from_db()
    assert account.cursor is not None and account.resume_page_token == ""
