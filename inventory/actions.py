"""Every change to stock: reservations for orders, counts, receipts, imports, and channel pushes.

Each public function runs in one transaction, changes levels only through
`inventory.ledger` (conditional UPDATEs, rows locked in id order), writes a
`StockMovement` per change with the actor, schedules a channel push for the
products it touched, and raises `DomainError` (changing nothing) when refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from inventory import events, ledger, selectors
from inventory.models import (
    ChannelPublication,
    Listing,
    OrderAllocation,
    PendingStockPush,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms import outbox
from oms.errors import DomainError
from oms.outbox import OutboxMessage
from orders import pushes
from orders.actions import Actor
from orders.locks import lock_order
from orders.models import OrderLine
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus

logger = logging.getLogger(__name__)

Reason = StockMovement.Reason
Status = OrderAllocation.Status
RELEASING = frozenset({OrderStatus.REFUSED, OrderStatus.CANCELLED})
SHIPPING = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


class InvalidStockRows(DomainError):
    """Some rows of a bulk change are not valid (details: row number → reason); nothing changed."""

    code = "invalid_rows"
    http_status = 400


class BelowReserved(DomainError):
    """A change would leave fewer units on hand than orders have reserved; nothing changed."""

    code = "below_reserved"


# Orders: reserve, release, consume ------------------------------------------------------------


def holds_stock(order) -> bool:
    return order.status in selectors.HOLDING_STATUSES and not order.fulfilled_by_marketplace


def allocate(*, order, actor: Actor, allocation: OrderAllocation | None = None) -> OrderAllocation:
    """Reserve one order (see `allocate_orders`); `allocation` is its current one, if any."""
    existing = {order.pk: allocation} if allocation else {}
    return allocate_orders(orders=[order], account_id=order.account_id, actor=actor, existing=existing)[order.pk]


def allocate_orders(*, orders, account_id: int, actor: Actor, existing=None) -> dict[int, OrderAllocation]:
    """Reserve each order whole in the first warehouse (by priority) that can ship all of it.

    The caller holds the orders (ingest, or `reserve_order`). The stock levels
    involved are locked in id order, so the quantities read are the truth until
    commit: orders are served in the order given, and one that no warehouse can
    ship whole is a back-order, with the reason (as is one with an unknown SKU,
    never an error). A page of orders costs a fixed number of queries.
    """
    existing = existing or {}
    lines, components = selectors.lines_and_components(account_id=account_id, order_ids=[o.pk for o in orders])
    needs = {order.pk: selectors.needs_of(lines[order.pk], components) for order in orders}
    wanted = {p for order_needs, unknown in needs.values() if not unknown for p in order_needs}
    warehouses = selectors.feeding_warehouses(account_id) if wanted else []
    levels = ledger.lock_levels(wanted, [w.pk for w in warehouses]) if warehouses else {}
    left = {key: on_hand - reserved for key, (_, on_hand, reserved) in levels.items()}
    skus = selectors.LazySkus(wanted)
    outcomes, held = {}, []  # order id → (status, warehouse, reason, params); (order, warehouse, needs)
    for order in orders:
        order_needs, unknown = needs[order.pk]
        if unknown:
            outcomes[order.pk] = (Status.BACKORDER, None, events.UNKNOWN_SKU, {"skus": list(unknown)})
        elif not order_needs:
            outcomes[order.pk] = (Status.BACKORDER, None, events.NO_LINES, {})
        elif not warehouses:
            outcomes[order.pk] = (Status.BACKORDER, None, events.NO_WAREHOUSE, {})
        else:
            outcomes[order.pk] = _choose(order, order_needs, warehouses, left, skus, held)
    _hold(held=held, levels=levels, lines=lines, components=components, actor=actor)
    return _record_allocations(orders, existing, outcomes)


def _choose(order, needs: dict[int, int], warehouses, left: dict, skus, held: list) -> tuple:
    """The first warehouse with every unit left; takes them from `left` and notes the hold."""
    passed_over = []
    for warehouse in warehouses:
        short = selectors.shortages(needs, warehouse.pk, left, skus)
        if short:
            passed_over.append({"warehouse": warehouse.name, "short": short})
            continue
        for product_id, units in needs.items():
            left[(product_id, warehouse.pk)] -= units
        held.append((order, warehouse, needs))
        return Status.RESERVED, warehouse, events.RESERVED, {"warehouse": warehouse.name, "passed_over": passed_over}
    totals = defaultdict(int)
    for (product_id, _), units in left.items():
        totals[product_id] += max(units, 0)
    missing = [{"sku": skus[p], "needed": units, "available": totals[p]} for p, units in sorted(needs.items())]
    return Status.BACKORDER, None, events.BACKORDER, {"missing": missing, "passed_over": passed_over}


def _hold(*, held: list, levels: dict, lines: dict, components: dict, actor: Actor) -> None:
    """Write the holds chosen under the lock: one UPDATE, and a movement per order and level."""
    if not held:
        return
    running = {level_id: [on_hand, reserved] for level_id, on_hand, reserved in levels.values()}
    units_by_level: dict[int, int] = defaultdict(int)
    movements, reservations = [], []
    for order, warehouse, needs in held:
        for product_id, units in sorted(needs.items()):
            level_id = levels[(product_id, warehouse.pk)][0]
            units_by_level[level_id] += units
            running[level_id][1] += units
            after = ledger.After(level_id, product_id, running[level_id][0], running[level_id][1], 0, units)
            movements.append(ledger.movement(after, reason=Reason.RESERVED, actor=actor, order=order))
        reservations += [
            Reservation(
                line_id=line.id,
                order=order,
                level_id=levels[(product_id, warehouse.pk)][0],
                quantity=line.quantity * units,
            )
            for line in lines[order.pk]
            for product_id, units in components[line.sku]
        ]
    ledger.reserve_locked(units_by_level)
    ledger.save_movements(movements)
    Reservation.objects.bulk_create(reservations, batch_size=5000)
    ledger.schedule_push(m.product_id for m in movements)


def _record_allocations(orders, existing: dict, outcomes: dict) -> dict[int, OrderAllocation]:
    allocations, new = {}, []
    for order in orders:
        status, warehouse, reason, params = outcomes[order.pk]
        allocation = existing.get(order.pk)
        if allocation is None:
            allocation = OrderAllocation(order=order, status=status, warehouse=warehouse, reason=reason, params=params)
            new.append(allocation)
        else:
            allocation.status, allocation.warehouse, allocation.reason, allocation.params = (
                status,
                warehouse,
                reason,
                params,
            )
            allocation.save(update_fields=["status", "warehouse", "reason", "params", "updated_at"])
        allocations[order.pk] = allocation
    OrderAllocation.objects.bulk_create(new)
    return allocations


@transaction.atomic
def reserve_order(*, order_id: int, actor: Actor) -> OrderAllocation:
    """Try again to reserve a back-ordered order (or one never allocated) that still holds stock."""
    order = lock_order(order_id)
    allocation = OrderAllocation.objects.filter(order=order).first()
    if allocation and allocation.status != Status.BACKORDER:
        return allocation
    if not holds_stock(order):
        raise DomainError(
            f"Order {order.number} is {OrderStatus(order.status).label}: it does not hold stock.",
            details={"order": order.pk},
        )
    return allocate(order=order, actor=actor, allocation=allocation)


def release_order_stock(*, order, actor: Actor) -> None:
    """Give back what a refused or cancelled order held (in the caller's transaction)."""
    reservations = list(Reservation.objects.filter(order=order, quantity__gt=0).order_by("level_id", "id"))
    movements, products, now = [], set(), timezone.now()
    for reservation in reservations:
        after = ledger.release(reservation.level_id, reservation.quantity)
        if after is None:  # the database refused: reserved would go negative; never expected
            logger.error("could not release reservation %s", reservation.pk)
            continue
        movements.append(ledger.movement(after, reason=Reason.RELEASED, actor=actor, order=order))
        products.add(after.product_id)
        reservation.released += reservation.quantity
        reservation.quantity = 0
        reservation.updated_at = now
    Reservation.objects.bulk_update(reservations, ["quantity", "released", "updated_at"])
    ledger.save_movements(movements)
    ledger.schedule_push(products)
    OrderAllocation.objects.filter(order=order).exclude(status=Status.CONSUMED).update(
        status=Status.RELEASED,
        reason=events.RELEASED if reservations else events.NOTHING_HELD,
        params={"status": order.status},
        updated_at=timezone.now(),
    )


def consume_order_stock(*, order, actor: Actor, whole_order: bool) -> None:
    """Take shipped units out of stock: the whole order, or what its lines say is shipped.

    Reserved units leave on hand and reserved together; units shipped without a
    reservation (a back-order shipped anyway) come out of what is available, and
    the movement says when there were not enough.
    """
    allocation = OrderAllocation.objects.filter(order=order).select_related("warehouse").first()
    if allocation is None:
        return  # never allocated (fulfilled by the marketplace, or received already shipped)
    lines = list(OrderLine.objects.filter(order_id=order.pk).order_by("id"))  # fresh: shipped quantities just changed
    components = selectors.components_for(account_id=order.account_id, skus={line.sku for line in lines})
    reservations = {
        (r.line_id, r.level.product_id): r for r in Reservation.objects.filter(order=order).select_related("level")
    }
    warehouse = allocation.warehouse or next(iter(selectors.feeding_warehouses(order.account_id)), None)
    steps = []  # (level id, kind, units, reservation or (line, product id))
    for line in lines:
        shipped_items = line.quantity if whole_order else min(line.quantity_shipped, line.quantity)
        for product_id, units in components.get(line.sku, []):
            reservation = reservations.get((line.pk, product_id))
            todo = shipped_items * units - (reservation.consumed if reservation else 0)
            if todo <= 0:
                continue
            from_reserved = min(todo, reservation.quantity) if reservation else 0
            if from_reserved:
                steps.append((reservation.level_id, "reserved", from_reserved, reservation))
            if todo > from_reserved and warehouse is not None:
                steps.append((None, "unreserved", todo - from_reserved, (line, product_id, reservation)))
    if steps:
        _apply_consumption(order=order, steps=steps, warehouse=warehouse, actor=actor)
    if whole_order:
        allocation.status = Status.CONSUMED
        if not steps:
            allocation.reason, allocation.params = events.NOTHING_CONSUMED, {}
        elif allocation.warehouse:
            allocation.reason, allocation.params = events.CONSUMED, {"warehouse": allocation.warehouse.name}
        else:
            allocation.reason, allocation.params = events.CONSUMED_UNRESERVED, {}
        allocation.save(update_fields=["status", "reason", "params", "updated_at"])


def _apply_consumption(*, order, steps, warehouse, actor: Actor) -> None:
    unreserved_levels = ledger.ensure_levels(
        (target[1], warehouse.pk) for level_id, kind, _, target in steps if kind == "unreserved"
    )
    steps = [
        (level_id or unreserved_levels[(target[1], warehouse.pk)], kind, units, target)
        for level_id, kind, units, target in steps
    ]
    movements, touched = [], set()
    for level_id, kind, units, target in sorted(steps, key=lambda step: step[0]):
        if kind == "reserved":
            after = ledger.consume(level_id, units)
            if after is None:
                logger.error("could not consume reservation %s", target.pk)
                continue
            target.quantity -= units
            target.consumed += units
            target.save(update_fields=["quantity", "consumed", "updated_at"])
            note = ""
        else:
            line, _product_id, reservation = target
            after = ledger.take_unreserved(level_id, units)
            if reservation is None:
                reservation = Reservation.objects.create(line=line, order=order, level_id=level_id, quantity=0)
            reservation.consumed += units
            reservation.save(update_fields=["consumed", "updated_at"])
            taken = -after.on_hand_change
            note = "Shipped without a reservation" + (
                f": only {taken} of {units} were in stock." if taken < units else "."
            )
        movements.append(ledger.movement(after, reason=Reason.SHIPPED, actor=actor, order=order, note=note))
        touched.add(after.product_id)
    ledger.save_movements(movements)
    ledger.schedule_push(touched)


def on_orders_received(sender, *, account, orders, **kwargs) -> None:
    """Receiver of orders.signals.orders_received: reserve what new orders need."""
    holding = [order for order in orders if holds_stock(order)]
    if holding:
        allocate_orders(orders=holding, account_id=account.pk, actor=Actor.system("inventory"))


def on_order_status_changed(sender, *, order, before, after, actor, **kwargs) -> None:
    """Receiver of orders.signals.order_status_changed: release on refuse/cancel, consume on ship."""
    if order.fulfilled_by_marketplace:
        return
    if after in RELEASING:
        release_order_stock(order=order, actor=actor)
    elif after in SHIPPING:
        consume_order_stock(order=order, actor=actor, whole_order=True)
    elif after == OrderStatus.PARTIALLY_SHIPPED:
        consume_order_stock(order=order, actor=actor, whole_order=False)


def on_stock_about_to_change(sender, *, account, order_ids, skus, **kwargs) -> None:
    """Receiver of orders.signals.stock_about_to_change: lock, in id order, every level these
    orders hold stock on and every level of the products behind these SKUs, so that the
    steps that follow (reserve, release, consume) never lock one out of order."""
    if skus or order_ids:
        ledger.lock_levels_of(account_id=account.pk, skus=skus, order_ids=order_ids)


def retry_backorders(*, limit: int = 200) -> int:
    """Reserve back-orders again, oldest first, when stock came in since their last try; returns how many now hold."""
    came_in = (
        StockMovement.objects.filter(Q(on_hand_change__gt=0) | Q(reserved_change__lt=0))
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if came_in is None:
        return 0
    waiting = OrderAllocation.objects.filter(
        status=Status.BACKORDER,
        updated_at__lt=came_in,
        order__status__in=selectors.HOLDING_STATUSES,
        order__fulfilled_by_marketplace=False,
    ).order_by("order__purchased_at", "order_id")
    actor = Actor.system("inventory")
    reserved = 0
    for order_id in list(waiting.values_list("order_id", flat=True)[:limit]):
        try:
            allocation = reserve_order(order_id=order_id, actor=actor)
        except DomainError:
            continue  # cancelled or shipped meanwhile: nothing to hold any more
        reserved += allocation.status == Status.RESERVED
    return reserved


# Counts, adjustments, receipts, returns -------------------------------------------------------


@dataclass(frozen=True)
class StockCount:
    """One row of a set or adjust request: a SKU, a warehouse code, a quantity (count or change);
    from a count file, the bin where the units are (None: the level's bin stays)."""

    sku: str
    warehouse: str
    quantity: int
    bin_location: str | None = None


def _level_for(product_id: int, warehouse_id: int) -> int:
    return ledger.ensure_levels([(product_id, warehouse_id)])[(product_id, warehouse_id)]


def _refusal_for_change(level_id: int, change: int) -> DomainError:
    level = StockLevel.objects.select_related("product", "warehouse").get(pk=level_id)
    return BelowReserved(
        f"{level.product.sku} in {level.warehouse.name}: {level.on_hand} on hand with {level.reserved} reserved, "
        f"a change of {change:+d} would leave less than is reserved.",
        details={"sku": level.product.sku, "on_hand": level.on_hand, "reserved": level.reserved, "change": change},
    )


@transaction.atomic
def adjust_stock(
    *, product_id: int, warehouse_id: int, change: int, note: str, actor: Actor, reason: str = Reason.ADJUSTED
) -> StockLevel:
    """Add or remove units on hand with a reason (a count, damage, a find). Refused below what is reserved."""
    note = (note or "").strip()
    if not note:
        raise DomainError("A reason is required.", details={"note": "required"})
    if change == 0:
        raise DomainError("The change must not be zero.", details={"change": 0})
    level_id = _level_for(product_id, warehouse_id)
    after = ledger.add(level_id, change)
    if after is None:
        raise _refusal_for_change(level_id, change)
    ledger.save_movements([ledger.movement(after, reason=reason, actor=actor, note=note)])
    ledger.schedule_push([product_id])
    return StockLevel.objects.select_related("product", "warehouse").get(pk=level_id)


@transaction.atomic
def return_to_stock(
    *, product_id: int, warehouse_id: int, quantity: int, actor: Actor, order=None, note: str = ""
) -> StockLevel:
    """Put returned units back on hand (the returns app calls this after inspection)."""
    if quantity <= 0:
        raise DomainError("A return puts back at least one unit.", details={"quantity": quantity})
    level_id = _level_for(product_id, warehouse_id)
    after = ledger.add(level_id, quantity)
    ledger.save_movements(
        [ledger.movement(after, reason=Reason.RETURNED, actor=actor, order=order, note=note or "Returned")]
    )
    ledger.schedule_push([product_id])
    return StockLevel.objects.get(pk=level_id)


def _resolve(rows: list[StockCount], *, counts: bool) -> tuple[dict[int, tuple[int, int, StockCount]], dict[int, str]]:
    """Row index → (product id, warehouse id, row) for valid rows, and row index → error for the others."""
    products = dict(Product.objects.filter(sku__in={row.sku for row in rows}).values_list("sku", "pk"))
    warehouses = dict(Warehouse.objects.filter(code__in={row.warehouse for row in rows}).values_list("code", "pk"))
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        seen[(row.sku, row.warehouse)].append(index)
    valid, errors = {}, {}
    for index, row in enumerate(rows):
        if not row.sku:
            errors[index] = "The SKU is missing."
        elif row.sku not in products:
            errors[index] = f"Unknown SKU {row.sku}."
        elif row.warehouse not in warehouses:
            errors[index] = f"Unknown warehouse {row.warehouse or '(empty)'}."
        elif counts and row.quantity < 0:
            errors[index] = f"A count cannot be negative ({row.quantity})."
        elif not counts and row.quantity == 0:
            errors[index] = "A change must not be zero."
        elif len(seen[(row.sku, row.warehouse)]) > 1:
            others = ", ".join(str(i + 1) for i in seen[(row.sku, row.warehouse)] if i != index)
            errors[index] = f"{row.sku} in {row.warehouse} appears more than once (also item {others})."
        else:
            valid[index] = (products[row.sku], warehouses[row.warehouse], row)
    return valid, errors


@transaction.atomic
def set_stock(*, rows: list[StockCount], actor: Actor, note: str, reason: str = Reason.ADJUSTED) -> list[StockLevel]:
    """Set counted quantities on hand, all or nothing: any bad row raises DomainError with every row's error."""
    valid, errors = _resolve(rows, counts=True)
    if errors:
        raise InvalidStockRows("Some rows are not valid: nothing was changed.", details={"rows": _by_row(errors)})
    levels = ledger.ensure_levels((p, w) for p, w, _ in valid.values())
    wanted = {levels[(p, w)]: row.quantity for p, w, row in valid.values()}
    applied = ledger.set_counts(wanted)
    refused = {
        index: "The count is lower than what orders have reserved."
        for index, (p, w, _) in valid.items()
        if levels[(p, w)] not in applied
    }
    if refused:
        raise BelowReserved(
            "Some counts are lower than what is reserved: nothing was changed.", details={"rows": _by_row(refused)}
        )
    ledger.save_movements(
        ledger.movement(after, reason=reason, actor=actor, note=note)
        for after in applied.values()
        if after.on_hand_change
    )
    ledger.schedule_push(after.product_id for after in applied.values() if after.on_hand_change)
    return list(StockLevel.objects.filter(pk__in=applied).select_related("product", "warehouse").order_by("id"))


@transaction.atomic
def adjust_stock_in_bulk(*, rows: list[StockCount], actor: Actor, note: str) -> list[StockLevel]:
    """Add or remove units on several levels, all or nothing (each change conditional on what is reserved)."""
    valid, errors = _resolve(rows, counts=False)
    if errors:
        raise InvalidStockRows("Some rows are not valid: nothing was changed.", details={"rows": _by_row(errors)})
    levels = ledger.ensure_levels((p, w) for p, w, _ in valid.values())
    movements, refused = [], {}
    for index, (p, w, row) in sorted(valid.items(), key=lambda item: levels[(item[1][0], item[1][1])]):
        after = ledger.add(levels[(p, w)], row.quantity)
        if after is None:
            refused[index] = f"A change of {row.quantity:+d} would leave less than is reserved."
            continue
        movements.append(ledger.movement(after, reason=Reason.ADJUSTED, actor=actor, note=note))
    if refused:
        raise BelowReserved(
            "Some changes would leave less than is reserved: nothing was changed.", details={"rows": _by_row(refused)}
        )
    ledger.save_movements(movements)
    ledger.schedule_push(p for p, _, _ in valid.values())
    return list(StockLevel.objects.filter(pk__in=levels.values()).select_related("product", "warehouse").order_by("id"))


def _by_row(errors: dict[int, str]) -> dict[str, str]:
    return {str(index + 1): message for index, message in sorted(errors.items())}


@dataclass
class ImportReport:
    """What a stock import did: rows applied (with the change), rows refused (with the reason)."""

    applied: list[tuple[int, str, str, int, int]] = field(default_factory=list)  # line, sku, warehouse, count, change
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # line, the row as read, reason
    strict: bool = False

    @property
    def changed(self) -> int:
        return sum(1 for *_, change in self.applied if change)


@transaction.atomic
def import_stock_counts(
    *,
    rows: list[tuple[int, StockCount]],
    refused: list[tuple[int, str, str]],
    actor: Actor,
    note: str,
    strict: bool = False,
) -> ImportReport:
    """Apply counted quantities read from a file: `rows` are (line number, row), `refused` the
    (line number, text, reason) of lines that could not be read.

    Every row is applied whole or refused with its reason; with `strict` nothing is
    applied unless every row is valid. One transaction: a failure part-way applies nothing.
    """
    report = ImportReport(strict=strict, refused=list(refused))
    valid, errors = _resolve([row for _, row in rows], counts=True)
    report.refused.extend((rows[index][0], _describe(rows[index][1]), message) for index, message in errors.items())
    levels = ledger.ensure_levels((p, w) for p, w, _ in valid.values()) if valid else {}
    reserved = dict(StockLevel.objects.filter(pk__in=levels.values()).values_list("pk", "reserved")) if levels else {}
    for index, (p, w, row) in list(valid.items()):
        held = reserved[levels[(p, w)]]
        if row.quantity < held:
            report.refused.append(
                (rows[index][0], _describe(row), f"{row.quantity} is less than the {held} units orders have reserved.")
            )
            del valid[index]
    if strict and report.refused:
        transaction.set_rollback(True)
        report.refused.sort()
        return report
    applied = ledger.set_counts({levels[(p, w)]: row.quantity for p, w, row in valid.values()})
    movements, bins = [], []
    for index, (p, w, row) in sorted(valid.items()):
        after = applied.get(levels[(p, w)])
        if after is None:  # an order reserved units between the check and the update
            report.refused.append((rows[index][0], _describe(row), "Less than what orders have reserved."))
            continue
        report.applied.append((rows[index][0], row.sku, row.warehouse, row.quantity, after.on_hand_change))
        if after.on_hand_change:
            movements.append(ledger.movement(after, reason=Reason.IMPORTED, actor=actor, note=note))
        if row.bin_location is not None:
            bins.append(StockLevel(pk=levels[(p, w)], bin_location=row.bin_location))
    StockLevel.objects.bulk_update(bins, ["bin_location"], batch_size=1000)
    ledger.save_movements(movements)
    ledger.schedule_push(m.product_id for m in movements)
    report.refused.sort()
    return report


def _describe(row: StockCount) -> str:
    return f"{row.sku};{row.warehouse};{row.quantity}"


@transaction.atomic
def receive_purchase_order(*, purchase_order_id: int, quantities: dict[int, int], actor: Actor) -> PurchaseOrder:
    """Receive units against a purchase order's lines (line id → units now received) into its warehouse.

    Refused (nothing changes) for a received order, a negative quantity, an unknown
    line, or more than a line still expects.
    """
    purchase_order = (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=purchase_order_id)
    )
    if purchase_order.status != PurchaseOrder.Status.OPEN:
        raise DomainError(
            f"Purchase order {purchase_order.reference} is already received.",
            details={"purchase_order": purchase_order.pk},
        )
    lines = {
        line.pk: line
        for line in purchase_order.lines.select_for_update(of=("self",)).select_related("product").order_by("id")
    }
    errors = {}
    for line_id, units in quantities.items():
        line = lines.get(line_id)
        if line is None:
            errors[str(line_id)] = "Not a line of this purchase order."
        elif units < 0:
            errors[line.product.sku] = "A quantity cannot be negative."
        elif units > line.remaining:
            errors[line.product.sku] = f"{units} received but only {line.remaining} still expected."
    if errors:
        raise DomainError("Nothing was received: " + " ".join(f"{k}: {v}" for k, v in errors.items()), details=errors)
    received = {line_id: units for line_id, units in quantities.items() if units > 0}
    if not received:
        raise DomainError("Enter at least one quantity received.", details={})
    levels = ledger.ensure_levels((lines[i].product_id, purchase_order.warehouse_id) for i in received)
    movements = []
    for line_id, units in sorted(
        received.items(), key=lambda item: levels[(lines[item[0]].product_id, purchase_order.warehouse_id)]
    ):
        line = lines[line_id]
        after = ledger.add(levels[(line.product_id, purchase_order.warehouse_id)], units)
        movements.append(
            ledger.movement(
                after, reason=Reason.RECEIVED, actor=actor, purchase_order=purchase_order, note=purchase_order.reference
            )
        )
        PurchaseOrderLine.objects.filter(pk=line_id).update(quantity_received=F("quantity_received") + units)
    ledger.save_movements(movements)
    ledger.schedule_push(lines[i].product_id for i in received)
    if not purchase_order.lines.filter(quantity_received__lt=F("quantity_ordered")).exists():
        purchase_order.status = PurchaseOrder.Status.RECEIVED
        purchase_order.save(update_fields=["status"])
    return purchase_order


@transaction.atomic
def set_low_stock_threshold(*, product_id: int, threshold: int, actor: Actor) -> Product:
    if threshold < 0:
        raise DomainError("The threshold cannot be negative.", details={"threshold": threshold})
    Product.objects.filter(pk=product_id).update(low_stock_threshold=threshold)
    return Product.objects.get(pk=product_id)


BIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,29}$")


