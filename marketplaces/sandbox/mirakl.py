"""Mirakl MMP seller API, one instance per operator under /mirakl/<operator>.

Operations (specs/mirakl/mmp-seller-openapi.json): OR11, OR12, OR21, OR23, OR24, OR28,
OR29, OR30, SH21, A01 here; OR64, RE11, RE12 (incidents) in mirakl_incidents; RE01 (every reason) in mirakl_reasons; M10/M11/M12/OR43 (buyer threads) in mirakl_inbox; STO01/STO02/STO03 in mirakl_stock; the payload shapes and
errors in mirakl_wire. Auth is the shop API key in `Authorization` (no Bearer).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from . import mirakl_inbox
from .lifecycle import cancel_all_lines, set_status
from .mirakl_incidents import has_incident, incident_close_reasons, incident_open_reasons, resolve_incident
from .mirakl_reasons import list_reasons
from .mirakl_returns import accept_returns, close_returns, list_returns, receive_returns
from .mirakl_stock import stock_import, stock_import_errors, stock_import_status
from .mirakl_wire import (
    CANCELLABLE_STATES,
    PLATFORM,
    REFUNDABLE_STATES,
    error_response,
    render_order,
    render_order_or12,
    server_error,
    throttled,
    unauthorized,
)
from .routing import route
from .wire import ApiError, Response, iso, money, objects, parse_iso

# The pipeline's hooks (see routing.py) partly live in mirakl_wire; they are part of this module's interface.
__all__ = [
    "PLATFORM",
    "ROUTES",
    "authenticate",
    "error_response",
    "server_error",
    "throttled",
    "token_account",
    "unauthorized",
]

DEFAULT_MAX, MAX_MAX = 10, 100  # (unverified) OR11 page size default and maximum
UPDATE_SAFETY_DELTA_SECONDS = 60  # (unverified) subtracted from start_update_date
CARRIERS = (  # SH21; codes per operator are (unverified): the same list for every operator here
    ("COLISSIMO", "Colissimo", "COLP", "https://www.laposte.fr/outils/suivre-vos-envois?code={trackingId}"),
    (
        "CHRONOPOST",
        "Chronopost",
        "CHRP",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={trackingId}",
    ),
    ("DHL", "DHL", "DHL", "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={trackingId}"),
    ("UPS", "UPS", "UPS", "https://www.ups.com/track?tracknum={trackingId}"),
    ("DPD", "DPD", "DPD", "https://trace.dpd.fr/fr/trace/{trackingId}"),
    ("GLS", "GLS", "GLS", "https://gls-group.com/FR/fr/suivi-colis?match={trackingId}"),
    (
        "MONDIAL_RELAY",
        "Mondial Relay",
        "MRLY",
        "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={trackingId}",
    ),
    ("RELAIS_COLIS", "Relais Colis", "RCOL", "https://www.relaiscolis.com/suivi-de-colis/?reference={trackingId}"),
    (
        "COLIS_PRIVE",
        "Colis Privé",
        "CPRV",
        "https://www.colisprive.fr/moncolis/pages/detailColis.aspx?numColis={trackingId}",
    ),
    ("FEDEX", "FedEx", "FEDX", "https://www.fedex.com/fedextrack/?trknbr={trackingId}"),
    (
        "TNT",
        "TNT",
        "TNT",
        "https://www.tnt.com/express/fr_fr/site/outils-expedition/suivi.html?searchType=con&cons={trackingId}",
    ),
)


def _operator(request) -> str:
    return request.path_prefix.rsplit("/", 1)[-1]


def token_account(world, request):
    return None


def authenticate(world, request):
    key = request.header("authorization").strip()
    account = world.find_account(PLATFORM, api_key=key) if key else None
    if account is None or account.operator != _operator(request):
        raise unauthorized()
    shop_id = request.arg("shop_id")
    if shop_id and shop_id != account.credentials["shop_id"]:
        raise ApiError(403, "", f"You are not authorized to access shop {shop_id}")
    return account


# ---- orders -------------------------------------------------------------------------
def _order(world, account, order_id: str) -> dict:
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "ORDER_NOT_FOUND", f"Order with id {order_id} not found")
    return order


def _date_arg(request, name: str):
    value = request.arg(name)
    if not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ApiError(400, "VALIDATION_ERROR", f"Invalid date format for parameter {name}") from None


def list_orders(world, account, request) -> Response:
    """OR11: filtered orders, max/offset paging, total_count."""
    size, offset = request.arg("max", str(DEFAULT_MAX)), request.arg("offset", "0")
    if not size.isdigit() or not offset.isdigit() or not 1 <= int(size) <= MAX_MAX:
        raise ApiError(400, "VALIDATION_ERROR", f"max must be between 1 and {MAX_MAX} and offset a positive number")
    ids, states, channels = (
        request.args("order_ids"),
        set(request.args("order_state_codes")),
        set(request.args("channel_codes")),
    )
    if len(ids) > 100:
        raise ApiError(400, "VALIDATION_ERROR", "order_ids accepts at most 100 values")
    start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
    incident = {"true": True, "false": False}.get((request.arg("has_incident") or "").lower())
    start_update, end_update = _date_arg(request, "start_update_date"), _date_arg(request, "end_update_date")
    if start_update is not None:
        start_update -= dt.timedelta(seconds=UPDATE_SAFETY_DELTA_SECONDS)
    # Stored instants are uniform ISO strings: comparing text is comparing time, and much cheaper.
    start, end, start_update, end_update = (iso(m) if m else None for m in (start, end, start_update, end_update))
    chosen = []
    for order in world.orders.get(account.key, {}).values():
        created, updated = order["created_at"], order["updated_at"]
        if (ids and order["id"] not in ids) or (states and order["status"] not in states):
            continue
        if channels and order["channel"][0] not in channels:
            continue
        if incident is not None and has_incident(order) != incident:
            continue
        if (start and created < start) or (end and created > end):
            continue
        if (start_update and updated < start_update) or (end_update and updated > end_update):
            continue
        chosen.append(order)
    chosen.sort(key=lambda o: (o["created_at"], o["id"]), reverse=request.arg("order") == "desc")
    page = chosen[int(offset) : int(offset) + int(size)]
    return Response(200, {"orders": [render_order(o) for o in page], "total_count": len(chosen)}, page_key=("orders",))


def get_order(world, account, request, order_id: str) -> Response:
    return Response(200, render_order_or12(_order(world, account, order_id)))


def _body(request) -> dict:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "VALIDATION_ERROR", "Invalid JSON body")
    return body


def accept(world, account, request, order_id: str) -> Response:
    """OR21: every line accepted or refused, only in WAITING_ACCEPTANCE → SHIPPING or REFUSED."""
    order = _order(world, account, order_id)
    body = _body(request)
    decisions = body.get("order_lines")
    if not isinstance(decisions, list):
        raise ApiError(400, "VALIDATION_ERROR", "order_lines is required")
    if order["status"] != "WAITING_ACCEPTANCE":
        raise ApiError(
            400,
            "ORDER_INVALID_STATE",
            f"Order {order_id} is not in state WAITING_ACCEPTANCE (current state: {order['status']})",
        )
    lines = {line["id"]: line for line in order["lines"]}
    decided: dict[str, bool] = {}
    for decision in decisions:
        if not isinstance(decision, dict):
            raise ApiError(400, "ORDER_LINE_NULL_ELEMENT", "The order lines list contains a null element")
        line_id = str(decision.get("id", ""))
        if line_id not in lines:
            raise ApiError(400, "ORDER_LINE_NOT_FOUND", f"Order line {line_id} does not exist in order {order_id}")
        if line_id in decided:
            raise ApiError(400, "ORDER_LINE_DUPLICATE_ID", "The order lines list contains duplicate order line IDs")
        if not isinstance(decision.get("accepted"), bool):
            raise ApiError(400, "VALIDATION_ERROR", "accepted must be true or false")
        decided[line_id] = decision["accepted"]
    if set(decided) != set(lines):
        raise ApiError(
            400, "ORDER_LINE_ACCEPTANCE_DECISION_MISSING", "Some order lines are missing from the acceptance decision"
        )
    for line_id, accepted in decided.items():
        lines[line_id]["status"] = "SHIPPING" if accepted else "REFUSED"
    order["decided_at"] = iso(world.now())
    if any(decided.values()):
        order["status"] = "SHIPPING"
        order["debited_at"] = iso(world.now())
    else:
        order["status"] = "REFUSED"
    world.touch(order)
    world.record_action(account.key, order_id, "OR21", body)
    return Response(204)


def tracking(world, account, request, order_id: str) -> Response:
    """OR23: carrier (SH21 code, or name + URL) and tracking number, in SHIPPING or SHIPPED."""
    order = _order(world, account, order_id)
    body = _body(request)
    if order["status"] not in ("SHIPPING", "SHIPPED"):
        raise ApiError(400, "ORDER_INVALID_STATE", f"Order {order_id} is not in state SHIPPING")
    code = body.get("carrier_code")
    if code:
        carrier = next((c for c in CARRIERS if c[0] == code), None)
        if carrier is None:
            raise ApiError(400, "VALIDATION_ERROR", f"Carrier {code} does not exist")
        url = carrier[3].replace("{trackingId}", str(body.get("tracking_number") or ""))
        record = {"carrier_code": code, "carrier_name": carrier[1], "carrier_url": url}
    elif body.get("carrier_name"):
        record = {"carrier_code": None, "carrier_name": body["carrier_name"], "carrier_url": body.get("carrier_url")}
    else:
        raise ApiError(400, "VALIDATION_ERROR", "carrier_code or carrier_name is required")
    record["tracking_number"] = body.get("tracking_number")
    order["tracking"] = record
    world.touch(order)
    world.record_action(account.key, order_id, "OR23", body)
    return Response(204)


def ship(world, account, request, order_id: str) -> Response:
    """OR24: SHIPPING → SHIPPED."""
    order = _order(world, account, order_id)
    if order["status"] != "SHIPPING":
        raise ApiError(
            400, "ORDER_INVALID_STATE", f"Order {order_id} is not in state SHIPPING (current state: {order['status']})"
        )
    for line in order["lines"]:
        if line["status"] == "SHIPPING":
            line["status"] = "SHIPPED"
            line["quantity_shipped"] = line["quantity"] - line["quantity_cancelled"]
    order["status"] = "SHIPPED"
    order["shipped_at"] = iso(world.now())
    world.touch(order)
    world.record_action(account.key, order_id, "OR24")
    return Response(204)


def cancel_order(world, account, request, order_id: str) -> Response:
    """OR29: cancels every unshipped quantity of an order that can still be cancelled."""
    order = _order(world, account, order_id)
    if order["status"] not in CANCELLABLE_STATES:
        raise ApiError(400, "ORDER_INVALID_STATE", f"Order {order_id} cannot be canceled in state {order['status']}")
    cancel_all_lines(world, order, reason_code="SHOP")
    set_status(world, order, "CANCELED")
    world.record_action(account.key, order_id, "OR29")
    return Response(204)


def _find_line(world, account, line_id: str) -> tuple[dict, dict]:
    order_id = line_id.rsplit("-", 1)[0]
    order = world.order(account.key, order_id)
    line = next((l for l in order["lines"] if l["id"] == line_id), None) if order else None
    if line is None:
        raise ApiError(404, "ORDER_LINE_NOT_FOUND", f"Order line {line_id} not found")
    return order, line


def _amount(value, name: str) -> Decimal:
    if not isinstance(value, (int, Decimal)) or value < 0:
        raise ApiError(400, "VALIDATION_ERROR", f"{name} must be a positive number")
    return money(value)


def cancel_lines(world, account, request) -> Response:
    """OR30: cancels quantities of lines; an order with nothing left becomes CANCELED."""
    body = _body(request)
    entries = objects(body.get("cancelations"))
    if entries is None:
        raise ApiError(400, "VALIDATION_ERROR", "cancelations is required")
    done, touched = [], {}
    for entry in entries:
        order, line = _find_line(world, account, str(entry.get("order_line_id", "")))
        quantity = entry.get("quantity")
        if order["status"] not in CANCELLABLE_STATES:
            raise ApiError(
                400, "ORDER_INVALID_STATE", f"Order {order['id']} cannot be canceled in state {order['status']}"
            )
        remaining = line["quantity"] - line["quantity_cancelled"] - line["quantity_shipped"]
        if not isinstance(quantity, int) or not 0 < quantity <= remaining:
            raise ApiError(400, "VALIDATION_ERROR", f"quantity must be between 1 and {remaining}")
        if not entry.get("reason_code"):
            raise ApiError(400, "VALIDATION_ERROR", "reason_code is required")
        record = {
            "id": str(1000 + secrets.randbelow(10**8)),
            "line_id": line["id"],
            "quantity": quantity,
            "amount": str(_amount(entry.get("amount"), "amount")),
            "shipping_amount": str(_amount(entry.get("shipping_amount"), "shipping_amount")),
            "reason_code": str(entry["reason_code"]),
            "created_at": iso(world.now()),
        }
        order["cancelations"].append(record)
        line["quantity_cancelled"] += quantity
        if line["quantity_cancelled"] >= line["quantity"]:
            line["status"] = "CANCELED"
        touched[order["id"]] = order
        done.append(
            {
                "amount": money(record["amount"]),
                "cancelation_id": record["id"],
                "currency_iso_code": "EUR",
                "order_line_id": line["id"],
                "quantity": quantity,
                "reason_code": record["reason_code"],
                "shipping_amount": money(record["shipping_amount"]),
                "taxes": [],
                "shipping_taxes": [],
            }
        )
    for order in touched.values():
        if all(l["status"] in ("CANCELED", "REFUSED") for l in order["lines"]):
            order["status"] = "CANCELED"
        world.touch(order)
        world.record_action(account.key, order["id"], "OR30", body)
    return Response(200, {"cancelations": done, "order_tax_mode": "TAX_INCLUDED"})


def refund(world, account, request) -> Response:
    """OR28: refunds shipped lines, never more than a line's price."""
    body = _body(request)
    entries = objects(body.get("refunds"))
    if entries is None:
        raise ApiError(400, "VALIDATION_ERROR", "refunds is required")
    done, touched = [], {}
    for entry in entries:
        order, line = _find_line(world, account, str(entry.get("order_line_id", "")))
        if line["status"] not in REFUNDABLE_STATES:
            raise ApiError(
                400, "ORDER_INVALID_STATE", f"Order line {line['id']} cannot be refunded in state {line['status']}"
            )
        if not entry.get("reason_code"):
            raise ApiError(400, "VALIDATION_ERROR", "reason_code is required")
        amount = _amount(entry.get("amount"), "amount")
        shipping = _amount(entry.get("shipping_amount"), "shipping_amount")
        already = sum((money(r["amount"]) for r in order["refunds"] if r["line_id"] == line["id"]), Decimal("0"))
        if already + amount > money(line["unit_price"]) * line["quantity"]:
            raise ApiError(
                400, "VALIDATION_ERROR", f"The refund amount exceeds the refundable amount of line {line['id']}"
            )
        record = {
            "id": str(1000 + secrets.randbelow(10**8)),
            "order_refund_id": secrets.token_hex(16),
            "line_id": line["id"],
            "amount": str(amount),
            "shipping_amount": str(shipping),
            "quantity": entry.get("quantity") or 0,
            "reason_code": str(entry["reason_code"]),
            "created_at": iso(world.now()),
        }
        order["refunds"].append(record)
        touched[order["id"]] = order
        done.append(
            {
                "amount": amount,
                "currency_iso_code": "EUR",
                "order_line_id": line["id"],
                "order_refund_id": record["order_refund_id"],
                "quantity": record["quantity"],
                "reason_code": record["reason_code"],
                "refund_id": record["id"],
                "shipping_amount": shipping,
                "taxes": [],
                "shipping_taxes": [],
            }
        )
    for order in touched.values():
        world.touch(order)
        world.record_action(account.key, order["id"], "OR28", body)
    return Response(200, {"order_tax_mode": "TAX_INCLUDED", "refunds": done})


