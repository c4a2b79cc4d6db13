"""Daily buckets computed by SQL aggregates over the orders' facts, a set of days at a time.

A day is recomputed whole, for every account and metric (delete and insert in the caller's
transaction), so a bucket is always exactly what a recount of that day gives. Which days
need it is the refresh's business (`kpis.actions.refresh_kpis`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from kpis import facts, metrics
from kpis.models import Source

# Beyond this many days the timelines are aggregated in one pass rather than order by order.
GROUPED_FROM_DAYS = 31


def day_ranges(days) -> list[tuple[dt.date, dt.date]]:
    """Contiguous [first, last] ranges covering `days`."""
    ranges: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + dt.timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def in_ranges(column: str, ranges) -> tuple[str, list]:
    conditions, params = [], []
    for first, last in ranges:
        conditions.append(f"({column} >= %s AND {column} < %s)")
        params += [_instant(first), _instant(last + dt.timedelta(days=1))]
    return "(" + " OR ".join(conditions) + ")", params


def relevant_orders(ranges) -> tuple[str, list]:
    """The ids of orders that may count on these days: any dated column in them, or an event then.

    One index range per column and range (purchased_at, ship_by, deliver_by, the events' created_at).
    """
    parts, params = [], []
    for column in ("purchased_at", "ship_by", "deliver_by"):
        condition, values = in_ranges(column, ranges)
        parts.append(f"SELECT id FROM orders_order WHERE {condition}")
        params += values
    condition, values = in_ranges("created_at", ranges)
    parts.append(f"SELECT order_id FROM orders_orderevent WHERE {condition}")
    params += values
    return "o.id IN (" + " UNION ".join(parts) + ")", params


@transaction.atomic  # the facts' temporary table lives until the commit
def recompute(*, days, now: dt.datetime) -> int:
    """Recompute the computed buckets of `days` (dates, UTC) for every account and metric; returns the rows written."""
    ranges = day_ranges(days)
    if not ranges:
        return 0
    span = sum((last - first).days + 1 for first, last in ranges)
    where, params = relevant_orders(ranges)
    shape = facts.grouped if span > GROUPED_FROM_DAYS else facts.lateral
    written = 0
    with connection.cursor() as cursor:
        # Compiling these queries (JIT) costs more than running them: hundreds of milliseconds.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS kpi_facts")
        cursor.execute(f"CREATE TEMPORARY TABLE kpi_facts ON COMMIT DROP AS {shape(where)}", params)
        cursor.execute("ANALYZE kpi_facts")
        all_days = [
            first + dt.timedelta(days=offset) for first, last in ranges for offset in range((last - first).days + 1)
        ]
        cursor.execute("DELETE FROM kpis_dailybucket WHERE source = %s AND day = ANY(%s)", [Source.COMPUTED, all_days])
        for metric in metrics.METRICS.values():
            dated_condition, dated_params = in_ranges(metric.dated_by, ranges)
            sql, values = bind(
                f"""
                INSERT INTO kpis_dailybucket (account_id, metric, day, source, numerator, denominator, computed_at)
                SELECT f.account_id, %(metric)s, ({metric.dated_by} AT TIME ZONE 'UTC')::date, %(source)s,
                       count(*) FILTER (WHERE {metric.numerator}), count(*), %(now)s
                FROM kpi_facts f
                WHERE {metric.denominator} AND {dated_condition}
                GROUP BY 1, 3
                """,
                dated_params,
                metric=metric.key,
                source=Source.COMPUTED,
                now=now,
            )
            cursor.execute(sql, values)
            written += cursor.rowcount
        cursor.execute("DROP TABLE kpi_facts")
    return written


def bind(sql: str, positional: list, **named) -> tuple[str, dict]:
    """SQL with positional %s (the ranges) and named %(now)s (the metrics) as one set of named parameters."""
    for index in range(len(positional)):
        sql = sql.replace("%s", f"%(p{index})s", 1)
    return sql, {**named, **{f"p{index}": value for index, value in enumerate(positional)}}