@transaction.atomic
def set_bin_location(*, product_id: int, warehouse_id: int, bin_location: str, actor: Actor) -> StockLevel:
    """Where a product's units are kept in a warehouse (pick lists sort by it); empty clears it.
    The level is created (0 on hand) if the product was never counted there."""
    bin_location = (bin_location or "").strip().upper()
    if bin_location and not BIN_PATTERN.match(bin_location):
        raise DomainError(
            "A bin is 1 to 30 letters, digits, spaces, dots, dashes or slashes.", details={"bin_location": bin_location}
        )
    level_id = _level_for(product_id, warehouse_id)
    StockLevel.objects.filter(pk=level_id).update(bin_location=bin_location)
    return StockLevel.objects.select_related("product", "warehouse").get(pk=level_id)


# Channel pushes ------------------------------------------------------------------------------

# Added to a platform's own minimum between two pushes (Mirakl's STO01: one import a minute,
# so 61 s): our clock and the platform's never agree to the second.
CLOCK_MARGIN = dt.timedelta(seconds=1)


# The outbox kinds of a stock push and of reading an asynchronous import's report (Mirakl STO02/STO03,
# Cdiscount offer packages) that follows it; their senders are declared in marketplaces/outbox_kinds.py.
STOCK_PUSH = "marketplace.stock"
STOCK_REPORT = "marketplace.stock_report"

