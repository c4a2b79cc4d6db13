"""Every change to refunds and returns: one function per step, each in one transaction.

Each action locks the order first (`orders.locks`), then the return, then stock levels in id
order (`inventory.ledger`), writes an event on the order's timeline (kinds in `returns.events`,
`orders.events.REFUNDED`) and raises a DomainError, changing nothing, when the step is not
allowed. A refund reaches the marketplace through the outbox (`marketplace.refund`, sent by
`marketplaces/outbox_kinds.py` in each platform's wire format).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import ledger
from inventory.actions import return_to_stock
from inventory.models import StockMovement
from inventory.selectors import components_for, feeding_warehouses
from marketplaces.models import MarketplaceAccount
from oms import outbox
from oms.errors import DomainError, IllegalTransition, InvalidInput, NotFound
from orders import capability_checks, pushes
from orders import events as order_events
from orders.actions import Actor, record_event
from orders.locks import lock_order
from orders.models import MarketplaceAdjustment, Order, OrderEvent
from orders.status import OrderStatus
from returns import events, labels, signals
from returns.marketplace_returns import ANSWERED_ON, INCIDENTS_ON, REASON_CODES_ON, RETURN_PUSH
from returns.models import (
    OPEN_STATUSES,
    Grade,
    Refund,
    RefundLine,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    ReturnUnit,
    ReturnWindow,
)
from returns.refunds import ZERO, balances, order_refunded
from shipping import carriers
from shipping.models import CarrierAccount

# A refund gives back what was paid: for shipped goods, or after a cancellation the buyer had paid for.
REFUNDABLE = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
RETURNABLE = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
# Our own answer time when the platform gives no deadline (a service target, not a platform rule).
DEFAULT_RESPONSE_TIME = dt.timedelta(hours=48)


@dataclass(frozen=True)
class LineRefund:
    """What to refund on one order line: units coming back (0 for a goodwill amount), items, shipping."""

    order_line_id: int
    amount: Decimal = ZERO
    shipping_amount: Decimal = ZERO
    quantity: int = 0


# Refunds ----------------------------------------------------------------------------------------


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s is not an amount.") % {"field": field}, details={field: "invalid"}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            _("%(field)s must be a positive amount with at most two decimals.") % {"field": field},
            details={field: "invalid"},
        )
    return amount


def _require(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("A reason is required."), details={field: "required"})
    return text


def full_refund_lines(order: Order) -> list[LineRefund]:
    """Everything still refundable on the order: every line's units, items and shipping left."""
    return [
        LineRefund(
            order_line_id=line_id,
            amount=balance.items_left,
            shipping_amount=balance.shipping_left,
            quantity=balance.units_left,
        )
        for line_id, balance in balances(order).items()
        if balance.items_left or balance.shipping_left
    ]


def check_refund_lines(order: Order, lines: Iterable[LineRefund]) -> list[LineRefund]:
    """The lines of a refund, checked against what is left on each line and on the order (the
    preview and the action both ask). Raises InvalidInput, NotSupportedByPlatform, changing nothing."""
    lines = [line for line in lines if line.amount or line.shipping_amount or line.quantity]
    if not lines:
        raise InvalidInput(_("A refund must be a positive amount."), details={"lines": "required"})
    left = balances(order)
    seen, checked = set(), []
    for line in lines:
        balance = left.get(line.order_line_id)
        if balance is None or line.order_line_id in seen:
            raise InvalidInput(
                _("Line %(line)s is not a line of this order.") % {"line": line.order_line_id},
                details={"lines": line.order_line_id},
            )
        seen.add(line.order_line_id)
        amount = _money(line.amount, "amount")
        shipping = _money(line.shipping_amount, "shipping_amount")
        sku = balance.line.sku
        if amount + shipping <= 0:
            raise InvalidInput(
                _("%(sku)s: a refund must be a positive amount.") % {"sku": sku}, details={"lines": line.order_line_id}
            )
        if line.quantity < 0 or line.quantity > balance.units_left:
            raise InvalidInput(
                _("%(sku)s: %(left)s unit(s) left to refund, %(asked)s asked.")
                % {"sku": sku, "left": balance.units_left, "asked": line.quantity},
                details={"lines": line.order_line_id, "units_left": balance.units_left},
            )
        if amount > balance.items_left:
            raise InvalidInput(
                _("%(sku)s: %(left)s %(currency)s left to refund on the items, %(asked)s asked.")
                % {"sku": sku, "left": balance.items_left, "asked": amount, "currency": order.currency},
                details={"lines": line.order_line_id, "items_left": str(balance.items_left)},
            )
        if shipping > balance.shipping_left:
            raise InvalidInput(
                _("%(sku)s: %(left)s %(currency)s left to refund on shipping, %(asked)s asked.")
                % {"sku": sku, "left": balance.shipping_left, "asked": shipping, "currency": order.currency},
                details={"lines": line.order_line_id, "shipping_left": str(balance.shipping_left)},
            )
        checked.append(LineRefund(line.order_line_id, amount=amount, shipping_amount=shipping, quantity=line.quantity))
    lines = checked
    total = sum((line.amount + line.shipping_amount for line in lines), ZERO)
    already = order_refunded(order)
    if already + total > order.total_amount:
        raise InvalidInput(
            _("Refunding %(amount)s %(currency)s would exceed the order total (%(refunded)s of %(total)s refunded).")
            % {"amount": total, "currency": order.currency, "refunded": already, "total": order.total_amount},
            details={"amount": str(total), "refunded": str(already), "total": str(order.total_amount)},
        )
    by_marketplace_id = {left[line.order_line_id].line.marketplace_line_id: left[line.order_line_id] for line in lines}
    capability_checks.check_refund(
        platform=order.account.platform,
        lines={line_id: balance.line for line_id, balance in by_marketplace_id.items()},
        amounts={
            left[line.order_line_id].line.marketplace_line_id: line.amount + left[line.order_line_id].items_refunded
            for line in lines
        },
    )
    return lines


