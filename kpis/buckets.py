"""Daily buckets computed by SQL aggregates over the orders' facts, a set of days at a time.

A day is recomputed whole, for every account and metric (delete and insert in the caller's
transaction), so a bucket is always exactly what a recount of that day gives. The refresh uses it
for the metrics over the buyers' waits (a few days of messages); the order metrics are kept by
differences (`kpis/incremental.py`), and this recount is what the tests check them against.
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


def reply_facts(ranges) -> tuple[str, list]:
    """The buyers' waits that began on these days (`facts.replies`), as SQL with positional parameters."""
    answered, answered_params = in_ranges("{since}", ranges)
    waiting, waiting_params = in_ranges("t.needs_reply_since", ranges)
    sql = facts.replies(since_condition=answered, thread_since_condition=waiting, from_instant="%s")
    # Positional order in the SQL: the bound on the reply's time, the answered ranges, the open ones.
    return sql, [_instant(ranges[0][0]), *answered_params, *waiting_params]


def _insert(metric: metrics.Metric, *, table: str, ranges, now: dt.datetime) -> tuple[str, dict]:
    dated_condition, dated_params = in_ranges(metric.dated_by, ranges)
    if metric.distribution:
        durations = (
            f"COALESCE(array_agg({metric.distribution} ORDER BY {metric.distribution}) "
            f"FILTER (WHERE {metric.numerator} AND {metric.distribution} IS NOT NULL), '{{}}')"
        )
    else:
        durations = "'{}'::integer[]"
    return bind(
        f"""
        INSERT INTO kpis_dailybucket (account_id, metric, day, source, numerator, denominator, durations, computed_at)
        SELECT f.account_id, %(metric)s, ({metric.dated_by} AT TIME ZONE 'UTC')::date, %(source)s,
               count(*) FILTER (WHERE {metric.numerator}), count(*), {durations}, %(now)s
        FROM {table} f
        WHERE {metric.denominator} AND {dated_condition}
        GROUP BY 1, 3
        """,
        dated_params,
        metric=metric.key,
        source=Source.COMPUTED,
        now=now,
    )


def _all_days(ranges) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for first, last in ranges for offset in range((last - first).days + 1)]


@transaction.atomic  # the facts' temporary tables live until the commit
def recompute(*, days, now: dt.datetime, reply_days=None) -> int:
    """Recompute the computed buckets of `days` (dates, UTC) for every account and metric; returns the rows written.

    The metrics over the buyers' waits are recomputed on `reply_days` when given, else on `days`.
    """
    written = _recompute_orders(days=days, now=now)
    written += _recompute_replies(days=days if reply_days is None else reply_days, now=now)
    return written


def _metrics_of(source: str) -> list[metrics.Metric]:
    return [metric for metric in metrics.METRICS.values() if metric.source == source]


def _recompute_orders(*, days, now: dt.datetime) -> int:
    ranges = day_ranges(days)
    if not ranges:
        return 0
    span = sum((last - first).days + 1 for first, last in ranges)
    where, params = relevant_orders(ranges)
    shape = facts.grouped if span > GROUPED_FROM_DAYS else facts.lateral
    written = 0
    keys = [metric.key for metric in _metrics_of(metrics.ORDERS)]
    with connection.cursor() as cursor:
        # Compiling these queries (JIT) costs more than running them: hundreds of milliseconds.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS kpi_facts")
        cursor.execute(f"CREATE TEMPORARY TABLE kpi_facts ON COMMIT DROP AS {shape(where)}", params)
        cursor.execute("ANALYZE kpi_facts")
        cursor.execute(
            "DELETE FROM kpis_dailybucket WHERE source = %s AND day = ANY(%s) AND metric = ANY(%s)",
            [Source.COMPUTED, _all_days(ranges), keys],
        )
        for metric in _metrics_of(metrics.ORDERS):
            cursor.execute(*_insert(metric, table="kpi_facts", ranges=ranges, now=now))
            written += cursor.rowcount
        cursor.execute("DROP TABLE kpi_facts")
    return written


def _recompute_replies(*, days, now: dt.datetime) -> int:
    ranges = day_ranges(days)
    if not ranges:
        return 0
    sql, params = reply_facts(ranges)
    written = 0
    keys = [metric.key for metric in _metrics_of(metrics.REPLIES)]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS kpi_replies")
        cursor.execute(f"CREATE TEMPORARY TABLE kpi_replies ON COMMIT DROP AS {sql}", params)
        cursor.execute(
            "DELETE FROM kpis_dailybucket WHERE source = %s AND day = ANY(%s) AND metric = ANY(%s)",
            [Source.COMPUTED, _all_days(ranges), keys],
        )
        for metric in _metrics_of(metrics.REPLIES):
            cursor.execute(*_insert(metric, table="kpi_replies", ranges=ranges, now=now))
            written += cursor.rowcount
        cursor.execute("DROP TABLE kpi_replies")
    return written


def bind(sql: str, positional: list, **named) -> tuple[str, dict]:
    """SQL with positional %s (the ranges) and named %(now)s (the metrics) as one set of named parameters."""
    for index in range(len(positional)):
        sql = sql.replace("%s", f"%(p{index})s", 1)
    return sql, {**named, **{f"p{index}": value for index, value in enumerate(positional)}}
