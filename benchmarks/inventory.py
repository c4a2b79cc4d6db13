"""Benchmarks of the inventory (issue: inventory).

Run by `python -m benchmarks` on its own database:

- reservations per second, 50 concurrent connections, on one hot SKU and on spread SKUs;
- stock change → the sandbox marketplaces show it, p95, with the default intervals and
  the platforms' real rate limits (a sandbox server, a Celery worker and beat in their own
  processes);
- CSV import of 100,000 rows: time, and peak Python memory (tracemalloc).
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import queue
import random
import threading
import time
import tracemalloc

from django.conf import settings
from django.db import connection, connections

from benchmarks.support import (
    beat_schedule,
    celery,
    free_port,
    own_accounts,
    p95,
    processes,
    report,
    sandbox_command,
    wait_for,
)
from demo.factories import OrderDataFactory, OrderLineDataFactory
from inventory import actions, selectors
from inventory.actions import StockCount
from inventory.imports import read_stock_counts
from inventory.models import ChannelRule, OrderAllocation, PendingStockPush, Product, Warehouse
from marketplaces.connectors import CONNECTORS
from marketplaces.connectors.http import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.catalogue import CATALOGUE
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox_accounts import connect_sandbox_account
from orders import signals
from orders.actions import Actor, ingest_orders

CONNECTIONS = 50
PROCESSES = 10  # × 5 threads: 50 connections, without one process's GIL as the limit
ACTOR = Actor.system("bench")
# The calls that publish stock and read its report (the names the connectors' rate_limits use).
STOCK_OPERATIONS = {
    "patchListingsItem",
    "bulkUpdatePriceQuantity",
    "STO01",
    "STO02",
    "STO03",
    "createOfferPackage",
    "getOfferPackage",
}


def run(*, quick: bool = False) -> None:
    warehouse, _ = Warehouse.objects.get_or_create(code="bench", defaults={"name": "Bench", "priority": 1})
    # First, while only its ten SKUs exist: the others would all be published to the sandbox too.
    stock_to_marketplace_lag(warehouse, seconds=70 if quick else 240)
    reservations_per_second(warehouse, label="hot_sku", skus=1, orders=500 if quick else 3000)
    reservations_per_second(warehouse, label="spread_skus", skus=500, orders=500 if quick else 3000)
    csv_import(rows=10_000 if quick else 100_000)


def _orders_without_reservation(account, skus: list[str], count: int) -> list[int]:
    """Ingest orders with the reservation receiver off, so that only the reservations are timed."""
    signals.orders_received.disconnect(dispatch_uid="inventory.reserve")
    try:
        ids = []
        for start in range(0, count, 200):
            page = [
                OrderDataFactory(
                    platform=account.platform,
                    status="accepted",
                    lines=(
                        OrderLineDataFactory(
                            marketplace_line_id=f"b{start + i}-{random.random()}", sku=random.choice(skus), quantity=1
                        ),
                    ),
                )
                for i in range(min(200, count - start))
            ]
            ids += [result.order.pk for result in ingest_orders(account=account, orders=page)]
        return ids
    finally:
        signals.orders_received.connect(actions.on_orders_received, dispatch_uid="inventory.reserve")


def reservations_per_second(warehouse: Warehouse, *, label: str, skus: int, orders: int) -> None:
    """50 connections: 10 processes (as workers would be) of 5 threads, each reserving its share of the orders."""
    account = MarketplaceAccount.objects.create(platform="mirakl", name=f"bench reservations {label}", enabled=False)
    names = [f"{label.upper()}-{i}" for i in range(skus)]
    Product.objects.bulk_create(Product(sku=name, title=name) for name in names)
    actions.set_stock(
        rows=[StockCount(sku=name, warehouse=warehouse.code, quantity=orders) for name in names],
        actor=ACTOR,
        note="bench",
    )
    order_ids = _orders_without_reservation(account, names, orders)
    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.SimpleQueue()
    workers = [
        context.Process(target=_reserve_share, args=(order_ids[i::PROCESSES], barrier, results))
        for i in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    spans = [results.get() for _ in workers]
    for process in workers:
        process.join()
    started, finished = min(s for s, _, _ in spans), max(f for _, f, _ in spans)
    reserved = sum(count for _, _, count in spans)
    assert reserved == orders, "every order had stock: all must reserve"
    report(f"reservations_per_second_{label}_50_connections", orders / (finished - started), "reservations/s")


def _reserve_share(order_ids: list[int], barrier, results) -> None:
    todo = queue.SimpleQueue()
    for order_id in order_ids:
        todo.put(order_id)
    reserved = []

    def worker():
        try:
            while True:
                try:
                    order_id = todo.get_nowait()
                except queue.Empty:
                    return
                reserved.append(actions.reserve_order(order_id=order_id, actor=ACTOR).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS // PROCESSES)]
    barrier.wait()
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((started, time.time(), reserved.count("reserved")))


def csv_import(*, rows: int) -> None:
    warehouses = [
        Warehouse.objects.get_or_create(code=f"csv{i}", defaults={"name": f"CSV {i}", "priority": 5})[0] for i in (1, 2)
    ]
    Product.objects.bulk_create(
        (Product(sku=f"CSV-{i:06d}", title=f"CSV {i}") for i in range(rows // 2)), batch_size=5000
    )

    def counts(offset: int) -> io.BytesIO:
        text = io.StringIO()
        text.write("sku,warehouse,quantity\n")
        for i in range(rows // 2):
            for warehouse in warehouses:
                text.write(f"CSV-{i:06d},{warehouse.code},{(i + offset) % 97}\n")
        return io.BytesIO(text.getvalue().encode())

    def run_import(data: io.BytesIO):
        parsed, refused = read_stock_counts(data)
        return actions.import_stock_counts(rows=parsed, refused=refused, actor=ACTOR, note="bench")

    data = counts(1)
    started = time.perf_counter()
    result = run_import(data)
    elapsed = time.perf_counter() - started
    assert len(result.applied) == rows and not result.refused
    data = counts(2)
    tracemalloc.start()
    run_import(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    label = "100k" if rows == 100_000 else str(rows)
    report(f"csv_import_{label}_rows_seconds", elapsed, "s")
    report(f"csv_import_{label}_rows_per_second", rows / elapsed, "rows/s")
    report(f"csv_import_{label}_rows_peak_python_memory", peak / 2**20, "MB")


def stock_to_marketplace_lag(warehouse: Warehouse, *, seconds: int) -> None:
    """Stock changes every few seconds; how long until each platform's sandbox shows the new quantity."""
    port = free_port()
    with processes(sandbox_command(port, "--rate-scale", "1")):
        admin = SandboxAdmin(f"http://127.0.0.1:{port}")
        wait_for(lambda: _healthy(admin), seconds=30)
        PendingStockPush.objects.all().delete()  # earlier benchmarks' products are not this one's business
        # Nor their orders: the marketplaces benchmark leaves thousands back-ordered on these very SKUs,
        # which beat's back-order retry would serve from every unit this one adds (the channels show 0).
        OrderAllocation.objects.filter(status=OrderAllocation.Status.BACKORDER).delete()
        accounts = {}
        for platform in ("amazon", "ebay", "mirakl", "cdiscount"):
            account, key = connect_sandbox_account(admin, platform)
            ChannelRule.objects.create(account=account)
            accounts[key] = account
        products = [item.sku for item in CATALOGUE[:10]]
        Product.objects.bulk_create(
            (Product(sku=item.sku, ean=item.ean, title=item.title) for item in CATALOGUE[:10]), ignore_conflicts=True
        )
        actions.set_stock(
            rows=[StockCount(sku=sku, warehouse=warehouse.code, quantity=10) for sku in products],
            actor=ACTOR,
            note="bench",
        )
        ids = dict(Product.objects.filter(sku__in=products).values_list("sku", "pk"))
        changes = []  # (sku, quantity the channels must show, committed at)
        settle = settle_seconds(list(accounts.values()))
        with (
            own_accounts(list(accounts.values())),
            beat_schedule() as schedule,
            processes(celery("worker", "--concurrency=2"), celery("beat", "--schedule", schedule)),
        ):
            wait_for(
                lambda: all(_shows(admin, key, dict.fromkeys(products, 10)) for key in accounts), seconds=settle, step=1
            )
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                sku = random.choice(products)
                actions.adjust_stock(
                    product_id=ids[sku], warehouse_id=warehouse.pk, change=1, note="bench", actor=ACTOR
                )
                quantity = selectors.channel_quantities(account=next(iter(accounts.values())), product_ids=[ids[sku]])[
                    sku
                ]
                changes.append((sku, quantity, dt.datetime.now(dt.UTC)))
                time.sleep(random.uniform(1, 5))
            final = {sku: quantity for sku, quantity, _ in changes}
            wait_for(lambda: all(_shows(admin, key, final) for key in accounts), seconds=settle, step=1)
        lags: dict[str, list[float]] = {}
        for key, account in accounts.items():
            history = admin.stock(key)["history"]
            for sku, quantity, at in changes:
                seen = min(
                    _parse(entry["published_at"])
                    for entry in history
                    if entry["sku"] == sku
                    and entry["quantity"] >= quantity
                    and _parse(entry["published_at"]) >= at - dt.timedelta(seconds=1)
                )
                lags.setdefault(account.platform, []).append(max((seen - at).total_seconds(), 0))
    every = [lag for values in lags.values() for lag in values]
    report("stock_change_to_marketplace_p95", p95(every), "s")
    for platform, values in sorted(lags.items()):
        report(f"stock_change_to_marketplace_p95_{platform}", p95(values), "s")
    report("stock_changes_measured", len(changes), "changes")


