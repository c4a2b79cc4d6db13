"""Worlds of orders with known timelines, written straight to the tables, and a recount in Python.

`recount` is the brute force the SQL buckets are checked against: the metrics' definitions
(kpis/metrics.py) read again, order by order, with no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

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
    return {key: tuple(value) for key, value in result.items()}