def platform_reason_code(account: MarketplaceAccount, reason: str) -> str:
    """The platform's own code for a refund of our reason `reason` (a typed reason counts as "other"),
    from the account's settings["reason_codes"]; empty on a platform that takes our reason as given.
    Raises InvalidInput where the platform takes only its codes (Mirakl OR28) and the account maps none."""
    if account.platform not in REASON_CODES_ON:
        return ""
    ours = reason if reason in ReturnReason.values else ReturnReason.OTHER
    code = str(((account.settings or {}).get("reason_codes") or {}).get(ours) or "").strip()
    if not code:
        raise InvalidInput(
            _(
                "%(account)s takes only its own refund reasons: map the reason “%(reason)s” to one of them on the "
                "account's page (Reason codes) before refunding."
            )
            % {"account": account.name, "reason": ReturnReason(ours).label},
            details={"reason": ours, "account": account.pk},
        )
    return code


@transaction.atomic
def set_reason_codes(*, account_id: int, codes: Mapping[str, str], platform_codes: Iterable[str]) -> MarketplaceAccount:
    """Map each of our reasons (`codes`: our reason -> the platform's code, empty to unmap) to one of the
    platform's refund reasons (`platform_codes`, as read from it). Other settings, and mappings of codes
    that are not return reasons (cancellations'), are kept. Raises InvalidInput, changing nothing."""
    account = MarketplaceAccount.objects.select_for_update().get(pk=account_id)
    known = {str(code) for code in platform_codes}
    mapping = dict((account.settings or {}).get("reason_codes") or {})
    for ours, theirs in codes.items():
        theirs = (theirs or "").strip()
        if ours not in ReturnReason.values:
            raise InvalidInput(_("Unknown reason %(reason)s.") % {"reason": ours[:50]}, details={"reason": ours[:50]})
        if theirs and theirs not in known:
            raise InvalidInput(
                _("%(code)s is not one of %(account)s's refund reasons.")
                % {"code": theirs[:50], "account": account.name},
                details={ours: theirs[:50]},
            )
        if theirs:
            mapping[ours] = theirs
        else:
            mapping.pop(ours, None)
    account.settings = {**(account.settings or {}), "reason_codes": mapping}
    account.save(update_fields=["settings"])
    return account


def marketplace_payload(order: Order, refund: Refund, *, refunded_before: Decimal, reason_code: str = "") -> dict:
    """What the `marketplace.refund` message carries: each line's quantity, items and shipping amounts.

    The connector writes them in the platform's format (Mirakl OR28, eBay issueRefund, Amazon's
    adjustment feed, Octopia refunds); `refunded_before` lets a retry recognise a refund already applied.
    """
    return {
        "marketplace_order_id": order.marketplace_order_id,
        "refund_id": refund.pk,
        "reason": refund.reason,
        **({"reason_code": reason_code} if reason_code else {}),  # the platform's own code (Mirakl OR28)
        "currency": order.currency,
        "refunded_before": str(refunded_before),
        "lines": [
            {
                "line_id": line.order_line.marketplace_line_id,
                "quantity": line.quantity,
                "amount": str(line.amount),
                "shipping_amount": str(line.shipping_amount),
            }
            for line in refund.lines.all()
        ],
    }


@transaction.atomic
def refund_order(
    *,
    order_id: int,
    actor: Actor,
    reason: str,
    lines: Iterable[LineRefund] | None = None,
    return_request_id: int | None = None,
    reason_code: str = "",
) -> Refund:
    """Refund an order per line (`lines`), or everything still refundable when `lines` is None.

    `reason_code` is our reason (a `ReturnReason`) the platform's own code is mapped from, when `reason`
    is typed text; where the platform takes only its codes and the account maps none, InvalidInput.

    A line with `quantity` 0 is a goodwill amount (no unit comes back). The order's status does not
    change; `refunded_amount` grows and the marketplace is told through the outbox. Raises
    IllegalTransition when the order is not shipped (or cancelled after payment), InvalidInput when a
    line asks more than is left (the database refuses it too), NotSupportedByPlatform for a part of
    a line where the platform refunds whole lines only.
    """
    reason = _require(reason)
    order = lock_order(order_id)
    if order.fulfilled_by_marketplace:
        raise DomainError(
            _("Order %(order)s is fulfilled by the marketplace: it is read-only here.") % {"order": order.number},
            details={"order": order.pk},
        )
    if order.status not in REFUNDABLE:
        raise IllegalTransition(
            _("Order %(order)s is %(status)s: only shipped or cancelled orders are refunded.")
            % {"order": order.number, "status": order.get_status_display()},
            details={"order": order.pk, "status": order.status},
        )
    checked = check_refund_lines(order, full_refund_lines(order) if lines is None else lines)
    platform_code = platform_reason_code(order.account, reason_code or reason)
    refunded_before = order_refunded(order)
    total = sum((line.amount + line.shipping_amount for line in checked), ZERO)
    user = actor.user if actor.type == "user" else None
    refund = Refund.objects.create(
        order=order,
        return_request_id=return_request_id,
        reason=reason,
        currency=order.currency,
        total_amount=total,
        actor_user=user,
        actor_label=actor.label,
    )
    RefundLine.objects.bulk_create(
        RefundLine(
            refund=refund,
            order_line_id=line.order_line_id,
            quantity=line.quantity,
            amount=line.amount,
            shipping_amount=line.shipping_amount,
        )
        for line in sorted(checked, key=lambda line: line.order_line_id)
    )
    order.refunded_amount += total
    order.save(update_fields=["refunded_amount", "updated_at"])
    record_event(
        order=order,
        kind=order_events.REFUNDED,
        actor=actor,
        params={
            "amount": str(total),
            "currency": order.currency,
            "reason": reason,
            "lines": {
                line.order_line.marketplace_line_id: str(line.amount + line.shipping_amount)
                for line in refund.lines.select_related("order_line")
            },
        },
    )
    message = outbox.enqueue(
        kind=pushes.REFUND,
        destination=pushes.marketplace_destination(order.account_id),
        ordering_key=pushes.order_subject(order.pk),
        subject=pushes.order_subject(order.pk),
        payload=marketplace_payload(order, refund, refunded_before=refunded_before, reason_code=platform_code),
    )
    refund.outbox_message_id = message.pk
    refund.save(update_fields=["outbox_message_id"])
    return refund


