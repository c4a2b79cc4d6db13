"""Reads of the KPIs for the dashboard, the API, the queue and the exports.

The dashboard and the API read the kpis tables only (standings, buckets, backlog, alerts):
never the orders. The queue's "orders this figure counts" (`counted_orders`) reads the
orders, once someone asks for them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, QuerySet, When
from django.db.models.expressions import RawSQL

from kpis import buckets, facts, metrics, standings, wording
from kpis.models import Alert, Backlog, DailyBucket, ReportedFigure, Source, Standing
from marketplaces.models import MarketplaceAccount
from oms.access.selectors import within_scope


def visible_accounts(user) -> QuerySet[MarketplaceAccount]:
    return within_scope(MarketplaceAccount.objects.order_by("name", "pk"), user=user, field="pk")


def standing_list(user) -> QuerySet[Standing]:
    """Every target of every account the user may see, the account read with it."""
    return within_scope(
        Standing.objects.select_related("account").order_by("account__name", "account_id", "metric", "window_days"),
        user=user,
        field="account_id",
    )


def reported_figures(account_ids) -> dict[tuple[int, str, int], ReportedFigure]:
    """The platforms' own figures, by (account, metric, window): one query."""
    return {
        (figure.account_id, figure.metric, figure.window_days): figure
        for figure in ReportedFigure.objects.filter(account_id__in=account_ids)
    }


def open_alerts(user) -> QuerySet[Alert]:
    return within_scope(
        Alert.objects.filter(closed_at__isnull=True).select_related("account").order_by("-opened_at", "-pk"),
        user=user,
        field="account_id",
    )


@dataclass
class AccountBoard:
    account: MarketplaceAccount
    standings: list[Standing] = field(default_factory=list)
    backlog: Backlog | None = None
    charts: dict = field(default_factory=dict)


def rolling(
    series, *, today: dt.date, window: int, days: int, metric: metrics.Metric | None = None
) -> list[tuple[str, float | None]]:
    """The window's value as it stood at the end of each of the last `days` days (partial windows at the
    start of the history), from running sums: one pass over the days. A metric in hours: the median of
    each window's durations merged."""
    if metric is not None and metric.unit == metrics.HOURS:
        return _rolling_median(series, today=today, window=window, days=days)
    # Two flat dicts, no tuple or list per row: fewer objects for the garbage collector to walk, whose full
    # collections made the dashboard's slowest page views.
    day_num, day_den = {}, {}
    for row in series:
        day_num[row[0]] = row[1]
        day_den[row[0]] = row[2]
    first = today - dt.timedelta(days=days + window - 1)
    nums, dens = [0], [0]  # running totals of the days before first + i
    num_total = den_total = 0
    for offset in range(days + window):
        day = first + dt.timedelta(days=offset)
        num_total += day_num.get(day, 0)
        den_total += day_den.get(day, 0)
        nums.append(num_total)
        dens.append(den_total)
    labels = _day_labels(today, days)
    points = []
    for index in range(days):
        last = window + index  # the window ends on day first + last, and covers `window` days
        denominator = dens[last + 1] - dens[last + 1 - window]
        if not denominator:
            points.append((labels[index], None))
            continue
        numerator = nums[last + 1] - nums[last + 1 - window]
        # metrics.percent in integers (hundredths, rounded half up): the same float, without Decimals per point.
        hundredths = (20000 * numerator + denominator) // (2 * denominator)
        points.append((labels[index], hundredths / 100))
    return points


@functools.lru_cache(maxsize=8)
def _day_labels(today: dt.date, days: int) -> tuple[str, ...]:
    """The ISO dates of the last `days` days up to `today`: the charts' x axis, formatted once."""
    return tuple((today - dt.timedelta(days=days - 1 - index)).isoformat() for index in range(days))


def _rolling_median(series, *, today: dt.date, window: int, days: int) -> list[tuple[str, float | None]]:
    """The median of each window's durations, the window slid one day at a time over one sorted list."""
    by_day = {row[0]: row[3] for row in series}
    first = today - dt.timedelta(days=days - 1)
    current: list[int] = []
    for offset in range(window - 1, 0, -1):  # the days before the first point's day, in its window
        for seconds in by_day.get(first - dt.timedelta(days=offset), ()):
            bisect.insort(current, seconds)
    points = []
    for index in range(days):
        end = first + dt.timedelta(days=index)
        for seconds in by_day.get(end, ()):
            bisect.insort(current, seconds)
        value = metrics.median_hours(current, ordered=True)
        points.append((end.isoformat(), None if value is None else float(value)))
        for seconds in by_day.get(end - dt.timedelta(days=window - 1), ()):
            del current[bisect.bisect_left(current, seconds)]
    return points


