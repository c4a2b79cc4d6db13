"""The incremental refresh against a recount: after random changes to random worlds, every bucket of the
order metrics is what a full recount of its day gives."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import actions, buckets, incremental, metrics
from kpis.models import DailyBucket, OrderFacts
from orders.models import ActorType, Order, OrderEvent
from returns.models import ReturnRequest
from tests.factories import MarketplaceAccountFactory
from tests.kpis.test_buckets import specs
from tests.kpis.world import NOW, Spec, build

ORDER_METRICS = [metric.key for metric in metrics.METRICS.values() if metric.source == metrics.ORDERS]
H = dt.timedelta(hours=1)


def order_buckets(account) -> dict:
    return {
        (b.metric, b.day): (b.numerator, b.denominator)
        for b in DailyBucket.objects.filter(account=account, metric__in=ORDER_METRICS)
    }


def change(orders, seed: int, at: dt.datetime) -> None:
    """A few minutes of work: statuses moved with their events, a return, an incident."""
    rng = random.Random(seed)
    for order in rng.sample(orders, k=min(len(orders), 6)):
        what = rng.choice(["ship", "cancel", "deliver", "return", "incident", "refuse"])
        if what in ("return", "incident"):
            ReturnRequest.objects.create(order=order, platform="amazon", requested_at=at, kind=what)
            continue
        status = {"ship": "shipped", "cancel": "cancelled", "deliver": "delivered", "refuse": "refused"}[what]
        kind = "cancelled" if what == "cancel" else "status_changed"
        Order.objects.filter(pk=order.pk).update(status=status, updated_at=at)
        event = OrderEvent.objects.create(order=order, kind=kind, actor_type=ActorType.USER, to_status=status)
        OrderEvent.objects.filter(pk=event.pk).update(created_at=at)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=st.lists(specs, min_size=1, max_size=20), seed=st.integers(0, 1000), hours=st.integers(1, 30))
def test_the_buckets_kept_by_differences_equal_a_recount(world, seed, hours):
    DailyBucket.objects.all().delete()
    OrderFacts.objects.all().delete()
    actions.RefreshState.objects.all().delete()
    account = MarketplaceAccountFactory(platform="amazon")
    orders = build(account, world)
    # Written long before: only what `change` touches, and the deadlines passing, are read again.
    Order.objects.filter(account=account).update(updated_at=NOW - 48 * H)
    actions.refresh_kpis(now=NOW)  # the first: everything
    later = NOW + hours * H  # deadlines pass meanwhile
    change(orders, seed, later - H)
    actions.refresh_kpis(now=later)
    kept = order_buckets(account)
    # The recount of every day that can hold a bucket, from scratch.
    today = later.date()
    days = {today + dt.timedelta(days=offset) for offset in range(-metrics.HISTORY_DAYS + 1, 10)}
    buckets.recompute(days=days, now=later)
    assert kept == order_buckets(account)
    Order.objects.filter(account=account).delete()


@pytest.mark.django_db
def test_a_refresh_reads_only_the_orders_that_changed_or_whose_deadline_passed():
    account = MarketplaceAccountFactory(platform="amazon")
    quiet = [Spec("shipped", NOW - 3 * 24 * H, events=[("shipped", "shipped", NOW - 2 * 24 * H)]) for _ in range(5)]
    [due] = build(
        account, [Spec("accepted", NOW - 24 * H, ship_by=NOW + H, events=[("received", "accepted", NOW - H)])]
    )
    build(account, quiet)
    Order.objects.filter(account=account).update(updated_at=NOW - 48 * H)
    actions.refresh_kpis(now=NOW)
    # Nothing changed and no deadline passed: no order read again.
    assert actions.refresh_kpis(now=NOW + dt.timedelta(minutes=10))["orders"] == 0
    # Its ship-by passes: that order alone, now late.
    assert actions.refresh_kpis(now=NOW + 2 * H)["orders"] == 1
    assert order_buckets(account)[("late_shipment_rate", (NOW + H).date())] == (1, 1)
    assert OrderFacts.objects.get(order_id=due.pk).status == "accepted"
    assert incremental.first_kept_instant(NOW.date()).date() == NOW.date() - dt.timedelta(days=metrics.HISTORY_DAYS - 1)