def _refund_of(message) -> Refund | None:
    if message.kind != pushes.REFUND or not isinstance(message.payload, dict):
        return None
    return Refund.objects.filter(pk=message.payload.get("refund_id"), outbox_message_id=message.pk).first()


@transaction.atomic
def record_refund_sent(*, message, **kwargs) -> None:
    """outbox_message_sent receiver: the marketplace took the refund."""
    refund = _refund_of(message)
    if refund is None:
        return
    if refund.status == Refund.Status.FAILED:  # sent again after a refusal: it gives money back again
        order = lock_order(refund.order_id)
        order.refunded_amount += refund.total_amount
        order.save(update_fields=["refunded_amount", "updated_at"])
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SENT, error="")
    refund.status = Refund.Status.SENT
    transaction.on_commit(lambda: signals.refund_sent.send(sender=Refund, refund=refund))


@transaction.atomic
def record_refund_refused(*, message, error: str, **kwargs) -> None:
    """outbox_message_failed receiver: the marketplace refused the refund (or it ran out of attempts).

    It no longer counts as given back; the order page shows the refusal with what the platform said
    (a failed push), where the operator sends it again, marks it done by hand or discards it.
    """
    refund = _refund_of(message)
    if refund is None or refund.status == Refund.Status.FAILED:
        return
    order = lock_order(refund.order_id)
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, error=error[:2000])
    order.refunded_amount = max(order.refunded_amount - refund.total_amount, ZERO)
    order.save(update_fields=["refunded_amount", "updated_at"])


def recheck_resent_refund(*, sender, instance: OrderEvent, created: bool, **kwargs) -> None:
    """post_save receiver of order events: when the operator sends a refused refund again
    (`orders.actions.retry_push`, event "push_retried"), it counts again, checked against what is left."""
    if not created or instance.kind != order_events.PUSH_RETRIED:
        return
    if instance.params.get("push") != pushes.verb(pushes.REFUND):
        return
    resend_failed_refund(message_id=instance.params.get("message"))


@transaction.atomic
def resend_failed_refund(*, message_id: int) -> Refund | None:
    """A refused refund is sent again: it counts as given back once more (`sending`), unless the refunds
    made since would then exceed what was paid on a line or the order. Raises InvalidInput then, and the
    caller's transaction (the resend) is undone; the database checks the same (migration 0009)."""
    refund = Refund.objects.filter(outbox_message_id=message_id, status=Refund.Status.FAILED).first()
    if refund is None:
        return None
    order = lock_order(refund.order_id)
    left = balances(order)
    for line in refund.lines.all():
        balance = left[line.order_line_id]
        if line.amount > balance.items_left or line.shipping_amount > balance.shipping_left:
            raise InvalidInput(
                _(
                    "Sending this refund again would refund more than was paid for %(sku)s: refunds made since took its place."
                )
                % {"sku": balance.line.sku},
                details={"refund": refund.pk, "lines": line.order_line_id},
            )
    if order_refunded(order) + refund.total_amount > order.total_amount:
        raise InvalidInput(
            _("Sending this refund again would refund more than the order's total: refunds made since took its place."),
            details={"refund": refund.pk},
        )
    try:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SENDING, error="")
    except IntegrityError:
        raise InvalidInput(
            _("Sending this refund again would refund more than the order's total: refunds made since took its place."),
            details={"refund": refund.pk},
        ) from None
    order.refunded_amount += refund.total_amount
    order.save(update_fields=["refunded_amount", "updated_at"])
    refund.status = Refund.Status.SENDING
    return refund


def record_marketplace_refund(*, sender, instance: MarketplaceAdjustment, created: bool, **kwargs) -> None:
    """post_save receiver of the adjustments a poll reads (Mirakl `refunds[]`, eBay, Octopia): a
    refund we sent is recognised (same line, same amount) and gets the platform's id; any other is
    a refund made on the platform, kept as one (`source = marketplace`)."""
    if not created or instance.kind != MarketplaceAdjustment.Kind.REFUND or instance.total_amount <= 0:
        return
    ours = (
        RefundLine.objects.filter(
            refund__order_id=instance.order_id,
            refund__source=Refund.Source.OPERATOR,
            order_line_id=instance.line_id,
            marketplace_refund_id="",
        )
        .exclude(refund__status=Refund.Status.FAILED)
        .order_by("id")
    )
    for line in ours:
        if line.amount + line.shipping_amount == instance.total_amount:
            RefundLine.objects.filter(pk=line.pk).update(marketplace_refund_id=instance.marketplace_adjustment_id)
            return
    order = instance.order
    refund, made = Refund.objects.get_or_create(
        order=order,
        source=Refund.Source.MARKETPLACE,
        marketplace_refund_id=instance.marketplace_adjustment_id,
        defaults={
            "status": Refund.Status.RECORDED,
            "reason": instance.reason or "marketplace",
            "currency": order.currency,
            "total_amount": instance.total_amount,
            "actor_label": order.account.platform,
        },
    )
    if made and instance.line_id is not None:
        shipping = min(instance.shipping_amount, instance.total_amount)
        RefundLine.objects.create(
            refund=refund,
            order_line_id=instance.line_id,
            quantity=instance.quantity,
            amount=instance.total_amount - shipping,
            shipping_amount=shipping,
            marketplace_refund_id=instance.marketplace_adjustment_id,
        )


