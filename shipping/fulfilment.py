"""What a shipment leaving or arriving does to its order: units shipped, the order's status, the
marketplace's shipping confirmation, the stock taken out, delivery.

Called by `shipping.actions` inside their transaction, on an order they locked. An order is
partially shipped while some of its units are in no shipment that has left, shipped when all
are; it is delivered when every shipment that left was delivered by its carrier. The
marketplace hears each shipment with its lines and quantities where the platform takes
partial shipments (`CAPABILITIES[…].partial_shipment`); a platform that ships whole orders
(Mirakl OR24) hears once, when the last unit leaves, with every line.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from inventory.actions import consume_order_stock
from orders import pushes
from orders import signals as order_signals
from orders import status as transitions
from orders.actions import Actor, move_locked_order, new_event, push_to_marketplace, record_event
from orders.models import Order, OrderLine
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus
from shipping import events, signals
from shipping.models import LEFT, Parcel, Shipment, ShipmentLine


def units_left(order: Order) -> dict[int, int]:
    """Order line id → units neither shipped (`quantity_shipped`: our shipments that left, and what
    the marketplace reports shipped elsewhere) nor in a shipment still being prepared."""
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    preparing = dict(
        ShipmentLine.objects.filter(shipment__order=order)
        .exclude(shipment__status__in=[*LEFT, Shipment.Status.VOIDED])
        .values("order_line")
        .annotate(units=Sum("quantity"))
        .values_list("order_line", "units")
    )
    return {line.pk: max(0, line.quantity - line.quantity_shipped - preparing.get(line.pk, 0)) for line in lines}


def shipment_left(*, order: Order, shipment: Shipment, actor: Actor) -> None:
    """The shipment (already in a status of `LEFT`) was handed to its carrier: its units are
    shipped, the order moves, the stock goes out, the marketplace is told."""
    shipment.shipped_at = shipment.shipped_at or timezone.now()
    shipment.save(update_fields=["shipped_at", "updated_at"])
    in_shipment = dict(shipment.lines.values_list("order_line_id", "quantity"))
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    for line in lines:
        if line.pk in in_shipment:
            line.quantity_shipped = min(line.quantity, line.quantity_shipped + in_shipment[line.pk])
            line.save(update_fields=["quantity_shipped"])
    complete = all(line.quantity_shipped >= line.quantity for line in lines)
    tracking_numbers = list(shipment.parcels.order_by("pk").values_list("tracking_number", flat=True))
    params = {
        "shipment": shipment.pk,
        "carrier": shipment.carrier.name,
        "tracking_numbers": ", ".join(tracking_numbers),
        "units": sum(shipment.lines.values_list("quantity", flat=True)),
    }
    order.carrier, order.tracking_number = shipment.carrier.code, tracking_numbers[0]
    to = OrderStatus.SHIPPED if complete else OrderStatus.PARTIALLY_SHIPPED
    if order.status != to:
        move_locked_order(
            order=order,
            to=to,
            kind=events.SHIPMENT_SHIPPED,
            actor=actor,
            params=params,
            extra_fields=("carrier", "tracking_number"),
        )
    else:
        # Partially shipped still: no move, so no signal; the stock of these units goes out here.
        order.save(update_fields=["carrier", "tracking_number", "updated_at"])
        record_event(order=order, kind=events.SHIPMENT_SHIPPED, actor=actor, params=params)
        if not order.fulfilled_by_marketplace:
            consume_order_stock(order=order, actor=actor, whole_order=False)
    _tell_marketplace(order=order, shipment=shipment, lines=lines, complete=complete, actor=actor)


def _tell_marketplace(*, order: Order, shipment: Shipment, lines: list[OrderLine], complete: bool, actor) -> None:
    capabilities = CAPABILITIES[order.account.platform]
    by_id = {line.pk: line for line in lines}
    if capabilities.partial_shipment:
        sent = [
            {"line_id": by_id[line_id].marketplace_line_id, "quantity": quantity}
            for line_id, quantity in shipment.lines.order_by("order_line_id").values_list("order_line_id", "quantity")
        ]
    elif complete:
        sent = [{"line_id": line.marketplace_line_id, "quantity": line.quantity} for line in lines]
    else:
        record_event(
            order=order,
            kind=events.MARKETPLACE_TOLD_AT_THE_END,
            actor=actor,
            params={"platform": capabilities.display_name, "shipment": shipment.pk},
        )
        return
    packages = _packages(order=order, shipment=shipment, by_id=by_id, actor=actor)
    push_to_marketplace(
        order,
        pushes.SHIP,
        carrier=shipment.carrier.code,
        tracking_number=order.tracking_number,
        lines=sent,
        shipped_at=shipment.shipped_at.isoformat(),
        shipment_id=shipment.pk,
        **({"packages": packages} if packages else {}),
    )


def _packages(*, order: Order, shipment: Shipment, by_id: dict[int, OrderLine], actor) -> list[dict] | None:
    """Every parcel of the shipment as a package (its tracking number and the lines it holds) where the
    platform takes one package per call and each parcel's contents are known; else None, and the
    timeline says which parcels the platform does not hear of, and why."""
    capabilities = CAPABILITIES[order.account.platform]
    parcels = [
        (number, contents)
        for number, contents in shipment.parcels.order_by("pk").values_list("tracking_number", "contents")
        if number
    ]
    if capabilities.partial_shipment:
        others = [number for number, _contents in parcels[1:]]
    else:  # one tracking number per order: the shipments that left before this one are not told either
        others = [
            number
            for number in Parcel.objects.filter(shipment__order=order, shipment__status__in=LEFT)
            .exclude(tracking_number="")
            .order_by("pk")
            .values_list("tracking_number", flat=True)
            if number != order.tracking_number
        ]
    if not others:
        return None
    if capabilities.packages_per_shipment and all(contents for _number, contents in parcels):
        return [
            {
                "tracking_number": number,
                "lines": [
                    {"line_id": by_id[int(line_id)].marketplace_line_id, "quantity": units}
                    for line_id, units in sorted(contents.items(), key=lambda item: int(item[0]))
                ],
            }
            for number, contents in parcels
        ]
    if capabilities.packages_per_shipment:
        reason = "contents_unknown"
    elif capabilities.partial_shipment:
        reason = "one_per_shipment"
    else:
        reason = "one_tracking_number"
    record_event(
        order=order,
        kind=events.PARCELS_NOT_TOLD,
        actor=actor,
        params={
            "platform": capabilities.display_name,
            "shipment": shipment.pk,
            "told": order.tracking_number,
            "not_told": ", ".join(others),
            "reason": reason,
        },
    )
    return None


def shipment_delivered_in_batch(*, order: Order, shipment: Shipment, siblings: list[Shipment], writes) -> None:
    """The carrier delivered the shipment (already delivered in memory; `siblings`: every shipment of the
    order, as they stand now): the order is delivered once every unit shipped and every shipment that
    left arrived (a returned parcel keeps the order shipped). Kept in `writes`
    (shipping.actions.record_tracking_batch), which saves it and sends the signals in order."""
    shipment.delivered_at = shipment.delivered_at or timezone.now()
    params = {"shipment": shipment.pk, "carrier": shipment.carrier.name}
    all_arrived = all(each.status == Shipment.Status.DELIVERED for each in siblings if each.status in LEFT)
    actor = Actor.system(shipment.carrier.name)
    if (
        order.status == OrderStatus.SHIPPED
        and all_arrived
        and transitions.is_allowed(order.status, OrderStatus.DELIVERED)
    ):
        before, order.status = order.status, OrderStatus.DELIVERED
        writes.moved_orders[order.pk] = order
        writes.events.append(
            new_event(
                order=order,
                kind=events.SHIPMENT_DELIVERED,
                actor=actor,
                from_status=before,
                to_status=order.status,
                params=params,
            )
        )
        writes.signals.append(
            (
                order_signals.order_status_changed,
                {"sender": Order, "order": order, "before": before, "after": order.status, "actor": actor},
            )
        )
    else:
        writes.events.append(new_event(order=order, kind=events.SHIPMENT_DELIVERED, actor=actor, params=params))
    writes.signals.append((signals.shipment_delivered, {"sender": Shipment, "shipment": shipment}))
