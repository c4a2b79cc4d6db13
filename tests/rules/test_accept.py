"""Auto-accept: the timeline says which rule and why; unreservable lines are never accepted."""

import pytest

from oms import outbox
from orders import pushes
from orders.models import OrderEvent
from orders.status import OrderStatus
from rules import actions
from rules.models import RuleDecision
from tests.rules.conftest import add_rule, order_with, put_in_stock

pytestmark = pytest.mark.django_db

STOCK_OK_FR = [{"type": "stock"}, {"type": "total", "max": "500"}]


def test_accepted_by_rule_with_the_reason_per_condition(mirakl):
    add_rule(name="Stock OK FR", action="accept", conditions=STOCK_OK_FR)
    put_in_stock("CHAIR-01", 3)
    order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])

    decision = actions.apply_rules_to_order(order_id=order.pk)

    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert (decision.outcome, decision.rule_name) == ("accept", "Stock OK FR")
    assert decision.sentences == ["stock 3 ≥ 1 for all lines", "total €42.90 ≤ €500"]
    event = OrderEvent.objects.get(order=order, to_status=OrderStatus.ACCEPTED)
    assert (event.actor_type, event.actor_label, event.actor_display) == ("rule", "Stock OK FR", "Stock OK FR")
    # Why is the decision's, in the reader's language; the event says who.
    assert "reason" not in event.params
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.ACCEPT).count() == 1


def test_a_rule_without_a_stock_condition_still_checks_stock(mirakl):
    add_rule(name="Cheap", action="accept", conditions=[{"type": "total", "max": "500"}])
    put_in_stock("CHAIR-01", 5)
    served = order_with(account=mirakl, lines=[("CHAIR-01", 2, "10")])
    short = order_with(account=mirakl, lines=[("CHAIR-01", 4, "10")])  # 3 left after the first one

    accepted = actions.apply_rules_to_order(order_id=served.pk)
    refused = actions.apply_rules_to_order(order_id=short.pk)

    assert accepted.sentences == ["total €20 ≤ €500", "stock 5 ≥ 2 for all lines"]
    short.refresh_from_db()
    assert short.status == OrderStatus.PENDING_ACCEPTANCE
    assert refused.outcome == "no_match"
    assert refused.sentences == ["Cheap: cannot reserve stock: CHAIR-01 3 < 4"]
    assert not outbox.messages_about(pushes.order_subject(short.pk)).filter(kind=pushes.ACCEPT).exists()


def test_unreservable_lines_are_never_accepted_even_when_every_condition_holds(mirakl):
    add_rule(name="Stock OK FR", action="accept", conditions=STOCK_OK_FR)
    put_in_stock("CHAIR-01", 3)
    order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "10"), ("UNKNOWN-SKU", 1, "10")])

    decision = actions.apply_rules_to_order(order_id=order.pk)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_ACCEPTANCE
    assert decision.outcome == "no_match"
    assert decision.sentences[0].startswith("Stock OK FR: cannot reserve stock")
    assert not RuleDecision.objects.filter(outcome="accept").exists()
    assert not OrderEvent.objects.filter(order=order, to_status=OrderStatus.ACCEPTED).exists()


def test_accepting_twice_acts_once(mirakl):
    add_rule(name="Stock OK FR", action="accept", conditions=STOCK_OK_FR)
    put_in_stock("CHAIR-01", 3)
    order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])
    assert actions.apply_rules(order_ids=[order.pk]) == {"accept": 1}
    assert actions.apply_rules(order_ids=[order.pk]) == {"unchanged": 1}
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.ACCEPT).count() == 1
    assert RuleDecision.objects.filter(order=order).count() == 1