# Returns ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineReturn:
    order_line_id: int
    quantity: int
    reason: str = ReturnReason.OTHER
    note: str = ""


def _lock_return(return_id: int) -> tuple[Order, ReturnRequest]:
    """Lock the return's order, then the return (orders/locks.py: order → its rows)."""
    order_id = ReturnRequest.objects.filter(pk=return_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("No such return."), details={"return": return_id})
    order = lock_order(order_id)
    found = ReturnRequest.objects.select_for_update(of=("self",)).get(pk=return_id)
    return order, found


def _check_move(found: ReturnRequest, to: str) -> None:
    if to not in found.transitions:
        raise IllegalTransition(
            _("Return %(number)s is %(status)s: it cannot become %(to)s.")
            % {"number": found.number, "status": found.get_status_display(), "to": ReturnStatus(to).label},
            details={"return": found.pk, "status": found.status, "to": to},
        )


def _move(order: Order, found: ReturnRequest, to: str, *, kind: str, actor: Actor, params=None) -> ReturnRequest:
    _check_move(found, to)
    before = found.status
    found.status = to
    found.save(update_fields=["status", "updated_at"])
    record_event(
        order=order,
        kind=kind,
        actor=actor,
        params={"return": found.number, "return_id": found.pk, "from": before, **(params or {})},
    )
    if to == ReturnStatus.CLOSED:
        transaction.on_commit(lambda: signals.return_closed.send(sender=ReturnRequest, return_request=found))
    return found


def _tell_marketplace(order: Order, found: ReturnRequest, step: str, reason: str = "") -> None:
    """A return the buyer opened on a platform we answer: the platform hears this step (outbox)."""
    if found.source != ReturnRequest.Source.MARKETPLACE or not found.marketplace_return_id or found.is_incident:
        return
    if order.account.platform not in ANSWERED_ON:
        return
    outbox.enqueue(
        kind=RETURN_PUSH,
        destination=pushes.marketplace_destination(order.account_id),
        ordering_key=pushes.order_subject(order.pk),
        subject=pushes.order_subject(order.pk),
        payload={
            "return_id": found.pk,
            "marketplace_return_id": found.marketplace_return_id,
            "step": step,
            "reason": reason,
        },
    )


def delivered_at(order: Order) -> dt.datetime:
    """When the buyer got the order, as well as we know: delivered, else shipped, else purchased."""
    for kind in (order_events.DELIVERED, order_events.SHIPPED):
        at = (
            OrderEvent.objects.filter(order=order, kind=kind)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
        ).first()
        if at is not None:
            return at
    return order.purchased_at


def _shipped_units(order: Order, line) -> int:
    """Units of the line the buyer has: all of them once the whole order shipped (a marketplace may
    not report per-line counts), else those shipped so far."""
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        return max(line.quantity_shipped, line.quantity)
    return line.quantity_shipped


def _return_warehouse(order: Order) -> int | None:
    allocation = getattr(order, "allocation", None)
    if allocation is not None and allocation.warehouse_id:
        return allocation.warehouse_id
    warehouses = feeding_warehouses(order.account_id)
    return warehouses[0].pk if warehouses else None


