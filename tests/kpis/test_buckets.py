"""The daily buckets against worlds with known answers, and against a brute-force recount of random worlds."""

import datetime as dt
import statistics
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import buckets, metrics, standings
from kpis.models import DailyBucket
from messaging.models import Thread
from orders.models import Order
from tests.factories import MarketplaceAccountFactory
from tests.kpis.world import NOW, Spec, Wait, build, build_waits, recount, recount_waits

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
TODAY = NOW.date()


def stored(account) -> dict:
    return {
        (bucket.metric, bucket.day): (bucket.numerator, bucket.denominator)
        for bucket in DailyBucket.objects.filter(account=account)
    }


def days_back(count: int) -> set[dt.date]:
    return {TODAY - dt.timedelta(days=offset) for offset in range(count)}


@pytest.mark.django_db
def test_a_hand_built_world_gives_the_known_rates():
    account = MarketplaceAccountFactory(platform="amazon")
    due = NOW - 2 * D  # every order below is due the same day, two days ago
    bought = due - 2 * D
    build(
        account,
        [
            # On time, with tracking.
            Spec(
                "shipped",
                bought,
                ship_by=due,
                tracking_number="6A123",
                carrier="colissimo",
                events=[("received", "accepted", bought), ("shipped", "shipped", due - H)],
            ),
            # Late by an hour, no tracking; the buyer asked to return it.
            Spec(
                "shipped",
                bought,
                ship_by=due,
                returned=True,
                events=[("received", "accepted", bought), ("shipped", "shipped", due + H)],
            ),
            # Never shipped and past due: late.
            Spec("accepted", bought, ship_by=due, events=[("received", "accepted", bought)]),
            # Cancelled by the seller: not in the late shipment rate, in the cancellation rate.
            Spec(
                "cancelled",
                bought,
                ship_by=due,
                events=[("received", "accepted", bought), ("cancelled", "cancelled", bought + H)],
            ),
            # Cancelled by the seller at the buyer's request: not a seller cancellation.
            Spec(
                "cancelled",
                bought,
                ship_by=due,
                buyer_requested_cancel=True,
                events=[("received", "accepted", bought), ("cancelled", "cancelled", bought + H)],
            ),
            # Fulfilled by the marketplace: counts nowhere.
            Spec(
                "shipped", bought, ship_by=due, fulfilled_by_marketplace=True, events=[("received", "shipped", bought)]
            ),
            # The marketplace said shipped but we did not apply it: still not shipped (late).
            Spec(
                "accepted",
                bought,
                ship_by=due,
                events=[("received", "accepted", bought), ("status_ignored", "shipped", due - H)],
            ),
        ],
    )
    buckets.recompute(days=days_back(10), now=NOW)
    result = stored(account)
    assert result[("late_shipment_rate", due.date())] == (3, 4)
    assert result[("cancellation_rate", bought.date())] == (1, 6)
    assert result[("valid_tracking_rate", due.date())] == (1, 2)  # both shipped on the due day
    assert result[("return_rate", bought.date())] == (1, 2)  # one of the two orders bought then and shipped
    assert ("late_shipment_rate", TODAY) not in result


@pytest.mark.django_db
def test_an_order_due_later_today_counts_only_once_shipped_or_late():
    account = MarketplaceAccountFactory(platform="amazon")
    bought = NOW - D
    build(account, [Spec("accepted", bought, ship_by=NOW + 2 * H, events=[("received", "accepted", bought)])])
    buckets.recompute(days={TODAY}, now=NOW)
    assert ("late_shipment_rate", TODAY) not in stored(account)
    buckets.recompute(days={TODAY}, now=NOW + 3 * H)
    assert stored(account)[("late_shipment_rate", TODAY)] == (1, 1)


@pytest.mark.django_db
def test_refusals_and_deliveries():
    account = MarketplaceAccountFactory(platform="mirakl")
    bought = NOW - 5 * D
    deliver_by = NOW - 2 * D
    build(
        account,
        [
            Spec(
                "refused",
                bought,
                events=[("received", "pending_acceptance", bought), ("refused", "refused", bought + H)],
            ),
            Spec(
                "delivered",
                bought,
                deliver_by=deliver_by,
                events=[
                    ("received", "pending_acceptance", bought),
                    ("accepted", "accepted", bought + H),
                    ("shipped", "shipped", bought + D),
                    ("status_changed", "delivered", deliver_by - H),
                ],
            ),
            Spec(
                "delivered",
                bought,
                deliver_by=deliver_by,
                events=[
                    ("received", "pending_acceptance", bought),
                    ("accepted", "accepted", bought + H),
                    ("shipped", "shipped", bought + D),
                    ("status_changed", "delivered", deliver_by + H),
                ],
            ),
            Spec(
                "shipped",
                bought,
                deliver_by=deliver_by,
                events=[
                    ("received", "pending_acceptance", bought),
                    ("accepted", "accepted", bought + H),
                    ("shipped", "shipped", bought + D),
                ],
            ),
            Spec("pending_acceptance", bought, events=[("received", "pending_acceptance", bought)]),
        ],
    )
    buckets.recompute(days=days_back(10), now=NOW)
    result = stored(account)
    assert result[("refusal_rate", bought.date())] == (1, 4)
    assert result[("on_time_delivery_rate", deliver_by.date())] == (1, 3)


