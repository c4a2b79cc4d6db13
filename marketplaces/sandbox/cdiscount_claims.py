"""Octopia (Cdiscount) claims and returns opened by buyers. UNVERIFIED: no official description is stored
(specs/README.md); the path and fields below are the format agreed with the connector
(`connectors/cdiscount_claims.py`), shaped like the orders' and discussions' pages (`itemsPerPage`,
`pageIndex`, `totalItems`, `items`).

GET /seller/v2/claims (updatedAtMin, pageSize ≤ 100, pageIndex 1-based) → items `{claimId, orderId,
type (Return | ItemNotReceived | ProductNotAsDescribed | ProductDefective), status (Open | Closed),
reason, createdAt, updatedAt, responseDeadline, lines [{lineId, sellerProductId, quantity}]}`.
A claim of type Return is a return; the others are incidents (disputes).
"""

from __future__ import annotations

import datetime as dt
import secrets

from .wire import ApiError, Response, iso, parse_iso

TYPES = ("Return", "ItemNotReceived", "ProductNotAsDescribed", "ProductDefective")
RESPONSE_HOURS = 48  # (unverified) the seller's time to answer a claim
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 100


def open_claim(world, order: dict, *, reason_code: str = "ProductDefective", quantity: int | None = None, claim=True):
    """The buyer opens a claim (or, with type Return, a return) on the first line of a shipped order."""
    if not any(line["status"] == "Shipped" for line in order["lines"]):
        raise ApiError(400, "validation-error", f"Order {order['id']} is not shipped")
    line = order["lines"][0]
    now = world.now()
    record = {
        "claimId": "CL" + secrets.token_hex(5).upper(),
        "orderId": order["id"],
        "type": reason_code if reason_code in TYPES else "ProductDefective",
        "status": "Open",
        "reason": reason_code,
        "createdAt": iso(now),
        "updatedAt": iso(now),
        "responseDeadline": iso(now + dt.timedelta(hours=RESPONSE_HOURS)),
        "lines": [
            {"lineId": line["id"], "sellerProductId": line["sku"], "quantity": int(quantity or line["quantity"])}
        ],
    }
    order.setdefault("claims", []).append(record)
    world.touch(order)
    world.record_action(order["account"], order["id"], "claim_opened", {"claimId": record["claimId"]})
    return record


def _page_arg(request, name: str, default: int, maximum: int) -> int:
    value = request.arg(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise ApiError(400, "validation-error", f"{name} must be between 1 and {maximum}")
    return int(value)


def list_claims(world, account, request) -> Response:
    size = _page_arg(request, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    index = _page_arg(request, "pageIndex", 1, 10**6)
    since = request.arg("updatedAtMin")
    try:
        since = iso(parse_iso(since)) if since else None
    except ValueError:
        raise ApiError(400, "validation-error", "updatedAtMin must be an ISO 8601 date-time") from None
    claims = [c for o in world.orders.get(account.key, {}).values() for c in o.get("claims", [])]
    chosen = sorted(
        (c for c in claims if not since or c["updatedAt"] >= since), key=lambda c: (c["updatedAt"], c["claimId"])
    )
    page = chosen[(index - 1) * size : index * size]
    return Response(200, {"itemsPerPage": size, "pageIndex": index, "totalItems": len(chosen), "items": page})