def carriers(world, account, request) -> Response:
    return Response(
        200,
        {"carriers": [{"code": c[0], "label": c[1], "standard_code": c[2], "tracking_url": c[3]} for c in CARRIERS]},
    )


def shop_account(world, account, request) -> Response:
    return Response(
        200,
        {
            "shop_id": (
                int(account.credentials["shop_id"])
                if account.credentials["shop_id"].isdigit()
                else account.credentials["shop_id"]
            ),
            "shop_name": account.name,
            "shop_state": "OPEN",
            "currency_iso_code": "EUR",
            "is_professional": True,
            "channels": [],
        },
    )


# A21's shop statistics: fixed figures of a well-run shop (fractions, as the spec's example implies),
# the same for every period asked.
SHOP_STATISTICS = {
    "late_shipment_rate": 0.021,
    "valid_tracking_rate": 0.974,
    "cancelation_rate": 0.004,
    "approval_rate": 0.988,
    "auto_refused_rate": 0.002,
    "incident_rate": 0.003,
}
STATISTICS_PERIODS = ("ALL_SINCE_BEGINNING", "LAST_MONTH", "LAST_THREE_MONTHS", "LAST_SIX_MONTHS", "LAST_YEAR")


def shop_statistics(world, account, request) -> Response:
    asked = [period for period in (request.arg("periods") or "").split(",") if period]
    periods = [period for period in STATISTICS_PERIODS if not asked or period in asked]
    return Response(
        200,
        {name: [{"period": period, "value": value} for period in periods] for name, value in SHOP_STATISTICS.items()},
    )


