"""Where each target stands: its value over its window (from the buckets), the orders at stake
within the horizon (from the open orders, through their deadline indexes), the projection and
the status.

The projection is the worst case of the orders at stake: "7 orders must ship within 3 h; if
they ship late, the 30-day late shipment rate goes from 3.1 % to 4.2 % (threshold 4 %)". For a
rate where lower is better each of them adds to the numerator and the denominator; where
higher is better (on-time delivery) to the denominator only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection

from kpis import facts, metrics
from kpis.models import DailyBucket, Source, Status, TargetSetting

# The deadline each metric's orders (or buyers' waits) at stake must beat.
DEADLINES = {
    "late_shipment_rate": "o.ship_by",
    "refusal_rate": "o.acceptance_deadline",
    "on_time_delivery_rate": "o.deliver_by",
    "reply_within_deadline": "o.reply_by",
}
# Where the open items of each source are: the orders, or the threads waiting for a reply (their
# columns named as the reply facts name them, read through the inbox's index on status and reply_by).
STAKE_FROM = {
    metrics.ORDERS: "orders_order o",
    metrics.REPLIES: f"""(
        SELECT account_id, reply_by, NULL::timestamptz AS replied_at FROM {facts.THREADS}
        WHERE status = 'needs_reply' AND needs_reply_since IS NOT NULL
    ) o""",
}


@dataclass
class Computed:
    account_id: int
    target: metrics.Target  # with the account's own threshold and window
    numerator: int
    denominator: int
    at_stake: int
    at_stake_until: dt.datetime | None
    status: str = Status.OK
    durations: list[int] | None = None  # a metric in hours: the window's reply times

    @property
    def metric(self) -> metrics.Metric:
        return self.target.definition

    @property
    def value(self) -> Decimal | None:
        return metrics.value_of(self.metric, self.numerator, self.denominator, self.durations)

    @property
    def projected_value(self) -> Decimal | None:
        if not self.at_stake or self.metric.unit != metrics.PERCENT:
            return self.value
        added = self.at_stake if self.metric.stake_adds_to_numerator else 0
        return metrics.percent(self.numerator + added, self.denominator + self.at_stake)


def horizon() -> dt.timedelta:
    return dt.timedelta(hours=settings.OMS_KPI_HORIZON_HOURS)


def margin() -> Decimal:
    return Decimal(str(settings.OMS_KPI_WARNING_MARGIN))


def status_of(computed: Computed) -> str:
    target = computed.target
    better = computed.metric.better
    if metrics.is_breached(better=better, value=computed.value, threshold=target.threshold):
        return Status.BREACH
    if computed.at_stake and metrics.is_breached(
        better=better, value=computed.projected_value, threshold=target.threshold
    ):
        return Status.PROJECTED_BREACH
    if computed.value is not None:
        # Below a small threshold (Amazon's 1 % of order defects) the margin is at most half of it, or
        # every value, 0 included, would be a warning.
        near = (
            target.threshold - min(margin(), target.threshold / 2)
            if better == metrics.LOWER
            else target.threshold + margin()
        )
        if metrics.is_breached(better=better, value=computed.value, threshold=near):
            return Status.WARNING
    return Status.OK


def account_targets(accounts) -> dict[int, list[metrics.Target]]:
    """Each account's targets with its admins' thresholds and windows; a target switched off is left out."""
    overrides = {(s.account_id, s.target): s for s in TargetSetting.objects.filter(account__in=accounts)}
    result = {}
    for account in accounts:
        targets = []
        for target in metrics.targets_for(account.platform):
            setting = overrides.get((account.pk, target.key))
            if setting is None:
                targets.append(target)
            elif setting.enabled:
                targets.append(
                    metrics.Target(
                        target.metric, setting.window_days, setting.threshold, unverified=False, key_override=target.key
                    )
                )
        result[account.pk] = targets
    return result


def bucket_sums(*, account_ids, today: dt.date, days: int = metrics.HISTORY_DAYS, source: str = Source.COMPUTED):
    """(account, metric) → list of (day, numerator, denominator, durations) over the last `days` days, one query."""
    rows = DailyBucket.objects.filter(
        account_id__in=account_ids,
        source=source,
        day__gt=today - dt.timedelta(days=days),
        day__lte=today,
    ).values_list("account_id", "metric", "day", "numerator", "denominator", "durations")
    series = defaultdict(list)
    for account_id, metric, day, numerator, denominator, durations in rows:
        series[(account_id, metric)].append((day, numerator, denominator, durations))
    return series


def window_sum(series, *, today: dt.date, days: int) -> tuple[int, int, list[int]]:
    """The window's numerator, denominator and durations (merged, for a median)."""
    first = today - dt.timedelta(days=days - 1)
    numerator = denominator = 0
    durations: list[int] = []
    for day, num, den, *rest in series:
        if first <= day <= today:
            numerator += num
            denominator += den
            if rest:
                durations.extend(rest[0])
    return numerator, denominator, durations


def orders_at_stake(*, now: dt.datetime, until: dt.datetime) -> dict:
    """(account, metric) → (count, latest deadline) of the open orders whose outcome decides within the horizon."""
    result = {}
    with connection.cursor() as cursor:
        for metric in metrics.METRICS.values():
            if not metric.at_stake:
                continue
            deadline = DEADLINES[metric.key]
            condition = metric.at_stake.replace("f.", "o.")
            cursor.execute(
                f"SELECT o.account_id, count(*), max({deadline}) FROM {STAKE_FROM[metric.source]} "
                f"WHERE {condition} GROUP BY 1",
                {"now": now, "until": until},
            )
            for account_id, count, latest in cursor.fetchall():
                result[(account_id, metric.key)] = (count, latest)
    return result


def compute(*, accounts, now: dt.datetime) -> list[Computed]:
    today = now.astimezone(dt.UTC).date()
    targets = account_targets(accounts)
    series = bucket_sums(account_ids=[account.pk for account in accounts], today=today)
    stake = orders_at_stake(now=now, until=now + horizon())
    computed = []
    for account in accounts:
        for target in targets[account.pk]:
            numerator, denominator, durations = window_sum(
                series.get((account.pk, target.metric), []), today=today, days=target.window_days
            )
            count, latest = stake.get((account.pk, target.metric), (0, None))
            item = Computed(account.pk, target, numerator, denominator, count, latest, durations=durations)
            item.status = status_of(item)
            computed.append(item)
    return computed