@pytest.mark.django_db
def test_recounting_a_day_replaces_it_and_leaves_the_others():
    account = MarketplaceAccountFactory(platform="amazon")
    bought = NOW - 3 * D
    [order] = build(account, [Spec("accepted", bought, events=[("received", "accepted", bought)])])
    buckets.recompute(days=days_back(5), now=NOW)
    assert stored(account)[("cancellation_rate", bought.date())] == (0, 1)
    Order.objects.filter(pk=order.pk).update(status="awaiting_payment")
    buckets.recompute(days={TODAY}, now=NOW)
    assert stored(account)[("cancellation_rate", bought.date())] == (0, 1)  # not that day's turn
    buckets.recompute(days={bought.date()}, now=NOW)
    assert ("cancellation_rate", bought.date()) not in stored(account)


# Random worlds ------------------------------------------------------------------------------

STATUSES = [
    "awaiting_payment",
    "pending_acceptance",
    "accepted",
    "partially_shipped",
    "shipped",
    "delivered",
    "refused",
    "cancelled",
]
KINDS = ["received", "accepted", "refused", "cancelled", "shipped", "status_changed", "status_ignored", "tagged"]
EVENT_STATUSES = [
    "",
    "pending_acceptance",
    "accepted",
    "partially_shipped",
    "shipped",
    "delivered",
    "refused",
    "cancelled",
]
# Instants within a few days of NOW, on the hour, with some on day boundaries.
instants = st.integers(min_value=-9 * 24, max_value=3 * 24).map(lambda hours: NOW.replace(minute=0) + hours * H)
maybe_instants = st.none() | instants
events = st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(EVENT_STATUSES), instants), max_size=4)
specs = st.builds(
    Spec,
    status=st.sampled_from(STATUSES),
    purchased_at=instants,
    ship_by=maybe_instants,
    deliver_by=maybe_instants,
    acceptance_deadline=maybe_instants,
    fulfilled_by_marketplace=st.booleans(),
    tracking_number=st.sampled_from(["", "6A12345678901"]),
    carrier=st.sampled_from(["", "colissimo"]),
    buyer_requested_cancel=st.booleans(),
    returned=st.booleans(),
    incident=st.booleans(),
    events=events,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=st.lists(specs, max_size=25), lateral=st.booleans())
def test_buckets_equal_a_brute_force_recount(world, lateral):
    account = MarketplaceAccountFactory(platform="mirakl")
    build(account, world)
    days = days_back(12) | {TODAY + D, TODAY + 2 * D, TODAY + 3 * D}
    # Both shapes of the facts: order by order (a few days) and the whole timeline at once (many).
    if lateral:
        for day in days:
            buckets.recompute(days={day}, now=NOW)
    else:
        buckets.recompute(days=days, now=NOW)
    expected = {key: value for key, value in recount(world, now=NOW).items() if key[1] in days}
    assert stored(account) == expected
    Order.objects.filter(account=account).delete()


def test_the_trend_is_the_windows_value_day_by_day():
    from kpis.selectors import rolling

    today = dt.date(2026, 11, 20)
    series = [(today - dt.timedelta(days=offset), offset % 2, 2) for offset in range(40)]
    points = rolling(series, today=today, window=3, days=5)
    assert [day for day, _ in points] == [(today - dt.timedelta(days=4 - index)).isoformat() for index in range(5)]
    for day, value in points:
        end = dt.date.fromisoformat(day)
        window = [entry for entry in series if end - dt.timedelta(days=2) <= entry[0] <= end]
        assert value == pytest.approx(100 * sum(e[1] for e in window) / sum(e[2] for e in window), abs=0.01)
    assert rolling([], today=today, window=30, days=2) == [
        ((today - dt.timedelta(days=1)).isoformat(), None),
        (today.isoformat(), None),
    ]


# Order defects and the buyers' waits ---------------------------------------------------------


@pytest.mark.django_db
def test_claims_and_incidents_are_order_defects_over_every_paid_order():
    account = MarketplaceAccountFactory(platform="amazon")
    bought = NOW - 3 * D
    build(
        account,
        [
            Spec("shipped", bought, incident=True, events=[("shipped", "shipped", bought + H)]),  # a claim: a defect
            Spec("shipped", bought, returned=True, events=[("shipped", "shipped", bought + H)]),  # a return is not
            Spec("shipped", bought, fulfilled_by_marketplace=True, incident=True),  # the platform's fulfilment counts
            Spec("cancelled", bought),
            Spec("awaiting_payment", bought, incident=True),  # not paid: not counted
        ],
    )
    buckets.recompute(days=days_back(5), now=NOW)
    result = stored(account)
    assert result[("order_defect_rate", bought.date())] == (2, 4)
    assert result[("return_rate", bought.date())] == (1, 2)  # and an incident is not a return


REPLY_METRICS = ("reply_within_deadline", "median_reply_time")


