"""Benchmark of the returns queue (issue 14): its page and its API list with 100,000 returns.

- returns_generate: orders, lines and returns written in bulk (not a figure to quote);
- returns_queue_<filter>_p95 and returns_queue_p95: the page's server time through Django's
  test client (session, middleware, template), most urgent first, for each filter an operator
  uses (target ≤ 150 ms p95);
- returns_api_list_p95: the API list (token, 50 rows).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from benchmarks.support import own_accounts, p95, report
from inventory.models import Warehouse
from marketplaces.models import MarketplaceAccount
from orders.models import Order, OrderLine
from returns.models import ReturnLine, ReturnReason, ReturnRequest, ReturnStatus

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


def _accounts() -> list[MarketplaceAccount]:
    return [
        MarketplaceAccount.objects.get_or_create(
            name=f"Returns bench {platform}", defaults={"platform": platform, "enabled": False}
        )[0]
        for platform in PLATFORMS
    ]


def generate_returns(count: int) -> float:
    """`count` shipped orders of one line, each with one return in a random state and deadline."""
    accounts = _accounts()
    warehouses = [
        Warehouse.objects.get_or_create(code=code, defaults={"name": code.title(), "priority": index})[0]
        for index, code in enumerate(("lyon", "paris"))
    ]
    now = timezone.now()
    statuses = list(ReturnStatus.values)
    reasons = list(ReturnReason.values)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        orders = Order.objects.bulk_create(
            Order(
                account=accounts[(start + i) % len(accounts)],
                marketplace_order_id=f"RB-{start + i:08d}",
                reference=f"RB-{start + i:08d}",
                status="delivered",
                purchased_at=now - dt.timedelta(days=20),
                marketplace_updated_at=now - dt.timedelta(days=5),
                currency="EUR",
                total_amount=Decimal("39.90"),
                content_hash="bench",
            )
            for i in range(size)
        )
        lines = OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                marketplace_line_id=f"{order.marketplace_order_id}-1",
                sku=f"SKU-{random.randint(1, 500)}",
                title="Bench item",
                quantity=1,
                quantity_shipped=1,
                unit_price_amount=Decimal("39.90"),
                total_amount=Decimal("39.90"),
            )
            for order in orders
        )
        returns = ReturnRequest.objects.bulk_create(
            ReturnRequest(
                order=order,
                warehouse=random.choice(warehouses),
                status=random.choices(statuses, weights=(30, 20, 3, 15, 10, 8, 4, 10))[0],
                source="marketplace",
                platform=order.account.platform,
                reason=random.choice(reasons),
                requested_at=now - dt.timedelta(days=random.randint(0, 30)),
                respond_by=now + dt.timedelta(hours=random.randint(-72, 96)),
                late_request=random.random() < 0.05,
            )
            for order in orders
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(return_request=found, order_line=line, quantity=1, reason=found.reason)
            for found, line in zip(returns, lines, strict=True)
        )
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
    report("returns_generate", count, "returns")
    report("returns_generate_rate", count / seconds, "returns/s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        own_accounts(list(MarketplaceAccount.objects.filter(name__startswith="Returns bench"))),
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
