"""Applying rules: first match wins, rule order, disabled rules, scope, guards, one action per rule and order."""

import pytest

from oms import outbox
from orders import events, pushes
from orders.models import OrderEvent
from orders.status import OrderStatus
from rules import actions
from rules.models import RuleDecision
from tests.rules.conftest import add_rule, order_with

pytestmark = pytest.mark.django_db


def decide(order):
    return actions.apply_rules_to_order(order_id=order.pk)


def test_first_matching_rule_wins(mirakl):
    add_rule(name="Big orders", action="tag", action_tag="big", conditions=[{"type": "total", "min": "100"}])
    add_rule(name="French orders", action="tag", action_tag="fr", conditions=[{"type": "country", "countries": ["FR"]}])
    add_rule(
        name="Everything else", action="set_priority", action_priority=5, conditions=[{"type": "total", "min": "0"}]
    )
    small = order_with(account=mirakl, lines=[("A", 1, "20")])

    decision = decide(small)

    small.refresh_from_db()
    assert (decision.rule_name, decision.outcome, decision.sentences) == (
        "French orders",
        "tag",
        ["ships to FR (in FR)"],
    )
    assert small.tags == ["fr"] and small.priority == 0  # the later rule did not act
    event = OrderEvent.objects.get(order=small, kind=events.TAGGED)
    assert (event.actor_type, event.actor_label) == ("rule", "French orders")
    assert event.params == {"tag": "fr"}


def test_reordering_changes_the_winner(mirakl):
    first = add_rule(
        name="Tag FR", action="tag", action_tag="fr", conditions=[{"type": "country", "countries": ["FR"]}]
    )
    second = add_rule(
        name="Priority", action="set_priority", action_priority=9, conditions=[{"type": "total", "min": "0"}]
    )
    actions.reorder_rules(rule_ids=[second.pk, first.pk], updated_by=None)
    order = order_with(account=mirakl)

    assert decide(order).rule_name == "Priority"
    order.refresh_from_db()
    assert (order.priority, order.tags) == (9, [])

    actions.move_rule(rule_id=first.pk, direction="up", updated_by=None)
    assert decide(order_with(account=mirakl)).rule_name == "Tag FR"


def test_disabled_rules_are_skipped(mirakl):
    rule = add_rule(
        name="Off", action="tag", action_tag="off", conditions=[{"type": "total", "min": "0"}], enabled=False
    )
    order = order_with(account=mirakl)
    assert decide(order) is None  # no enabled rule covers it: nothing recorded
    actions.set_rule_enabled(rule_id=rule.pk, enabled=True, updated_by=None)
    assert decide(order).outcome == "tag"


def test_scope_by_platform_and_account(mirakl, amazon):
    from tests.factories import MarketplaceAccountFactory

    conforama = MarketplaceAccountFactory(platform="mirakl", name="Conforama")
    add_rule(
        name="Amazon only",
        action="tag",
        action_tag="amz",
        platforms=("amazon",),
        conditions=[{"type": "total", "min": "0"}],
    )
    add_rule(
        name="Conforama only",
        action="tag",
        action_tag="conf",
        account_ids=(conforama.pk,),
        conditions=[{"type": "total", "min": "0"}],
    )

    assert decide(order_with(account=amazon, status=OrderStatus.ACCEPTED)).rule_name == "Amazon only"
    assert decide(order_with(account=conforama)).rule_name == "Conforama only"
    assert decide(order_with(account=mirakl)) is None  # Fnac-Darty is in neither scope


def test_no_match_says_why_for_each_rule(mirakl):
    add_rule(name="Small", action="tag", action_tag="s", conditions=[{"type": "total", "max": "10"}])
    add_rule(name="Belgium", action="tag", action_tag="b", conditions=[{"type": "country", "countries": ["BE"]}])
    decision = decide(order_with(account=mirakl, lines=[("A", 1, "42.90")]))
    assert decision.outcome == "no_match" and decision.rule is None
    assert decision.sentences == ["Small: total €42.90 > €10", "Belgium: ships to FR, not in BE"]