def stored_replies(account) -> dict:
    result = {}
    for bucket in DailyBucket.objects.filter(account=account, metric__in=REPLY_METRICS):
        if bucket.metric == "median_reply_time":
            result[(bucket.metric, bucket.day)] = (bucket.numerator, bucket.denominator, bucket.durations)
        else:
            result[(bucket.metric, bucket.day)] = (bucket.numerator, bucket.denominator)
    return result


@pytest.mark.django_db
def test_a_hand_built_inbox_gives_the_known_reply_figures():
    account = MarketplaceAccountFactory(platform="amazon")
    since = NOW - 3 * D
    build_waits(
        account,
        [
            Wait(since, reply_by=since + 24 * H, replied_at=since + 2 * H),  # within
            Wait(since, reply_by=since + 24 * H, replied_at=since + 30 * H),  # late
            Wait(since, reply_by=since + 24 * H),  # never answered, past due: missed
            Wait(since, reply_by=since + 24 * H, replied_at=since + H, failed=True),  # refused: still missed
            Wait(since, reply_by=since + 24 * H, closed=True),  # closed without a reply: left out
            Wait(since, replied_at=since + 4 * H, with_order=False),  # no deadline: only in the median
            Wait(NOW - H, reply_by=NOW + 3 * H),  # still in time: not counted yet
        ],
    )
    buckets.recompute(days=days_back(5), now=NOW)
    result = stored_replies(account)
    day = since.date()
    assert result[("reply_within_deadline", day)] == (1, 4)
    assert result[("median_reply_time", day)] == (3, 3, [2 * 3600, 4 * 3600, 30 * 3600])
    assert ("reply_within_deadline", TODAY) not in result


waits = st.builds(
    Wait,
    since=instants,
    reply_by=st.none() | st.integers(min_value=1, max_value=72).map(lambda hours: hours * H),
    replied_at=st.none() | st.integers(min_value=0, max_value=100 * 3600),
    failed=st.booleans(),
    closed=st.booleans(),
    with_order=st.just(False),
).map(
    lambda wait: Wait(
        since=wait.since,
        reply_by=None if wait.reply_by is None else wait.since + wait.reply_by,
        # A reply comes before now (or not at all): the world is seen at NOW.
        replied_at=(
            None
            if wait.replied_at is None or wait.since + dt.timedelta(seconds=wait.replied_at) > NOW
            else wait.since + dt.timedelta(seconds=wait.replied_at)
        ),
        failed=wait.failed,
        closed=wait.closed,
        with_order=False,
    )
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inbox=st.lists(waits, max_size=20), one_day_at_a_time=st.booleans())
def test_reply_buckets_equal_a_brute_force_recount(inbox, one_day_at_a_time):
    account = MarketplaceAccountFactory(platform="amazon")
    build_waits(account, inbox)
    days = days_back(12)
    if one_day_at_a_time:
        for day in days:
            buckets.recompute(days=set(), reply_days={day}, now=NOW)
    else:
        buckets.recompute(days=set(), reply_days=days, now=NOW)
    expected = {key: value for key, value in recount_waits(inbox, now=NOW).items() if key[1] in days}
    assert stored_replies(account) == expected
    Thread.objects.filter(account=account).delete()


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inbox=st.lists(waits, min_size=1, max_size=20), window=st.integers(min_value=1, max_value=9))
def test_a_windows_median_is_the_median_of_its_waits(inbox, window):
    """Merging the days' lists gives the exact median of every answered wait in the window."""
    account = MarketplaceAccountFactory(platform="amazon")
    build_waits(account, inbox)
    buckets.recompute(days=set(), reply_days=days_back(12), now=NOW)
    series = standings.bucket_sums(account_ids=[account.pk], today=TODAY)[(account.pk, "median_reply_time")]
    _, _, durations = standings.window_sum(series, today=TODAY, days=window)
    first = TODAY - dt.timedelta(days=window - 1)
    answered = [
        int((w.replied_at - w.since).total_seconds())
        for w in inbox
        if w.replied_at is not None and not w.failed and first <= w.since.date() <= TODAY
    ]
    expected = None if not answered else Decimal(statistics.median(answered)) / 3600
    value = metrics.median_hours(durations)
    assert (value is None) == (expected is None)
    if expected is not None:
        assert abs(value - expected) <= Decimal("0.005")
    Thread.objects.filter(account=account).delete()


def test_the_median_trend_is_each_windows_median():
    from kpis.selectors import rolling

    today = dt.date(2026, 11, 20)
    rng = __import__("random").Random(7)
    series = [
        (today - dt.timedelta(days=offset), 0, 0, sorted(rng.randrange(60, 90_000) for _ in range(rng.randrange(0, 5))))
        for offset in range(60)
    ]
    for window in (1, 3, 30):
        points = rolling(series, today=today, window=window, days=20, metric=metrics.METRICS["median_reply_time"])
        for day, value in points:
            end = dt.date.fromisoformat(day)
            merged = [
                s for d, _, _, durations in series if end - dt.timedelta(days=window - 1) <= d <= end for s in durations
            ]
            expected = metrics.median_hours(merged)
            assert value == (None if expected is None else float(expected))
