"""Standings, projections and alerts: fired once per crossing, e-mailed to admins through the outbox."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from kpis import actions, wording
from kpis.models import Alert, DailyBucket, Standing, Status
from messaging.models import Message, Thread
from oms import outbox
from oms.errors import DomainError
from oms.outbox.models import OutboxMessage
from orders.models import Order, OrderEvent
from tests.factories import MarketplaceAccountFactory
from tests.kpis.world import NOW, Spec, Wait, build, build_waits

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def history(account, *, on_time: int, late: int):
    """Orders due over the last days, shipped on time or an hour late."""
    specs = []
    for index in range(on_time + late):
        due = NOW - (2 + index % 20) * D
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
    return build(account, specs)


def due_soon(account, count: int, *, within=3 * H):
    return build(
        account,
        [
            Spec("accepted", NOW - D, ship_by=NOW + within, events=[("received", "accepted", NOW - D)])
            for _ in range(count)
        ],
    )


def standing(account, target="late_shipment_rate_30d") -> Standing:
    return Standing.objects.get(account=account, target=target)


@pytest.mark.django_db
def test_orders_due_soon_project_a_breach_in_words():
    account = MarketplaceAccountFactory(platform="amazon")
    history(account, on_time=97, late=3)
    due_soon(account, 7)
    actions.refresh_kpis(now=NOW)
    lsr = standing(account)
    assert (lsr.numerator, lsr.denominator, lsr.value) == (3, 100, Decimal("3.00"))
    assert lsr.at_stake == 7
    assert lsr.projected_value == Decimal("9.35")  # (3 + 7) / (100 + 7)
    assert lsr.status == Status.PROJECTED_BREACH
    with translation.override("en"):
        assert wording.sentence(lsr, now=NOW) == (
            "7 order(s) must ship within 3 h; if they ship late, the 30-day late shipment rate goes "
            "from 3.00 % to 9.35 % (threshold 4.00 %)."
        )


@pytest.mark.django_db
def test_statuses_ok_warning_breach():
    account = MarketplaceAccountFactory(platform="amazon")
    history(account, on_time=99, late=1)
    actions.refresh_kpis(now=NOW)
    assert standing(account).status == Status.OK  # 1 %, threshold 4 %, margin 1 point
    history(account, on_time=0, late=3)  # 4 of 103: 3.88 %
    actions.refresh_kpis(now=NOW + H)
    assert standing(account).status == Status.WARNING
    history(account, on_time=0, late=1)  # 5 of 104: 4.81 %
    actions.refresh_kpis(now=NOW + 2 * H)
    assert standing(account).status == Status.BREACH
    # Valid tracking rate (higher is better): every order has tracking.
    assert standing(account, "valid_tracking_rate_30d").value == Decimal("100.00")


@pytest.mark.django_db
def test_an_alert_fires_once_per_crossing_and_reaches_the_admins(admin_user):
    account = MarketplaceAccountFactory(platform="amazon")
    history(account, on_time=99, late=1)
    at_stake = due_soon(account, 7)
    actions.refresh_kpis(now=NOW)
    actions.refresh_kpis(now=NOW + dt.timedelta(minutes=3))
    # Both late shipment rates (10 and 30 days) cross, once each.
    assert sorted(Alert.objects.values_list("target", "status", "closed_at")) == [
        ("late_shipment_rate_10d", Status.PROJECTED_BREACH, None),
        ("late_shipment_rate_30d", Status.PROJECTED_BREACH, None),
    ]
    # The orders ship on time: back to OK, the alert closes.
    for order in at_stake:
        Order.objects.filter(pk=order.pk).update(status="shipped", tracking_number="6A2", carrier="colissimo")
        event = OrderEvent.objects.create(order=order, kind="shipped", actor_type="user", to_status="shipped")
        OrderEvent.objects.filter(pk=event.pk).update(created_at=NOW + dt.timedelta(minutes=30))
    actions.refresh_kpis(now=NOW + H)
    assert standing(account).status == Status.OK
    assert not Alert.objects.filter(closed_at__isnull=True).exists()
    # A new backlog at risk: a second crossing, a second alert.
    due_soon(account, 9)
    actions.refresh_kpis(now=NOW + 2 * H)
    assert Alert.objects.filter(target="late_shipment_rate_30d").count() == 2
    assert OutboxMessage.objects.filter(kind="kpi.alert_email").count() == 4
    assert outbox.drain() == {"sent": 4}
    assert [message.to for message in mail.outbox] == [[admin_user.email]] * 4
    assert account.name in mail.outbox[0].subject
    assert "must ship within" in mail.outbox[1].body


@pytest.mark.django_db
def test_an_admins_threshold_and_window_replace_the_platforms():
    account = MarketplaceAccountFactory(platform="amazon")
    history(account, on_time=97, late=3)
    actions.set_target(
        account_id=account.pk, target="late_shipment_rate_30d", threshold=Decimal("2.5"), window_days=60, enabled=True
    )
    actions.refresh_kpis(now=NOW)
    lsr = standing(account)
    assert (lsr.window_days, lsr.threshold, lsr.status) == (60, Decimal("2.50"), Status.BREACH)
    actions.set_target(
        account_id=account.pk, target="late_shipment_rate_30d", threshold=Decimal("4"), window_days=30, enabled=False
    )
    actions.refresh_kpis(now=NOW + H)
    assert not Standing.objects.filter(account=account, target="late_shipment_rate_30d").exists()


@pytest.mark.django_db
def test_a_bad_setting_is_refused_and_changes_nothing():
    account = MarketplaceAccountFactory(platform="ebay")
    for target, threshold, window in [
        ("refusal_rate_30d", "5", 30),
        ("late_shipment_rate_90d", "101", 30),
        ("late_shipment_rate_90d", "5", 0),
    ]:
        with pytest.raises(DomainError):
            actions.set_target(
                account_id=account.pk, target=target, threshold=Decimal(threshold), window_days=window, enabled=True
            )
    assert not account.kpi_settings.exists()


@pytest.mark.django_db
def test_the_refresh_reads_the_orders_changed_since_and_equals_a_full_recount():
    account = MarketplaceAccountFactory(platform="amazon")
    orders = history(account, on_time=30, late=2)
    Order.objects.update(updated_at=NOW - D)  # written before the first refresh
    actions.refresh_kpis(now=NOW)
    old = orders[10]  # due twelve days ago
    Order.objects.filter(pk=old.pk).update(status="cancelled", updated_at=NOW + H)
    event = OrderEvent.objects.create(order=old, kind="cancelled", actor_type="user", to_status="cancelled")
    OrderEvent.objects.filter(pk=event.pk).update(created_at=NOW + H)
    done = actions.refresh_kpis(now=NOW + 2 * H)
    assert done["orders"] == 1  # the cancelled order alone
    incremental = set(DailyBucket.objects.values_list("account", "metric", "day", "numerator", "denominator"))
    assert standing(account).denominator == 31
    actions.recompute_history(days=90, now=NOW + 2 * H)
    assert set(DailyBucket.objects.values_list("account", "metric", "day", "numerator", "denominator")) == incremental


@pytest.mark.django_db
def test_buyers_waiting_project_a_breach_of_the_reply_deadline_share_and_the_median_is_exact():
    account = MarketplaceAccountFactory(platform="amazon")
    start = NOW - 5 * D
    # 19 answered within the day (1 h to 19 h), one late (30 h): 95 % within, median 10.5 h.
    inbox = [Wait(start, reply_by=start + 24 * H, replied_at=start + hours * H) for hours in range(1, 20)]
    inbox.append(Wait(start, reply_by=start + 24 * H, replied_at=start + 30 * H))
    # Three buyers still waiting, their reply-by within the horizon.
    inbox += [Wait(NOW - H, reply_by=NOW + 2 * H) for _ in range(3)]
    build_waits(account, inbox)
    actions.refresh_kpis(now=NOW)
    share = standing(account, "reply_within_deadline_90d")
    assert (share.numerator, share.denominator, share.value) == (19, 20, Decimal("95.00"))
    assert (share.at_stake, share.projected_value) == (3, Decimal("82.61"))  # 19 / 23
    assert share.status == Status.PROJECTED_BREACH
    with translation.override("en"):
        assert wording.sentence(share, now=NOW) == (
            "3 buyer message(s) must be answered within 2 h; if they are not, the 90-day share of replies within "
            "the deadline goes from 95.00 % to 82.61 % (threshold 90.00 %)."
        )
    median = standing(account, "median_reply_time_30d")
    assert (median.denominator, median.value, median.status) == (20, Decimal("10.50"), Status.OK)
    with translation.override("fr"):
        assert wording.sentence(median, now=NOW) == ("Sur 30 jours, délai de réponse médian : 10,50 h (seuil 24,00 h).")

    # The three are answered late: the next refresh (incremental) counts them on the day they began.
    Thread.objects.filter(account=account, status="needs_reply").update(
        status="waiting_for_buyer", needs_reply_since=None, reply_by=None
    )
    later = NOW + 4 * H
    for thread in Thread.objects.filter(account=account, messages__direction="in", messages__sent_at=NOW - H):
        reply = Message.objects.create(
            thread=thread, direction="out", body="!", delivery="sent", response_seconds=5 * 3600, within_deadline=False
        )
        Message.objects.filter(pk=reply.pk).update(created_at=later)
    actions.refresh_kpis(now=later)
    share = standing(account, "reply_within_deadline_90d")
    assert (share.numerator, share.denominator, share.at_stake, share.status) == (19, 23, 0, Status.BREACH)
    assert standing(account, "median_reply_time_30d").value == Decimal("9.00")  # 23 waits: the 12th, 9 h
