"""A dry run shows what a rule would do on recent orders and writes nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oms.outbox import OutboxMessage
from orders.models import Order, OrderEvent
from rules import selectors
from rules.models import Rule, RuleDecision
from tests.rules.conftest import add_rule, order_with

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def snapshot():
    return (
        list(Order.objects.values_list("id", "status", "tags", "priority", "on_hold", "updated_at").order_by("id")),
        OrderEvent.objects.count(),
        RuleDecision.objects.count(),
        OutboxMessage.objects.count(),
        list(Rule.objects.values_list("id", "enabled", "position", "updated_at").order_by("id")),
    )


def test_dry_run_reports_and_writes_nothing(mirakl):
    now = timezone.now()
    big = order_with(account=mirakl, lines=[("A", 1, "600")], purchased_at=now - dt.timedelta(days=1))
    small = order_with(account=mirakl, lines=[("A", 1, "20")], purchased_at=now - dt.timedelta(days=2))
    old_big = order_with(account=mirakl, lines=[("A", 1, "900")], purchased_at=now - dt.timedelta(days=20))
    earlier = add_rule(name="Huge", action="tag", action_tag="huge", conditions=[{"type": "total", "min": "800"}])
    rule = add_rule(
        name="Big", action="hold", action_reason="check", conditions=[{"type": "total", "min": "500"}], enabled=False
    )
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = selectors.dry_run(rule=rule, days=7)

    assert [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(WRITES)] == []
    assert snapshot() == before
    assert report.looked_at == 2 and report.in_scope == 2  # the 20-day-old order is outside the window
    assert [row.order for row in report.would_act] == [big]
    [small_row] = [row for row in report.rows if row.order == small]
    assert [str(reason) for reason in small_row.result.reasons] == ["total €20 < €500"]
    assert report.shadowed == []

    report = selectors.dry_run(rule=rule, days=30)
    assert [row.order for row in report.shadowed] == [old_big]
    assert report.shadowed[0].decided_by.rule == earlier
    assert snapshot() == before
