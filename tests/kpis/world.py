"""Worlds of orders with known timelines, written straight to the tables, and a recount in Python.

`recount` is the brute force the SQL buckets are checked against: the metrics' definitions
(kpis/metrics.py) read again, order by order, with no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from messaging.models import Message, Thread
from orders.models import ActorType, Order, OrderEvent, OrderLine
from returns.models import ReturnRequest

NOW = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
SHIPPED = {"partially_shipped", "shipped", "delivered"}
DECIDED = {"accepted", "refused", *SHIPPED}


@dataclass
class Spec:
    status: str
    purchased_at: dt.datetime
    ship_by: dt.datetime | None = None
    deliver_by: dt.datetime | None = None
    acceptance_deadline: dt.datetime | None = None
    fulfilled_by_marketplace: bool = False
    tracking_number: str = ""
    carrier: str = ""
    buyer_requested_cancel: bool = False
    returned: bool = False  # a return was requested for it
    incident: bool = False  # a claim or incident was opened on it
    # (kind, to_status, at)
    events: list[tuple[str, str, dt.datetime]] = field(default_factory=list)


_counter = Counter()


def build(account, specs: list[Spec]) -> list[Order]:
    orders = []
    for spec in specs:
        _counter["order"] += 1
        order = Order.objects.create(
            account=account,
            marketplace_order_id=f"W-{_counter['order']}",
            status=spec.status,
            purchased_at=spec.purchased_at,
            marketplace_updated_at=spec.purchased_at,
            ship_by=spec.ship_by,
            deliver_by=spec.deliver_by,
            acceptance_deadline=spec.acceptance_deadline,
            fulfilled_by_marketplace=spec.fulfilled_by_marketplace,
            tracking_number=spec.tracking_number,
            carrier=spec.carrier,
            currency="EUR",
            total_amount=Decimal("10"),
            content_hash="world",
        )
        OrderLine.objects.create(
            order=order,
            marketplace_line_id="1",
            sku="SKU",
            title="Thing",
            quantity=1,
            unit_price_amount=Decimal("10"),
            total_amount=Decimal("10"),
            buyer_requested_cancel=spec.buyer_requested_cancel,
        )
        if spec.returned:
            ReturnRequest.objects.create(order=order, platform=account.platform, requested_at=spec.purchased_at)
        if spec.incident:
            ReturnRequest.objects.create(
                order=order, platform=account.platform, requested_at=spec.purchased_at, kind=ReturnRequest.Kind.INCIDENT
            )
        for kind, to_status, at in spec.events:
            event = OrderEvent.objects.create(
                order=order, kind=kind, actor_type=ActorType.MARKETPLACE, to_status=to_status
            )
            OrderEvent.objects.filter(pk=event.pk).update(created_at=at)
        orders.append(order)
    return orders


def _facts(spec: Spec) -> dict:
    events = [(kind, status, at) for kind, status, at in spec.events if kind != "status_ignored"]

    def first(statuses):
        times = [at for _, status, at in events if status in statuses]
        return min(times) if times else None

    seller_cancelled = any(kind == "cancelled" for kind, _, _ in events)
    return {
        "shipped_at": first(SHIPPED),
        "delivered_at": first({"delivered"}),
        "decided_at": first(DECIDED),
        "seller_cancelled": seller_cancelled,
        "buyer_asked_cancel": seller_cancelled and spec.buyer_requested_cancel,
    }


def _day(instant):
    return instant.astimezone(dt.UTC).date()


def recount(specs: list[Spec], *, now: dt.datetime) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """(metric, day) → (numerator, denominator), order by order."""
    result: dict[tuple[str, dt.date], list[int]] = {}

    def count(metric, instant, bad):
        entry = result.setdefault((metric, _day(instant)), [0, 0])
        entry[0] += int(bool(bad))
        entry[1] += 1

    for spec in specs:
        if spec.fulfilled_by_marketplace:
            continue
        f = _facts(spec)
        shipped, delivered = f["shipped_at"], f["delivered_at"]
        if (
            spec.ship_by is not None
            and spec.status not in ("cancelled", "refused", "awaiting_payment")
            and (shipped is not None or spec.ship_by < now)
        ):
            count("late_shipment_rate", spec.ship_by, (shipped or now) > spec.ship_by)
        if spec.status != "awaiting_payment":
            count(
                "cancellation_rate",
                spec.purchased_at,
                f["seller_cancelled"] and shipped is None and not f["buyer_asked_cancel"],
            )
        if f["decided_at"] is not None:
            count("refusal_rate", spec.purchased_at, spec.status == "refused")
        if shipped is not None:
            count("valid_tracking_rate", shipped, spec.tracking_number and spec.carrier)
            count("return_rate", spec.purchased_at, spec.returned)
        if (
            spec.deliver_by is not None
            and shipped is not None
            and spec.status != "cancelled"
            and (delivered is not None or spec.deliver_by < now)
        ):
            count("on_time_delivery_rate", spec.deliver_by, delivered is not None and delivered <= spec.deliver_by)
    for spec in specs:  # every paid order, the marketplace's fulfilment included
        if spec.status != "awaiting_payment":
            count("order_defect_rate", spec.purchased_at, spec.incident)
    return {key: tuple(value) for key, value in result.items()}


# Buyers' waits for a reply ----------------------------------------------------------------


@dataclass
class Wait:
    """A buyer's wait: since when a reply was needed, the reply-by time, and our reply (or none yet).

    `failed` replies were refused by the platform (they answer nothing); `closed` threads were closed
    without a reply."""

    since: dt.datetime
    reply_by: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    failed: bool = False
    closed: bool = False
    with_order: bool = True


def build_waits(account, waits: list[Wait]) -> None:
    """One thread per wait, with its buyer's message and our reply, written as the messaging app writes them."""
    for wait in waits:
        _counter["thread"] += 1
        order = None
        if wait.with_order:
            [order] = build(account, [Spec("accepted", wait.since)])
        # A reply the platform refused leaves the thread needing a reply again (messaging.actions.record_failed).
        open_wait = (wait.replied_at is None or wait.failed) and not wait.closed
        thread = Thread.objects.create(
            account=account,
            platform_thread_id=f"T-{_counter['thread']}",
            order=order,
            status=Thread.Status.NEEDS_REPLY if open_wait else Thread.Status.CLOSED,
            needs_reply_since=wait.since if open_wait else None,
            reply_by=wait.reply_by if open_wait else None,
        )
        Message.objects.create(
            thread=thread, direction="in", body="?", delivery="received", received_at=wait.since, sent_at=wait.since
        )
        if wait.replied_at is not None:
            message = Message.objects.create(
                thread=thread,
                direction="out",
                body="!",
                delivery="failed" if wait.failed else "sent",
                response_seconds=int((wait.replied_at - wait.since).total_seconds()),
                within_deadline=(wait.replied_at <= wait.reply_by) if wait.reply_by else None,
            )
            Message.objects.filter(pk=message.pk).update(created_at=wait.replied_at)


def recount_waits(waits: list[Wait], *, now: dt.datetime) -> dict[tuple[str, dt.date], tuple]:
    """(metric, day) → (numerator, denominator) for the share within the deadline, and (count, count,
    sorted seconds) for the median reply time, wait by wait."""
    result: dict = {}
    for wait in waits:
        day = _day(wait.since)
        answered = wait.replied_at is not None and not wait.failed
        if answered and wait.reply_by is not None:
            entry = result.setdefault(("reply_within_deadline", day), [0, 0])
            entry[0] += int(wait.replied_at <= wait.reply_by)
            entry[1] += 1
        elif not answered and not wait.closed and wait.reply_by is not None and wait.reply_by < now:
            result.setdefault(("reply_within_deadline", day), [0, 0])[1] += 1
        if answered:
            entry = result.setdefault(("median_reply_time", day), [0, 0, []])
            entry[0] += 1
            entry[1] += 1
            entry[2].append(int((wait.replied_at - wait.since).total_seconds()))
    return {
        key: (value[0], value[1], sorted(value[2])) if len(value) == 3 else tuple(value)
        for key, value in result.items()
    }