def settle_seconds(accounts: list[MarketplaceAccount]) -> float:
    """How long a stock change may take to show on every account, from the platforms' documented limits.

    Worst case per account: the change lands just after a push went out, so it waits the account's
    push interval (inventory.actions.push_interval: Mirakl STO01 once a minute); that push may then find
    the platform's bucket for the stock call empty and wait one full refill (the connector's rate
    limit), plus beat's push and outbox ticks. Twice that for one push retried after a 429 or a timeout.
    """
    ticks = sum(settings.CELERY_BEAT_SCHEDULE[name]["schedule"] for name in ("push-stock", "drain-outbox"))

    def one(account: MarketplaceAccount) -> float:
        limits = CONNECTORS[account.platform].rate_limits
        refill = max((1 / rate for operation, (rate, _) in limits.items() if operation in STOCK_OPERATIONS), default=0)
        return actions.push_interval(account) + refill + ticks + CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS

    return 2 * max(one(account) for account in accounts)


def _healthy(admin: SandboxAdmin) -> bool:
    try:
        return bool(admin.health())
    except Exception:
        return False


def _shows(admin: SandboxAdmin, key: str, expected: dict[str, int]) -> bool:
    stock = admin.stock(key)["stock"]
    return all(stock.get(sku, {}).get("quantity") == quantity for sku, quantity in expected.items())


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
