"""The only code that changes a stock level: conditional UPDATEs that say whether they applied.

Each function is one SQL statement (or one statement on rows it locks first),
returns the level's values after the change (None when the condition refused
it), and never reads a quantity into Python to write it back. The database
check constraints (reserved ≥ 0, on hand ≥ reserved) are the last safety net.
Callers write the matching `StockMovement` (`movement`, then `save_movements`)
in the same transaction and call `schedule_push` for the products they touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from inventory.models import PendingStockPush, StockLevel, StockMovement

TABLE = StockLevel._meta.db_table
MOVEMENTS = StockMovement._meta.db_table
PENDING = PendingStockPush._meta.db_table
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


def _one(sql: str, params: list, on_hand_change: int, reserved_change: int) -> After | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    level_id, product_id, on_hand, reserved = row
    return After(level_id, product_id, on_hand, reserved, on_hand_change, reserved_change)


def reserve(level_id: int, units: int) -> After | None:
    """Hold `units` if that many are available, else change nothing and return None."""
    return _one(
        f"UPDATE {TABLE} SET reserved = reserved + %s, updated_at = now() "
        "WHERE id = %s AND on_hand - reserved >= %s RETURNING id, product_id, on_hand, reserved",
        [units, level_id, units],
        0,
        units,
    )


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
            f"SELECT id, on_hand FROM {TABLE} WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [sorted(level_ids)]
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
        cursor.execute(sql, [ids, [counts[i] for i in ids]])
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
            [[p for p, _ in pairs], [w for _, w in pairs]],
        )
        cursor.execute(
            f"SELECT s.product_id, s.warehouse_id, s.id FROM {TABLE} s "
            "JOIN unnest(%s::bigint[], %s::bigint[]) AS t(p, w) ON s.product_id = t.p AND s.warehouse_id = t.w",
            [[p for p, _ in pairs], [w for _, w in pairs]],
        )
        return {(p, w): level_id for p, w, level_id in cursor.fetchall()}


def movement(after: After, *, reason: str, actor, order=None, purchase_order=None, note: str = "") -> StockMovement:
    """The movement row explaining a change (unsaved: callers save or bulk-create it)."""
    return StockMovement(
        level_id=after.level_id,
        product_id=after.product_id,
        reason=reason,
        on_hand_change=after.on_hand_change,
        reserved_change=after.reserved_change,
        on_hand_after=after.on_hand,
        reserved_after=after.reserved,
        order=order,
        purchase_order=purchase_order,
        actor_type=actor.type,
        actor_user=actor.user if actor.user is not None and actor.type == "user" else None,
        actor_label=actor.label,
        note=note[:500],
    )


def save_movements(movements) -> int:
    """Write movement rows with COPY: an import of 100,000 counts writes its movements in seconds."""
    movements = list(movements)
    if len(movements) < COPY_FROM:
        StockMovement.objects.bulk_create(movements)
        return len(movements)
    now = timezone.now()
    columns = (
        "level_id", "product_id", "reason", "on_hand_change", "reserved_change", "on_hand_after", "reserved_after",
        "order_id", "purchase_order_id", "actor_type", "actor_user_id", "actor_label", "note", "created_at",
    )  # fmt: skip
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {MOVEMENTS} ({', '.join(columns)}) FROM STDIN") as copy:
            for m in movements:
                copy.write_row(
                    (
                        m.level_id, m.product_id, m.reason, m.on_hand_change, m.reserved_change, m.on_hand_after,
                        m.reserved_after, m.order_id, m.purchase_order_id, m.actor_type, m.actor_user_id, m.actor_label,
                        m.note, now,
                    )  # fmt: skip
                )
    return len(movements)


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
