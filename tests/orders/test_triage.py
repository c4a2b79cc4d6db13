"""Assign, tag, prioritise and hold: each recorded, each idempotent, bad input refused."""

import pytest

from oms.errors import DomainError
from orders import events, triage
from orders.actions import Actor
from orders.models import OrderEvent
from tests.factories import UserFactory, make_order


@pytest.mark.django_db
def test_triage_moves_are_recorded_once(operator):
    order = make_order()
    actor = Actor.of_user(operator)
    colleague = UserFactory()
    for _ in range(2):
        triage.assign_order(order_id=order.pk, actor=actor, assignee_id=colleague.pk)
        triage.tag_order(order_id=order.pk, actor=actor, tag="fragile")
        triage.set_priority(order_id=order.pk, actor=actor, priority=10)
        triage.hold_order(order_id=order.pk, actor=actor, reason="address to check")
    order.refresh_from_db()
    assert (order.assignee, order.tags, order.priority, order.on_hold) == (colleague, ["fragile"], 10, True)
    assert (
        OrderEvent.objects.filter(
            order=order, kind__in=[events.ASSIGNED, events.TAGGED, events.PRIORITY_SET, events.HELD]
        ).count()
        == 4
    )

    triage.untag_order(order_id=order.pk, actor=actor, tag="fragile")
    triage.release_hold(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    assert (order.tags, order.on_hold) == ([], False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "act",
    [
        lambda order, actor: triage.tag_order(order_id=order.pk, actor=actor, tag="<script>"),
        lambda order, actor: triage.set_priority(order_id=order.pk, actor=actor, priority=1000),
        lambda order, actor: triage.assign_order(order_id=order.pk, actor=actor, assignee_id=999999),
        lambda order, actor: triage.hold_order(order_id=order.pk, actor=actor, reason=" "),
    ],
)
def test_bad_triage_input_is_refused_and_changes_nothing(operator, act):
    order = make_order()
    with pytest.raises(DomainError):
        act(order, Actor.of_user(operator))
    order.refresh_from_db()
    assert (order.tags, order.priority, order.assignee, order.on_hold) == ([], 0, None, False)
    assert not OrderEvent.objects.filter(order=order).exclude(kind=events.RECEIVED).exists()