# One stock push in flight per account: the next waits until it is answered (or given up),
# so retries under a platform's rate limit never pile up behind each other.
IN_FLIGHT = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)


def push_interval(account) -> float:
    """Seconds from one stock push's answer to the next push to the same marketplace account.

    `stock_push_interval_seconds` in the account's settings, else `INVENTORY_PUSH_INTERVAL_SECONDS`
    but never less than the platform's own minimum (plus `CLOCK_MARGIN`).
    """
    configured = (account.settings or {}).get("stock_push_interval_seconds")
    if configured is not None:
        return float(configured)
    minimum = CAPABILITIES[account.platform].min_stock_push_interval
    if minimum:
        minimum += CLOCK_MARGIN
    return max(float(settings.INVENTORY_PUSH_INTERVAL_SECONDS), minimum.total_seconds())


def _take_pending(limit: int) -> set[int]:
    from django.db import connection

    table = PendingStockPush._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING product_id",
            [limit],
        )
        return {row[0] for row in cursor.fetchall()}


def _skus_of(product_ids: set[int]) -> dict[int | None, set[str]]:
    """Account id (None: every account) → marketplace SKUs these products sell under."""
    skus: dict[int | None, set[str]] = defaultdict(set)
    skus[None].update(Product.objects.filter(pk__in=product_ids).values_list("sku", flat=True))
    for account_id, sku in Listing.objects.filter(product_id__in=product_ids).values_list("account_id", "listing_sku"):
        skus[account_id].add(sku)
    return skus