@transaction.atomic
def request_return(
    *,
    order_id: int,
    lines: Iterable[LineReturn],
    actor: Actor,
    source: str = ReturnRequest.Source.OPERATOR,
    marketplace_return_id: str = "",
    marketplace_state: str = "",
    requested_at: dt.datetime | None = None,
    respond_by: dt.datetime | None = None,
    kind: str = ReturnRequest.Kind.RETURN,
    reason_text: str = "",
) -> ReturnRequest:
    """Open a return of `lines` (units of shipped order lines, each with a reason).

    `kind` "incident" is a claim the buyer opened on the platform (`reason_text` its words): it names
    the lines concerned and brings no unit back, so it counts against no return and no window.

    A return the marketplace already told us about (same `marketplace_return_id`) is returned as it
    is, its platform state updated: polling it twice changes nothing. A request after the
    platform's return window is flagged (`late_request`, an event), not refused. Raises
    IllegalTransition for an order not shipped, InvalidInput for a line not the order's or more units
    than shipped and not already coming back.
    """
    order = lock_order(order_id)
    if marketplace_return_id:
        known = ReturnRequest.objects.filter(order=order, marketplace_return_id=marketplace_return_id).first()
        if known is not None:
            if marketplace_state and known.marketplace_state != marketplace_state:
                known.marketplace_state = marketplace_state
                known.save(update_fields=["marketplace_state", "updated_at"])
            return known
    if order.status not in RETURNABLE:
        raise IllegalTransition(
            _("Order %(order)s is %(status)s: only shipped orders come back.")
            % {"order": order.number, "status": order.get_status_display()},
            details={"order": order.pk, "status": order.status},
        )
    if kind not in ReturnRequest.Kind.values:
        raise InvalidInput(_("Unknown kind of return."), details={"kind": kind})
    incident = kind == ReturnRequest.Kind.INCIDENT
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise InvalidInput(_("A return needs at least one unit."), details={"lines": "required"})
    order_lines = {line.pk: line for line in order.lines.all()}
    coming_back = Counter()
    if not incident:
        for line in (
            ReturnLine.objects.filter(return_request__order=order, return_request__kind=ReturnRequest.Kind.RETURN)
            .exclude(return_request__status=ReturnStatus.REFUSED)
            .only("order_line_id", "quantity")
        ):
            coming_back[line.order_line_id] += line.quantity
    for line in lines:
        order_line = order_lines.get(line.order_line_id)
        if order_line is None:
            raise InvalidInput(
                _("Line %(line)s is not a line of this order.") % {"line": line.order_line_id},
                details={"lines": line.order_line_id},
            )
        left = order_line.quantity if incident else _shipped_units(order, order_line) - coming_back[order_line.pk]
        if line.quantity < 0 or line.quantity > left:
            raise InvalidInput(
                _("%(sku)s: %(left)s unit(s) may come back, %(asked)s asked.")
                % {"sku": order_line.sku, "left": left, "asked": line.quantity},
                details={"lines": line.order_line_id, "left": left},
            )
        if line.reason not in ReturnReason.values:
            raise InvalidInput(_("Unknown return reason."), details={"reason": line.reason})
        coming_back[order_line.pk] += line.quantity
    requested_at = requested_at or timezone.now()
    window = ReturnWindow.objects.filter(platform=order.account.platform).first()
    days_after = (requested_at - delivered_at(order)).days
    late = not incident and window is not None and days_after > window.days
    found = ReturnRequest.objects.create(
        order=order,
        warehouse_id=_return_warehouse(order),
        source=source,
        kind=kind,
        platform=order.account.platform,
        marketplace_return_id=marketplace_return_id,
        marketplace_state=marketplace_state,
        reason=lines[0].reason,
        requested_at=requested_at,
        respond_by=respond_by or requested_at + DEFAULT_RESPONSE_TIME,
        late_request=late,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            return_request=found,
            order_line_id=line.order_line_id,
            quantity=line.quantity,
            reason=line.reason,
            note=(line.note or "")[:500],
        )
        for line in lines
    )
    params = {"return": found.number, "return_id": found.pk, "units": sum(line.quantity for line in lines)}
    if incident:
        params["reason"] = (reason_text or found.reason)[:200]  # a code is shown by its label (orders.events)
    record_event(
        order=order, kind=events.INCIDENT_OPENED if incident else events.RETURN_REQUESTED, actor=actor, params=params
    )
    if late:
        record_event(
            order=order,
            kind=events.RETURN_REQUESTED_LATE,
            actor=actor,
            params={"return": found.number, "return_id": found.pk, "days": days_after, "window": window.days},
        )
    transaction.on_commit(lambda: signals.return_created.send(sender=ReturnRequest, return_request=found))
    return found


@transaction.atomic
def authorise_return(*, return_id: int, actor: Actor) -> ReturnRequest:
    """The buyer may send the units back. Raises IllegalTransition unless the return is requested."""
    order, found = _lock_return(return_id)
    _move(order, found, ReturnStatus.AUTHORISED, kind=events.RETURN_AUTHORISED, actor=actor)
    _tell_marketplace(order, found, "accept")
    return found


@transaction.atomic
def refuse_return(*, return_id: int, reason: str, actor: Actor) -> ReturnRequest:
    """Say no to a requested return, with the reason the buyer will read."""
    reason = _require(reason)
    order, found = _lock_return(return_id)
    found.refusal_reason = reason[:500]
    found.save(update_fields=["refusal_reason"])
    _move(order, found, ReturnStatus.REFUSED, kind=events.RETURN_REFUSED, actor=actor, params={"reason": reason})
    _tell_marketplace(order, found, "refuse", reason)
    return found


@transaction.atomic
def record_return_label(
    *, return_id: int, carrier: str, tracking_number: str, actor: Actor, label_url: str = ""
) -> ReturnRequest:
    """The buyer has a return label (its carrier and tracking number, scanned at receiving)."""
    tracking_number = _require(tracking_number, "tracking_number")
    order, found = _lock_return(return_id)
    found.carrier, found.tracking_number, found.label_url = carrier, tracking_number, label_url
    found.save(update_fields=["carrier", "tracking_number", "label_url"])
    return _move(
        order,
        found,
        ReturnStatus.LABEL_SENT,
        kind=events.RETURN_LABEL_SENT,
        actor=actor,
        params={"carrier": carrier, "tracking_number": tracking_number},
    )


@transaction.atomic
def request_return_label(
    *, return_id: int, carrier_account_id: int, actor: Actor, weight_grams: int = labels.DEFAULT_WEIGHT_GRAMS
) -> ReturnRequest:
    """Ask a carrier for a return label (its return product) for an authorised return; a worker sends
    it (`carrier.return_label`) and the label comes back on the return, which becomes "label sent".
    Raises InvalidInput for a carrier without a return product we can ask, or a weight out of range."""
    order, found = _lock_return(return_id)
    _check_move(found, ReturnStatus.LABEL_SENT)
    account = CarrierAccount.objects.select_related("carrier").filter(pk=carrier_account_id, enabled=True).first()
    if account is None or account.carrier.code not in labels.RETURN_PRODUCTS:
        raise InvalidInput(
            _("This carrier account cannot print return labels here."), details={"carrier_account": carrier_account_id}
        )
    if not 1 <= weight_grams <= 30_000:
        raise InvalidInput(_("The parcel's weight must be between 1 g and 30 kg."), details={"weight_grams": "range"})
    found.carrier_account = account
    found.label_request_key = uuid.uuid4().hex
    found.label_error = ""
    found.save(update_fields=["carrier_account", "label_request_key", "label_error", "updated_at"])
    outbox.enqueue(
        kind=labels.RETURN_LABEL,
        destination=labels.carrier_destination(account.pk),
        subject=pushes.order_subject(order.pk),
        payload={"return_id": found.pk, "request_key": found.label_request_key, "weight_grams": weight_grams},
    )
    return found


