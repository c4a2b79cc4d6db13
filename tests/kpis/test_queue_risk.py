"""The queue's "most at risk" order: the orders that decide an account's projected KPI breach come first."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from kpis import actions, queue_risk
from kpis.models import Standing, Status
from order_queue.filters import OrderFilter
from orders.models import Order
from tests.factories import MarketplaceAccountFactory
from tests.kpis.world import Spec, build

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def shipped_history(account, *, now, on_time: int, late: int):
    specs = []
    for index in range(on_time + late):
        due = now - (2 + index % 20) * D
        shipped = due + H if index < late else due - H
        specs.append(
            Spec(
                "shipped",
                due - 2 * D,
                ship_by=due,
                tracking_number="6A1",
                carrier="colissimo",
                events=[("received", "accepted", due - 2 * D), ("shipped", "shipped", shipped)],
            )
        )
    build(account, specs)


def to_ship(account, *, now, within):
    [order] = build(
        account, [Spec("accepted", now - D, ship_by=now + within, events=[("received", "accepted", now - D)])]
    )
    return order


def queue() -> list[int]:
    return list(OrderFilter({}, queryset=Order.objects.filter(status="accepted")).qs.values_list("pk", flat=True))


@pytest.mark.django_db
def test_orders_deciding_a_projected_breach_come_first_then_the_usual_order(django_capture_on_commit_callbacks):
    cache.delete(queue_risk.CACHE_KEY)
    now = timezone.now()
    safe = MarketplaceAccountFactory(platform="amazon", name="Safe")
    risky = MarketplaceAccountFactory(platform="amazon", name="Risky")
    shipped_history(safe, now=now, on_time=300, late=0)
    shipped_history(risky, now=now, on_time=97, late=3)  # 3 %: a few more late orders breach 4 %
    safe_overdue = to_ship(safe, now=now, within=-2 * H)
    safe_soon = to_ship(safe, now=now, within=H)
    risky_overdue = to_ship(risky, now=now, within=-H)
    risky_later = to_ship(risky, now=now, within=5 * H)
    risky_soon = to_ship(risky, now=now, within=3 * H)
    risky_tomorrow = to_ship(risky, now=now, within=30 * H)  # beyond the 24 h horizon

    # Before any refresh: the plain order (deadline first).
    assert queue() == [
        safe_overdue.pk,
        risky_overdue.pk,
        safe_soon.pk,
        risky_soon.pk,
        risky_later.pk,
        risky_tomorrow.pk,
    ]

    with django_capture_on_commit_callbacks(execute=True):
        actions.refresh_kpis(now=now)
    assert Standing.objects.get(account=risky, target="late_shipment_rate_30d").status == Status.PROJECTED_BREACH
    assert Standing.objects.get(account=safe, target="late_shipment_rate_30d").status == Status.OK
    assert queue_risk.accounts_at_risk() == [risky.pk]
    # The risky account's orders still in time within the horizon, soonest first; then the rest as before.
    assert queue() == [
        risky_soon.pk,
        risky_later.pk,
        safe_overdue.pk,
        risky_overdue.pk,
        safe_soon.pk,
        risky_tomorrow.pk,
    ]
    # Another sort is left alone.
    oldest = OrderFilter({"sort": "oldest"}, queryset=Order.objects.filter(status="accepted")).qs
    assert list(oldest.values_list("pk", flat=True)) == sorted(oldest.values_list("pk", flat=True))

    # Once the account is safe again, the next refresh gives the queue back its plain order.
    Order.objects.filter(pk__in=[risky_soon.pk, risky_later.pk, risky_tomorrow.pk]).update(status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        actions.refresh_kpis(now=now + 3 * 60 * dt.timedelta(seconds=1))
    assert queue_risk.accounts_at_risk() == []
    cache.delete(queue_risk.CACHE_KEY)
