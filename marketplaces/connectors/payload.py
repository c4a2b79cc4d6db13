"""Reading platform payloads strictly: required fields, dates, money, quantities, statuses.

Every reader raises `InvalidOrder` with a reason an operator can act on
("missing field OrderTotal.Amount", "unknown status Frozen"). `map_page` applies
a mapping function to each order of a page and turns those errors into
`RejectedOrder`s, so one bad order never stops the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.canonical import OrderData

from .base import RejectedOrder

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class InvalidOrder(ValueError):
    """A payload that cannot become an OrderData; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def field_of(payload: Any, path: str, *, required: bool = True) -> Any:
    """Return payload[a][b]... for path "a.b"; InvalidOrder("missing field a.b") if absent."""
    value: Any = payload
    for key in path.split("."):
        if not isinstance(value, Mapping) or value.get(key) in (None, ""):
            if required:
                raise InvalidOrder(f"missing field {path}")
            return None
        value = value[key]
    return value


def text_of(payload: Any, path: str, *, required: bool = True) -> str:
    value = field_of(payload, path, required=required)
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, bool)):
        raise InvalidOrder(f"field {path} is not a string")
    return str(value).strip()


def parse_datetime(value: Any, name: str) -> dt.datetime:
    """ISO 8601 with an offset or Z -> aware UTC datetime; InvalidOrder otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidOrder(f"missing field {name}")
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise InvalidOrder(f"field {name} is not an ISO 8601 date: {value!r}") from None
    if moment.tzinfo is None:
        raise InvalidOrder(f"field {name} has no time zone: {value!r}")
    return moment.astimezone(dt.timezone.utc)


def datetime_of(payload: Any, path: str, *, required: bool = True) -> dt.datetime | None:
    value = field_of(payload, path, required=required)
    if value is None:
        return None
    return parse_datetime(value, path)


def parse_amount(value: Any, name: str, *, allow_negative: bool = False) -> Decimal:
    """A money amount given as JSON number (Decimal/int) or decimal string -> Decimal."""
    if isinstance(value, bool) or value is None or value == "":
        raise InvalidOrder(f"missing or bad amount {name}")
    if isinstance(value, float):
        # Only reachable when someone decoded JSON without parse_float=Decimal.
        raise InvalidOrder(f"amount {name} was decoded as float")
    try:
        amount = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidOrder(f"bad amount {name}: {value!r}") from None
    if not amount.is_finite():
        raise InvalidOrder(f"bad amount {name}: {value!r}")
    if amount < 0 and not allow_negative:
        raise InvalidOrder(f"negative amount {name}: {value}")
    return amount


def amount_of(payload: Any, path: str, *, required: bool = True, allow_negative: bool = False) -> Decimal:
    value = field_of(payload, path, required=required)
    if value is None:
        return Decimal("0")
    return parse_amount(value, path, allow_negative=allow_negative)


def parse_currency(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value.strip()):
        raise InvalidOrder(f"missing or bad currency {name}: {value!r}")
    return value.strip()


def same_currency(expected: str, value: Any, name: str) -> None:
    """InvalidOrder when a money field's currency differs from the order's."""
    currency = parse_currency(value, name)
    if currency != expected:
        raise InvalidOrder(f"currency {currency} of {name} differs from the order currency {expected}")


def parse_quantity(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or value is None:
        raise InvalidOrder(f"missing quantity {name}")
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise InvalidOrder(f"bad quantity {name}: {value!r}")
    if value < 0:
        raise InvalidOrder(f"negative quantity {name}: {value}")
    if value < minimum:
        raise InvalidOrder(f"quantity {name} must be at least {minimum}: {value}")
    return value


def quantity_of(payload: Any, path: str, *, required: bool = True, minimum: int = 0) -> int:
    """An integer quantity; `minimum=1` for ordered quantities that can never be zero."""
    value = field_of(payload, path, required=required)
    if value is None:
        return 0
    return parse_quantity(value, path, minimum=minimum)


def canonical_status(table: Mapping[str, str], value: Any) -> str:
    """Look a platform status up in its table; unknown values are rejected, never guessed."""
    if not isinstance(value, str) or not value:
        raise InvalidOrder("missing status")
    try:
        return table[value]
    except KeyError:
        raise InvalidOrder(f"unknown status {value}") from None


def earliest(moments: Iterable[dt.datetime | None]) -> dt.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def map_page(
    raw_orders: Any,
    *,
    map_one: Callable[[Any], OrderData],
    order_id_of: Callable[[Any], str],
    updated_at_of: Callable[[Any], Any],
) -> tuple[list[OrderData], list[RejectedOrder], dt.datetime | None]:
    """Map each raw order; bad ones become RejectedOrder. Returns (orders, rejected, high watermark)."""
    orders: list[OrderData] = []
    rejected: list[RejectedOrder] = []
    high_watermark: dt.datetime | None = None
    if not isinstance(raw_orders, list):
        raise InvalidOrder("the orders list is missing from the response")
    for raw in raw_orders:
        order_id = ""
        try:
            order_id = order_id_of(raw) if isinstance(raw, Mapping) else ""
        except Exception:  # an unreadable id must not stop the page
            order_id = ""
        try:
            updated = parse_datetime(updated_at_of(raw), "last update") if isinstance(raw, Mapping) else None
        except InvalidOrder:
            updated = None
        if updated is not None and (high_watermark is None or updated > high_watermark):
            high_watermark = updated
        try:
            if not isinstance(raw, Mapping):
                raise InvalidOrder("order is not a JSON object")
            orders.append(map_one(raw))
        except InvalidOrder as exc:
            rejected.append(RejectedOrder(marketplace_order_id=str(order_id or ""), reason=exc.reason, raw=raw))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            # A shape we did not foresee: reject this order with the technical reason.
            rejected.append(
                RejectedOrder(marketplace_order_id=str(order_id or ""), reason=f"unreadable order: {exc}", raw=raw)
            )
    return orders, rejected, high_watermark