@transaction.atomic
def store_return_label(*, return_id: int, request_key: str, label) -> bool:
    """The carrier's label for the return (from the outbox worker); False when a newer request superseded it."""
    order, found = _lock_return(return_id)
    if found.label_request_key != request_key or found.label_content:
        return False
    found.label_content, found.label_format = label.content, label.label_format
    found.carrier, found.tracking_number = found.carrier_account.carrier.code, label.tracking_number
    found.save(update_fields=["label_content", "label_format", "carrier", "tracking_number", "updated_at"])
    _move(
        order,
        found,
        ReturnStatus.LABEL_SENT,
        kind=events.RETURN_LABEL_SENT,
        actor=Actor.system(found.carrier_account.carrier.name),
        params={"carrier": found.carrier_account.carrier.name, "tracking_number": label.tracking_number},
    )
    return True


@transaction.atomic
def record_return_label_refusal(*, return_id: int, request_key: str, error: str) -> bool:
    """The carrier refused the return label: its answer shows on the return."""
    _order, found = _lock_return(return_id)
    if found.label_request_key != request_key:
        return False
    found.label_error = error[:2000]
    found.save(update_fields=["label_error", "updated_at"])
    return True


@transaction.atomic
def mark_return_in_transit(*, return_id: int, actor: Actor) -> ReturnRequest:
    """The carrier has the parcel (its tracking says so, or the marketplace does)."""
    order, found = _lock_return(return_id)
    return _move(order, found, ReturnStatus.IN_TRANSIT, kind=events.RETURN_IN_TRANSIT, actor=actor)


@transaction.atomic
def record_return_tracking(*, return_id: int, events_seen, actor: Actor, checked_at: dt.datetime) -> bool:
    """What the carrier says of a return parcel (shipping's canonical tracking events): past the label,
    the return is in transit; delivered, its arrival at the warehouse is flagged once. Returns True when
    anything changed; a return no longer on its way is left as it is."""
    order, found = _lock_return(return_id)
    statuses = {event.status for event in events_seen}
    moving = statuses - {carriers.LABEL_CREATED}
    changed = False
    if moving and found.status == ReturnStatus.LABEL_SENT:
        _move(order, found, ReturnStatus.IN_TRANSIT, kind=events.RETURN_IN_TRANSIT, actor=actor)
        changed = True
    if carriers.DELIVERED in statuses and found.arrived_at is None and found.status == ReturnStatus.IN_TRANSIT:
        delivered = max(event.at for event in events_seen if event.status == carriers.DELIVERED)
        found.arrived_at = delivered
        found.save(update_fields=["arrived_at", "updated_at"])
        record_event(
            order=order,
            kind=events.RETURN_ARRIVED,
            actor=actor,
            params={"return": found.number, "return_id": found.pk},
        )
        changed = True
    if not changed:
        ReturnRequest.objects.filter(pk=found.pk).update(updated_at=checked_at)  # asked: the others go first next time
    return changed


@transaction.atomic
def receive_return(*, return_id: int, scanned: Iterable[str], actor: Actor) -> ReturnRequest:
    """Receive the parcel: `scanned` holds one code (SKU or EAN) per unit taken out of it.

    Raises InvalidInput for a code that is no line of the return, or more units than it announced.
    """
    codes = [code.strip() for code in scanned if code and code.strip()]
    if not codes:
        raise InvalidInput(_("Scan at least one item."), details={"scanned": "required"})
    order, found = _lock_return(return_id)
    lines = list(found.lines.select_related("order_line"))
    received = Counter()
    for code in codes:
        line = next(
            (
                line
                for line in lines
                if code in (line.order_line.sku, line.order_line.ean) and received[line.pk] < line.quantity
            ),
            None,
        )
        if line is None:
            raise InvalidInput(
                _("%(code)s is not an item this return still expects.") % {"code": code}, details={"scanned": code}
            )
        received[line.pk] += 1
    _move(
        order,
        found,
        ReturnStatus.RECEIVED,
        kind=events.RETURN_RECEIVED,
        actor=actor,
        params={"units": sum(received.values())},
    )
    for line in lines:
        if received[line.pk]:
            ReturnLine.objects.filter(pk=line.pk).update(quantity_received=received[line.pk])
    _tell_marketplace(order, found, "receive")
    return found


@dataclass(frozen=True)
class UnitGrade:
    line_id: int  # the return line
    grade: str
    note: str = ""


@transaction.atomic
def inspect_return(*, return_id: int, grades: Iterable[UnitGrade], actor: Actor) -> ReturnRequest:
    """Grade every received unit: sellable units go back on hand ("returned" movements), the others
    are written off (a "written off" movement each, stock unchanged). Raises InvalidInput unless
    every received unit is graded exactly once."""
    grades = list(grades)
    order, found = _lock_return(return_id)
    lines = {line.pk: line for line in found.lines.select_related("order_line")}
    per_line = Counter(grade.line_id for grade in grades)
    for grade in grades:
        if grade.grade not in Grade.values:
            raise InvalidInput(_("Unknown grade."), details={"grade": grade.grade})
        if grade.line_id not in lines:
            raise InvalidInput(_("Line %(line)s is not a line of this return.") % {"line": grade.line_id})
    for line in lines.values():
        if per_line[line.pk] != line.quantity_received:
            raise InvalidInput(
                _("%(sku)s: %(received)s unit(s) received, %(graded)s graded.")
                % {"sku": line.order_line.sku, "received": line.quantity_received, "graded": per_line[line.pk]},
                details={"lines": line.pk},
            )
    if not grades:
        raise InvalidInput(_("Grade at least one unit."), details={"grades": "required"})
    _check_move(found, ReturnStatus.INSPECTED)
    ReturnUnit.objects.bulk_create(
        ReturnUnit(line_id=grade.line_id, grade=grade.grade, note=(grade.note or "")[:500]) for grade in grades
    )
    _move_stock(order, found, lines, grades, actor)
    sellable = sum(1 for grade in grades if grade.grade == Grade.SELLABLE)
    return _move(
        order,
        found,
        ReturnStatus.INSPECTED,
        kind=events.RETURN_INSPECTED,
        actor=actor,
        params={"sellable": sellable, "written_off": len(grades) - sellable},
    )