def _products_behind(skus) -> set[int]:
    skus = set(skus)
    return set(Product.objects.filter(sku__in=skus).values_list("pk", flat=True)) | set(
        Listing.objects.filter(listing_sku__in=skus).values_list("product_id", flat=True)
    )


@transaction.atomic
def queue_stock_pushes(*, limit: int = 100_000, now: dt.datetime | None = None) -> dict[str, int]:
    """Turn stock changes into at most one STOCK outbox message per account per interval.

    Changed products mark every enabled account's publication of their SKUs; then,
    for each account whose interval has passed and whose last push is no longer
    in flight, the quantities it should show are
    computed now and the ones that differ from what we last sent go out in one
    message (the connector batches them into the platform's bulk call). Returns
    account name → SKUs queued. Safe to run concurrently (SKIP LOCKED).
    """
    now = now or timezone.now()
    product_ids = _take_pending(limit)
    accounts = list(selectors.enabled_accounts().order_by("pk"))
    if product_ids:
        skus = _skus_of(product_ids)
        marks = [
            ChannelPublication(account=account, sku=sku, needs_push=True)
            for account in accounts
            for sku in sorted(skus[None] | skus.get(account.pk, set()))
        ]
        ChannelPublication.objects.bulk_create(
            marks,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["account", "sku"],
            update_fields=["needs_push"],
        )
    queued = {}
    for account in accounts:
        last = (
            OutboxMessage.objects.filter(destination=pushes.marketplace_destination(account.pk), kind=STOCK_PUSH)
            .order_by("-id")
            .values_list("status", "sent_at", "created_at")
            .first()
        )
        if last is not None:
            status, sent_at, created_at = last
            if status in IN_FLIGHT or (now - (sent_at or created_at)).total_seconds() < push_interval(account):
                continue  # changes wait in the publications, coalesced, for the next push
        rows = {
            row.sku: row
            for row in ChannelPublication.objects.select_for_update(skip_locked=True).filter(
                account=account, needs_push=True
            )
        }
        if not rows:
            continue
        quantities = selectors.channel_quantities(account=account, product_ids=_products_behind(rows))
        changed = {
            sku: quantity
            for sku, quantity in quantities.items()
            if sku in rows and (rows[sku].queued_quantity != quantity or rows[sku].message_id is None)
        }
        message = None
        if changed:
            message = outbox.enqueue(
                kind=STOCK_PUSH, destination=pushes.marketplace_destination(account.pk), payload={"quantities": changed}
            )
            queued[account.name] = len(changed)
        for sku, row in rows.items():
            row.needs_push = False
            if sku in changed:
                row.queued_quantity, row.queued_at, row.message = changed[sku], now, message
                row.outcome, row.error, row.report_id = ChannelPublication.Outcome.QUEUED, "", ""
        ChannelPublication.objects.bulk_update(
            rows.values(),
            ["needs_push", "queued_quantity", "queued_at", "message", "outcome", "error", "report_id"],
            batch_size=5000,
        )
    return queued


