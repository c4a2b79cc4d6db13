"""eBay Post-Order returns: search and decide. UNVERIFIED: eBay publishes the Post-Order API only as
HTML pages (specs/README.md); no stored file gives its fields. The shapes here follow those pages as
remembered: `GET /post-order/v2/return/search` (`creation_date_range_from`, `limit`, `offset`) →
`{members [{returnId, orderId, state, status, currentType, creationInfo {item {itemId, transactionId,
returnQuantity}, reason, comments {content}, creationDate {value}}, sellerResponseDue {activityDue,
respondByDate {value}}}], paginationOutput {offset, limit, totalEntries, totalPages}, total}`;
`POST /post-order/v2/return/{returnId}/decide` `{decision: ACCEPT | DECLINE, comments {content}}` → 200;
`POST /post-order/v2/return/{returnId}/mark_as_received` → 200. Every name and value is (unverified).
"""

from __future__ import annotations

import datetime as dt
import secrets

from .ebay_wire import ebay_error, json_object
from .wire import Response, iso, parse_iso

REASONS = ("DEFECTIVE_ITEM", "NOT_AS_DESCRIBED", "WRONG_ITEM", "NO_LONGER_NEED_ITEM", "ARRIVED_DAMAGED")
RESPONSE_DAYS = 3  # (unverified) the seller's time to answer a return request
PAGE = 25  # (unverified) default limit


def open_return(world, order: dict, *, reason_code: str = "DEFECTIVE_ITEM", quantity: int | None = None, claim=False):
    """The buyer asks to return the first line of a shipped order."""
    if not any(line["quantity_shipped"] for line in order["lines"]):
        raise ebay_error(400, 1600, f"Order {order['id']} is not shipped", domain="API_POSTORDER")
    line = order["lines"][0]
    now = world.now()
    record = {
        "returnId": str(5_100_000_000 + secrets.randbelow(99_999_999)),
        "orderId": order["id"],
        "state": "RETURN_REQUESTED",
        "status": "RETURN_REQUESTED",
        "currentType": "MONEY_BACK",
        "creationInfo": {
            "item": {
                "itemId": "1" + line["ean"][1:12],
                "transactionId": line["id"],
                "returnQuantity": int(quantity or line["quantity"]),
            },
            "type": "MONEY_BACK",
            "reason": reason_code if reason_code in REASONS else "DEFECTIVE_ITEM",
            "comments": {"content": ""},
            "creationDate": {"value": iso(now, millis=True)},
        },
        "sellerResponseDue": {
            "activityDue": "SELLER_APPROVE_REQUEST",
            "respondByDate": {"value": iso(now + dt.timedelta(days=RESPONSE_DAYS), millis=True)},
        },
    }
    order.setdefault("returns", []).append(record)
    world.touch(order)
    world.record_action(order["account"], order["id"], "return_opened", {"returnId": record["returnId"]})
    return record


def _all(world, account) -> list[tuple[dict, dict]]:
    found = [(o, r) for o in world.orders.get(account.key, {}).values() for r in o.get("returns", [])]
    found.sort(key=lambda pair: (pair[1]["creationInfo"]["creationDate"]["value"], pair[1]["returnId"]))
    return found


def search_returns(world, account, request) -> Response:
    since = request.arg("creation_date_range_from")
    limit, offset = request.arg("limit", str(PAGE)), request.arg("offset", "0")
    if not limit.isdigit() or not offset.isdigit() or not 1 <= int(limit) <= 200:
        raise ebay_error(400, 1601, "Invalid limit or offset", domain="API_POSTORDER")
    if since:
        try:
            since = iso(parse_iso(since), millis=True)
        except ValueError:
            raise ebay_error(400, 1602, "Invalid creation_date_range_from", domain="API_POSTORDER") from None
    chosen = [r for _o, r in _all(world, account) if not since or r["creationInfo"]["creationDate"]["value"] >= since]
    start, size = int(offset), int(limit)
    page = chosen[start : start + size]
    return Response(
        200,
        {
            "members": page,
            "paginationOutput": {
                "offset": start,
                "limit": size,
                "totalEntries": len(chosen),
                "totalPages": (len(chosen) + size - 1) // size,
            },
            "total": len(chosen),
        },
    )


def _return(world, account, return_id: str) -> tuple[dict, dict]:
    found = next(((o, r) for o, r in _all(world, account) if r["returnId"] == return_id), None)
    if found is None:
        raise ebay_error(404, 1603, f"Invalid returnId: {return_id}", domain="API_POSTORDER")
    return found


def decide_return(world, account, request, returnId: str) -> Response:
    order, record = _return(world, account, returnId)
    body = json_object(request)
    decision = str(body.get("decision") or "")
    if decision not in ("ACCEPT", "DECLINE"):
        raise ebay_error(400, 1604, "decision must be ACCEPT or DECLINE", domain="API_POSTORDER")
    wanted = "RETURN_ACCEPTED" if decision == "ACCEPT" else "RETURN_DECLINED"
    if record["state"] == wanted:
        return Response(200, {})  # a replay changes nothing
    if record["state"] != "RETURN_REQUESTED":
        raise ebay_error(409, 1605, f"Return is {record['state']}", domain="API_POSTORDER", category="BUSINESS")
    record["state"] = record["status"] = wanted
    record["sellerResponseDue"] = None
    world.touch(order)
    world.record_action(account.key, order["id"], "decideReturn", body)
    return Response(200, {})


def mark_as_received(world, account, request, returnId: str) -> Response:
    order, record = _return(world, account, returnId)
    if record["state"] == "ITEM_RECEIVED":
        return Response(200, {})
    if record["state"] != "RETURN_ACCEPTED":
        raise ebay_error(409, 1606, f"Return is {record['state']}", domain="API_POSTORDER", category="BUSINESS")
    record["state"] = record["status"] = "ITEM_RECEIVED"
    world.touch(order)
    world.record_action(account.key, order["id"], "markReturnReceived", {"returnId": returnId})
    return Response(200, {})