def _move_stock(order, found, lines, grades, actor) -> None:
    """Put sellable units back and write the others off, levels locked in id order first."""
    if found.warehouse_id is None:
        found.warehouse_id = _return_warehouse(order)  # a warehouse set up since the request
        if found.warehouse_id is None:
            raise DomainError(_("This return has no warehouse to go back to."), details={"warehouse": "required"})
        found.save(update_fields=["warehouse", "updated_at"])
    components = components_for(account_id=order.account_id, skus={line.order_line.sku for line in lines.values()})
    back: Counter = Counter()
    lost: Counter = Counter()
    notes: dict[int, list[str]] = {}
    for grade in grades:
        for product_id, units in components.get(lines[grade.line_id].order_line.sku, []):
            (back if grade.grade == Grade.SELLABLE else lost)[product_id] += units
            if grade.grade != Grade.SELLABLE:
                notes.setdefault(product_id, []).append(f"{Grade(grade.grade).label}: {grade.note}".strip(": "))
    products = sorted(set(back) | set(lost))
    if not products:
        return
    warehouse_id = found.warehouse_id
    ledger.ensure_levels((product_id, warehouse_id) for product_id in products)
    ledger.lock_levels(products, [warehouse_id])
    for product_id in products:
        if back[product_id]:
            return_to_stock(
                product_id=product_id,
                warehouse_id=warehouse_id,
                quantity=back[product_id],
                actor=actor,
                order=order,
                note=f"{found.number}",
            )
    written = []
    for product_id in products:
        if lost[product_id]:
            level_id, on_hand, reserved = ledger.lock_levels([product_id], [warehouse_id])[(product_id, warehouse_id)]
            after = ledger.After(level_id, product_id, on_hand, reserved, 0, 0)
            note = f"{found.number} × {lost[product_id]} — " + "; ".join(notes.get(product_id, []))
            written.append(
                ledger.movement(after, reason=StockMovement.Reason.WRITTEN_OFF, actor=actor, order=order, note=note)
            )
    if written:
        ledger.save_movements(written)


@transaction.atomic
def close_return(*, return_id: int, actor: Actor) -> ReturnRequest:
    """Nothing left to do: the return is inspected (and refunded, or settled), or was refused."""
    order, found = _lock_return(return_id)
    _move(order, found, ReturnStatus.CLOSED, kind=events.RETURN_CLOSED, actor=actor)
    _tell_marketplace(order, found, "close")
    return found


def return_refund_lines(found: ReturnRequest, *, with_shipping: bool = False) -> list[LineRefund]:
    """The refund a return calls for: each returned unit's price (the units received once received),
    and the lines' shipping if asked."""
    left = balances(found.order)
    refund = []
    for line in found.lines.all():
        units = (
            line.quantity_received if found.status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED) else line.quantity
        )
        balance = left[line.order_line_id]
        units = min(units, balance.units_left)
        amount = balance.items_for(units) if units else ZERO
        shipping = balance.shipping_left if with_shipping else ZERO
        if amount or shipping:
            refund.append(
                LineRefund(order_line_id=line.order_line_id, amount=amount, shipping_amount=shipping, quantity=units)
            )
    return refund


@transaction.atomic
def refund_return(
    *, return_id: int, actor: Actor, reason: str = "", lines: Iterable[LineRefund] | None = None
) -> Refund:
    """Refund an inspected (or received) return, then close it: by default each unit's price."""
    found = ReturnRequest.objects.select_related("order").get(pk=return_id)
    if found.status not in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
        raise IllegalTransition(
            _("Return %(number)s is %(status)s: refund it once received.")
            % {"number": found.number, "status": found.get_status_display()},
            details={"return": found.pk, "status": found.status},
        )
    refund = refund_order(
        order_id=found.order_id,
        actor=actor,
        reason=reason or found.reason,  # the return's reason code: its label where shown, mappable for platforms
        lines=return_refund_lines(found) if lines is None else lines,
        return_request_id=found.pk,
        reason_code=found.reason,
    )
    if found.status == ReturnStatus.INSPECTED:
        close_return(return_id=found.pk, actor=actor)
    return refund


# Incidents --------------------------------------------------------------------------------------


def incident_refund_lines(found: ReturnRequest, *, with_shipping: bool = False) -> list[LineRefund]:
    """What settling an incident by a refund gives back: what is left to refund on each of its lines."""
    left = balances(found.order)
    refund = []
    for line in found.lines.all():
        balance = left[line.order_line_id]
        shipping = balance.shipping_left if with_shipping else ZERO
        if balance.items_left or shipping:
            refund.append(
                LineRefund(
                    order_line_id=line.order_line_id,
                    amount=balance.items_left,
                    shipping_amount=shipping,
                    quantity=min(line.quantity, balance.units_left),
                )
            )
    return refund


