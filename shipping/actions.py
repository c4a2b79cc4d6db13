"""Shipment state changes: create, ask the carrier for labels (through the outbox), store them,
void, hand over, ship with a tracking number got elsewhere, follow the carrier's tracking.

Each action locks the order first (`orders.locks`), then its shipment, writes an order event
and raises a DomainError (changing nothing) when the move is not allowed. The carrier is
only ever called by outbox workers (`shipping.outbox_kinds`) and the tracking poll
(`shipping.tracking`). What a shipment leaving or arriving does to its order (status, stock,
the marketplace's confirmation) is `shipping.fulfilment`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import OrderAllocation, Warehouse
from oms import outbox
from oms.errors import DomainError, IllegalTransition, InvalidInput, NotFound
from orders.actions import Actor, new_event, record_event
from orders.locks import lock_order
from orders.models import Order, OrderEvent, OrderLine
from orders.status import OrderStatus
from shipping import carriers as tracking_statuses
from shipping import events, fulfilment, signals
from shipping.carriers import Label, TrackingEvent
from shipping.clients import connector_class, has_connector
from shipping.models import (
    LEFT,
    SHIPMENT_TRANSITIONS,
    Carrier,
    CarrierAccount,
    CarrierService,
    Parcel,
    Shipment,
    ShipmentLine,
)
from shipping.outbox_names import CARRIER_LABEL, CARRIER_VOID, carrier_destination
from shipping.tracking_numbers import check_tracking

SHIPPABLE = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED)


@transaction.atomic
def create_shipment(
    *,
    order_id: int,
    warehouse_id: int,
    service_id: int,
    carrier_account_id: int,
    lines: Mapping[int, int],
    parcels: list[Mapping[str, int | None]],
    label_format: str = Parcel.LabelFormat.PDF,
    actor: Actor,
) -> Shipment:
    """A draft shipment of `lines` (order line id → units) in `parcels` (weight_grams, and
    length_mm / width_mm / height_mm if known, and the `lines` each parcel holds, if known: for
    every parcel or none, adding up to `lines`). Raises InvalidInput when a line is not the
    order's or has fewer units left than asked, or the service, account or format do not fit."""
    order = _lock_shippable(order_id)
    service = CarrierService.objects.select_related("carrier").filter(pk=service_id).first()
    account = CarrierAccount.objects.select_related("carrier").filter(pk=carrier_account_id).first()
    for field, value, row in (("service", service_id, service), ("carrier_account", carrier_account_id, account)):
        if row is None:
            raise InvalidInput(_("No %(field)s %(id)s.") % {"field": field, "id": value}, details={field: value})
    if not Warehouse.objects.filter(pk=warehouse_id).exists():
        raise InvalidInput(_("No warehouse %(id)s.") % {"id": warehouse_id}, details={"warehouse": warehouse_id})
    _check_carrier(service, account, label_format)
    _check_lines(order, lines)
    if not parcels:
        raise InvalidInput(_("A shipment needs at least one line and one parcel."), details={"parcels": "required"})
    if any(not parcel.get("weight_grams") or parcel["weight_grams"] < 1 for parcel in parcels):
        raise InvalidInput(_("Every parcel needs its weight."), details={"parcels": "weight_grams"})
    contents = _parcel_contents(lines, parcels)
    shipment = Shipment.objects.create(
        order=order, carrier=service.carrier, warehouse_id=warehouse_id, service=service, carrier_account=account
    )
    # In order-line order: the trigger locks each order line as its row goes in.
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=lines[line_id]) for line_id in sorted(lines)
    )
    Parcel.objects.bulk_create(
        Parcel(
            shipment=shipment,
            label_format=label_format,
            weight_grams=parcel["weight_grams"],
            length_mm=parcel.get("length_mm"),
            width_mm=parcel.get("width_mm"),
            height_mm=parcel.get("height_mm"),
            contents=parcel_contents,
        )
        for parcel, parcel_contents in zip(parcels, contents, strict=True)
    )
    record_event(
        order=order,
        kind=events.SHIPMENT_CREATED,
        actor=actor,
        params={
            "shipment": shipment.pk,
            "units": sum(lines.values()),
            "parcels": len(parcels),
            "service": str(service),
        },
    )
    signals.shipment_created.send(sender=Shipment, shipment=shipment)
    return shipment


