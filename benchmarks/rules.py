"""Benchmarks of the order rules (`python -m benchmarks --only rules`).

- rules applied per second on orders waiting for acceptance, in one process,
  with three rules that do not match before the one that accepts (the usual
  shape: exceptions first, auto-accept last), and the SQL queries per order;
- new order → rule decision lag, p95, through the real path: ingest commits,
  `orders_received` queues the task on commit, a Celery worker process runs it
  (the rule tags instead of accepting: no marketplace server runs here to push to);
- a dry run over the last 7 days of orders, in seconds.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.support import celery, child_env, own_accounts, p95, processes, report, wait_for
from demo.factories import OrderDataFactory
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.catalogue import CATALOGUE
from oms.outbox import OutboxMessage
from orders import pushes
from orders.actions import Actor, ingest_order, ingest_orders
from orders.models import Order
from orders.status import OrderStatus
from rules import actions, selectors
from rules.models import Rule, RuleDecision

PAGE = 200


def run(*, quick: bool = False) -> None:
    account = MarketplaceAccount.objects.create(platform="mirakl", name="Rules bench")
    with own_accounts([account]):
        _stock_everything()
        order_ids = _pending_orders(account, count=2_000 if quick else 20_000)  # before any rule: nothing queued
        _rules()
        apply_throughput(order_ids)
        dry_run_time()
        new_order_to_decision_lag(account, orders=30 if quick else 200)


def _queued() -> int:
    from marketplaces.ratelimit import redis_client

    return redis_client().llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def _stock_everything() -> None:
    from inventory.actions import adjust_stock
    from inventory.models import Product, Warehouse

    warehouse, _ = Warehouse.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    for item in CATALOGUE:
        product, _ = Product.objects.get_or_create(sku=item.sku, defaults={"title": item.title, "ean": item.ean})
        adjust_stock(
            product_id=product.pk, warehouse_id=warehouse.pk, change=10_000_000, note="bench", actor=Actor.system()
        )


def _pending_orders(account, *, count: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, count, PAGE):
        page = [
            OrderDataFactory(platform="mirakl", status=OrderStatus.PENDING_ACCEPTANCE)
            for _ in range(min(PAGE, count - start))
        ]
        ids += [result.order.pk for result in ingest_orders(account=account, orders=page)]
    return ids


def _rules() -> None:
    def add(name, action, conditions, **extra):
        definition = actions.RuleDefinition(name=name, action=action, conditions=conditions, **extra)
        actions.create_rule(definition=definition, created_by=None, enabled=True)

    add("Hold flagged buyers", "hold", [{"type": "buyer", "flagged": True}], action_reason="flagged buyer")
    add(
        "Refuse abroad",
        "refuse",
        [{"type": "country", "countries": ["FR"], "exclude": True}],
        action_reason="France only",
    )
    add(
        "Tag bulk buyers",
        "tag",
        [{"type": "quantity", "max_per_order": 50}, {"type": "total", "min": "100000"}],
        action_tag="bulk",
    )
    add(
        "Stock OK FR",
        "accept",
        [{"type": "stock"}, {"type": "total", "max": "100000"}, {"type": "country", "countries": ["FR"]}],
    )


def apply_throughput(order_ids: list[int]) -> None:
    sample, rest = order_ids[:PAGE], order_ids[PAGE:]
    with CaptureQueriesContext(connection) as queries:
        actions.apply_rules(order_ids=sample)
    report("rules_queries_per_order", len(queries) / len(sample), "queries")
    started = time.perf_counter()
    counts = actions.apply_rules(order_ids=rest)
    elapsed = time.perf_counter() - started
    assert counts.get("accept") == len(rest), counts
    report("rules_apply_throughput", len(rest) / elapsed, "orders/s")


def dry_run_time() -> None:
    rule = Rule.objects.get(name="Stock OK FR")
    started = time.perf_counter()
    result = selectors.dry_run(rule=rule, days=7)
    report("rules_dry_run_7_days", time.perf_counter() - started, "s")
    report("rules_dry_run_orders", result.looked_at, "orders")


def new_order_to_decision_lag(account, *, orders: int) -> None:
    """Same evaluation as the accept rule, acting with a tag: the figure is ours, not a push to a marketplace."""
    # The accepts above wrote pushes for a marketplace this bench has no server for: keep them out of the worker's way.
    OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk)).update(
        status=OutboxMessage.Status.DISCARDED
    )
    accept = Rule.objects.get(name="Stock OK FR")
    actions.set_rule_enabled(rule_id=accept.pk, enabled=False, updated_by=None)
    conditions = [{"type": "stock"}, {"type": "total", "max": "100000"}, {"type": "country", "countries": ["FR"]}]
    definition = actions.RuleDefinition(
        name="Stock OK FR (tag)", action="tag", action_tag="stock-ok", conditions=conditions
    )
    actions.create_rule(definition=definition, created_by=None, enabled=True)
    lags = []
    with processes(celery("worker", "--pool=solo"), env=child_env()):
        # Measure on an idle worker: first let it work off what earlier steps queued (outbox wake-ups).
        wait_for(lambda: _queued() == 0, seconds=600, step=0.5)
        for _ in range(orders):
            data = OrderDataFactory(platform="mirakl", status=OrderStatus.PENDING_ACCEPTANCE)
            started = time.perf_counter()
            order = ingest_order(account=account, data=data).order
            wait_for(lambda: RuleDecision.objects.filter(order=order).exists(), seconds=60, step=0.005)
            lags.append(time.perf_counter() - started)
    assert "stock-ok" in Order.objects.get(pk=order.pk).tags
    report("rules_new_order_to_decision_p95", p95(lags), "s")
