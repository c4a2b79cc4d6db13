"""The only code that changes a stock level: conditional UPDATEs, or UPDATEs on rows locked in id order.

Each function is one SQL statement (or one statement on rows locked first),
returns the level's values after the change (None when the condition refused
it), and never writes back a quantity read without a lock. The database
check constraints (reserved ≥ 0, on hand ≥ reserved) are the last safety net.
Callers write the matching `StockMovement` (`movement`, then `save_movements`)
in the same transaction and call `schedule_push` for the products they touched;
`save_movements` tells `inventory.signals.stock_low` about products that just fell low.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from inventory import signals
from inventory.models import Listing, PendingStockPush, Product, Reservation, StockLevel, StockMovement

TABLE = StockLevel._meta.db_table
MOVEMENTS = StockMovement._meta.db_table
PENDING = PendingStockPush._meta.db_table
PRODUCTS = Product._meta.db_table
COPY_FROM = 100  # rows; fewer go in one INSERT


@dataclass(frozen=True)
class After:
    """A level after a change, and how much changed."""

    level_id: int
    product_id: int
    on_hand: int
    reserved: int
    on_hand_change: int
    reserved_change: int


def _array(integers) -> str:
    """A PostgreSQL array literal of integers (much faster to send than a bound list of 100,000)."""
    return "{" + ",".join(str(int(i)) for i in integers) + "}"


def _one(sql: str, params: list, on_hand_change: int, reserved_change: int) -> After | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    level_id, product_id, on_hand, reserved = row
    return After(level_id, product_id, on_hand, reserved, on_hand_change, reserved_change)


def lock_levels(product_ids, warehouse_ids) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Lock the levels of these products in these warehouses, in id order (two transactions never
    deadlock on them); (product id, warehouse id) → (level id, on hand, reserved) under the lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, product_id, warehouse_id, on_hand, reserved FROM {TABLE} "
            "WHERE product_id = ANY(%s::bigint[]) AND warehouse_id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",
            [_array(sorted(product_ids)), _array(sorted(warehouse_ids))],
        )
        return {(p, w): (level_id, on_hand, reserved) for level_id, p, w, on_hand, reserved in cursor.fetchall()}


def lock_levels_of(*, account_id: int, skus, order_ids) -> None:
    """Lock, in id order and in one statement, every level of the products these marketplace SKUs
    may stand for on this account (its listings, listings for every account, our product of
    that SKU: a superset of `selectors.components_for`) and every level these orders hold stock on."""
    reservations, listings, products = Reservation._meta.db_table, Listing._meta.db_table, Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {TABLE} WHERE product_id IN ("
            f"  SELECT product_id FROM {listings} WHERE listing_sku = ANY(%s) AND (account_id = %s OR account_id IS NULL)"
            f"  UNION SELECT id FROM {products} WHERE sku = ANY(%s)"
            f") OR id IN (SELECT level_id FROM {reservations} WHERE order_id = ANY(%s::bigint[])) ORDER BY id FOR UPDATE",
            [sorted(skus), account_id, sorted(skus), _array(sorted(order_ids))],
        )


def reserve_locked(units_by_level: dict[int, int]) -> None:
    """Hold units on levels the caller locked (`lock_levels`) and checked: one UPDATE for them all.

    The condition stays in the statement; if it ever refused a row, the caller's
    check was wrong and the transaction must not commit.
    """
    ids = sorted(units_by_level)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH wanted AS (SELECT unnest(%s::bigint[]) AS id, unnest(%s::integer[]) AS units) "
            f"UPDATE {TABLE} s SET reserved = s.reserved + w.units, updated_at = now() FROM wanted w "
            "WHERE s.id = w.id AND s.on_hand - s.reserved >= w.units",
            [_array(ids), _array(units_by_level[i] for i in ids)],
        )
        if cursor.rowcount != len(ids):
            raise RuntimeError("a locked stock level had fewer units available than read under the lock")


def release(level_id: int, units: int) -> After | None:
    return _one(
        f"UPDATE {TABLE} SET reserved = reserved - %s, updated_at = now() "
        "WHERE id = %s AND reserved >= %s RETURNING id, product_id, on_hand, reserved",
        [units, level_id, units],
        0,
        -units,
    )


def consume(level_id: int, units: int) -> After | None:
    """Ship `units` that were reserved: they leave on hand and reserved together."""
    return _one(
        f"UPDATE {TABLE} SET on_hand = on_hand - %s, reserved = reserved - %s, updated_at = now() "
        "WHERE id = %s AND reserved >= %s RETURNING id, product_id, on_hand, reserved",
        [units, units, level_id, units],
        -units,
        -units,
    )


def take_unreserved(level_id: int, units: int) -> After | None:
    """Ship `units` nobody reserved: takes what is available, up to `units` (the change says how many)."""
    old = _lock({level_id}).get(level_id)
    if old is None:
        return None
    after = _one(
        f"UPDATE {TABLE} SET on_hand = on_hand - LEAST(%s, on_hand - reserved), updated_at = now() "
        "WHERE id = %s RETURNING id, product_id, on_hand, reserved",
        [units, level_id],
        0,
        0,
    )
    return After(after.level_id, after.product_id, after.on_hand, after.reserved, after.on_hand - old, 0)


def _lock(level_ids) -> dict[int, int]:
    """Lock levels in id order (so two transactions never deadlock); their on hand under the lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, on_hand FROM {TABLE} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",
            [_array(sorted(level_ids))],
        )
        return dict(cursor.fetchall())


