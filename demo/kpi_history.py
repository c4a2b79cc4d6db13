"""The demo history's timelines, as a seller's would read: shipped on time mostly, a few late,
some cancellations by the seller, deliveries with a deliver-by date, tracking numbers.

Orders ingested as already shipped, delivered, cancelled or refused have one "received" event
dated now; the KPIs read when each order moved (kpis/facts.py), so this gives each history
order the moves it would have made, dated from its purchase. Each platform gets its own share
of late shipments so that the dashboard shows every status on first start.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from orders import events
from orders.models import ActorType, Order, OrderEvent
from orders.status import OrderStatus

# Share of shipments after the ship-by date, of deliveries after the deliver-by date, of
# cancellations made by the seller, of shipments without tracking.
LATE_SHIPMENTS = {"amazon": 0.035, "ebay": 0.02, "mirakl": 0.07, "cdiscount": 0.03}
LATE_DELIVERIES = 0.04
SELLER_CANCELLATIONS = 0.4
NO_TRACKING = 0.02
TRANSIT = dt.timedelta(days=3)


def _event(order, kind, to_status, at, *, actor_type=ActorType.MARKETPLACE, params=None) -> OrderEvent:
    return OrderEvent(
        order=order,
        kind=kind,
        actor_type=actor_type,
        actor_label=order.account.platform if actor_type == ActorType.MARKETPLACE else "demo",
        to_status=to_status,
        params=params or {},
        created_at=at,
    )


@transaction.atomic
def give_timelines(*, seed: int = 2026) -> int:
    """Rewrite the timeline of every closed order (received → accepted → shipped → delivered, or
    cancelled, or refused), dated from its purchase; returns the orders rewritten."""
    rng = random.Random(seed)
    closed = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUSED)
    orders = list(Order.objects.filter(status__in=closed).select_related("account").order_by("pk"))
    rows = []
    for order in orders:
        received = order.purchased_at + dt.timedelta(minutes=rng.randint(2, 30))
        ship_by = order.ship_by or order.purchased_at + dt.timedelta(days=2)
        first_status = OrderStatus.ACCEPTED
        if order.status == OrderStatus.REFUSED:
            first_status = OrderStatus.PENDING_ACCEPTANCE
        rows.append(_event(order, events.RECEIVED, first_status, received, params={"marketplace_status": ""}))
        if order.status == OrderStatus.REFUSED:
            refused = received + dt.timedelta(hours=rng.randint(1, 20))
            rows.append(_event(order, events.REFUSED, OrderStatus.REFUSED, refused, actor_type=ActorType.USER))
        elif order.status == OrderStatus.CANCELLED:
            cancelled = received + dt.timedelta(hours=rng.randint(1, 30))
            if rng.random() < SELLER_CANCELLATIONS:
                rows.append(
                    _event(
                        order,
                        events.CANCELLED,
                        OrderStatus.CANCELLED,
                        cancelled,
                        actor_type=ActorType.USER,
                        params={"reason": "Rupture de stock"},
                    )
                )
            else:
                rows.append(_event(order, events.STATUS_CHANGED, OrderStatus.CANCELLED, cancelled))
        else:
            if rng.random() < LATE_SHIPMENTS.get(order.account.platform, 0.03):
                shipped = ship_by + dt.timedelta(hours=rng.randint(1, 30))
            else:
                spare = max(int((ship_by - received).total_seconds() // 60) - 30, 31)
                shipped = received + dt.timedelta(minutes=rng.randint(30, spare))
            rows.append(_event(order, events.STATUS_CHANGED, OrderStatus.SHIPPED, shipped))
            order.deliver_by = order.deliver_by or ship_by + TRANSIT
            if rng.random() >= NO_TRACKING:
                order.carrier, order.tracking_number = "colissimo", f"6A{order.pk:011d}"
            if order.status == OrderStatus.DELIVERED:
                late = rng.random() < LATE_DELIVERIES
                if late:
                    delivered = order.deliver_by + dt.timedelta(hours=rng.randint(2, 48))
                else:
                    delivered = min(
                        shipped + dt.timedelta(hours=rng.randint(20, 72)), order.deliver_by - dt.timedelta(hours=1)
                    )
                rows.append(_event(order, events.DELIVERED, OrderStatus.DELIVERED, delivered))
    instants = [row.created_at for row in rows]
    OrderEvent.objects.filter(order__in=orders, kind=events.RECEIVED).delete()
    created = OrderEvent.objects.bulk_create(rows)
    # created_at is auto_now_add: the instants above are written after the insert.
    for event, instant in zip(created, instants, strict=True):
        OrderEvent.objects.filter(pk=event.pk).update(created_at=instant)
    Order.objects.bulk_update(orders, ["deliver_by", "carrier", "tracking_number"])
    return len(orders)
