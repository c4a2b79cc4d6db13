"""Benchmarks of the marketplace pipeline (issue: connectors, polling, outbox).

Run by `python -m benchmarks` on its own database, with a sandbox server and real
Celery workers in their own processes:

- ingest throughput, sandbox pages → database, 2 worker processes;
- worker peak RSS while ingesting 100k orders;
- outbox push lag (decision committed → marketplace answered), p95;
- marketplace → queue lag under the default schedule and the real rate limits, p95.

The throughput and memory figures lift the rate limits (sandbox and ours) so
they measure our pipeline, not the platforms' quotas; the lag figure keeps them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.db import connection
from django.db.models import F

from benchmarks.support import (
    beat_schedule,
    celery,
    child_env,
    cpu_seconds,
    free_port,
    own_accounts,
    p95,
    processes,
    report,
    rss_bytes,
    sandbox_command,
    wait_for,
)
from marketplaces.models import MarketplaceAccount
from marketplaces.polling import due_accounts
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox_accounts import connect_sandbox_account
from marketplaces.tasks import poll_account
from oms.outbox import OutboxMessage
from orders import actions, pushes
from orders.models import Order

UNLIMITED = "1000000"


def run(*, quick: bool = False) -> None:
    port = free_port()
    with processes(sandbox_command(port, "--rate-scale", "1")):
        admin = SandboxAdmin(f"http://127.0.0.1:{port}")
        wait_for(lambda: _healthy(admin), seconds=30)
        ingest_throughput(admin, orders_per_account=800 if quick else 4000)
        worker_memory(admin, orders=10_000 if quick else 100_000)
        outbox_lag(admin, orders=60 if quick else 300)
        marketplace_to_queue_lag(admin, seconds=75 if quick else 240)


def _healthy(admin: SandboxAdmin) -> bool:
    try:
        return bool(admin.health())
    except Exception:
        return False


def _generate(admin: SandboxAdmin, key: str, count: int, **options) -> None:
    while count > 0:
        batch = min(count, 10_000)
        admin.generate_orders(key, batch, **options)
        count -= batch


def _drive_dispatcher(stop: threading.Event) -> None:
    """What beat does: dispatch due accounts (polls that ran out of page budget are due at once)."""
    try:
        while not stop.is_set():
            for account_id in due_accounts():
                poll_account.delay(account_id)
            stop.wait(0.5)
    finally:
        connection.close()  # this thread's own connection: left open, the bench database could not be dropped


def _ingest(admin, accounts: list[MarketplaceAccount], expected: int, *, timeout: float, sample=None) -> float:
    """Dispatch polls until `expected` orders of `accounts` are stored; returns the seconds it took."""
    stop = threading.Event()
    dispatcher = threading.Thread(target=_drive_dispatcher, args=(stop,), daemon=True)
    stored = Order.objects.filter(account__in=accounts)

    def done() -> bool:
        if sample:
            sample()
        return stored.count() >= expected

    started = time.perf_counter()
    dispatcher.start()
    try:
        wait_for(done, seconds=timeout, step=0.25)
    finally:
        stop.set()
        dispatcher.join()
    return time.perf_counter() - started


def ingest_throughput(admin: SandboxAdmin, *, orders_per_account: int) -> None:
    admin.set_rate_scale(float(UNLIMITED))
    page_sizes = {"amazon": 100, "ebay": 200, "mirakl": 100, "cdiscount": 100}
    accounts = []
    for platform in ("amazon", "ebay", "mirakl", "mirakl", "cdiscount"):
        account, key = connect_sandbox_account(admin, platform, settings={"page_size": page_sizes[platform]})
        status = {"status": "Unshipped"} if platform == "amazon" else {}
        _generate(admin, key, orders_per_account, lines=2, **status)
        accounts.append(account)
    expected = orders_per_account * len(accounts)
    with (
        own_accounts(accounts),
        processes(celery("worker", "--concurrency=2"), env=child_env(OMS_RATE_LIMIT_SCALE=UNLIMITED)) as (worker,),
    ):
        time.sleep(3)  # let the worker boot before the clock starts
        cpu_before = cpu_seconds(worker.pid)
        elapsed = _ingest(admin, accounts, expected, timeout=1800)
        cpu = cpu_seconds(worker.pid) - cpu_before
    report("ingest_throughput_2_workers", expected / elapsed, "orders/s")
    report("ingest_orders", expected, "orders")
    # The sandbox, PostgreSQL and the workers share the machine's 2 cores; this is our own cost.
    report("ingest_worker_cpu_per_order", cpu / expected * 1000, "ms")


def worker_memory(admin: SandboxAdmin, *, orders: int) -> None:
    admin.set_rate_scale(float(UNLIMITED))
    account, key = connect_sandbox_account(admin, "mirakl", settings={"page_size": 100})
    _generate(admin, key, orders, lines=2)
    peak = {"tree": 0}
    with (
        own_accounts([account]),
        processes(celery("worker", "--concurrency=1"), env=child_env(OMS_RATE_LIMIT_SCALE=UNLIMITED)) as (worker,),
    ):

        def sample():
            peak["tree"] = max(peak["tree"], rss_bytes(worker.pid))

        elapsed = _ingest(admin, [account], orders, timeout=3600, sample=sample)
    report(
        "worker_peak_rss_100k_ingest" if orders >= 100_000 else f"worker_peak_rss_{orders}_ingest",
        peak["tree"] / 2**20,
        "MB",
    )
    report("worker_ingest_single_account", orders / elapsed, "orders/s")


def outbox_lag(admin: SandboxAdmin, *, orders: int) -> None:
    admin.set_rate_scale(1)  # the platforms' real limits
    account, key = connect_sandbox_account(admin, "mirakl", poll_interval_seconds=3600)
    _generate(admin, key, orders, status="WAITING_ACCEPTANCE")
    with (
        own_accounts([account]),
        processes(celery("worker", "--concurrency=2"), env=child_env(OMS_RATE_LIMIT_SCALE=UNLIMITED)),
    ):
        _ingest(admin, [account], orders, timeout=600)
        actor = actions.Actor.system("bench")
        for order in Order.objects.filter(account=account):
            actions.accept_order(order_id=order.pk, actor=actor)
            time.sleep(0.02)  # an operator clicking through the queue, fast
        wait_for(
            lambda: (
                not OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk))
                .exclude(status="sent")
                .exists()
            ),
            seconds=600,
        )
    lags = [
        (message.sent_at - message.created_at).total_seconds()
        for message in OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk)).only(
            "sent_at", "created_at"
        )
    ]
    report("outbox_push_lag_p95", p95(lags), "s")
    report("outbox_push_lag_max", max(lags), "s")


def marketplace_to_queue_lag(admin: SandboxAdmin, *, seconds: int) -> None:
    """Orders arrive on four platforms over time; poll on the default schedule with the real limits."""
    admin.set_rate_scale(1)
    accounts = {}
    for platform in ("amazon", "ebay", "mirakl", "cdiscount"):
        account, key = connect_sandbox_account(admin, platform)
        accounts[key] = account
    window_start = dt.datetime.now(dt.UTC)
    with (
        own_accounts(list(accounts.values())),
        beat_schedule() as schedule,
        processes(celery("worker", "--concurrency=2"), celery("beat", "--schedule", schedule), env=child_env()),
    ):
        for key in accounts:
            admin.set_generation(key, interval_seconds=8)
        time.sleep(seconds)
        for key in accounts:
            admin.set_generation(key, interval_seconds=None)
        window_end = dt.datetime.now(dt.UTC)
        expected = sum(
            1
            for key in accounts
            for order in admin.orders(key)
            if window_start <= dt.datetime.fromisoformat(order["created_at"].replace("Z", "+00:00")) <= window_end
        )
        in_window = Order.objects.filter(account__in=accounts.values(), purchased_at__range=(window_start, window_end))
        wait_for(lambda: in_window.count() >= expected, seconds=180, step=1)
    lags = [
        lag.total_seconds()
        for lag in in_window.annotate(lag=F("created_at") - F("purchased_at")).values_list("lag", flat=True)
    ]
    report("marketplace_to_queue_lag_p95", p95(lags), "s")
    report("marketplace_to_queue_orders", len(lags), "orders")
