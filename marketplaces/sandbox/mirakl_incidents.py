"""Mirakl incidents (specs/mirakl/mmp-seller-openapi.json): the buyer opens one on a shipped line,
the seller resolves it (OR64), with the reasons of RE11 / RE12.

An open incident shows on OR11 as the line's `order_line_state` `INCIDENT_OPEN` (its reason in
`order_line_state_reason_code` / `_label`) and the order's `has_incident`; OR11's `has_incident`
filter keeps the orders with one in progress. Opening one (OR62) is not in the seller file: the
sandbox's admin API and its lifecycle open them. OR64 `PUT /api/orders/{order_id}/lines/{line}/
resolve_incident` `{reason_code*}` → 204 puts the line back in its state. The reason codes are the
spec's examples; what OR64 answers for a line without an open incident is (unverified): a 400.
"""

from __future__ import annotations

from .wire import ApiError, Response, iso

INCIDENT_OPEN = "INCIDENT_OPEN"
# RE11 / RE12's examples in the spec.
OPEN_REASONS = {
    "1": "Item not received",
    "2": "Item not as ordered",
    "3": "Defective item",
    "4": "Right to retract order",
    "5": "Counterfeit item",
}
CLOSE_REASONS = {
    "8": "I finally received my order",
    "9": "Item fit the description after all",
    "10": "Replacement item received",
    "11": "Agreement made with the vendor",
}
OPENABLE_FROM = ("SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED")


def open_incident(world, order: dict, *, line_id: str | None = None, reason_code: str = "1") -> dict:
    """The buyer opens an incident on a shipped line (the first one, or `line_id`); returns the line."""
    if reason_code not in OPEN_REASONS:
        raise ApiError(400, "VALIDATION_ERROR", f"Unknown incident reason {reason_code}")
    lines = [line for line in order["lines"] if line_id in (None, line["id"])]
    if not lines:
        raise ApiError(404, "ORDER_LINE_NOT_FOUND", f"Order line {line_id} does not exist in order {order['id']}")
    line = lines[0]
    if line["status"] not in OPENABLE_FROM:
        raise ApiError(400, "ORDER_LINE_INVALID_STATE", f"Order line {line['id']} is {line['status']}")
    line["incident"] = {"reason_code": reason_code, "opened_at": iso(world.now()), "before": line["status"]}
    line["status"] = INCIDENT_OPEN
    world.touch(order)
    world.record_action(order["account"], order["id"], "incident_opened", {"line": line["id"], "reason": reason_code})
    return line


def close_incident(world, order: dict, *, line_id: str | None = None) -> dict:
    """The operator (or the buyer) closes an incident on Mirakl's side without the seller's OR64: the line
    goes back to its state before the incident, as OR11 then shows it. Returns the line."""
    lines = [line for line in order["lines"] if line["status"] == INCIDENT_OPEN and line_id in (None, line["id"])]
    if not lines:
        raise ApiError(400, "ORDER_LINE_INVALID_STATE", f"No incident in progress on order {order['id']}")
    line = lines[0]
    line["status"] = line["incident"]["before"]
    line["incident"] = {**line["incident"], "resolved_at": iso(world.now()), "closed_by": "operator"}
    world.touch(order)
    world.record_action(order["account"], order["id"], "incident_closed", {"line": line["id"]})
    return line


def has_incident(order: dict) -> bool:
    return any(line["status"] == INCIDENT_OPEN for line in order["lines"])


def line_reason(line: dict) -> tuple[str | None, str | None]:
    """OR11's `order_line_state_reason_code` / `_label` of a line in incident."""
    incident = line.get("incident")
    if line["status"] != INCIDENT_OPEN or not incident:
        return None, None
    return incident["reason_code"], OPEN_REASONS.get(incident["reason_code"])


def resolve_incident(world, account, request, order_id: str, line: str) -> Response:
    """OR64: `{reason_code*}` (an RE12 code) → 204; the line goes back to its state before the incident."""
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "ORDER_NOT_FOUND", f"Order with id {order_id} not found")
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    code = str(body.get("reason_code") or "") if isinstance(body, dict) else ""
    if not code:
        raise ApiError(400, "VALIDATION_ERROR", "reason_code is required")
    if code not in CLOSE_REASONS:
        raise ApiError(400, "REASON_NOT_FOUND", f"Reason {code} is not an incident close reason")
    found = next((entry for entry in order["lines"] if entry["id"] == line), None)
    if found is None:
        raise ApiError(404, "ORDER_LINE_NOT_FOUND", f"Order line {line} does not exist in order {order_id}")
    if found["status"] != INCIDENT_OPEN:
        raise ApiError(400, "ORDER_LINE_INVALID_STATE", f"Order line {line} has no incident in progress")
    found["status"] = found["incident"]["before"]
    found["incident"] = {**found["incident"], "resolved_at": iso(world.now()), "close_reason": code}
    world.touch(order)
    world.record_action(account.key, order_id, "OR64", {"line": line, "reason_code": code})
    return Response(204)


def _reasons(table: dict[str, str]) -> Response:
    reasons = [{"code": code, "label": label} for code, label in table.items()]
    return Response(200, {"reasons": reasons, "total_count": len(reasons)})


def incident_open_reasons(world, account, request) -> Response:
    """RE11."""
    return _reasons(OPEN_REASONS)


def incident_close_reasons(world, account, request) -> Response:
    """RE12."""
    return _reasons(CLOSE_REASONS)
