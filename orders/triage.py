"""Triage: assign, tag, prioritise and hold orders (operators and rules), each with an event.

Nothing here talks to a marketplace; these are our own annotations on an order.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import transaction

from oms.errors import DomainError
from orders import events
from orders.actions import Actor, record_event
from orders.locks import lock_order

TAG_PATTERN = re.compile(r"^[\w\-. ]{1,50}$")


def _clean_tag(tag: str) -> str:
    tag = (tag or "").strip()
    if not TAG_PATTERN.match(tag):
        raise DomainError(
            "A tag is 1 to 50 letters, digits, spaces, dots, dashes or underscores.", details={"tag": tag}
        )
    return tag


def _triaged(order, actor: Actor, kind: str, fields: list[str], params: dict, reason: str = ""):
    order.save(update_fields=[*fields, "updated_at"])
    reason = (reason or "").strip()
    record_event(order=order, kind=kind, actor=actor, params={**params, "reason": reason} if reason else params)
    return order


@transaction.atomic
def assign_order(*, order_id: int, actor: Actor, assignee_id: int | None):
    """Give the order to a user (None: unassign). Raises DomainError for an unknown or inactive user."""
    order = lock_order(order_id)
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise DomainError("No active user with this id.", details={"assignee": assignee_id})
    if order.assignee_id == (assignee.pk if assignee else None):
        return order
    order.assignee = assignee
    if assignee is None:
        return _triaged(order, actor, events.UNASSIGNED, ["assignee"], {})
    return _triaged(
        order, actor, events.ASSIGNED, ["assignee"], {"assignee_id": assignee.pk, "assignee": assignee.get_username()}
    )


@transaction.atomic
def tag_order(*, order_id: int, actor: Actor, tag: str, reason: str = ""):
    """Add a tag (idempotent: a tag already there changes nothing and writes no event)."""
    tag = _clean_tag(tag)
    order = lock_order(order_id)
    if tag in order.tags:
        return order
    order.tags = [*order.tags, tag]
    return _triaged(order, actor, events.TAGGED, ["tags"], {"tag": tag}, reason)


@transaction.atomic
def untag_order(*, order_id: int, actor: Actor, tag: str):
    order = lock_order(order_id)
    if tag not in order.tags:
        return order
    order.tags = [existing for existing in order.tags if existing != tag]
    return _triaged(order, actor, events.UNTAGGED, ["tags"], {"tag": tag})


@transaction.atomic
def set_priority(*, order_id: int, actor: Actor, priority: int, reason: str = ""):
    if not -100 <= priority <= 100:
        raise DomainError("Priority goes from -100 to 100.", details={"priority": priority})
    order = lock_order(order_id)
    if order.priority == priority:
        return order
    order.priority = priority
    return _triaged(order, actor, events.PRIORITY_SET, ["priority"], {"priority": priority}, reason)


@transaction.atomic
def hold_order(*, order_id: int, actor: Actor, reason: str):
    """Hold for review: rules will not accept it and the queue shows why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("A reason is required.", details={"reason": "required"})
    order = lock_order(order_id)
    if order.on_hold:
        return order
    order.on_hold = True
    return _triaged(order, actor, events.HELD, ["on_hold"], {}, reason)


@transaction.atomic
def release_hold(*, order_id: int, actor: Actor):
    order = lock_order(order_id)
    if not order.on_hold:
        return order
    order.on_hold = False
    return _triaged(order, actor, events.HOLD_RELEASED, ["on_hold"], {})