def dashboard(user, *, now: dt.datetime) -> list[AccountBoard]:
    """Per account: its standings, its backlog and, per target, the trend of its window's value over 90 days.

    Five queries whatever the number of accounts: accounts, standings, backlogs, the platforms' figures, buckets.
    """
    accounts = list(visible_accounts(user))
    boards = {account.pk: AccountBoard(account) for account in accounts}
    for standing in Standing.objects.filter(account_id__in=boards).order_by("metric", "window_days"):
        boards[standing.account_id].standings.append(standing)
    for backlog in Backlog.objects.filter(account_id__in=boards):
        boards[backlog.account_id].backlog = backlog
    theirs = reported_figures(list(boards))
    for board in boards.values():
        for standing in board.standings:
            standing.reported = theirs.get((board.account.pk, standing.metric, standing.window_days))
    today = now.astimezone(dt.UTC).date()
    longest = max((s.window_days for board in boards.values() for s in board.standings), default=1)
    series = _chart_series(account_ids=list(boards), today=today, days=metrics.CHART_DAYS + longest)
    for board in boards.values():
        for standing in board.standings:
            board.charts[standing.target] = {
                "label": str(standing.definition.label),
                "window": standing.window_days,
                "threshold": float(standing.threshold),
                "points": rolling(
                    series.get((board.account.pk, standing.metric), []),
                    today=today,
                    window=standing.window_days,
                    days=metrics.CHART_DAYS,
                    metric=standing.definition,
                ),
            }
    return list(boards.values())


def _chart_series(*, account_ids, today: dt.date, days: int) -> dict:
    """(account, metric) → the rows (day, numerator, denominator, durations, account, metric) of the computed
    buckets of the last `days` days, one query. Each row is kept as read (no repacking) and the durations only
    for the metrics in hours (none for a rate): a few thousand fewer objects per page view, so fewer of the
    garbage collector's full collections, which made the dashboard's slowest views."""
    in_hours = [key for key, metric in metrics.METRICS.items() if metric.unit == metrics.HOURS]
    rows = (
        DailyBucket.objects.filter(
            account_id__in=account_ids,
            source=Source.COMPUTED,
            day__gt=today - dt.timedelta(days=days),
            day__lte=today,
        )
        .annotate(spread=Case(When(metric__in=in_hours, then=F("durations")), default=None))
        .values_list("day", "numerator", "denominator", "spread", "account_id", "metric")
    )
    series: dict = defaultdict(list)
    for row in rows:
        series[(row[4], row[5])].append(row)
    return series


def daily_rows(user, *, today: dt.date, days: int) -> QuerySet[DailyBucket]:
    """The buckets of the last `days` days, for the CSV export."""
    return within_scope(
        DailyBucket.objects.filter(day__gt=today - dt.timedelta(days=days), day__lte=today)
        .select_related("account")
        .order_by("account__name", "metric", "day"),
        user=user,
        field="account_id",
    )


def counted_orders(*, metric: str, days: int, now: dt.datetime, numerator: bool = True) -> RawSQL:
    """The ids of the orders a metric counts over its last `days` days (its numerator, or every order
    it counts), as a subquery for `Order.objects.filter(pk__in=...)`: the queue behind each figure."""
    definition = metrics.METRICS[metric]
    today = now.astimezone(dt.UTC).date()
    ranges = [(today - dt.timedelta(days=days - 1), today)]
    if definition.source == metrics.REPLIES:
        # The orders of the threads whose waits it counts (a wait about no order has none).
        where, params = buckets.reply_facts(ranges)
    else:
        where, params = buckets.relevant_orders(ranges)
    dated, dated_params = buckets.in_ranges(definition.dated_by, ranges)
    condition = f"{definition.denominator} AND {dated}"
    if numerator:
        condition += f" AND {definition.numerator}"
    if definition.source == metrics.REPLIES:
        condition = f"({condition}) AND f.order_id IS NOT NULL"
        sql = f"SELECT f.order_id FROM ({where}) f WHERE {condition}"
    else:
        sql = f"SELECT f.order_id FROM ({facts.lateral(where)}) f WHERE {condition}"
    # The metrics' SQL names `now`; the ranges are positional: bind both here, once.
    bound = buckets.bind(sql, [*params, *dated_params], now=now)
    return RawSQL(connection.ops.compose_sql(bound[0], bound[1]), ())


def at_stake_hours(*, now: dt.datetime) -> int:
    return int(standings.horizon().total_seconds() // 3600)


BANNER_STATUSES = ("projected_breach", "breach")


def banner_alerts(user, *, now: dt.datetime, limit: int = 3) -> list[Alert]:
    """The open alerts of a projected or actual breach, breaches first, newest first, each with its sentence
    (the queue's banner): one query."""
    alerts = list(open_alerts(user).filter(status__in=BANNER_STATUSES).order_by("status", "-opened_at")[:limit])
    for alert in alerts:
        alert.sentence = wording.sentence(alert, now=now)
    return alerts