@transaction.atomic
def ship_order(
    *,
    order_id: int,
    actor: Actor,
    carrier: str,
    tracking_number: str,
    lines: Mapping[int, int] | None = None,
    weight_grams: int | None = None,
    origin: str = Shipment.Origin.ENTERED,
) -> Shipment:
    """Units of an order left with `carrier` (a Carrier code) under a tracking number got elsewhere
    (typed on the order page, sent by an ERP, imported from a warehouse's file): one shipment of
    `lines` (order line id → units; None: every unit not shipped yet) in one parcel, handed over
    now. Raises InvalidInput, changing nothing, for a carrier the platform does not take, a
    tracking number without the carrier's format or already used, lines beyond what is left."""
    order = _lock_shippable(order_id)
    carrier_row, tracking = check_tracking(
        platform=order.account.platform, carrier=carrier, tracking_number=tracking_number
    )
    used_by = Parcel.objects.filter(tracking_number=tracking).values_list("shipment__order_id", flat=True).first()
    if used_by is not None:
        raise InvalidInput(
            _("The tracking number %(tracking)s is already used (order %(order)s).")
            % {"tracking": tracking, "order": Order(pk=used_by).number},
            details={"tracking_number": [_("Already used.")]},
        )
    if lines is None:
        lines = {line_id: units for line_id, units in fulfilment.units_left(order).items() if units > 0}
        if not lines:
            raise IllegalTransition(
                _("Every unit of order %(order)s has shipped already.") % {"order": order.number},
                details={"order": order.pk},
            )
    _check_lines(order, lines)
    warehouse_id = OrderAllocation.objects.filter(order=order).values_list("warehouse_id", flat=True).first()
    shipment = Shipment.objects.create(
        order=order, carrier=carrier_row, warehouse_id=warehouse_id, origin=origin, status=Shipment.Status.HANDED_OVER
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line_id, quantity=lines[line_id]) for line_id in sorted(lines)
    )
    Parcel.objects.create(shipment=shipment, weight_grams=weight_grams or None, tracking_number=tracking)
    record_event(
        order=order,
        kind=events.SHIPMENT_CREATED,
        actor=actor,
        params={"shipment": shipment.pk, "units": sum(lines.values()), "parcels": 1, "service": carrier_row.name},
    )
    fulfilment.shipment_left(order=order, shipment=shipment, actor=actor)
    signals.shipment_created.send(sender=Shipment, shipment=shipment)
    return shipment


@transaction.atomic
def hand_over_shipment(*, shipment_id: int, actor: Actor) -> Shipment:
    """The carrier took a labelled (or packed) shipment: its units are shipped and the marketplace is told."""
    shipment = _lock_shipment(shipment_id)
    _move(shipment, Shipment.Status.HANDED_OVER)
    shipment.save(update_fields=["status", "updated_at"])
    fulfilment.shipment_left(order=shipment.order, shipment=shipment, actor=actor)
    return shipment


# The shipment status each canonical tracking status leads to (label_created: none).
_FROM_TRACKING = {
    tracking_statuses.IN_TRANSIT: Shipment.Status.IN_TRANSIT,
    tracking_statuses.OUT_FOR_DELIVERY: Shipment.Status.IN_TRANSIT,
    tracking_statuses.EXCEPTION: Shipment.Status.EXCEPTION,
    tracking_statuses.DELIVERED: Shipment.Status.DELIVERED,
    tracking_statuses.RETURNED: Shipment.Status.RETURNED,
}


@dataclass(frozen=True)
class ParcelTracking:
    """What the carrier said of one parcel: its events (oldest first) and when it was asked."""

    parcel_id: int
    events_seen: list[TrackingEvent]
    checked_at: dt.datetime