def quantities_to_send(message: OutboxMessage) -> dict[str, int]:
    """The SKUs of a STOCK message still worth sending: not superseded by a later push, not yet answered."""
    quantities = dict(message.payload.get("quantities", {}))
    done = ChannelPublication.objects.filter(
        account_id=pushes.account_id_of(message.destination), sku__in=list(quantities)
    ).filter(Q(message_id__isnull=False, message_id__gt=message.pk) | Q(message_id=message.pk, outcome__in=ANSWERED))
    for sku in done.values_list("sku", flat=True):
        quantities.pop(sku, None)
    return quantities


# A STOCK message's SKUs with these outcomes are not sent again by a retry of that message.
ANSWERED = (
    ChannelPublication.Outcome.ACCEPTED,
    ChannelPublication.Outcome.REJECTED,
    ChannelPublication.Outcome.SUBMITTED,
)


@transaction.atomic
def record_stock_push(*, message: OutboxMessage, result) -> None:
    """Write a push's per-SKU outcome on the publications it still owns (called by the outbox).

    SKUs of an asynchronous import (`result.awaiting_report`) are submitted, not yet published:
    a STOCK_REPORT message per import reads the platform's report and records each SKU's outcome.
    """
    _record_outcomes(message_id=message.pk, destination=message.destination, result=result)
    mine = ChannelPublication.objects.filter(
        account_id=pushes.account_id_of(message.destination), message_id=message.pk
    )
    if result.deferred:
        mine.filter(sku__in=list(result.deferred)).update(outcome=ChannelPublication.Outcome.DEFERRED)
    for submission_id, skus in result.awaiting_report.items():
        mine.filter(sku__in=list(skus)).update(
            outcome=ChannelPublication.Outcome.SUBMITTED, report_id=submission_id, error=""
        )
        outbox.enqueue(
            kind=STOCK_REPORT,
            destination=message.destination,
            payload={"stock_message_id": message.pk, "submission_id": submission_id, "skus": list(skus)},
        )


