"""Every change to an order happens here: one function per transition, plus ingest.

Each function runs in one transaction, locks the order, checks the move against
`orders.status.TRANSITIONS`, writes an `OrderEvent` saying who did what and why
(a kind from `orders.events` and its parameters, never a sentence),
and raises `IllegalTransition` (changing nothing) when the move is not allowed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from oms import outbox
from oms.errors import DomainError, IllegalTransition, NotFound
from orders import capability_checks, events, money, pushes, signals
from orders import status as transitions
from orders.canonical import AdjustmentKind, OrderData, OrderLineData
from orders.locks import lock_known_orders, lock_order
from orders.models import ActorType, MarketplaceAdjustment, Order, OrderEvent, OrderLine
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user, a rule, the marketplace or the system."""

    type: str
    user: object = None
    label: str = ""

    @classmethod
    def of_user(cls, user) -> Actor:
        return cls(type=ActorType.USER, user=user, label=user.get_username())

    @classmethod
    def of_rule(cls, name: str) -> Actor:
        return cls(type=ActorType.RULE, label=name)

    @classmethod
    def of_marketplace(cls, platform: str) -> Actor:
        return cls(type=ActorType.MARKETPLACE, label=platform)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(type=ActorType.SYSTEM, label=label)


class IngestOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"  # older than what we hold: an out-of-order page


@dataclass(frozen=True)
class IngestResult:
    order: Order
    outcome: IngestOutcome


# Events ------------------------------------------------------------------------


def record_event(
    *, order: Order, kind: str, actor: Actor, from_status: str = "", to_status: str = "", params=None
) -> OrderEvent:
    """Add one line to the order's timeline: a kind declared in `orders.events` and its parameters."""
    event = new_event(order=order, kind=kind, actor=actor, from_status=from_status, to_status=to_status, params=params)
    event.save(force_insert=True)
    return event


def new_event(
    *, order: Order, kind: str, actor: Actor, from_status: str = "", to_status: str = "", params=None
) -> OrderEvent:
    """An unsaved timeline line (as record_event writes it), for the apps above orders that write many
    at once with `OrderEvent.objects.bulk_create` (shipping's tracking poll)."""
    if kind not in events.KINDS:
        raise ValueError(f"Order event kind {kind!r} is not declared (see orders.events).")
    return OrderEvent(
        order=order,
        kind=kind,
        actor_type=actor.type,
        actor_user=actor.user if actor.type == ActorType.USER else None,
        actor_label=actor.label,
        from_status=from_status,
        to_status=to_status,
        params=params or {},
    )


def _move(*, order: Order, to: str, kind: str, actor: Actor, params=None, extra_fields=()) -> Order:
    """Check and apply one transition on a locked order, with its event."""
    if not transitions.is_allowed(order.status, to):
        raise IllegalTransition(
            f"Order {order.number} is {OrderStatus(order.status).label}: it cannot become {OrderStatus(to).label}.",
            details={"order": order.pk, "status": order.status, "requested": to},
        )
    before = order.status
    order.status = to
    order.save(update_fields=["status", "updated_at", *extra_fields])
    record_event(order=order, kind=kind, actor=actor, from_status=before, to_status=to, params=params)
    signals.order_status_changed.send(sender=Order, order=order, before=before, after=to, actor=actor)
    return order


def move_locked_order(*, order: Order, to: str, kind: str, actor: Actor, params=None, extra_fields=()) -> Order:
    """For the apps above orders (shipping): one transition of an order the caller has locked
    (`orders.locks.lock_order`), in the caller's transaction, with its event and signal."""
    return _move(order=order, to=to, kind=kind, actor=actor, params=params, extra_fields=extra_fields)


def _reason_param(reason: str) -> dict:
    """A person's (or a rule's) optional free text, kept as given."""
    reason = (reason or "").strip()
    return {"reason": reason} if reason else {}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("A reason is required.", details={"reason": "required"})
    return reason