def record_tracking(*, parcel_id: int, events_seen: list[TrackingEvent], checked_at) -> Shipment:
    """What the carrier's tracking says of one parcel (record_tracking_batch of one)."""
    record_tracking_batch([ParcelTracking(parcel_id, events_seen, checked_at)])
    return Shipment.objects.select_related("carrier", "service").get(parcels=parcel_id)


@transaction.atomic
def record_tracking_batch(batch: list[ParcelTracking]) -> dict[int, tuple[str, str]]:
    """What the carrier's tracking says of a batch of parcels, applied in their order as if one by one:
    each parcel keeps its latest event; its shipment follows its parcels (returned or a problem if any
    parcel is, delivered when all are, in transit when one moves); its order follows the shipment.

    Near-constant queries per batch: one read, one lock pass in the documented order (the orders by
    id, then their shipments by id), then bulk writes of parcels, shipments, orders and timeline
    events; the order signals go out after the writes, in the order the moves happened. A labelled
    shipment's first scan (it left: stock, the marketplace's confirmation) is the one path that
    still costs queries per shipment. Returns parcel id → its shipment's status before and after."""
    rows = Parcel.objects.filter(pk__in=[item.parcel_id for item in batch]).values_list(
        "pk", "shipment_id", "shipment__order_id"
    )
    shipment_of = {parcel_id: shipment_id for parcel_id, shipment_id, _order_id in rows}
    order_ids = sorted({order_id for _parcel_id, _shipment_id, order_id in rows})
    if not order_ids:
        return {}
    writes = _TrackingWrites()
    orders = {
        order.pk: order
        for order in Order.objects.select_for_update(of=("self",), no_key=True)
        .select_related("account")
        .filter(pk__in=order_ids)
        .order_by("pk")
    }
    shipments_of_order: dict[int, list[Shipment]] = {order_id: [] for order_id in order_ids}
    shipments: dict[int, Shipment] = {}
    for shipment in (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("carrier", "service")
        .filter(order_id__in=order_ids)
        .order_by("pk")
    ):
        shipment.order = orders[shipment.order_id]
        shipments[shipment.pk] = shipment
        shipments_of_order[shipment.order_id].append(shipment)
    parcels_of: dict[int, list[Parcel]] = {shipment_id: [] for shipment_id in set(shipment_of.values())}
    for parcel in Parcel.objects.filter(shipment_id__in=list(parcels_of)).defer("label").order_by("pk"):
        parcels_of[parcel.shipment_id].append(parcel)
    outcome: dict[int, tuple[str, str]] = {}
    for item in batch:
        if item.parcel_id not in shipment_of:
            continue
        shipment = shipments[shipment_of[item.parcel_id]]
        before = shipment.status
        parcel = next(parcel for parcel in parcels_of[shipment.pk] if parcel.pk == item.parcel_id)
        parcel.tracking_checked_at = item.checked_at
        if item.events_seen:
            latest = item.events_seen[-1]
            parcel.tracking_status, parcel.tracking_event_at = latest.status, latest.at
            parcel.tracking_description = latest.description[:300]
        writes.parcels[parcel.pk] = parcel
        _follow_parcels(shipment, parcel, parcels_of[shipment.pk], shipments_of_order[shipment.order_id], writes)
        outcome[item.parcel_id] = (before, shipment.status)
    writes.flush()
    return outcome


