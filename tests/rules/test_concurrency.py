"""Two workers running the rules on the same orders at once: each rule acts once per order."""

import threading

import pytest
from django.db import connection

from oms.outbox import OutboxMessage
from orders import events, pushes
from orders.models import OrderEvent
from orders.status import OrderStatus
from rules import actions
from rules.models import RuleDecision
from tests.rules.conftest import add_rule, order_with, put_in_stock


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_accept_each_order_once(mirakl):
    add_rule(name="Stock OK FR", action="accept", conditions=[{"type": "stock"}])
    add_rule(name="Tag the rest", action="tag", action_tag="rest", conditions=[{"type": "total", "min": "0"}])
    put_in_stock("CHAIR-01", 100)
    orders = [order_with(account=mirakl, lines=[("CHAIR-01", 1, "10")]) for _ in range(20)]
    ids = [order.pk for order in orders]
    start = threading.Barrier(4)
    errors = []

    def run():
        try:
            start.wait()
            actions.apply_rules(order_ids=ids)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert RuleDecision.objects.filter(order_id__in=ids, outcome="accept").count() == 20
    assert RuleDecision.objects.filter(order_id__in=ids).exclude(outcome="accept").count() == 0
    assert (
        OutboxMessage.objects.filter(subject__in=[pushes.order_subject(pk) for pk in ids], kind=pushes.ACCEPT).count()
        == 20
    )
    assert OrderEvent.objects.filter(order_id__in=ids, to_status=OrderStatus.ACCEPTED).count() == 20
    assert not OrderEvent.objects.filter(
        order_id__in=ids, kind__in=[events.TAGGED, events.PRIORITY_SET, events.HELD]
    ).exists()