def _refuse_marketplace_fulfilled(order: Order) -> None:
    if order.fulfilled_by_marketplace:
        raise DomainError(
            f"Order {order.number} is fulfilled by the marketplace: it is read-only here.",
            details={"order": order.pk},
        )


# Pushes to the marketplace ------------------------------------------------------------


def _line_ids(order: Order) -> list[str]:
    return [line.marketplace_line_id for line in order.lines.all()]


def _push(order: Order, kind: str, **payload) -> None:
    """Tell the marketplace, in this transaction: the outbox sends it after commit, after the order's earlier pushes."""
    outbox.enqueue(
        kind=kind,
        destination=pushes.marketplace_destination(order.account_id),
        ordering_key=pushes.order_subject(order.pk),
        subject=pushes.order_subject(order.pk),
        payload={"marketplace_order_id": order.marketplace_order_id, **payload},
    )


def push_to_marketplace(order: Order, kind: str, **payload) -> None:
    """For the apps above orders (shipping): tell the order's marketplace, in the caller's transaction."""
    _push(order, kind, **payload)


def on_push_sent(*, message, **kwargs) -> None:
    """outbox_message_sent receiver: a push of an order's decision goes on its timeline."""
    order_id = pushes.order_id_of(message.subject)
    if message.kind in pushes.KINDS and order_id is not None:
        record_marketplace_push(order_id=order_id, kind=pushes.verb(message.kind), outcome="sent")


def on_push_failed(*, message, error: str, **kwargs) -> None:
    """outbox_message_failed receiver: a push the marketplace refused (or that ran out of attempts)."""
    order_id = pushes.order_id_of(message.subject)
    if message.kind in pushes.KINDS and order_id is not None:
        record_marketplace_push(order_id=order_id, kind=pushes.verb(message.kind), outcome="failed", error=error)


@transaction.atomic
def record_marketplace_push(*, order_id: int, kind: str, outcome: str, error: str = "") -> None:
    """Put a push's outcome on the order's timeline (on the outbox's signals). A failure also
    changes the order (it now waits for a person): `updated_at` moves, so the queue's counts
    and an ERP's incremental sync see it."""
    order = Order.objects.select_related("account").get(pk=order_id)
    sent = outcome == "sent"
    params = {"push": kind, "account": order.account.name}
    record_event(
        order=order,
        kind=events.PUSHED if sent else events.PUSH_FAILED,
        actor=Actor.system("outbox"),
        params=params if sent else {**params, "error": error},
    )
    if not sent:
        order.save(update_fields=["updated_at"])


# A person's answer to a push that failed (a dead letter) -----------------------------


def retry_push(*, order_id: int, message_id: int, actor: Actor) -> Order:
    """Send a failed push of the order again (after the cause was fixed). Raises DomainError when
    the order has no such push or it no longer waits for a person."""
    return _answer_failed_push(
        order_id=order_id, message_id=message_id, actor=actor, settle=outbox.retry_dead, kind=events.PUSH_RETRIED
    )


def mark_push_done(*, order_id: int, message_id: int, actor: Actor) -> Order:
    """The operator did on the marketplace (in its portal) what a failed push asked: it counts as
    done, and the order's later pushes go. Raises DomainError like retry_push."""
    return _answer_failed_push(
        order_id=order_id, message_id=message_id, actor=actor, settle=outbox.mark_done, kind=events.PUSH_DONE_BY_HAND
    )


def discard_push(*, order_id: int, message_id: int, actor: Actor) -> Order:
    """Give up on a failed push: the marketplace never hears it, the order's later pushes go.
    Raises DomainError like retry_push."""
    return _answer_failed_push(
        order_id=order_id, message_id=message_id, actor=actor, settle=outbox.discard_dead, kind=events.PUSH_DISCARDED
    )