def test_the_same_rule_never_acts_twice(mirakl):
    rule = add_rule(
        name="Hold risky",
        action="hold",
        action_reason="check the address",
        conditions=[{"type": "country", "countries": ["FR"]}],
    )
    order = order_with(account=mirakl)

    first = decide(order)
    assert first.outcome == "hold"
    # An operator releases it; the rule must not hold it again on a second run.
    from orders import triage
    from orders.actions import Actor

    triage.release_hold(order_id=order.pk, actor=Actor.system())
    assert decide(order) is None
    assert actions.apply_rules(order_ids=[order.pk, order.pk]) == {"unchanged": 1}
    order.refresh_from_db()
    assert order.on_hold is False
    assert RuleDecision.objects.filter(order=order, rule=rule).count() == 1
    held = OrderEvent.objects.filter(order=order, kind=events.HELD)
    assert [event.params["reason"] for event in held] == ["check the address"]


def test_refuse_with_reason(mirakl):
    add_rule(
        name="No Germany",
        action="refuse",
        action_reason="We do not ship to Germany",
        conditions=[{"type": "country", "countries": ["DE"]}],
    )
    from tests.factories import AddressDataFactory

    order = order_with(account=mirakl, shipping_address=AddressDataFactory(country_code="DE"))
    decision = decide(order)
    order.refresh_from_db()
    assert (decision.outcome, order.status) == ("refuse", OrderStatus.REFUSED)
    event = OrderEvent.objects.get(order=order, to_status=OrderStatus.REFUSED)
    assert (event.actor_type, event.actor_label) == ("rule", "No Germany")
    assert event.params["reason"] == "We do not ship to Germany"
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.REFUSE).count() == 1


def test_accept_needs_an_acceptance_step_and_a_waiting_order(mirakl, amazon):
    add_rule(name="Accept all", action="accept", conditions=[{"type": "total", "min": "0"}])
    on_amazon = decide(order_with(account=amazon, status=OrderStatus.ACCEPTED))
    assert on_amazon.outcome == "no_match"
    assert on_amazon.sentences == ["Accept all: Amazon has no acceptance step: nothing to accept"]
    shipped = decide(order_with(account=mirakl, status=OrderStatus.SHIPPED))
    assert shipped.sentences == ["Accept all: status is Shipped: nothing to accept"]
    fba = decide(order_with(account=mirakl, fulfilled_by_marketplace=True))
    assert fba.sentences == ["Accept all: fulfilled by the marketplace: read-only here"]


def test_a_held_order_is_never_accepted_by_a_rule(mirakl):
    from orders import triage
    from orders.actions import Actor

    add_rule(name="Accept all", action="accept", conditions=[{"type": "total", "min": "0"}])
    order = order_with(account=mirakl)
    triage.hold_order(order_id=order.pk, actor=Actor.system(), reason="look first")
    decision = decide(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_ACCEPTANCE
    assert decision.sentences == ["Accept all: held for review: a rule does not accept it"]


def test_a_rule_never_accepts_when_stock_cannot_be_confirmed(mirakl):
    add_rule(name="Accept cheap", action="accept", conditions=[{"type": "total", "max": "500"}])
    add_rule(name="Hold the rest", action="hold", action_reason="no stock", conditions=[{"type": "total", "min": "0"}])
    order = order_with(account=mirakl, lines=[("NO-SUCH-SKU", 1, "42.90")])

    decision = decide(order)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_ACCEPTANCE
    assert not outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.ACCEPT).exists()
    assert decision.rule_name == "Hold the rest" and order.on_hold
    assert not RuleDecision.objects.filter(order=order, outcome="accept").exists()


def test_a_failing_action_is_recorded_and_changes_nothing(mirakl, admin_user):
    rule = add_rule(name="Prio", action="set_priority", action_priority=7, conditions=[{"type": "total", "min": "0"}])
    # A stored value the action refuses (written around the validation, as an older version might have).
    type(rule).objects.filter(pk=rule.pk).update(action_priority=500)
    order = order_with(account=mirakl)
    decision = decide(order)
    order.refresh_from_db()
    assert decision.outcome == "failed" and order.priority == 0
    assert decision.sentences[-1] == "Priority goes from -100 to 100."
    assert not OrderEvent.objects.filter(order=order, kind=events.PRIORITY_SET).exists()
