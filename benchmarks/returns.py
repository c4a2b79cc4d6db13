"""Benchmark of the returns queue (issue 14): its page and its API list with 100,000 returns.

- returns_generate: an order history written with COPY, then one return per shipped order in SQL
  (not a figure to quote);
- returns_queue_<filter>_p95 and returns_queue_p95: the page's server time through Django's
  test client (session, middleware, template), most urgent first, for each filter an operator
  uses (target ≤ 150 ms p95);
- returns_api_list_p95: the API list (token, 50 rows).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from benchmarks.support import own_accounts, p95, report
from demo.order_history import generate_orders
from inventory.models import Warehouse
from marketplaces.models import MarketplaceAccount
from orders.models import Order
from returns.models import ReturnReason, ReturnRequest, ReturnStatus

BATCH = 5_000
PLATFORMS = ("amazon", "ebay", "mirakl", "cdiscount")
FILTERS = {
    "open": {},
    "platform": {"platform": "mirakl"},
    "status": {"status": "received"},
    "reason": {"reason": "damaged", "status": "open"},
    "overdue": {"deadline": "overdue"},
    "warehouse": {"warehouse": "lyon"},
    "late": {"late": "true"},
    "search": {"q": "RET-0000042"},
    "page_20": {"page": "20"},
}


STATUSES = list(ReturnStatus.values)
REASONS = list(ReturnReason.values)


def generate_returns(count: int) -> float:
    """`count` returns in random states and deadlines, one unit of a line of a shipped or delivered order
    each, on an order history written with COPY (demo.order_history); returns the seconds it took."""
    started = time.perf_counter()
    generate_orders(int(count / 0.8) + 1000)  # 85 % of a generated history is shipped or delivered
    for index, code in enumerate(("lyon", "paris")):
        Warehouse.objects.get_or_create(code=code, defaults={"name": code.title(), "priority": index})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO returns_returnrequest (order_id, warehouse_id, status, source, kind, platform, "
            "marketplace_return_id, marketplace_state, reason, requested_at, respond_by, late_request, "
            "refusal_reason, carrier, tracking_number, label_url, label_format, label_request_key, label_error, "
            "created_at, updated_at) "
            "SELECT o.id, (SELECT id FROM inventory_warehouse ORDER BY id LIMIT 1 OFFSET (o.id %% 2)), "
            "(%s::text[])[1 + (o.id * 7) %% %s], 'marketplace', "
            "CASE WHEN o.id %% 10 = 0 THEN 'incident' ELSE 'return' END, a.platform, 'RB-' || o.id, '', "
            "(%s::text[])[1 + (o.id * 13) %% %s], now() - (o.id %% 30) * interval '1 day', "
            "now() + ((o.id * 31) %% 168 - 72) * interval '1 hour', o.id %% 20 = 0, '', '', '', '', '', '', '', "
            "now(), now() "
            "FROM orders_order o JOIN marketplaces_marketplaceaccount a ON a.id = o.account_id "
            "WHERE o.status IN ('shipped', 'delivered') ORDER BY o.id LIMIT %s",
            [STATUSES, len(STATUSES), REASONS, len(REASONS), count],
        )
        cursor.execute(
            "INSERT INTO returns_returnline (return_request_id, order_line_id, quantity, reason, note, "
            "quantity_received) "
            "SELECT r.id, (SELECT min(l.id) FROM orders_orderline l WHERE l.order_id = r.order_id), 1, r.reason, '', 0 "
            "FROM returns_returnrequest r"
        )
        cursor.execute("ANALYZE returns_returnrequest")
        cursor.execute("ANALYZE returns_returnline")
    return time.perf_counter() - started


def _operator():
    user, created = get_user_model().objects.get_or_create(username="bench-returns-operator")
    if created:
        user.groups.add(Group.objects.get(name="operator"))
    return user


def queue(client: Client, *, rounds: int) -> None:
    every = []
    for name, query in FILTERS.items():
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get("/returns/", query, secure=True)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
        report(f"returns_queue_{name}_p95", p95(timings) * 1000, "ms")
        every += timings
    report("returns_queue_p95", p95(every) * 1000, "ms")


def api_list(client: Client, *, rounds: int) -> None:
    timings = []
    for _ in range(rounds):
        for query in ({}, {"status": "open"}, {"platform": "ebay"}, {"deadline": "overdue"}):
            started = time.perf_counter()
            response = client.get("/api/v1/returns/", query, secure=True)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
    report("returns_api_list_p95", p95(timings) * 1000, "ms")


def run(*, quick: bool = False) -> None:
    count = 10_000 if quick else 100_000
    seconds = generate_returns(count)
    report("returns_generate", ReturnRequest.objects.count(), "returns")
    report("returns_generate_seconds", seconds, "s")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        own_accounts(list(MarketplaceAccount.objects.filter(pk__in=Order.objects.values("account_id").distinct()))),
        override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages),
    ):
        user = _operator()
        client = Client()
        client.force_login(user)
        client.get("/returns/", secure=True)  # warm up: templates, connections
        rounds = 5 if quick else 20
        queue(client, rounds=rounds)
        api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        api_list(api, rounds=rounds)
