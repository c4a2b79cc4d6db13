"""Keeping the KPIs: buckets, standings and alerts (`refresh_kpis`), the history (`recompute_history`),
an account's own threshold and window (`set_target`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from kpis import alerts, buckets, facts, incremental, metrics, queue_risk, reported, standings
from kpis.models import Backlog, RefreshState, ReportedFigure, Standing, TargetSetting
from marketplaces.clients import connector_for_account
from marketplaces.models import MarketplaceAccount
from oms.errors import DomainError

REFRESH = "buckets"
# A transaction that commits after a refresh may carry an `updated_at` a little older than it.
LATE_COMMIT = dt.timedelta(minutes=5)
_LOCK = 7_316_001  # pg_advisory_xact_lock key: one refresh at a time


def _utc_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(dt.UTC).date()


# A buyer's wait closed without a reply leaves no trace of the day it began: the waits of the last
# days are recounted at each refresh (older ones stay as counted until `recompute_kpis`).
REPLY_RECOUNT_DAYS = 14


def _reply_days_touched(*, since: dt.datetime, today: dt.date) -> set[dt.date]:
    """The days the buyers' waits changed since `since` began on (replies sent, threads changed), and the
    last REPLY_RECOUNT_DAYS days."""
    days = {today - dt.timedelta(days=offset) for offset in range(REPLY_RECOUNT_DAYS)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT d FROM (
                SELECT ({facts.REPLY_SINCE} AT TIME ZONE 'UTC')::date AS d FROM {facts.MESSAGES} m
                WHERE m.created_at >= %(since)s AND m.response_seconds IS NOT NULL
                UNION SELECT (needs_reply_since AT TIME ZONE 'UTC')::date FROM {facts.THREADS}
                WHERE updated_at >= %(since)s AND needs_reply_since IS NOT NULL
            ) changed
            """,
            {"since": since - LATE_COMMIT},
        )
        days.update(day for (day,) in cursor.fetchall())
    oldest = today - dt.timedelta(days=metrics.HISTORY_DAYS)
    return {day for day in days if oldest < day <= today}


@transaction.atomic
def refresh_kpis(*, now: dt.datetime | None = None) -> dict:
    """Recount the days that may have changed since the last refresh (all of the history the first
    time), then every target's standing and alerts. Safe to run twice; a second run at the same time
    waits for the first. Returns what it did."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    today = _utc_day(now)
    state = RefreshState.objects.select_for_update().filter(name=REFRESH).first()
    if state is None:
        days = {today - dt.timedelta(days=offset) for offset in range(metrics.HISTORY_DAYS)}
        written = incremental.rebuild(now=now)
        changed = None
    else:
        days = _reply_days_touched(since=state.refreshed_at, today=today)
        # Every day from the last refresh to today: reply deadlines passing.
        first = _utc_day(state.refreshed_at)
        days |= {first + dt.timedelta(days=offset) for offset in range((today - first).days + 1)}
        changes = incremental.apply_changes(since=state.refreshed_at - LATE_COMMIT, last=state.refreshed_at, now=now)
        written, changed = changes["buckets"], changes["orders"]
    written += buckets.recompute(days=set(), reply_days=days, now=now)
    opened = update_standings(now=now)
    RefreshState.objects.update_or_create(name=REFRESH, defaults={"refreshed_at": now})
    return {"orders": changed, "days": len(days), "buckets": written, "alerts": len(opened)}


@transaction.atomic
def recompute_history(*, days: int, now: dt.datetime | None = None) -> dict:
    """Recount from scratch (the `recompute_kpis` command): the order metrics over the whole history kept, the
    replies over the last `days` days; then the standings."""
    if days < 1:
        raise DomainError("Give at least one day.", details={"days": days})
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    today = _utc_day(now)
    # The order metrics over every order (their facts kept for the next refreshes), the replies over `days`.
    written = incremental.rebuild(now=now)
    written += buckets.recompute(
        days=set(), reply_days={today - dt.timedelta(days=offset) for offset in range(days)}, now=now
    )
    opened = update_standings(now=now)
    RefreshState.objects.update_or_create(name=REFRESH, defaults={"refreshed_at": now})
    return {"days": days, "buckets": written, "alerts": len(opened)}


def update_standings(*, now: dt.datetime) -> list:
    """Write every account's standings from the buckets and the orders at stake; follow the alerts."""
    accounts = list(MarketplaceAccount.objects.order_by("pk"))
    computed = standings.compute(accounts=accounts, now=now)
    rows = [
        Standing(
            account_id=item.account_id,
            target=item.target.key,
            metric=item.target.metric,
            window_days=item.target.window_days,
            threshold=item.target.threshold,
            numerator=item.numerator,
            denominator=item.denominator,
            value=item.value,
            at_stake=item.at_stake,
            at_stake_until=item.at_stake_until,
            projected_value=item.projected_value,
            status=item.status,
            computed_at=now,
        )
        for item in computed
    ]
    Standing.objects.all().delete()
    Standing.objects.bulk_create(rows)
    _count_backlog(accounts=accounts, now=now)
    queue_risk.remember_accounts_at_risk()
    return alerts.follow(standings=rows, now=now)