class _TrackingWrites:
    """The writes of a tracking batch, kept until `flush` (in bulk, then the signals in order)."""

    def __init__(self) -> None:
        self.parcels: dict[int, Parcel] = {}
        self.shipments: dict[int, Shipment] = {}
        self.moved_orders: dict[int, Order] = {}
        self.touched_orders: set[int] = set()
        self.events: list = []
        self.signals: list[tuple[object, dict]] = []

    def flush(self) -> None:
        now = timezone.now()
        if self.parcels:
            Parcel.objects.bulk_update(
                list(self.parcels.values()),
                ["tracking_checked_at", "tracking_status", "tracking_event_at", "tracking_description"],
            )
        if self.shipments:
            for shipment in self.shipments.values():
                shipment.updated_at = now
            Shipment.objects.bulk_update(list(self.shipments.values()), ["status", "delivered_at", "updated_at"])
        if self.moved_orders:
            for order in self.moved_orders.values():
                order.updated_at = now
            Order.objects.bulk_update(list(self.moved_orders.values()), ["status", "updated_at"])
        if touched := self.touched_orders - set(self.moved_orders):
            Order.objects.filter(pk__in=sorted(touched)).update(updated_at=now)
        if self.events:
            OrderEvent.objects.bulk_create(self.events)
        pending = self.signals
        self.__init__()
        for signal, kwargs in pending:
            signal.send(**kwargs)


def _follow_parcels(
    shipment: Shipment, parcel: Parcel, parcels: list[Parcel], siblings: list[Shipment], writes: _TrackingWrites
) -> None:
    """The shipment follows its parcels after one of them changed (in memory, kept in `writes`)."""
    target = _status_from_parcels([each.tracking_status for each in parcels])
    if target is None or target == shipment.status:
        return
    carrier = _carrier_actor(shipment)
    order = shipment.order
    if shipment.status not in LEFT and Shipment.Status.HANDED_OVER in SHIPMENT_TRANSITIONS[shipment.status]:
        # The carrier's first scan of a labelled (or packed) shipment: it has left, whatever it says next.
        writes.flush()  # what came before it, in its place on the timeline
        shipment.status = Shipment.Status.HANDED_OVER
        shipment.save(update_fields=["status", "updated_at"])
        fulfilment.shipment_left(order=order, shipment=shipment, actor=carrier)
    if target not in SHIPMENT_TRANSITIONS[shipment.status]:
        return
    shipment.status = target
    writes.shipments[shipment.pk] = shipment
    writes.events.append(
        new_event(
            order=order,
            kind=events.SHIPMENT_TRACKED,
            actor=carrier,
            params={
                "shipment": shipment.pk,
                "carrier": shipment.carrier.name,
                "shipment_status": target,
                "description": parcel.tracking_description,
            },
        )
    )
    if target == Shipment.Status.DELIVERED:
        fulfilment.shipment_delivered_in_batch(order=order, shipment=shipment, siblings=siblings, writes=writes)
    else:
        writes.touched_orders.add(order.pk)


def _status_from_parcels(statuses: list[str]) -> str | None:
    moved = [_FROM_TRACKING[status] for status in statuses if status in _FROM_TRACKING]
    if not moved:
        return None
    for worst in (Shipment.Status.RETURNED, Shipment.Status.EXCEPTION):
        if worst in moved:
            return worst
    if len(moved) == len(statuses) and all(status == Shipment.Status.DELIVERED for status in moved):
        return Shipment.Status.DELIVERED
    return Shipment.Status.IN_TRANSIT


@transaction.atomic
def request_label(*, shipment_id: int, actor: Actor) -> Shipment:
    """Ask the carrier for the labels of a draft shipment: a `carrier.label` message a worker
    sends; the shipment is `label_requested` until the labels (or the carrier's refusal) come."""
    shipment = _lock_shipment(shipment_id)
    _move(shipment, Shipment.Status.LABEL_REQUESTED)
    shipment.label_error = ""
    shipment.label_request_key = uuid.uuid4().hex
    shipment.save(update_fields=["status", "label_error", "label_request_key", "updated_at"])
    outbox.enqueue(
        kind=CARRIER_LABEL,
        destination=carrier_destination(shipment.carrier_account_id),
        subject=f"order:{shipment.order_id}",
        payload={"shipment_id": shipment.pk, "request_key": shipment.label_request_key},
    )
    record_event(
        order=shipment.order,
        kind=events.LABEL_REQUESTED,
        actor=actor,
        params={
            "shipment": shipment.pk,
            "carrier": shipment.carrier.name,
        },
    )
    return shipment


