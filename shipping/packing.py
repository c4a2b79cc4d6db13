"""The scan-to-verify packing station: an order (or a pick list) is scanned, then each item.

A `PackingSession` holds the units expected per order line (the lines of the shipment being
packed: the order's unpacked shipment, or a new one of every unit left, with the default
carrier service, whose label is requested at once) and the units scanned. Each scan locks
the order, then the session (orders/locks.py), so two stations scanning the same order share
one session and never count a unit twice. A wrong or surplus item is refused and blocks the
session until the operator says it is put aside. When every unit is scanned the shipment
becomes packed as soon as it is labelled (`finish`), and its label is offered for printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import OrderAllocation, Product, Warehouse
from oms.access.selectors import within_scope
from oms.errors import IllegalTransition, InvalidInput, NotFound
from orders.actions import Actor, record_event
from orders.locks import lock_order
from orders.models import Order, OrderLine
from shipping import actions, carrier_choice
from shipping.clients import connector_class, has_connector
from shipping.models import (
    PICK_LIST_CODE,
    Carrier,
    CarrierAccount,
    CarrierService,
    PackingSession,
    PickList,
    Shipment,
)
from shipping.paperwork import events
from shipping.paperwork.selectors import TO_PICK

ORDER_NUMBER = re.compile(r"^OMS-?(\d{1,12})$", re.IGNORECASE)
# Shipments the station may pack (a voided, packed or departed one is done with).
TO_PACK = (Shipment.Status.DRAFT, Shipment.Status.LABEL_REQUESTED, Shipment.Status.LABELLED)
DEFAULT_PARCEL_GRAMS = 500


class Outcome:
    OPENED = "opened"
    COUNTED = "counted"
    REFUSED = "refused"
    WAITING_LABEL = "waiting_label"  # every unit scanned, the carrier's label not there yet
    PACKED = "packed"


@dataclass
class ScanResult:
    session: PackingSession
    outcome: str
    message: str
    line_id: int | None = None


# Opening -------------------------------------------------------------------------------------


def order_for_code(code: str, *, user) -> tuple[int, PickList | None]:
    """The order a scanned code names (our number, the marketplace's order id or reference), or the
    next order of a pick list still to pack; NotFound otherwise."""
    code = code.strip()
    visible = within_scope(Order.objects.all(), user=user)
    pick = PICK_LIST_CODE.match(code)
    if pick:
        pick_list = PickList.objects.filter(pk=int(pick[1])).first()
        if pick_list is None:
            raise NotFound(_("No pick list %(code)s.") % {"code": code}, details={"code": code})
        order_id = next_in_pick_list(pick_list, user=user)
        if order_id is None:
            raise NotFound(
                _("Every order of pick list %(code)s is packed.") % {"code": pick_list.code}, details={"code": code}
            )
        return order_id, pick_list
    number = ORDER_NUMBER.match(code)
    if number:
        ids = list(visible.filter(pk=int(number[1])).values_list("pk", flat=True))
    else:
        ids = list(visible.filter(Q(marketplace_order_id=code) | Q(reference=code)).values_list("pk", flat=True)[:2])
    if len(ids) != 1:
        message = (
            _("%(code)s names several orders: scan our number (OMS-…).")
            if ids
            else _("No order %(code)s: scan the order's number or a pick list.")
        )
        raise NotFound(message % {"code": code}, details={"code": code})
    return ids[0], None


def names_an_order(code: str) -> bool:
    """Whether a scanned code is our order number or a pick list's (not an item)."""
    code = code.strip()
    return bool(ORDER_NUMBER.match(code) or PICK_LIST_CODE.match(code))


def next_in_pick_list(pick_list: PickList, *, user) -> int | None:
    """The first order of the pick list, in its order, still to ship and never packed at the station."""
    candidates = set(
        within_scope(Order.objects.filter(pk__in=pick_list.order_ids, status__in=TO_PICK), user=user)
        .exclude(packing_sessions__finished_at__isnull=False)
        .values_list("pk", flat=True)
    )
    return next((pk for pk in pick_list.order_ids if pk in candidates), None)


@transaction.atomic
def open_session(*, order_id: int, actor: Actor, pick_list: PickList | None = None) -> PackingSession:
    """The order's open session (another station's too), or a new one for its shipment to pack:
    the order's unpacked shipment, or a new one of every unit left whose label is requested now."""
    order = lock_order(order_id)
    session = PackingSession.objects.filter(order=order, finished_at__isnull=True).first()
    if session is not None:
        return session
    if order.status not in TO_PICK or order.fulfilled_by_marketplace:
        raise IllegalTransition(
            _("Order %(order)s is %(status)s: there is nothing to pack.")
            % {"order": order.number, "status": order.get_status_display()},
            details={"order": order.pk, "status": order.status},
        )
    shipment = _shipment_to_pack(order) or _new_shipment(order, actor)
    if shipment.status == Shipment.Status.DRAFT and not shipment.label_error:
        actions.request_label(shipment_id=shipment.pk, actor=actor)
    expected = {str(line): units for line, units in shipment.lines.values_list("order_line_id", "quantity")}
    return PackingSession.objects.create(
        order=order,
        shipment=shipment,
        pick_list=pick_list,
        started_by=actor.user,
        expected=expected,
        scanned={},
        codes=line_codes([int(line) for line in expected]),
    )


def _shipment_to_pack(order: Order) -> Shipment | None:
    return (
        Shipment.objects.filter(order=order, status__in=TO_PACK)
        .exclude(packing_sessions__finished_at__isnull=False)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def prepare_label(*, order_id: int, actor: Actor) -> str:
    """Bulk labels, one order: "labelled" when its shipment has its label, else "label_requested"
    (a shipment of every unit left made with the default service, or a draft's label asked again)."""
    order = lock_order(order_id)
    shipment = _shipment_to_pack(order)
    if shipment is None:
        if order.status not in TO_PICK or order.fulfilled_by_marketplace:
            raise IllegalTransition(
                _("Order %(order)s is %(status)s: there is nothing to pack.")
                % {"order": order.number, "status": order.get_status_display()},
                details={"order": order.pk, "status": order.status},
            )
        shipment = _new_shipment(order, actor)
    if shipment.status == Shipment.Status.DRAFT:
        actions.request_label(shipment_id=shipment.pk, actor=actor)
    return "labelled" if shipment.status == Shipment.Status.LABELLED else "label_requested"


def _new_shipment(order: Order, actor: Actor) -> Shipment:
    left = {
        line.pk: line.quantity
        - sum(s.quantity for s in line.shipment_lines.all() if s.shipment.status != Shipment.Status.VOIDED)
        for line in OrderLine.objects.filter(order=order).prefetch_related("shipment_lines__shipment")
    }
    left = {line: units for line, units in left.items() if units > 0}
    if not left:
        raise InvalidInput(
            _("Every unit of order %(order)s is in a shipment already.") % {"order": order.number},
            details={"order": order.pk},
        )
    choice = carrier_choice.choose(order)
    service, account = default_service(order, choice)
    label_format = "PDF" if "PDF" in connector_class(service.carrier.code).label_formats else "ZPL"
    return actions.create_shipment(
        order_id=order.pk,
        warehouse_id=(
            choice.warehouse if choice.rule and choice.service == service and choice.warehouse else _warehouse_of(order)
        ).pk,
        service_id=service.pk,
        carrier_account_id=account.pk,
        lines=left,
        parcels=[{"weight_grams": _weight(order, left)}],
        label_format=label_format,
        actor=actor,
    )


def default_service(order: Order, choice: carrier_choice.Choice | None = None) -> tuple[CarrierService, CarrierAccount]:
    """The order's default carrier service: the one carrier choice proposes (the first carrier rule
    that holds, within the marketplace's constraints) when an enabled account of its carrier can print
    its label; else the relay-point service for a relay-point order, else home delivery, of the
    carrier the order names, else `OMS_PACKING_CARRIER`, else the first carrier with an enabled
    account whose labels we can request."""
    chosen = (choice or carrier_choice.choose(order)).service
    if (
        chosen is not None
        and chosen.active
        and chosen.carrier.status != Carrier.Status.INACTIVE
        and has_connector(chosen.carrier.code)
    ):
        account = CarrierAccount.objects.filter(enabled=True, carrier=chosen.carrier).order_by("pk").first()
        if account is not None:
            return chosen, account
    kind = CarrierService.Kind.RELAY_POINT if order.relay_point_id else CarrierService.Kind.HOME
    accounts = [
        account
        for account in CarrierAccount.objects.filter(enabled=True)
        .exclude(carrier__status=Carrier.Status.INACTIVE)
        .select_related("carrier")
        .order_by("carrier__name", "pk")
        if has_connector(account.carrier.code)
    ]
    network = carrier_choice.relay_network(order)  # a relay-point order keeps its relay network
    preferred = [network.code if network else None, order.carrier, settings.OMS_PACKING_CARRIER]
    accounts.sort(key=lambda account: preferred.index(account.carrier.code) if account.carrier.code in preferred else 3)
    for account in accounts:
        service = account.carrier.services.filter(active=True, kind=kind).order_by("pk").first()
        if service is not None:
            return service, account
    raise InvalidInput(
        _("No carrier account can print a label for this order: add one, or create its shipment on the order page."),
        details={"order": order.pk},
    )


def _warehouse_of(order: Order) -> Warehouse:
    allocation = OrderAllocation.objects.filter(order=order, warehouse__isnull=False).select_related("warehouse")
    held = allocation.first()
    warehouse = held.warehouse if held else Warehouse.objects.filter(active=True).order_by("priority", "pk").first()
    if warehouse is None:
        raise InvalidInput(_("No active warehouse ships this order."), details={"order": order.pk})
    return warehouse


def _weight(order: Order, units: dict[int, int]) -> int:
    skus = dict(OrderLine.objects.filter(pk__in=units).values_list("pk", "sku"))
    weights = dict(Product.objects.filter(sku__in=set(skus.values())).values_list("sku", "weight_grams"))
    return sum(weights.get(skus[line], 0) * count for line, count in units.items()) or DEFAULT_PARCEL_GRAMS


# Scanning ------------------------------------------------------------------------------------


def _lock_session(session_id: int, *, order_id: int | None = None) -> PackingSession:
    """The order, then the session (orders/locks.py); `order_id` when the caller knows it already."""
    if order_id is None:
        order_id = PackingSession.objects.filter(pk=session_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("This packing session no longer exists."), details={"session": session_id})
    order = lock_order(order_id)
    session = (
        PackingSession.objects.select_for_update(of=("self",))
        .select_related("shipment__service__carrier", "pick_list")
        .filter(pk=session_id, order_id=order_id)
        .first()
    )
    if session is None:
        raise NotFound(_("This packing session no longer exists."), details={"session": session_id})
    session.order = order
    return session


def line_codes(line_ids: list[int]) -> dict[str, int]:
    """Every code that names one of these order lines: its EAN and SKU, and its product's EAN."""
    lines = list(OrderLine.objects.filter(pk__in=line_ids).values("pk", "sku", "ean"))
    codes = {}
    for sku, ean in Product.objects.filter(sku__in={line["sku"] for line in lines}).values_list("sku", "ean"):
        for line in lines:
            if line["sku"] == sku and ean:
                codes.setdefault(ean.upper(), line["pk"])
    for line in lines:
        codes[line["sku"].upper()] = line["pk"]
        if line["ean"]:
            codes[line["ean"].upper()] = line["pk"]
    return codes


@transaction.atomic
def scan(*, session_id: int, code: str, actor: Actor, order_id: int | None = None) -> ScanResult:
    """Count one unit of the item `code` names; a wrong or surplus item is refused and blocks the session."""
    session = _lock_session(session_id, order_id=order_id)
    code = code.strip().upper()
    if session.finished_at:
        return ScanResult(session, Outcome.REFUSED, _("This order is packed already."))
    if session.blocked_by:
        return ScanResult(
            session, Outcome.REFUSED, _("Put %(item)s aside first, then confirm.") % {"item": session.blocked_by}
        )
    line_id = session.codes.get(code)
    if line_id is None:
        return _block(session, code, _("%(code)s is not in this order: put it aside.") % {"code": code})
    key = str(line_id)
    if session.scanned.get(key, 0) >= session.expected[key]:
        return _block(
            session,
            code,
            _("One %(code)s too many: the order has %(units)s. Put it aside.")
            % {"code": code, "units": session.expected[key]},
            line_id,
        )
    session.scanned[key] = session.scanned.get(key, 0) + 1
    session.save(update_fields=["scanned"])
    if session.complete:
        return _finish(session, actor)
    return ScanResult(session, Outcome.COUNTED, code, line_id)


def _block(session: PackingSession, code: str, message: str, line_id: int | None = None) -> ScanResult:
    session.blocked_by = code[:200]
    session.save(update_fields=["blocked_by"])
    return ScanResult(session, Outcome.REFUSED, message, line_id)


@transaction.atomic
def put_aside(*, session_id: int, actor: Actor) -> PackingSession:
    """The refused item is out of the box: scanning goes on."""
    session = _lock_session(session_id)
    session.blocked_by = ""
    session.save(update_fields=["blocked_by"])
    return session


@transaction.atomic
def finish(*, session_id: int, actor: Actor) -> ScanResult:
    """Pack a fully scanned session whose label has come (the station asks until it has)."""
    session = _lock_session(session_id)
    if session.finished_at:
        return ScanResult(session, Outcome.PACKED, _("Packed."))
    if not session.complete or session.blocked_by:
        return ScanResult(session, Outcome.COUNTED, "")
    return _finish(session, actor)


def _finish(session: PackingSession, actor: Actor) -> ScanResult:
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=session.shipment_id)
    session.shipment = shipment
    if shipment.status != Shipment.Status.LABELLED:
        if shipment.status == Shipment.Status.DRAFT and shipment.label_error:
            return ScanResult(
                session,
                Outcome.WAITING_LABEL,
                _("Every item is scanned, but the carrier refused the label: %(error)s")
                % {"error": shipment.label_error},
            )
        return ScanResult(session, Outcome.WAITING_LABEL, _("Every item is scanned: waiting for the carrier's label."))
    shipment.status = Shipment.Status.PACKED
    shipment.save(update_fields=["status", "updated_at"])
    session.finished_at = timezone.now()
    session.save(update_fields=["finished_at"])
    record_event(
        order=session.order,
        kind=events.SHIPMENT_PACKED,
        actor=actor,
        params={"shipment": shipment.pk, "units": session.units_scanned},
    )
    return ScanResult(session, Outcome.PACKED, _("Packed: print the label."))


@transaction.atomic
def ask_label_again(*, session_id: int, actor: Actor) -> PackingSession:
    """The carrier refused the label (the shipment is a draft with the carrier's message): ask again."""
    session = _lock_session(session_id)
    if session.shipment.status == Shipment.Status.DRAFT:
        actions.request_label(shipment_id=session.shipment_id, actor=actor)
    return session


@transaction.atomic
def abandon(*, session_id: int, actor: Actor) -> None:
    """Start the order over: the counts go, the shipment and its label stay."""
    session = _lock_session(session_id)
    if session.finished_at is None:
        session.delete()