def add(level_id: int, change: int) -> After | None:
    """Add (or remove, when negative) units on hand, unless that would leave less than is reserved."""
    return _one(
        f"UPDATE {TABLE} SET on_hand = on_hand + %s, updated_at = now() "
        "WHERE id = %s AND on_hand + %s >= reserved RETURNING id, product_id, on_hand, reserved",
        [change, level_id, change],
        change,
        0,
    )


def set_counts(counts: dict[int, int]) -> dict[int, After]:
    """Set on hand to counted quantities (level id → count) in one statement.

    Rows are locked in id order first (no deadlock with another bulk set), so the
    change reported is exact. A count below what is reserved is refused: that
    level is missing from the answer.
    """
    if not counts:
        return {}
    ids = sorted(counts)
    old = _lock(ids)
    sql = (
        "WITH wanted AS (SELECT unnest(%s::bigint[]) AS id, unnest(%s::integer[]) AS count) "
        f"UPDATE {TABLE} s SET on_hand = w.count, updated_at = now() FROM wanted w "
        "WHERE s.id = w.id AND s.reserved <= w.count "
        "RETURNING s.id, s.product_id, s.on_hand, s.reserved"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_array(ids), _array(counts[i] for i in ids)])
        rows = cursor.fetchall()
    return {row[0]: After(row[0], row[1], row[2], row[3], row[2] - old[row[0]], 0) for row in rows}


def ensure_levels(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The level ids of (product id, warehouse id) pairs, creating empty levels where missing."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (product_id, warehouse_id, on_hand, reserved, updated_at) "
            "SELECT p, w, 0, 0, now() FROM unnest(%s::bigint[], %s::bigint[]) AS t(p, w) "
            "ON CONFLICT (product_id, warehouse_id) DO NOTHING",
            [_array(p for p, _ in pairs), _array(w for _, w in pairs)],
        )
        cursor.execute(
            f"SELECT s.product_id, s.warehouse_id, s.id FROM {TABLE} s "
            "JOIN unnest(%s::bigint[], %s::bigint[]) AS t(p, w) ON s.product_id = t.p AND s.warehouse_id = t.w",
            [_array(p for p, _ in pairs), _array(w for _, w in pairs)],
        )
        return {(p, w): level_id for p, w, level_id in cursor.fetchall()}


class Movement(NamedTuple):
    """A movement row to write (a tuple: an import makes 100,000 of them)."""

    level_id: int
    product_id: int
    reason: str
    on_hand_change: int
    reserved_change: int
    on_hand_after: int
    reserved_after: int
    order_id: int | None
    purchase_order_id: int | None
    actor_type: str
    actor_user_id: int | None
    actor_label: str
    note: str


def movement(after: After, *, reason: str, actor, order=None, purchase_order=None, note: str = "") -> Movement:
    """The movement row explaining a change (callers save them with `save_movements`)."""
    user = actor.user if actor.user is not None and actor.type == "user" else None
    return Movement(
        after.level_id,
        after.product_id,
        reason,
        after.on_hand_change,
        after.reserved_change,
        after.on_hand,
        after.reserved,
        order.pk if order is not None else None,
        purchase_order.pk if purchase_order is not None else None,
        actor.type,
        user.pk if user is not None else None,
        actor.label,
        note[:500],
    )


def save_movements(movements) -> int:
    """Write movement rows; many at once go through COPY (an import of 100,000 counts takes seconds)."""
    movements = list(movements)
    _tell_low_stock(movements)
    if len(movements) < COPY_FROM:
        StockMovement.objects.bulk_create(StockMovement(**m._asdict()) for m in movements)
        return len(movements)
    columns = ", ".join((*Movement._fields, "created_at"))
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {MOVEMENTS} ({columns}) FROM STDIN") as copy:
            for m in movements:
                copy.write_row((*m, now))
    return len(movements)


def _tell_low_stock(movements: list[Movement]) -> None:
    """Send `stock_low` for the products these movements took from above their threshold to it or below."""
    change: dict[int, int] = {}
    for m in movements:
        change[m.product_id] = change.get(m.product_id, 0) + m.on_hand_change - m.reserved_change
    falling = sorted(product_id for product_id, units in change.items() if units < 0)
    if not falling or not signals.stock_low.has_listeners(Product):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.low_stock_threshold, COALESCE(SUM(s.on_hand - s.reserved), 0) FROM {PRODUCTS} p "
            f"LEFT JOIN {TABLE} s ON s.product_id = p.id WHERE p.id = ANY(%s::bigint[]) AND p.low_stock_threshold > 0 "
            "GROUP BY p.id ORDER BY p.id",
            [_array(falling)],
        )
        crossed = [
            product_id
            for product_id, threshold, available in cursor.fetchall()
            if available <= threshold < available - change[product_id]
        ]
    if crossed:
        signals.stock_low.send(sender=Product, product_ids=crossed)


def schedule_push(product_ids: Iterable[int]) -> None:
    """Mark products whose stock changed; the next `push_stock` run tells every channel (coalesced)."""
    product_ids = sorted(set(product_ids))
    if len(product_ids) < COPY_FROM:
        PendingStockPush.objects.bulk_create(PendingStockPush(product_id=product_id) for product_id in product_ids)
        return
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {PENDING} (product_id, created_at) FROM STDIN") as copy:
            now = timezone.now()
            for product_id in product_ids:
                copy.write_row((product_id, now))
