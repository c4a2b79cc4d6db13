"""The order metrics' buckets kept by differences: only the orders that changed are read.

`rebuild` computes every order's facts once (`kpis/facts.py`, the whole timeline in one pass), keeps
them in `OrderFacts` and writes every computed bucket of the order metrics from them, for the days of
the history kept and any later day (an order shipped today may be dated by tomorrow's ship-by).

`apply_changes` then reads only the orders that may count differently than at the last refresh: those
changed since (their row, a timeline event, a return request; with a margin for late commits), and
those whose ship-by or deliver-by passed in between (the only conditions that depend on the instant).
Their old contribution is their stored facts under the metrics' conditions at the last refresh's
instant, their new one their facts recomputed now: each bucket gets the difference, and the stored
facts are replaced. A bucket is therefore always what a recount of its day gives (tested against
`kpis.buckets.recompute` on random changes). An order deleted from the database (the OMS never does;
tests and cascades from a deleted account do) keeps its contribution until the next full recount.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from kpis import facts, metrics
from kpis.models import OrderFacts, Source
from returns.models import ReturnRequest

COLUMNS = ", ".join(field.column for field in OrderFacts._meta.fields)
TABLE = OrderFacts._meta.db_table
RETURNS = ReturnRequest._meta.db_table


def _order_metrics() -> list[metrics.Metric]:
    return [metric for metric in metrics.METRICS.values() if metric.source == metrics.ORDERS]


def first_kept_instant(today: dt.date) -> dt.datetime:
    """The start of the oldest day of the history kept (the standings read the days after today − HISTORY_DAYS)."""
    first = today - dt.timedelta(days=metrics.HISTORY_DAYS - 1)
    return dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)


def rebuild(*, now: dt.datetime) -> int:
    """Every order's facts stored, and every computed bucket of the order metrics from the history's start on."""
    oldest = first_kept_instant(now.astimezone(dt.UTC).date())
    keys = [metric.key for metric in _order_metrics()]
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM ({facts.grouped()}) f")
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(
            "DELETE FROM kpis_dailybucket WHERE source = %s AND metric = ANY(%s) AND day >= %s",
            [Source.COMPUTED, keys, oldest.date()],
        )
        for metric in _order_metrics():
            cursor.execute(
                f"""
                INSERT INTO kpis_dailybucket (account_id, metric, day, source, numerator, denominator, durations,
                                              computed_at)
                SELECT f.account_id, %(metric)s, ({metric.dated_by} AT TIME ZONE 'UTC')::date, %(source)s,
                       count(*) FILTER (WHERE {metric.numerator}), count(*), '{{}}', %(now)s
                FROM {TABLE} f
                WHERE {metric.denominator} AND {metric.dated_by} >= %(oldest)s
                GROUP BY 1, 3
                """,
                {"metric": metric.key, "source": Source.COMPUTED, "now": now, "oldest": oldest},
            )
            written += cursor.rowcount
    return written


def changed_orders() -> str:
    """SQL: the orders that may count differently since the last refresh (`%(since)s` with the late-commit
    margin, `%(last)s` the last refresh's instant, `%(now)s`), each set read through its own index."""
    return f"""o.id IN (
        SELECT id FROM orders_order WHERE updated_at >= %(since)s
        UNION SELECT order_id FROM orders_orderevent WHERE created_at >= %(since)s
        UNION SELECT order_id FROM {RETURNS} WHERE updated_at >= %(since)s
        UNION SELECT id FROM orders_order WHERE ship_by >= %(last)s AND ship_by < %(now)s
        UNION SELECT id FROM orders_order WHERE deliver_by >= %(last)s AND deliver_by < %(now)s
    )"""


def apply_changes(*, since: dt.datetime, last: dt.datetime, now: dt.datetime) -> dict:
    """Add to the buckets the difference the changed orders make; returns how many orders and buckets."""
    oldest = first_kept_instant(now.astimezone(dt.UTC).date())
    params = {"since": since, "last": last, "now": now, "oldest": oldest, "source": Source.COMPUTED}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS kpi_facts")
        cursor.execute(f"CREATE TEMPORARY TABLE kpi_facts ON COMMIT DROP AS {facts.lateral(changed_orders())}", params)
        orders = cursor.rowcount
        # Their facts as last counted, read once by primary key for every metric.
        cursor.execute("DROP TABLE IF EXISTS kpi_old_facts")
        cursor.execute(
            f"CREATE TEMPORARY TABLE kpi_old_facts ON COMMIT DROP AS "
            f"SELECT * FROM {TABLE} WHERE order_id IN (SELECT order_id FROM kpi_facts)"
        )
        cursor.execute("DROP TABLE IF EXISTS kpi_delta")
        cursor.execute(
            "CREATE TEMPORARY TABLE kpi_delta (account_id bigint, metric text, day date, num int, den int) "
            "ON COMMIT DROP"
        )
        for metric in _order_metrics():
            day = f"({metric.dated_by} AT TIME ZONE 'UTC')::date"
            # The conditions as they stood at the last refresh's instant.
            old_denominator = metric.denominator.replace("%(now)s", "%(last)s")
            old_numerator = metric.numerator.replace("%(now)s", "%(last)s")
            cursor.execute(
                f"""
                INSERT INTO kpi_delta
                SELECT account_id, %(metric)s, day, sum(num), sum(den) FROM (
                    SELECT f.account_id, {day} AS day, -(CASE WHEN {old_numerator} THEN 1 ELSE 0 END) AS num, -1 AS den
                    FROM kpi_old_facts f
                    WHERE {old_denominator}
                      AND {metric.dated_by} >= %(oldest)s
                    UNION ALL
                    SELECT f.account_id, {day}, CASE WHEN {metric.numerator} THEN 1 ELSE 0 END, 1
                    FROM kpi_facts f
                    WHERE {metric.denominator} AND {metric.dated_by} >= %(oldest)s
                ) changes
                GROUP BY 1, 3 HAVING sum(num) <> 0 OR sum(den) <> 0
                """,
                {**params, "metric": metric.key},
            )
        match = "b.account_id = d.account_id AND b.metric = d.metric AND b.source = %(source)s AND b.day = d.day"
        cursor.execute(
            f"""
            UPDATE kpis_dailybucket b SET numerator = b.numerator + d.num, denominator = b.denominator + d.den,
                   computed_at = %(now)s
            FROM kpi_delta d WHERE {match}
            """,
            params,
        )
        updated = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO kpis_dailybucket (account_id, metric, day, source, numerator, denominator, durations,
                                          computed_at)
            SELECT d.account_id, d.metric, d.day, %(source)s, d.num, d.den, '{{}}', %(now)s FROM kpi_delta d
            WHERE NOT EXISTS (SELECT 1 FROM kpis_dailybucket b WHERE {match})
            """,
            params,
        )
        inserted = cursor.rowcount
        # A day nothing counts on any more has no bucket, as a recount leaves it.
        cursor.execute(f"DELETE FROM kpis_dailybucket b USING kpi_delta d WHERE {match} AND b.denominator = 0", params)
        cursor.execute(f"DELETE FROM {TABLE} WHERE order_id IN (SELECT order_id FROM kpi_facts)")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM kpi_facts")
        cursor.execute("DROP TABLE kpi_facts")
        cursor.execute("DROP TABLE kpi_old_facts")
        cursor.execute("DROP TABLE kpi_delta")
    return {"orders": orders, "buckets": updated + inserted}
