"""The queue's "most at risk" ordering: the orders whose lateness would breach a KPI threshold soonest first.

An account whose standing projects a breach of a deadline metric the queue works on (late shipment,
refusal: the order's `due_at` is its ship-by or accept-by) has orders still in time that decide it:
those due within the KPIs' horizon come first, soonest deadline first; then the queue's usual
order (deadline, priority, newest). Orders already late come after them: they count as late
whatever is done now, while the ones still in time can save the figure.

The accounts at risk are written to the cache by each KPI refresh (`remember_accounts_at_risk`), so
the queue reads no table for them: a page costs the same queries as before, and while no account
is at risk (or until the first refresh after the cache is emptied) the ordering is the plain one,
read from the `order_at_risk` index; with accounts at risk it is one sort of the filtered orders.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When

from kpis import standings
from kpis.models import Standing, Status

# The metrics whose orders at stake are the queue's, by their `due_at`.
QUEUE_METRICS = ("late_shipment_rate", "refusal_rate")
CACHE_KEY = "kpis:queue-accounts-at-risk"
# Longer than a refresh interval: a stopped refresh stops steering the queue within the hour.
CACHE_SECONDS = 3600

PLAIN = (F("due_at").asc(nulls_last=True), F("priority").desc(), F("id").desc())


def remember_accounts_at_risk() -> None:
    """After the standings are written: the accounts in projected breach on a queue metric, for the queue."""
    accounts = sorted(
        set(
            Standing.objects.filter(
                status=Status.PROJECTED_BREACH, metric__in=QUEUE_METRICS, at_stake__gt=0
            ).values_list("account_id", flat=True)
        )
    )
    transaction.on_commit(lambda: cache.set(CACHE_KEY, accounts, CACHE_SECONDS))


def accounts_at_risk() -> list[int]:
    return cache.get(CACHE_KEY) or []


def risk_ordering(*, now: dt.datetime) -> tuple:
    """The queue's "most at risk" ORDER BY: orders of accounts in projected breach due within the horizon first."""
    accounts = accounts_at_risk()
    if not accounts:
        return PLAIN
    deciding = Q(account_id__in=accounts, due_at__gte=now, due_at__lt=now + standings.horizon())
    first = Case(When(deciding, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (first.asc(), *PLAIN)