@transaction.atomic
def record_stock_report(*, message: OutboxMessage, result) -> None:
    """Write what an import's report says on the publications its STOCK message still owns (a SKU a
    later push took over waits for that push's own answer). Deferred SKUs wait for the next reading."""
    _record_outcomes(message_id=message.payload["stock_message_id"], destination=message.destination, result=result)


def _record_outcomes(*, message_id: int, destination: str, result) -> None:
    now = timezone.now()
    mine = ChannelPublication.objects.filter(account_id=pushes.account_id_of(destination), message_id=message_id)
    if result.accepted:
        mine.filter(sku__in=list(result.accepted)).update(
            outcome=ChannelPublication.Outcome.ACCEPTED,
            published_quantity=F("queued_quantity"),
            published_at=now,
            error="",
        )
    for sku, reason in (result.rejected or {}).items():
        mine.filter(sku=sku).update(outcome=ChannelPublication.Outcome.REJECTED, error=str(reason)[:2000])


@transaction.atomic
def schedule_full_push(*, resend: bool = False) -> int:
    """Publish every product again on every account: what changed (after a rule change), or
    everything even where unchanged (`resend`: to resynchronise a marketplace)."""
    if resend:
        ChannelPublication.objects.update(queued_quantity=None)
    product_ids = list(Product.objects.values_list("pk", flat=True))
    ledger.schedule_push(product_ids)
    return len(product_ids)