@transaction.atomic
def store_labels(*, shipment_id: int, request_key: str, labels: list[Label]) -> bool:
    """The carrier's labels, one per parcel in parcel order: the shipment becomes labelled.
    False (nothing stored) when the shipment no longer waits for this request."""
    shipment = _lock_shipment(shipment_id)
    if shipment.status != Shipment.Status.LABEL_REQUESTED or shipment.label_request_key != request_key:
        return False
    parcels = list(shipment.parcels.order_by("pk"))
    if len(labels) != len(parcels):
        raise DomainError(f"{len(labels)} label(s) for {len(parcels)} parcel(s) of shipment {shipment.pk}")
    for parcel, label in zip(parcels, labels, strict=True):
        parcel.tracking_number, parcel.label, parcel.label_format = (
            label.tracking_number,
            label.content,
            label.label_format,
        )
    Parcel.objects.bulk_update(parcels, ["tracking_number", "label", "label_format"])
    _move(shipment, Shipment.Status.LABELLED)
    shipment.save(update_fields=["status", "updated_at"])
    record_event(
        order=shipment.order,
        kind=events.LABEL_CREATED,
        actor=_carrier_actor(shipment),
        params={
            "shipment": shipment.pk,
            "carrier": shipment.carrier.name,
            "tracking_numbers": ", ".join(label.tracking_number for label in labels),
        },
    )
    return True


@transaction.atomic
def record_label_refusal(*, shipment_id: int, request_key: str, error: str) -> bool:
    """The carrier refused the labels: the shipment is a draft again, with the carrier's message
    to fix. False when the shipment no longer waits for this request."""
    shipment = _lock_shipment(shipment_id)
    if shipment.status != Shipment.Status.LABEL_REQUESTED or shipment.label_request_key != request_key:
        return False
    _move(shipment, Shipment.Status.DRAFT)
    shipment.label_error = error
    shipment.save(update_fields=["status", "label_error", "updated_at"])
    record_event(
        order=shipment.order,
        kind=events.LABEL_REFUSED,
        actor=_carrier_actor(shipment),
        params={
            "shipment": shipment.pk,
            "carrier": shipment.carrier.name,
            "error": error,
        },
    )
    return True


@transaction.atomic
def void_shipment(*, shipment_id: int, actor: Actor) -> Shipment:
    """Cancel a shipment that has not left: its units may ship again; each label is voided at
    the carrier (a `carrier.void` message per parcel) where the carrier has a cancel call."""
    shipment = _lock_shipment(shipment_id)
    _move(shipment, Shipment.Status.VOIDED)
    shipment.save(update_fields=["status", "updated_at"])
    code = shipment.carrier.code
    if shipment.carrier_account_id and has_connector(code) and connector_class(code).voids_at_carrier:
        for tracking_number in shipment.parcels.exclude(tracking_number="").values_list("tracking_number", flat=True):
            outbox.enqueue(
                kind=CARRIER_VOID,
                destination=carrier_destination(shipment.carrier_account_id),
                subject=f"order:{shipment.order_id}",
                payload={"carrier_account_id": shipment.carrier_account_id, "tracking_number": tracking_number},
            )
    record_event(order=shipment.order, kind=events.SHIPMENT_VOIDED, actor=actor, params={"shipment": shipment.pk})
    return shipment


def _check_carrier(service: CarrierService, account: CarrierAccount, label_format: str) -> None:
    carrier = service.carrier
    if account.carrier_id != carrier.pk:
        raise InvalidInput(
            _("The account %(account)s is not a %(carrier)s account.") % {"account": account, "carrier": carrier},
            details={"carrier_account": account.pk},
        )
    if carrier.status == Carrier.Status.INACTIVE or not service.active or not account.enabled:
        raise InvalidInput(_("%(service)s cannot be used now.") % {"service": service}, details={"service": service.pk})
    if not has_connector(carrier.code):
        raise InvalidInput(
            _("Labels cannot be requested from %(carrier)s yet.") % {"carrier": carrier},
            details={"service": service.pk},
        )
    if label_format not in connector_class(carrier.code).label_formats:
        raise InvalidInput(
            _("%(carrier)s does not print %(format)s labels.") % {"carrier": carrier, "format": label_format},
            details={"label_format": label_format},
        )