@transaction.atomic
def resolve_incident(
    *,
    return_id: int,
    actor: Actor,
    reason_code: str = "",
    reason_label: str = "",
    refund: bool = False,
    refund_lines: Iterable[LineRefund] | None = None,
    with_shipping: bool = False,
    refund_reason: str = "",
) -> ReturnRequest:
    """Settle an incident and close it: a refund of its lines (`refund`; `refund_lines` to choose the
    amounts) and/or the platform's resolution with one of its reasons (`reason_code`: Mirakl OR64 for
    each line, through the outbox, after the refund). Raises InvalidInput without either, or for refund lines
    that are not the incident's, IllegalTransition unless it is an incident still requested; a refund refused
    by the checks changes nothing."""
    reason_code = (reason_code or "").strip()
    order, found = _lock_return(return_id)
    if not found.is_incident:
        raise IllegalTransition(
            _("%(number)s is a return, not an incident.") % {"number": found.number}, details={"return": found.pk}
        )
    _check_move(found, ReturnStatus.CLOSED)
    if not reason_code and not refund:
        raise InvalidInput(
            _("Choose the resolution's reason, or refund the buyer."), details={"reason_code": "required"}
        )
    if len(reason_code) > 50:
        raise InvalidInput(_("Unknown resolution reason."), details={"reason_code": reason_code[:50]})
    if refund_lines is not None:
        refund_lines = list(refund_lines)
        if refund_lines and not refund:
            raise InvalidInput(_("The lines are the refund's: refund the buyer too."), details={"refund": "required"})
        own = set(found.lines.values_list("order_line_id", flat=True))
        unknown = sorted({line.order_line_id for line in refund_lines} - own)
        if unknown:
            raise InvalidInput(
                _("Not a line of incident %(number)s: %(lines)s.")
                % {"number": found.number, "lines": ", ".join(map(str, unknown))},
                details={"lines": unknown},
            )
    refunded = ZERO
    if refund:
        lines = incident_refund_lines(found, with_shipping=with_shipping) if refund_lines is None else refund_lines
        made = refund_order(
            order_id=order.pk,
            actor=actor,
            reason=refund_reason or reason_label or _("Incident %(number)s") % {"number": found.number},
            lines=lines,
            return_request_id=found.pk,
            reason_code=found.reason,
        )
        refunded = made.total_amount
    pushed = (
        bool(reason_code)
        and found.source == ReturnRequest.Source.MARKETPLACE
        and order.account.platform in INCIDENTS_ON
    )
    if pushed:
        outbox.enqueue(
            kind=RETURN_PUSH,
            destination=pushes.marketplace_destination(order.account_id),
            ordering_key=pushes.order_subject(order.pk),
            subject=pushes.order_subject(order.pk),
            payload={
                "return_id": found.pk,
                "marketplace_return_id": found.marketplace_return_id,
                "marketplace_order_id": order.marketplace_order_id,
                "line_ids": [line.order_line.marketplace_line_id for line in found.lines.select_related("order_line")],
                "step": "resolve_incident",
                "reason_code": reason_code,
            },
        )
    return _move(
        order,
        found,
        ReturnStatus.CLOSED,
        kind=events.INCIDENT_RESOLVED,
        actor=actor,
        params={
            "reason": (reason_label or reason_code or "—")[:200],
            "reason_code": reason_code,
            "refunded": str(refunded),
            "currency": order.currency,
        },
    )


@transaction.atomic
def close_incident_closed_on_platform(*, return_id: int, marketplace_state: str) -> bool:
    """An incident the platform closed on its side (its line no longer in incident, `marketplace_state` its
    state now): ours closes too, with an event, and nothing is sent. False when it is no longer open here
    (resolved meanwhile, or read twice)."""
    order, found = _lock_return(return_id)
    if not found.is_incident or ReturnStatus.CLOSED not in found.transitions:
        return False
    found.marketplace_state = (marketplace_state or "")[: ReturnRequest._meta.get_field("marketplace_state").max_length]
    found.save(update_fields=["marketplace_state", "updated_at"])
    _move(
        order,
        found,
        ReturnStatus.CLOSED,
        kind=events.INCIDENT_CLOSED_ON_PLATFORM,
        actor=Actor.of_marketplace(order.account.platform),
        params={"marketplace_state": found.marketplace_state},
    )
    return True


def find_return_by_scan(code: str) -> ReturnRequest:
    """The open return a scanned code names: its return tracking number, our order number, the
    marketplace's order id or reference, or the return's number. Raises NotFound."""
    code = (code or "").strip()
    if not code:
        raise NotFound(_("Scan a return label or an order number."), details={"code": "required"})
    open_returns = ReturnRequest.objects.filter(status__in=OPEN_STATUSES).exclude(status=ReturnStatus.REFUSED)
    found = open_returns.filter(tracking_number=code).order_by("-id").first()
    if found is None and code.upper().startswith("RET-") and code[4:].isdigit():
        found = open_returns.filter(pk=int(code[4:])).first()
    if found is None and code.upper().startswith("OMS-") and code[4:].isdigit():
        found = open_returns.filter(order_id=int(code[4:])).order_by("-id").first()
    if found is None:
        found = (
            open_returns.filter(order__marketplace_order_id=code).order_by("-id").first()
            or open_returns.filter(order__reference=code).order_by("-id").first()
        )
    if found is None:
        raise NotFound(_("No open return for %(code)s.") % {"code": code}, details={"code": code})
    return found


def lines_from_mapping(rows: Iterable[Mapping]) -> list[LineRefund]:
    """LineRefund from the API's or the form's rows (order_line, amount, shipping_amount, quantity)."""
    return [
        LineRefund(
            order_line_id=int(row["order_line"]),
            amount=_money(row.get("amount") or 0, "amount"),
            shipping_amount=_money(row.get("shipping_amount") or 0, "shipping_amount"),
            quantity=int(row.get("quantity") or 0),
        )
        for row in rows
    ]
