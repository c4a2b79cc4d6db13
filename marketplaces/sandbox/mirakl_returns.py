"""Mirakl returns (specs/mirakl/mmp-seller-openapi.json): RT11 list, RT21 accept or refuse,
RT25 receive, RT27 close, and the buyer opening a return on a delivered order.

A return lives on its order (`order["returns"]`), so the snapshot keeps it. RT11 answers
`{data [{id, state, order_id, order_commercial_id, method_code, return_address, return_lines
[{order_line_id, quantity, reason_code, compliance}], date_created, last_updated, rma,
reason_code, rejection_reason_code, label_url, tracking}], next_page_token}`, seek-paginated.
States (RT11's description): WAITING_ACCEPTANCE, IN_PROGRESS, REFUSED, RECEIVED, NO_RECEPTION,
CLOSED, CANCELED. The page size and the reason codes are (unverified).
"""

from __future__ import annotations

import base64
import secrets

from .wire import ApiError, Response, iso, objects, parse_iso

PAGE_SIZE = 50  # (unverified) RT11's default page size is not in the spec
REASON_CODES = ("DAMAGED", "DEFECTIVE", "NOT_AS_DESCRIBED", "WRONG_ITEM", "CHANGED_MIND")  # (unverified)
# What a seller's answer moves a return to.
NEXT_STATE = {"RT21": "IN_PROGRESS", "RT25": "RECEIVED", "RT27": "CLOSED"}
ALLOWED_FROM = {
    "RT21": ("WAITING_ACCEPTANCE",),
    "RT25": ("IN_PROGRESS",),
    "RT27": ("RECEIVED", "REFUSED", "NO_RECEPTION"),
}


def open_return(world, order: dict, *, reason_code: str = "DAMAGED", quantity: int | None = None) -> dict:
    """The buyer asks to return the first line of a delivered (RECEIVED) order (all its units, or `quantity`)."""
    if order["status"] not in ("RECEIVED", "SHIPPED", "CLOSED"):
        raise ApiError(400, "ORDER_INVALID_STATE", f"Order {order['id']} is not delivered")
    line = order["lines"][0]
    now = iso(world.now())
    record = {
        "id": f"{order['id']}-R{len(order.setdefault('returns', [])) + 1}",
        "state": "WAITING_ACCEPTANCE",
        "order_id": order["id"],
        "order_commercial_id": order["reference"],
        "method_code": "CARRIER",
        "return_lines": [
            {
                "order_line_id": line["id"],
                "quantity": quantity or line["quantity"],
                "reason_code": reason_code,
                "compliance": None,
            }
        ],
        "date_created": now,
        "last_updated": now,
        "rma": "RMA" + secrets.token_hex(4).upper(),
        "reason_code": reason_code,
        "rejection_reason_code": None,
        "label_url": None,
        "tracking": None,
    }
    order["returns"].append(record)
    world.record_action(order["account"], order["id"], "return_opened", {"return_id": record["id"]})
    return record


def _render(order: dict, record: dict) -> dict:
    address = order["shipping_address"]
    return {
        **record,
        "return_address": {
            "city": "Lyon",
            "country_iso_code": "FRA",
            "street_1": "12 rue du Retour",
            "zip_code": "69007",
            "firstname": "Service",
            "lastname": "Retours",
        },
        "customer": {"city": address.get("city", "")},
        "documents": [],
    }


def _returns(world, account) -> list[tuple[dict, dict]]:
    found = [
        (order, record) for order in world.orders.get(account.key, {}).values() for record in order.get("returns", [])
    ]
    found.sort(key=lambda pair: (pair[1]["last_updated"], pair[1]["id"]))
    return found


def list_returns(world, account, request) -> Response:
    """RT11: returns by state, order, last update; seek pagination (`page_token`, `next_page_token`)."""
    states = set(request.args("return_state"))
    order_ids = set(request.args("order_commercial_id"))
    since = request.arg("return_last_updated_from")
    if since:
        try:
            since = iso(parse_iso(since))
        except ValueError:
            raise ApiError(400, "VALIDATION_ERROR", "Invalid date format for return_last_updated_from") from None
    chosen = [
        _render(order, record)
        for order, record in _returns(world, account)
        if (not states or record["state"] in states)
        and (not order_ids or record["order_commercial_id"] in order_ids)
        and (not since or record["last_updated"] >= since)
    ]
    start = 0
    token = request.arg("page_token")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError:
            raise ApiError(400, "VALIDATION_ERROR", "Invalid page_token") from None
    page = chosen[start : start + PAGE_SIZE]
    following = start + PAGE_SIZE
    next_token = base64.urlsafe_b64encode(str(following).encode()).decode() if following < len(chosen) else None
    return Response(200, {"data": page, "next_page_token": next_token})


def _answer(world, account, request, operation: str) -> Response:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    entries = objects(body.get("returns")) if isinstance(body, dict) else None
    if not entries:
        raise ApiError(400, "VALIDATION_ERROR", "returns is required")
    by_id = {record["id"]: (order, record) for order, record in _returns(world, account)}
    success, errors = [], []
    for entry in entries:
        found = by_id.get(str(entry.get("id", "")))
        if found is None:
            errors.append({"id": entry.get("id"), "message": "Return not found"})
            continue
        order, record = found
        if record["state"] not in ALLOWED_FROM[operation]:
            if record["state"] == NEXT_STATE[operation] or (operation == "RT21" and record["state"] == "REFUSED"):
                success.append({"id": record["id"]})  # already there: a replay changes nothing
                continue
            errors.append({"id": record["id"], "message": f"Return is {record['state']}"})
            continue
        state = NEXT_STATE[operation]
        if operation == "RT21" and entry.get("accepted") is False:
            state = "REFUSED"
            record["rejection_reason_code"] = entry.get("rejection_reason_code")
        record["state"] = state
        record["last_updated"] = iso(world.now())
        world.record_action(account.key, order["id"], operation, entry)
        success.append({"id": record["id"]})
    return Response(200, {"return_success": success, "return_errors": errors})


def accept_returns(world, account, request) -> Response:
    """RT21: `{returns [{id, accepted, rejection_reason_code}]}` → `{return_success, return_errors}`."""
    return _answer(world, account, request, "RT21")


def receive_returns(world, account, request) -> Response:
    """RT25: the seller received the parcels."""
    return _answer(world, account, request, "RT25")


def close_returns(world, account, request) -> Response:
    """RT27: nothing left to do."""
    return _answer(world, account, request, "RT27")