def _lock_shippable(order_id: int) -> Order:
    order = lock_order(order_id)
    if order.fulfilled_by_marketplace:
        raise DomainError(
            _("Order %(order)s is fulfilled by the marketplace: it is read-only here.") % {"order": order.number},
            details={"order": order.pk},
        )
    if order.status not in SHIPPABLE:
        raise IllegalTransition(
            _("Order %(order)s is %(status)s: it cannot ship.")
            % {"order": order.number, "status": order.get_status_display()},
            details={"order": order.pk, "status": order.status, "requested": OrderStatus.SHIPPED},
        )
    return order


def _check_lines(order: Order, lines: Mapping[int, int]) -> None:
    """Raises InvalidInput when a line is not the order's or has fewer units left than asked."""
    if not lines:
        raise InvalidInput(_("A shipment needs at least one line and one parcel."), details={"lines": "required"})
    left = fulfilment.units_left(order)
    skus = dict(OrderLine.objects.filter(order=order).values_list("pk", "sku"))
    for line_id, quantity in lines.items():
        if line_id not in left or quantity < 1:
            raise InvalidInput(
                _("Line %(line)s is not a line of this order.") % {"line": line_id}, details={"lines": line_id}
            )
        if quantity > left[line_id]:
            raise InvalidInput(
                _("%(sku)s: %(left)s unit(s) left to ship, %(asked)s asked.")
                % {"sku": skus[line_id], "left": left[line_id], "asked": quantity},
                details={"lines": line_id, "left": left[line_id]},
            )


def _parcel_contents(lines: Mapping[int, int], parcels: list[Mapping]) -> list[dict[str, int]]:
    """Each parcel's contents (order line id, as text → units) when given, for every parcel or none,
    adding up to the shipment's lines; raises InvalidInput otherwise. [{}…] when not given."""
    given = [parcel.get("lines") or {} for parcel in parcels]
    if not any(given):
        return [{} for _parcel in parcels]
    totals: dict[int, int] = {}
    for parcel_lines in given:
        if not parcel_lines:
            raise InvalidInput(_("Give the lines of every parcel, or of none."), details={"parcels": "lines"})
        for line_id, units in parcel_lines.items():
            if int(line_id) not in lines or units < 1:
                raise InvalidInput(
                    _("Line %(line)s of a parcel is not a line of this shipment.") % {"line": line_id},
                    details={"parcels": "lines", "line": line_id},
                )
            totals[int(line_id)] = totals.get(int(line_id), 0) + units
    if totals != dict(lines):
        raise InvalidInput(_("The parcels' lines must add up to the shipment's lines."), details={"parcels": "lines"})
    return [{str(line_id): units for line_id, units in sorted(parcel_lines.items())} for parcel_lines in given]


def _lock_shipment(shipment_id: int) -> Shipment:
    """The order first, then the shipment (orders.locks: one order, then what belongs to it)."""
    order_id = Shipment.objects.filter(pk=shipment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("No shipment %(shipment)s.") % {"shipment": shipment_id}, details={"shipment": shipment_id})
    order: Order = lock_order(order_id)
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("carrier", "service").get(pk=shipment_id)
    shipment.order = order
    return shipment


def _move(shipment: Shipment, to: str) -> None:
    if to not in SHIPMENT_TRANSITIONS[shipment.status]:
        raise IllegalTransition(
            _("Shipment %(shipment)s is %(status)s: it cannot become %(to)s.")
            % {"shipment": shipment.pk, "status": shipment.get_status_display(), "to": Shipment.Status(to).label},
            details={"shipment": shipment.pk, "status": shipment.status, "requested": to},
        )
    shipment.status = to


def _carrier_actor(shipment: Shipment) -> Actor:
    return Actor.system(shipment.carrier.name)
