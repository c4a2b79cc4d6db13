"""A few returns in the demo world, at every step, on orders of the history.

The Mirakl sandbox opens more by itself on delivered orders (polled every five minutes). No refund
is made here: the history's orders exist only in the OMS, not on the sandbox marketplaces.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from oms.errors import DomainError
from orders.actions import Actor
from orders.models import Order
from orders.status import OrderStatus
from returns import actions
from returns.models import Grade, ReturnReason

STEPS = ("requested", "requested", "authorised", "label_sent", "received", "inspected", "refused")


def seed(*, actor: Actor, count: int = 12, seed: int = 14) -> int:
    """Open `count` returns on delivered or shipped orders and move each to a step; returns how many."""
    rng = random.Random(seed)
    orders = list(
        Order.objects.filter(status__in=(OrderStatus.DELIVERED, OrderStatus.SHIPPED), fulfilled_by_marketplace=False)
        .order_by("-purchased_at")
        .prefetch_related("lines")[: count * 2]
    )
    made = 0
    for index, order in enumerate(rng.sample(orders, min(count, len(orders)))):
        line = order.lines.all()[0]
        try:
            found = actions.request_return(
                order_id=order.pk,
                lines=[actions.LineReturn(line.pk, 1, reason=rng.choice(ReturnReason.values))],
                actor=Actor.of_marketplace(order.account.platform),
                source="marketplace",
                marketplace_return_id=f"DEMO-R{index + 1}",
                requested_at=timezone.now() - dt.timedelta(hours=rng.randint(1, 60)),
            )
            _move_to(found, STEPS[index % len(STEPS)], line, actor)
        except DomainError:
            continue
        made += 1
    return made


def _move_to(found, step: str, line, actor: Actor) -> None:
    if step == "requested":
        return
    if step == "refused":
        actions.refuse_return(return_id=found.pk, reason="Article utilisé", actor=actor)
        return
    actions.authorise_return(return_id=found.pk, actor=actor)
    if step == "authorised":
        return
    actions.record_return_label(
        return_id=found.pk, carrier="colissimo", tracking_number=f"8R{found.pk:011d}", actor=actor
    )
    if step == "label_sent":
        return
    actions.receive_return(return_id=found.pk, scanned=[line.sku], actor=actor)
    if step == "inspected":
        [returned] = found.lines.all()
        actions.inspect_return(return_id=found.pk, grades=[actions.UnitGrade(returned.pk, Grade.SELLABLE)], actor=actor)