@transaction.atomic
def _answer_failed_push(*, order_id: int, message_id: int, actor: Actor, settle, kind: str) -> Order:
    order = lock_order(order_id)
    message = outbox.messages_about(pushes.order_subject(order.pk)).filter(pk=message_id, kind__in=pushes.KINDS).first()
    if message is None:
        raise NotFound(
            _("Order %(number)s has no such push.") % {"number": order.number},
            details={"order": order.pk, "push": message_id},
        )
    if not settle(message_id=message.pk):
        raise DomainError(
            _("This push no longer waits for a person (status: %(status)s).")
            % {"status": message.get_status_display()},
            details={"order": order.pk, "push": message.pk, "status": message.status},
        )
    order.save(update_fields=["updated_at"])
    verb = pushes.verb(message.kind)
    record_event(order=order, kind=kind, actor=actor, params={"push": verb, "message": message.pk})
    return order


# Transitions ----------------------------------------------------------------------


@transaction.atomic
def accept_order(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    """Accept an order waiting for acceptance (→ to ship). Raises IllegalTransition otherwise."""
    order = lock_order(order_id)
    _refuse_marketplace_fulfilled(order)
    _move(order=order, to=OrderStatus.ACCEPTED, kind=events.ACCEPTED, actor=actor, params=_reason_param(reason))
    if CAPABILITIES[order.account.platform].acceptance_step:
        _push(order, pushes.ACCEPT, line_ids=_line_ids(order))
    return order


@transaction.atomic
def refuse_order(*, order_id: int, actor: Actor, reason: str) -> Order:
    """Refuse an order waiting for acceptance; a reason is required."""
    reason = _require_reason(reason)
    order = lock_order(order_id)
    _refuse_marketplace_fulfilled(order)
    _move(order=order, to=OrderStatus.REFUSED, kind=events.REFUSED, actor=actor, params={"reason": reason})
    _push(order, pushes.REFUSE, line_ids=_line_ids(order), reason=reason)
    return order


@transaction.atomic
def cancel_order(*, order_id: int, actor: Actor, reason: str) -> Order:
    """Cancel an order not yet shipped; a reason is required.

    Raises NotSupportedByPlatform, changing nothing, where the platform cannot cancel it now
    (see `capability_checks.check_cancel`); the marketplace is sent the cancel in the form it takes.
    """
    reason = _require_reason(reason)
    order = lock_order(order_id)
    _refuse_marketplace_fulfilled(order)
    capability_checks.check_cancel(platform=order.account.platform, status=order.status)
    _move(order=order, to=OrderStatus.CANCELLED, kind=events.CANCELLED, actor=actor, params={"reason": reason})
    lines = capability_checks.cancel_lines(platform=order.account.platform, lines=order.lines.all())
    _push(order, pushes.CANCEL, reason=reason, lines=lines)
    return order


@transaction.atomic
def mark_delivered(*, order_id: int, actor: Actor) -> Order:
    """Record the delivery of a shipped order."""
    order = lock_order(order_id)
    return _move(order=order, to=OrderStatus.DELIVERED, kind=events.DELIVERED, actor=actor)


# Ingest ------------------------------------------------------------------------------


def content_hash(data: OrderData) -> str:
    """Fingerprint of what we store from the marketplace (the raw payload excluded:
    it carries volatile fields such as request ids)."""
    stored = {field.name: getattr(data, field.name) for field in dataclasses.fields(data) if field.name != "raw"}
    encoded = json.dumps(stored, sort_keys=True, default=_plain)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return str(value)  # Decimal, datetime


def _order_fields(*, account, data: OrderData) -> dict:
    address = data.shipping_address
    ship_by = data.ship_by or data.purchased_at + timedelta(days=account.handling_days)
    fields = {
        "reference": data.reference,
        "marketplace_status": data.marketplace_status,
        "channel": data.channel,
        "purchased_at": data.purchased_at,
        "marketplace_updated_at": data.marketplace_updated_at,
        "acceptance_deadline": data.acceptance_deadline,
        "ship_by": ship_by,
        "deliver_by": data.deliver_by,
        "currency": data.currency,
        "tax_mode": data.tax_mode,
        "total_amount": data.total_amount,
        **money.order_totals(data),
        "lines_total_amount": data.lines_total_amount,
        "payment_method": data.payment_method,
        "purchase_order_number": data.purchase_order_number,
        "earliest_ship_date": data.earliest_ship_date,
        "earliest_delivery_date": data.earliest_delivery_date,
        "is_gift": any(line.is_gift for line in data.lines),
        "buyer_name": data.buyer_name,
        "buyer_email": data.buyer_email,
        "shipping_method": data.shipping_method,
        "is_prime": data.is_prime,
        "is_business": data.is_business,
        "fulfilled_by_marketplace": data.fulfilled_by_marketplace,
        "billing_address": dataclasses.asdict(data.billing_address) if data.billing_address else {},
        "raw_payload": data.raw,
        "content_hash": content_hash(data),
    }
    if address is not None:
        fields.update(
            ship_name=address.name,
            ship_company=address.company,
            ship_line1=address.line1,
            ship_line2=address.line2,
            ship_line3=address.line3,
            ship_postal_code=address.postal_code,
            ship_city=address.city,
            ship_region=address.region,
            ship_country=address.country_code,
            ship_phone=address.phone,
            relay_point_id=address.relay_point_id,
        )
    return fields


def _line_fields(line: OrderLineData, data: OrderData) -> dict:
    return {
        **money.line_adjustment_totals(data, line.marketplace_line_id),
        "sku": line.sku,
        "marketplace_product_id": line.marketplace_product_id,
        "ean": line.ean,
        "title": line.title,
        "quantity": line.quantity,
        "quantity_shipped": line.quantity_shipped,
        "unit_price_amount": line.unit_price_amount,
        "total_amount": line.total_amount,
        "shipping_amount": line.shipping_amount,
        "tax_amount": line.tax_amount,
        "shipping_tax_amount": line.shipping_tax_amount,
        "discount_amount": line.discount_amount,
        "shipping_discount_amount": line.shipping_discount_amount,
        "fee_amount": line.fee_amount,
        "gift_wrap_amount": line.gift_wrap_amount,
        "gift_wrap_tax_amount": line.gift_wrap_tax_amount,
        "is_gift": line.is_gift,
        "gift_message": line.gift_message,
        "marketplace_status": line.marketplace_status,
        "ship_by": line.ship_by,
        "buyer_requested_cancel": line.buyer_requested_cancel,
        "buyer_cancel_reason": line.buyer_cancel_reason,
    }


def _validate(data: OrderData) -> None:
    if not data.lines:
        raise DomainError("An order needs at least one line.", details={"order": data.marketplace_order_id})
    for line in data.lines:
        if line.quantity <= 0:
            raise DomainError(
                f"Line {line.marketplace_line_id} has quantity {line.quantity}.",
                details={"line": line.marketplace_line_id},
            )
    line_ids = {line.marketplace_line_id for line in data.lines}
    for adjustment in data.adjustments:
        if adjustment.marketplace_line_id and adjustment.marketplace_line_id not in line_ids:
            raise DomainError(
                f"A {adjustment.kind} names line {adjustment.marketplace_line_id}, which the order does not have.",
                details={"line": adjustment.marketplace_line_id},
            )
    if len(data.currency) != 3 or not data.currency.isupper():
        raise DomainError(f"Currency {data.currency!r} is not an ISO 4217 code.", details={"currency": data.currency})


@transaction.atomic
def ingest_order(*, account, data: OrderData) -> IngestResult:
    """Create or update one order from its canonical data; idempotent.

    The same data twice changes nothing and writes no event. Data older than
    what we hold (by the marketplace's last-update time) is ignored. A new
    marketplace status moves the order through the state machine with the
    marketplace as the actor; a status that would move it backwards (our own
    decision not yet seen by the marketplace) is kept as `marketplace_status`
    only. Raises DomainError for data that cannot be stored.
    """
    _validate(data)
    fields = _order_fields(account=account, data=data)
    actor = Actor.of_marketplace(account.platform)
    order, created = Order.objects.select_for_update(no_key=True).get_or_create(
        account=account,
        marketplace_order_id=data.marketplace_order_id,
        defaults={**fields, "status": data.status},
    )
    if created:
        OrderLine.objects.bulk_create(
            OrderLine(order=order, marketplace_line_id=line.marketplace_line_id, **_line_fields(line, data))
            for line in data.lines
        )
        _record_adjustments(order=order, data=data, actor=actor)
        record_event(
            order=order,
            kind=events.RECEIVED,
            actor=actor,
            to_status=order.status,
            params={"marketplace_status": data.marketplace_status},
        )
        signals.orders_received.send(sender=Order, account=account, orders=[order])
        return IngestResult(order=order, outcome=IngestOutcome.CREATED)

    if order.content_hash == fields["content_hash"]:
        return IngestResult(order=order, outcome=IngestOutcome.UNCHANGED)
    if data.marketplace_updated_at < order.marketplace_updated_at:
        return IngestResult(order=order, outcome=IngestOutcome.STALE)

    untracked = ("raw_payload", "content_hash")
    changed = [name for name, value in fields.items() if name not in untracked and getattr(order, name) != value]
    for name, value in fields.items():
        setattr(order, name, value)
    order.save()
    _upsert_lines(order=order, data=data)
    _record_adjustments(order=order, data=data, actor=actor)
    if changed:
        record_event(
            order=order,
            kind=events.UPDATED,
            actor=actor,
            params={"fields": changed},
        )
    _apply_marketplace_status(
        order=order, reported=data.status, marketplace_status=data.marketplace_status, actor=actor
    )
    return IngestResult(order=order, outcome=IngestOutcome.UPDATED)


@transaction.atomic(savepoint=False)
def ingest_orders(*, account, orders: list[OrderData]) -> list[IngestResult | DomainError | DatabaseError]:
    """Ingest a page of orders: one result (or the error that kept it out) per order, in order.

    Same contract as `ingest_order`, which it calls for every order already known
    (or when anything goes wrong); orders seen for the first time are inserted in
    bulk: a handful of statements for a whole page instead of a few per order.
    Locks (orders/locks.py): the known orders of the page in id order, then, through
    `stock_about_to_change`, the stock the page may touch, before anything changes.
    """
    outcomes: dict[int, IngestResult | DomainError | DatabaseError] = {}
    new: dict[str, int] = {}
    for index, data in enumerate(orders):
        try:
            _validate(data)
        except DomainError as error:
            outcomes[index] = error
            continue
        new.setdefault(data.marketplace_order_id, index)
    known = lock_known_orders(account=account, marketplace_order_ids=new)
    skus = {line.sku for order_id, index in new.items() for line in orders[index].lines}
    signals.stock_about_to_change.send(sender=Order, account=account, order_ids=sorted(known.values()), skus=skus)
    first_seen = [index for order_id, index in new.items() if order_id not in known]
    if first_seen:
        try:
            with transaction.atomic():
                created = _create_in_bulk(account=account, orders=[orders[index] for index in first_seen])
            outcomes.update(
                {
                    index: IngestResult(order=order, outcome=IngestOutcome.CREATED)
                    for index, order in zip(first_seen, created, strict=True)
                }
            )
        except (IntegrityError, DatabaseError):
            pass  # another worker got some of them first, or one cannot be stored: one by one below
    for index, data in enumerate(orders):
        if index in outcomes:
            continue
        try:
            outcomes[index] = ingest_order(account=account, data=data)
        except (DomainError, DatabaseError) as error:
            outcomes[index] = error
    return [outcomes[index] for index in range(len(orders))]


def _create_in_bulk(*, account, orders: list[OrderData]) -> list[Order]:
    created = Order.objects.bulk_create(
        Order(
            account=account,
            marketplace_order_id=data.marketplace_order_id,
            status=data.status,
            **_order_fields(account=account, data=data),
        )
        for data in orders
    )
    OrderLine.objects.bulk_create(
        (
            OrderLine(order=order, marketplace_line_id=line.marketplace_line_id, **_line_fields(line, data))
            for order, data in zip(created, orders, strict=True)
            for line in data.lines
        ),
        batch_size=1000,
    )
    OrderEvent.objects.bulk_create(
        OrderEvent(
            order=order,
            kind=events.RECEIVED,
            actor_type=ActorType.MARKETPLACE,
            actor_label=account.platform,
            to_status=order.status,
            params={"marketplace_status": data.marketplace_status},
        )
        for order, data in zip(created, orders, strict=True)
    )
    for order, data in zip(created, orders, strict=True):
        if data.adjustments:
            _record_adjustments(order=order, data=data, actor=Actor.of_marketplace(account.platform))
    signals.orders_received.send(sender=Order, account=account, orders=created)
    return created


def _upsert_lines(*, order: Order, data: OrderData) -> None:
    existing = {line.marketplace_line_id: line for line in order.lines.all()}
    for line_data in data.lines:
        values = _line_fields(line_data, data)
        line = existing.get(line_data.marketplace_line_id)
        if line is None:
            OrderLine.objects.create(order=order, marketplace_line_id=line_data.marketplace_line_id, **values)
        elif any(getattr(line, name) != value for name, value in values.items()):
            OrderLine.objects.filter(pk=line.pk).update(**values)


_ADJUSTMENT_EVENTS = {
    AdjustmentKind.REFUND: events.MARKETPLACE_REFUND,
    AdjustmentKind.CANCELLATION: events.MARKETPLACE_CANCELLATION,
}


def _record_adjustments(*, order: Order, data: OrderData, actor: Actor) -> None:
    """Store each refund and cancellation the marketplace reports, with one event, once:
    a re-poll that reports the same ones again adds nothing."""
    if not data.adjustments:
        return
    known = set(order.adjustments.values_list("kind", "marketplace_adjustment_id"))
    fresh = [a for a in data.adjustments if (a.kind, a.marketplace_adjustment_id) not in known]
    if not fresh:
        return
    lines = {line.marketplace_line_id: line for line in order.lines.all()}
    for adjustment in fresh:
        total = money.adjustment_total(adjustment, tax_mode=data.tax_mode)
        line = lines.get(adjustment.marketplace_line_id)
        MarketplaceAdjustment.objects.create(
            order=order,
            line=line,
            kind=adjustment.kind,
            marketplace_adjustment_id=adjustment.marketplace_adjustment_id,
            amount=adjustment.amount,
            shipping_amount=adjustment.shipping_amount,
            tax_amount=adjustment.tax_amount,
            total_amount=total,
            quantity=adjustment.quantity,
            reason=adjustment.reason,
            state=adjustment.state,
            marketplace_created_at=adjustment.created_at,
        )
        record_event(
            order=order,
            kind=_ADJUSTMENT_EVENTS[adjustment.kind],
            actor=actor,
            params={
                "adjustment_id": adjustment.marketplace_adjustment_id,
                "line": adjustment.marketplace_line_id,
                "sku": line.sku if line else "",
                "amount": str(total),
                "currency": order.currency,
                "reason": adjustment.reason,
            },
        )


def _apply_marketplace_status(*, order: Order, reported: str, marketplace_status: str, actor: Actor) -> None:
    if reported == order.status:
        return
    if transitions.marketplace_may_move(order.status, reported):
        before = order.status
        order.status = reported
        order.save(update_fields=["status", "updated_at"])
        record_event(
            order=order,
            kind=events.STATUS_CHANGED,
            actor=actor,
            from_status=before,
            to_status=reported,
            params={"marketplace_status": marketplace_status},
        )
        signals.order_status_changed.send(sender=Order, order=order, before=before, after=reported, actor=actor)
        return
    record_event(
        order=order,
        kind=events.STATUS_IGNORED,
        actor=actor,
        from_status=order.status,
        to_status=reported,
        params={"marketplace_status": marketplace_status},
    )