ROUTES = [
    route("GET", "/api/orders", "OR11", list_orders, is_list=True),
    route("PUT", "/api/orders/refund", "OR28", refund),
    route("PUT", "/api/orders/cancel", "OR30", cancel_lines),
    route("GET", "/api/orders/{order_id}", "OR12", get_order),
    route("PUT", "/api/orders/{order_id}/accept", "OR21", accept),
    route("PUT", "/api/orders/{order_id}/tracking", "OR23", tracking),
    route("PUT", "/api/orders/{order_id}/ship", "OR24", ship),
    route("PUT", "/api/orders/{order_id}/cancel", "OR29", cancel_order),
    route("POST", "/api/offers/stock/imports", "STO01", stock_import),
    route("GET", "/api/offers/stock/imports/{import_id}/status", "STO02", stock_import_status),
    route("GET", "/api/offers/stock/imports/{import_id}/error_report", "STO03", stock_import_errors),
    route("GET", "/api/shipping/carriers", "SH21", carriers),
    route("GET", "/api/account", "A01", shop_account),
    route("GET", "/api/inbox/threads", "M11", mirakl_inbox.list_threads, is_list=True),
    route("GET", "/api/inbox/threads/{thread_id}", "M10", mirakl_inbox.get_thread),
    route("GET", "/api/inbox/threads/{attachment_id}/download", "M13", mirakl_inbox.download_attachment),
    route("POST", "/api/inbox/threads/{thread_id}/message", "M12", mirakl_inbox.reply),
    route("POST", "/api/orders/{order_id}/threads", "OR43", mirakl_inbox.open_thread),
    route("GET", "/api/returns", "RT11", list_returns),
    route("PUT", "/api/returns/accept", "RT21", accept_returns),
    route("PUT", "/api/returns/receive", "RT25", receive_returns),
    route("PUT", "/api/returns/close", "RT27", close_returns),
    route("GET", "/api/account/statistics", "A21", shop_statistics),
    route("PUT", "/api/orders/{order_id}/lines/{line}/resolve_incident", "OR64", resolve_incident),
    route("GET", "/api/reasons", "RE01", list_reasons),
    route("GET", "/api/reasons/incident_open", "RE11", incident_open_reasons),
    route("GET", "/api/reasons/incident_close", "RE12", incident_close_reasons),
]
