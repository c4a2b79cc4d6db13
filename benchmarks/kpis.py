"""Benchmarks of the seller KPIs (`python -m benchmarks --only kpis`).

- full recomputation: every daily bucket of every account and metric, over a year of
  orders (`generate_orders`, then timelines written in SQL: shipments at random delays,
  some after their ship-by date, deliveries, seller cancellations), seconds; the quick run
  reports its size and a linear extrapolation to 1 M orders (the work is one pass over the
  orders and their events, then one aggregate per metric: linear in the rows);
- incremental refresh (`refresh_kpis`, what the periodic task runs) after 200 orders changed
  (shipped, cancelled, delivered), seconds, p95 of several rounds;
- dashboard (the home page) server time p95 through Django's test client.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings

from benchmarks.support import p95, report
from demo.order_history import generate_orders
from kpis import actions

FULL, QUICK = 1_000_000, 100_000
YEAR = 366


def run(*, quick: bool = False) -> None:
    count = QUICK if quick else FULL
    generate_orders(count)
    _timelines()
    full_recomputation(count)
    incremental_refresh(rounds=5 if quick else 10)
    dashboard(rounds=30 if quick else 100)


def _timelines() -> None:
    """Shipments 1 to 52 hours after purchase (ship-by is 48 h: about 8 % late), deliveries 1 to 4 days
    later (deliver-by 3 days after the ship-by), half the cancellations by the seller."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE orders_orderevent SET to_status = 'accepted'
            WHERE kind = 'received' AND to_status IN ('partially_shipped', 'shipped', 'delivered', 'cancelled')
            """
        )
        cursor.execute(
            """
            UPDATE orders_order SET deliver_by = ship_by + interval '3 days'
            WHERE status IN ('partially_shipped', 'shipped', 'delivered')
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderevent (order_id, created_at, kind, actor_type, actor_label, from_status, to_status, params)
            SELECT id, purchased_at + (1 + random() * 51) * interval '1 hour', 'status_changed', 'marketplace', 'bench',
                   'accepted', 'shipped', '{}'
            FROM orders_order WHERE status IN ('partially_shipped', 'shipped', 'delivered')
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderevent (order_id, created_at, kind, actor_type, actor_label, from_status, to_status, params)
            SELECT id, purchased_at + (3 + random() * 4) * interval '1 day', 'delivered', 'marketplace', 'bench',
                   'shipped', 'delivered', '{}'
            FROM orders_order WHERE status = 'delivered'
            """
        )
        cursor.execute(
            """
            INSERT INTO orders_orderevent (order_id, created_at, kind, actor_type, actor_label, from_status, to_status, params)
            SELECT id, purchased_at + interval '5 hours', CASE WHEN id % 2 = 0 THEN 'cancelled' ELSE 'status_changed' END,
                   'user', 'bench', 'accepted', 'cancelled', '{}'
            FROM orders_order WHERE status = 'cancelled'
            """
        )
        cursor.execute(
            "VACUUM ANALYZE orders_orderevent" if not connection.in_atomic_block else "ANALYZE orders_orderevent"
        )
        cursor.execute("ANALYZE orders_order")


def full_recomputation(count: int) -> None:
    started = time.perf_counter()
    done = actions.recompute_history(days=YEAR)
    seconds = time.perf_counter() - started
    report(f"kpis_full_recompute_{count // 1000}k_orders", seconds, "s")
    report("kpis_full_recompute_buckets", done["buckets"], "rows")
    if count != FULL:
        report("kpis_full_recompute_1M_extrapolated", seconds * FULL / count, "s")


def incremental_refresh(*, rounds: int) -> None:
    actions.refresh_kpis()
    timings = []
    for _ in range(rounds):
        with connection.cursor() as cursor:
            # 200 orders move, as a few minutes of work would: shipped, cancelled, delivered.
            cursor.execute(
                """
                WITH moved AS (
                    SELECT id FROM orders_order WHERE status = 'accepted' ORDER BY random() LIMIT 200
                )
                UPDATE orders_order o SET status = 'shipped', updated_at = now()
                FROM moved WHERE o.id = moved.id RETURNING o.id
                """
            )
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                """
                INSERT INTO orders_orderevent (order_id, created_at, kind, actor_type, actor_label, from_status,
                                               to_status, params)
                SELECT unnest(%s::bigint[]), now(), 'shipped', 'user', 'bench', 'accepted', 'shipped', '{}'
                """,
                [ids],
            )
        started = time.perf_counter()
        actions.refresh_kpis()
        timings.append(time.perf_counter() - started)
    report("kpis_incremental_refresh_p95", p95(timings), "s")


def dashboard(*, rounds: int) -> None:
    user, created = get_user_model().objects.get_or_create(username="bench-viewer")
    if created:
        user.groups.add(Group.objects.get(name="viewer"))
    # Served by the test client: its host name, and static URLs without a collectstatic manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages):
        client = Client()
        client.force_login(user)
        client.get("/", secure=True)
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get("/", secure=True)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    report("kpis_dashboard_p95", p95(timings) * 1000, "ms")