def _count_backlog(*, accounts, now: dt.datetime) -> None:
    """Each account's orders to accept, to ship and late, counted as the queue counts them (`due_at`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT account_id,
                   count(*) FILTER (WHERE status = 'pending_acceptance'),
                   count(*) FILTER (WHERE status IN ('accepted', 'partially_shipped')),
                   count(*) FILTER (WHERE due_at < %(now)s)
            FROM orders_order WHERE status IN ('pending_acceptance', 'accepted', 'partially_shipped')
            GROUP BY account_id
            """,
            {"now": now},
        )
        counts = {row[0]: row[1:] for row in cursor.fetchall()}
    Backlog.objects.all().delete()
    Backlog.objects.bulk_create(
        Backlog(
            account=account,
            to_accept=counts.get(account.pk, (0, 0, 0))[0],
            to_ship=counts.get(account.pk, (0, 0, 0))[1],
            late=counts.get(account.pk, (0, 0, 0))[2],
            computed_at=now,
        )
        for account in accounts
    )


@transaction.atomic
def set_target(*, account_id: int, target: str, threshold: Decimal, window_days: int, enabled: bool) -> TargetSetting:
    """An account's own threshold and window for one of its platform's targets (the next refresh uses them)."""
    account = MarketplaceAccount.objects.get(pk=account_id)
    if metrics.target(account.platform, target) is None:
        raise DomainError(f"{account.platform} has no target {target!r}.", details={"target": target})
    if not (Decimal("0") <= threshold <= Decimal("100")):
        raise DomainError("A threshold is a percentage from 0 to 100.", details={"threshold": str(threshold)})
    if not (1 <= window_days <= metrics.MAX_WINDOW_DAYS):
        raise DomainError(f"A window is 1 to {metrics.MAX_WINDOW_DAYS} days.", details={"window_days": window_days})
    setting, _ = TargetSetting.objects.update_or_create(
        account=account,
        target=target,
        defaults={"threshold": threshold, "window_days": window_days, "enabled": enabled},
    )
    return setting


@transaction.atomic
def reset_target(*, account_id: int, target: str) -> None:
    """Back to the platform's threshold and window."""
    TargetSetting.objects.filter(account_id=account_id, target=target).delete()


def read_platform_figures(*, account_id: int, now: dt.datetime | None = None) -> int:
    """Read the platform's own figures of an account (Mirakl A21, eBay seller standards) into ReportedFigure;
    returns how many.

    The call is made outside any transaction; raises the connector's MarketplaceError when the
    platform does not answer (nothing is changed then)."""
    now = now or timezone.now()
    account = MarketplaceAccount.objects.get(pk=account_id)
    if account.platform not in reported.READABLE:
        return 0
    connector = connector_for_account(account)
    written = 0
    for metric, window_days, period, value in reported.read(connector, account.platform):
        ReportedFigure.objects.update_or_create(
            account=account,
            metric=metric,
            window_days=window_days,
            defaults={"period": period, "value": value, "reported_at": now},
        )
        written += 1
    return written
