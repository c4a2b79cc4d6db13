"""New orders go through the rules unattended: the ingest signal, on_commit, a real Celery worker."""

import time

import pytest

from orders.models import OrderEvent
from orders.status import OrderStatus
from rules.models import RuleDecision
from tests.rules.conftest import add_rule, order_with, put_in_stock
from tests.workers import kill, start_worker


def wait_until(condition, *, seconds=60, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db(transaction=True)
def test_a_new_order_is_accepted_by_a_rule_in_a_worker(mirakl):
    add_rule(name="Stock OK FR", action="accept", conditions=[{"type": "stock"}, {"type": "total", "max": "500"}])
    put_in_stock("CHAIR-01", 3)
    worker = start_worker()
    try:
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])  # ingest commits, then queues
        decision = wait_until(lambda: RuleDecision.objects.filter(order=order).first())
    finally:
        kill(worker)
    order.refresh_from_db()
    assert (order.status, decision.outcome) == (OrderStatus.ACCEPTED, "accept")
    event = OrderEvent.objects.get(order=order, to_status=OrderStatus.ACCEPTED)
    assert (event.actor_label, "reason" in event.params) == ("Stock OK FR", False)
    assert decision.sentences == ["stock 3 ≥ 1 for all lines", "total €42.90 ≤ €500"]


@pytest.mark.django_db
def test_the_task_is_queued_only_after_the_ingest_commits(mirakl, django_capture_on_commit_callbacks):
    from rules.tasks import apply_rules_to_orders

    add_rule(name="Tag FR", action="tag", action_tag="fr", conditions=[{"type": "country", "countries": ["FR"]}])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = order_with(account=mirakl)
    assert not RuleDecision.objects.exists()  # nothing happens inside the ingest transaction
    queue_rules = [callback for callback in callbacks if callback.__qualname__.startswith("queue_rules_for_new_orders")]
    assert len(queue_rules) == 1

    apply_rules_to_orders(order_ids=[order.pk])  # what the worker runs, called eagerly
    apply_rules_to_orders(order_ids=[order.pk])  # a redelivered message changes nothing
    order.refresh_from_db()
    assert order.tags == ["fr"]
    assert RuleDecision.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_orders_the_unattended_run_missed_are_caught_up(mirakl):
    from rules import actions

    missed = order_with(account=mirakl)  # no rule yet when it arrived: nothing ran
    seen = order_with(account=mirakl, status=OrderStatus.ACCEPTED)
    assert actions.apply_rules_to_undecided_orders() == {}  # no enabled rule: nothing to do
    add_rule(name="Tag FR", action="tag", action_tag="fr", conditions=[{"type": "country", "countries": ["FR"]}])

    assert actions.apply_rules_to_undecided_orders() == {"tag": 1}
    assert actions.apply_rules_to_undecided_orders() == {}  # decided once: not picked again
    missed.refresh_from_db()
    seen.refresh_from_db()
    assert (missed.tags, seen.tags) == (["fr"], [])
