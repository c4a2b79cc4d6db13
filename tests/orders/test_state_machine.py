"""Every legal transition works and leaves an event; every illegal one is refused with nothing changed."""

import pytest

from oms.errors import DomainError, IllegalTransition
from orders import actions, events
from orders.models import Order, OrderEvent
from orders.status import TRANSITIONS, OrderStatus
from shipping import actions as shipping_actions
from shipping import events as shipping_events
from tests.factories import MarketplaceAccountFactory, make_order

ALL = [status.value for status in OrderStatus]


def perform(order, target, actor):
    """The operator-facing action that asks for `target`."""
    if target == OrderStatus.ACCEPTED:
        return actions.accept_order(order_id=order.pk, actor=actor, reason="Stock OK")
    if target == OrderStatus.REFUSED:
        return actions.refuse_order(order_id=order.pk, actor=actor, reason="Out of stock")
    if target == OrderStatus.CANCELLED:
        return actions.cancel_order(order_id=order.pk, actor=actor, reason="Buyer asked")
    if target == OrderStatus.SHIPPED:
        return shipping_actions.ship_order(
            order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901"
        )
    if target == OrderStatus.DELIVERED:
        return actions.mark_delivered(order_id=order.pk, actor=actor)
    return None


ACTIONABLE = [
    OrderStatus.ACCEPTED,
    OrderStatus.REFUSED,
    OrderStatus.CANCELLED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
]
LEGAL = [(source, target) for source in ALL for target in ACTIONABLE if target in TRANSITIONS[source]]
ILLEGAL = [(source, target) for source in ALL for target in ACTIONABLE if target not in TRANSITIONS[source]]
DECISION_KINDS = {
    OrderStatus.ACCEPTED: events.ACCEPTED,
    OrderStatus.REFUSED: events.REFUSED,
    OrderStatus.CANCELLED: events.CANCELLED,
    OrderStatus.SHIPPED: shipping_events.SHIPMENT_SHIPPED,
    OrderStatus.DELIVERED: events.DELIVERED,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_legal_transition_changes_status_and_records_who_and_why(source, target, operator):
    # Cdiscount takes every legal move (Mirakl, the factory's default, refuses rather than cancels
    # an order waiting for acceptance: tests/marketplaces/test_capabilities_first.py).
    order = make_order(account=MarketplaceAccountFactory(platform="cdiscount"), status=source)
    actor = actions.Actor.of_user(operator)

    perform(order, target, actor)

    order.refresh_from_db()
    assert order.status == target
    event = order.events.latest("id")
    assert event.kind == DECISION_KINDS[target]
    assert (event.from_status, event.to_status) == (source, target)
    assert event.actor_type == "user" and event.actor_user == operator
    assert events.describe(event)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(source, target, operator):
    order = make_order(status=source)
    before = Order.objects.values().get(pk=order.pk)
    events_before = OrderEvent.objects.filter(order=order).count()

    with pytest.raises(IllegalTransition) as refused:
        perform(order, target, actions.Actor.of_user(operator))

    assert str(OrderStatus(source).label) in refused.value.message
    assert Order.objects.values().get(pk=order.pk) == before
    assert OrderEvent.objects.filter(order=order).count() == events_before


def test_every_status_has_a_transition_entry():
    assert set(TRANSITIONS) == set(ALL)


@pytest.mark.django_db
def test_refuse_and_cancel_need_a_reason(operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    for act in (actions.refuse_order, actions.cancel_order):
        with pytest.raises(DomainError, match="reason"):
            act(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="   ")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_ship_needs_carrier_and_tracking_and_records_them(operator):
    order = make_order(status=OrderStatus.ACCEPTED)
    with pytest.raises(DomainError):
        shipping_actions.ship_order(
            order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="ups", tracking_number=""
        )
    shipping_actions.ship_order(
        order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="ups", tracking_number="1Z999AA10123456784"
    )
    order.refresh_from_db()
    assert (order.carrier, order.tracking_number) == ("ups", "1Z999AA10123456784")
    assert all(line.quantity_shipped == line.quantity for line in order.lines.all())


@pytest.mark.django_db
def test_orders_fulfilled_by_the_marketplace_are_read_only(operator):
    order = make_order(status=OrderStatus.ACCEPTED, fulfilled_by_marketplace=True)
    with pytest.raises(DomainError, match="read-only"):
        actions.cancel_order(order_id=order.pk, actor=actions.Actor.of_user(operator), reason="test")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


@pytest.mark.django_db
def test_rule_actor_is_recorded_by_name():
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_rule("Stock OK FR"), reason="stock 3 ≥ 1")
    event = order.events.latest("id")
    assert (event.actor_type, event.actor_display, event.params) == ("rule", "Stock OK FR", {"reason": "stock 3 ≥ 1"})
