"""Paperwork that leaves a trace: a pick list is recorded (its barcode opens its orders at the
packing station) and every printed document is on its orders' timelines."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.errors import InvalidInput
from orders.actions import Actor
from orders.events import KINDS
from orders.models import OrderEvent
from shipping.models import PickList
from shipping.paperwork import events
from shipping.paperwork.selectors import MAX_PICK_LIST_ORDERS


@transaction.atomic
def create_pick_list(*, order_ids: list[int], actor: Actor) -> PickList:
    """A pick list of `order_ids` (in that order, each once), written on each order's timeline."""
    order_ids = list(dict.fromkeys(order_ids))
    if not order_ids:
        raise InvalidInput(_("No order selected."), details={"orders": "required"})
    if len(order_ids) > MAX_PICK_LIST_ORDERS:
        raise InvalidInput(
            _("A pick list holds at most %(limit)s orders: narrow the selection.") % {"limit": MAX_PICK_LIST_ORDERS},
            details={"limit": MAX_PICK_LIST_ORDERS},
        )
    pick_list = PickList.objects.create(order_ids=order_ids, created_by=actor.user)
    record_printed(
        order_ids=order_ids, kind=events.PICK_LIST_PRINTED, actor=actor, params={"pick_list": pick_list.code}
    )
    return pick_list


def record_printed(*, order_ids, kind: str, actor: Actor, params: dict) -> None:
    """The same event on many orders at once (`orders.actions.record_event`'s row, in one INSERT)."""
    if kind not in KINDS:
        raise ValueError(f"Order event kind {kind!r} is not declared (see orders.events).")
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order_id=order_id,
            kind=kind,
            actor_type=actor.type,
            actor_user=actor.user,
            actor_label=actor.label,
            params=params,
        )
        for order_id in order_ids
    )
