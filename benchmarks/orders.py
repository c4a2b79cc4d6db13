"""Benchmarks of the order queue and the orders API (issue: queue, bulk actions, API).

Run by `python -m benchmarks` on its own database:

- `generate_orders`: 1,000,000 orders, their lines and "received" events written with COPY
  (`demo.order_history`);
- queue page server time p95 through Django's test client (session, middleware,
  template), 25 and 100 rows, several filters and searches, and SQL queries per page;
- exact-number search p95: a marketplace order id, a tracking number or our number
  pasted into the queue's search, found through its index and opened (the redirect);
- API list p95 (token authentication, 50 rows);
- bulk accept of 1,000 orders: job creation + run, orders per second.
"""

from __future__ import annotations

import random
import time
import uuid

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from benchmarks.support import own_accounts, p95, report
from demo.order_history import generate_orders
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.catalogue import CATALOGUE
from order_queue import bulk
from order_queue.filters import OrderFilter
from orders.models import BulkJob, Order
from orders.status import OrderStatus

QUEUE_FILTERS = [
    {},
    {"status": "pending_acceptance"},
    {"status": ["accepted", "partially_shipped"], "deadline": "today"},
    {"deadline": "overdue"},
    {"platform": "mirakl", "status": "accepted"},
    {"q": "martin"},
    {"q": "helene"},
    {"q": "buyer12345"},
    {"sku": CATALOGUE[3].sku, "status": "accepted"},
    {"country": "BE", "sort": "newest"},
    {"min_total": "100", "max_total": "200", "status": "shipped"},
]


def _operator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username="bench-operator")
    if created:
        user.groups.add(Group.objects.get(name="operator"))
    return user


def queue_page(client: Client, *, rows: int, rounds: int) -> None:
    timings, queries = [], []
    for _ in range(rounds):
        for params in QUEUE_FILTERS:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/orders/", {**params, "per_page": rows}, secure=True)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            queries.append(len(captured))
    report(f"queue_page_{rows}_rows_p95", p95(timings) * 1000, "ms")
    report(f"queue_page_{rows}_rows_queries_max", max(queries), "queries")


def exact_search(client: Client, *, rounds: int) -> None:
    """Identifiers of random orders, as an operator pastes them: the queue answers with the order page."""
    rng = random.Random(11)
    last = Order.objects.order_by("-id").values_list("id", flat=True).first()
    orders = Order.objects.in_bulk([rng.randint(1, last) for _ in range(rounds * 10)]).values()
    typed = [order.marketplace_order_id for order in orders] + [order.number for order in orders]
    typed += list(Order.objects.exclude(tracking_number="").values_list("tracking_number", flat=True)[: rounds * 10])
    timings, sql_timings = [], []
    for text in typed:
        started = time.perf_counter()
        response = client.get("/orders/", {"q": text}, secure=True)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, (text, response.status_code)
        # The search alone, without the session, permissions and redirect around it.
        started = time.perf_counter()
        found = list(OrderFilter({"q": text}, queryset=Order.objects.all()).qs.values_list("pk", flat=True)[:2])
        sql_timings.append(time.perf_counter() - started)
        assert len(found) == 1, (text, found)
    report("exact_search_p95", p95(timings) * 1000, "ms")
    report("exact_search_queries_p95", p95(sql_timings) * 1000, "ms")


def api_list(client: Client, *, rounds: int) -> None:
    timings = []
    params = [
        {},
        {"status": "pending_acceptance"},
        {"updated_since": "2026-01-01T00:00:00Z"},
        {"q": "dupont"},
        {"deadline": "overdue"},
    ]
    for _ in range(rounds):
        for query in params:
            started = time.perf_counter()
            response = client.get("/api/v1/orders/", query, secure=True)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
    report("api_list_p95", p95(timings) * 1000, "ms")


def bulk_accept(user, *, orders: int) -> None:
    order_ids = list(
        Order.objects.filter(status=OrderStatus.PENDING_ACCEPTANCE).order_by("id").values_list("pk", flat=True)[:orders]
    )
    started = time.perf_counter()
    job = bulk.start_job(user=user, key=uuid.uuid4().hex, action=BulkJob.Action.ACCEPT, order_ids=order_ids)
    job = bulk.run_job(job_id=job.pk)
    elapsed = time.perf_counter() - started
    assert job.succeeded == len(order_ids), (job.succeeded, job.failed)
    report(f"bulk_accept_{len(order_ids)}_throughput", len(order_ids) / elapsed, "orders/s")


def run(*, quick: bool = False) -> None:
    count = 50_000 if quick else 1_000_000
    seconds = generate_orders(count)
    report("generate_orders", count, "orders")
    report("generate_orders_rate", count / seconds, "orders/s")
    # Served by the test client: its host name, and static URLs without a collectstatic manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        own_accounts(_history_accounts()),
        override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages),
    ):
        _measure(quick=quick)
    _forget_queued_tasks()


def _history_accounts() -> list[MarketplaceAccount]:
    """The accounts the generated orders belong to: no credentials, never to be polled or pushed to by later phases."""
    return list(MarketplaceAccount.objects.filter(pk__in=Order.objects.values("account_id").distinct()))


def _measure(*, quick: bool) -> None:
    user = _operator()
    client = Client()
    client.force_login(user)
    client.get("/orders/", secure=True)  # warm up: templates, connections
    rounds = 3 if quick else 10
    for rows in (25, 100):
        queue_page(client, rows=rows, rounds=rounds)
    exact_search(client, rounds=rounds)
    from rest_framework.authtoken.models import Token

    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    api_list(api, rounds=rounds * 2)
    bulk_accept(user, orders=200 if quick else 1000)


def _forget_queued_tasks() -> None:
    """The bulk job ran here; its after-commit task (and outbox wake-ups) have no worker to go to."""
    from marketplaces.ratelimit import redis_client

    redis_client().delete(settings.CELERY_TASK_DEFAULT_QUEUE)
