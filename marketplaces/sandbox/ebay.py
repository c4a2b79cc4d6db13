"""eBay: OAuth refresh-token grant, Sell Fulfillment v1 (orders, shipping fulfillments,
refunds) and Post-Order v2 cancellation (unverified format); bulk stock is in
ebay_inventory, payload shapes and errors in ebay_wire.

Orders are listed by `creationDate` ascending, then `orderId` (ordering (unverified)).
"""

from __future__ import annotations

import base64
import re
import secrets
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from . import ebay_messages, ebay_returns
from .ebay_inventory import bulk_update_price_quantity
from .ebay_wire import (
    PLATFORM,
    ebay_error,
    error_response,
    json_object,
    millis,
    order_total,
    refunded_total,
    render_order,
    server_error,
    throttled,
    unauthorized,
)
from .routing import bearer, route
from .wire import Response, iso, money, objects, parse_iso

# The pipeline's hooks (see routing.py) partly live in ebay_wire; they are part of this module's interface.
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

TOKEN_LIFETIME = 7200
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
FINANCES_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.finances"
ALL_SCOPES = (
    "https://api.ebay.com/oauth/api_scope",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    FINANCES_SCOPE,
    ebay_messages.MESSAGE_SCOPE,
)
FULFILLMENT_STATUS_FILTERS = ({"NOT_STARTED", "IN_PROGRESS"}, {"FULFILLED", "IN_PROGRESS"})
COMMENT_MAX_LENGTH = 100  # spec: IssueRefundRequest.comment "Max Length: 100" (its error 34921 text says 1000)
# eBay's ReasonForRefundEnum (developer.ebay.com/api-docs/sell/fulfillment/types/api:ReasonForRefundEnum);
# the spec names the enum without listing it.
REFUND_REASONS = (
    "BUYER_CANCEL",
    "SELLER_CANCEL",
    "ITEM_NOT_RECEIVED",
    "BUYER_RETURN",
    "ITEM_NOT_AS_DESCRIBED",
    "OTHER_ADJUSTMENT",
    "SHIPPING_DISCOUNT",
)


# ---- auth ---------------------------------------------------------------------------
def _basic(request) -> tuple[str, str]:
    scheme, _, encoded = request.header("authorization").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        client_id, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return client_id, secret


def token_account(world, request):
    client_id, _ = _basic(request)
    return world.find_account(PLATFORM, client_id=client_id, refresh_token=request.form().get("refresh_token", ""))


def oauth_token(world, account, request) -> Response:
    """refresh_token grant with Basic client credentials → user access token."""
    client_id, secret = _basic(request)
    form = request.form()
    if not any(
        a.platform == PLATFORM and a.credentials["client_id"] == client_id and a.credentials["client_secret"] == secret
        for a in world.accounts.values()
    ):
        return Response(401, {"error": "invalid_client", "error_description": "client authentication failed"})
    if form.get("grant_type") != "refresh_token":
        return Response(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "grant type in request is not supported by the authorization server",
            },
        )
    if account is None:
        return Response(
            400,
            {
                "error": "invalid_grant",
                "error_description": "the provided authorization refresh token is invalid or was issued to another client",
            },
        )
    scopes = form.get("scope", "").split() or list(ALL_SCOPES)
    token = world.issue_token(account, TOKEN_LIFETIME, "v^1.1#i^1#r^0#")
    world.tokens[token]["scopes"] = scopes
    return Response(200, {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "User Access Token"})


def authenticate(world, request):
    account = world.account_for_token(bearer(request.header("authorization")))
    if account is None or account.platform != PLATFORM:
        raise unauthorized()
    return account


# ---- orders -------------------------------------------------------------------------
def _order_or_404(world, account, order_id: str, *, status: int = 404) -> dict:
    order = world.order(account.key, order_id)
    if order is None:
        raise ebay_error(status, 32100, f"Invalid order ID: {order_id}")
    return order


_CRITERION = re.compile(r"(\w+):(\[[^\]]*\]|\{[^}]*\})")


def _parse_filter(text: str) -> dict:
    criteria = {}
    for name, value in _CRITERION.findall(text):
        criteria[name.lower()] = value
    leftovers = _CRITERION.sub("", text).replace(",", "").strip()
    if leftovers:
        raise ebay_error(400, 30700, f"Invalid filter name: {leftovers}")
    for name in criteria:
        if name not in ("creationdate", "lastmodifieddate", "orderfulfillmentstatus"):
            raise ebay_error(400, 30700, f"Invalid filter name: {name}")
    return criteria


def _range(value: str, name: str):
    if not value.startswith("["):
        raise ebay_error(400, 30800, f"Invalid filter value {value} for filter {name}")
    start, _, end = value[1:-1].partition("..")
    if not start:
        raise ebay_error(400, 30820, "Start date is missing")
    try:
        return parse_iso(start), parse_iso(end) if end else None
    except ValueError:
        raise ebay_error(400, 30810, "Invalid date format") from None


def get_orders(world, account, request) -> Response:
    """getOrders: filter/limit/offset paging with absolute next/prev hrefs."""
    limit, offset = request.arg("limit", str(DEFAULT_LIMIT)), request.arg("offset", "0")
    if not limit.isdigit() or not offset.isdigit() or int(limit) < 1:
        raise ebay_error(400, 30800, "Invalid filter value for limit or offset")
    limit, offset = int(limit), int(offset)
    if limit > MAX_LIMIT:
        raise ebay_error(400, 30800, f"Invalid filter value {limit} for filter limit")
    orders = list(world.orders.get(account.key, {}).values())
    order_ids = request.args("orderIds")
    if order_ids:
        if len(order_ids) > 50:
            raise ebay_error(400, 32100, "Too many order IDs: the maximum is 50")
        orders = [o for o in orders if o["id"] in order_ids]
        offset, limit = 0, max(len(orders), 1)
    else:
        orders = _filter(world, orders, _parse_filter(request.arg("filter", "") or ""))
    orders.sort(key=lambda o: (o["created_at"], o["id"]))
    page = orders[offset : offset + limit]
    base = f"{request.base_url}/sell/fulfillment/v1/order"
    params = {k: v[0] for k, v in request.query.items() if k not in ("limit", "offset")}

    def href(at: int) -> str:
        return f"{base}?{urlencode({**params, 'limit': limit, 'offset': at})}"

    body = {
        "href": href(offset),
        "total": len(orders),
        "limit": limit,
        "offset": offset,
        "orders": [render_order(world, o, request.base_url, with_cancel_requests=False) for o in page],
    }
    if offset + limit < len(orders):
        body["next"] = href(offset + limit)
    if offset > 0:
        body["prev"] = href(max(0, offset - limit))
    return Response(200, body, page_key=("orders",))


def _filter(world, orders: list, criteria: dict) -> list:
    now = world.now()
    for field, key in (("creationdate", "created_at"), ("lastmodifieddate", "updated_at")):
        if field not in criteria:
            continue
        start, end = _range(criteria[field], field)
        if start > now or (end and end > now):
            raise ebay_error(400, 30850, "Start and end dates can't be in the future")
        if end and end < start:
            raise ebay_error(400, 30840, "Start date should be before end date")
        low, high = iso(start), iso(end) if end else None  # stored instants are uniform ISO strings
        orders = [o for o in orders if o[key] >= low and (high is None or o[key] <= high)]
    if "orderfulfillmentstatus" in criteria:
        wanted = set(criteria["orderfulfillmentstatus"].strip("{}").split("|"))
        if wanted not in FULFILLMENT_STATUS_FILTERS:
            raise ebay_error(
                400,
                30800,
                f"Invalid filter value {criteria['orderfulfillmentstatus']} for filter orderfulfillmentstatus",
            )
        orders = [o for o in orders if o["status"] in wanted]
    return orders


def get_order(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    return Response(200, render_order(world, order, request.base_url, with_cancel_requests=True))


def _render_fulfillment(shipment: dict) -> dict:
    return {
        "fulfillmentId": shipment["id"],
        "shipmentTrackingNumber": shipment["tracking_number"],
        "shippingCarrierCode": shipment["carrier"],
        "shippedDate": millis(shipment["shipped_at"]),
        "lineItems": [{"lineItemId": l["line_id"], "quantity": l["quantity"]} for l in shipment["lines"]],
    }


def get_shipping_fulfillments(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId, status=400)
    return Response(
        200, {"fulfillments": [_render_fulfillment(s) for s in order["shipments"]], "total": len(order["shipments"])}
    )


def get_shipping_fulfillment(world, account, request, orderId: str, fulfillmentId: str) -> Response:
    order = _order_or_404(world, account, orderId, status=400)
    for shipment in order["shipments"]:
        if shipment["id"] == fulfillmentId:
            return Response(200, _render_fulfillment(shipment))
    raise ebay_error(404, 32100, f"Invalid fulfillment ID: {fulfillmentId}")


def create_shipping_fulfillment(world, account, request, orderId: str) -> Response:
    """createShippingFulfillment: a new package (not idempotent) → 201 + Location."""
    order = _order_or_404(world, account, orderId, status=400)
    body = json_object(request)
    items = body.get("lineItems")
    tracking, carrier = str(body.get("trackingNumber") or ""), str(body.get("shippingCarrierCode") or "")
    if objects(items) is None:
        raise ebay_error(400, 32600, "Invalid input data")
    if not tracking or not carrier or not tracking.isalnum():
        raise ebay_error(400, 32300, "Invalid shipment tracking number or carrier")
    if body.get("shippedDate"):
        try:
            if parse_iso(str(body["shippedDate"])) > world.now():
                raise ebay_error(400, 32500, "Invalid shipped date")
        except ValueError:
            raise ebay_error(400, 32500, "Invalid shipped date") from None
    if order.get("cancel"):
        raise ebay_error(409, 32600, "The order is cancelled")
    lines = {line["id"]: line for line in order["lines"]}
    seen: dict[str, int] = {}
    for item in items:
        line_id = str(item.get("lineItemId", ""))
        if line_id not in lines:
            raise ebay_error(400, 32200, f"Invalid line item id: {line_id}")
        if line_id in seen:
            raise ebay_error(400, 32210, "Duplicate line item in the request")
        line = lines[line_id]
        quantity = item.get("quantity", line["quantity"] - line["quantity_shipped"])
        if not isinstance(quantity, int) or quantity < 1 or line["quantity_shipped"] + quantity > line["quantity"]:
            raise ebay_error(400, 32600, f"Invalid input data: quantity for line item {line_id}")
        seen[line_id] = quantity
    used = {s["id"] for s in order["shipments"]}
    fulfillment_id = tracking if tracking not in used else "".join(secrets.choice("0123456789") for _ in range(22))
    for line_id, quantity in seen.items():
        line = lines[line_id]
        line["quantity_shipped"] += quantity
        line["status"] = "FULFILLED" if line["quantity_shipped"] >= line["quantity"] else "IN_PROGRESS"
    order["status"] = "FULFILLED" if all(l["status"] == "FULFILLED" for l in order["lines"]) else "IN_PROGRESS"
    order["shipments"].append(
        {
            "id": fulfillment_id,
            "carrier": carrier,
            "tracking_number": tracking,
            "shipped_at": str(body.get("shippedDate") or iso(world.now())),
            "lines": [{"line_id": k, "quantity": v} for k, v in seen.items()],
        }
    )
    order["shipped_at"] = order["shipped_at"] or iso(world.now())
    world.touch(order)
    world.record_action(account.key, orderId, "createShippingFulfillment", body)
    location = f"{request.base_url}/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment/{fulfillment_id}"
    return Response(201, {}, {"Location": location})


def issue_refund(world, account, request, order_id: str) -> Response:
    """issueRefund (needs sell.finances): order-level or per-line refund → 200 Refund."""
    token = world.tokens.get(bearer(request.header("authorization")), {})
    if FINANCES_SCOPE not in token.get("scopes", ALL_SCOPES):
        raise ebay_error(
            403, 1100, "Access denied", domain="ACCESS", long_message="Insufficient permissions to fulfill the request."
        )
    order = _order_or_404(world, account, order_id)
    body = json_object(request)
    if not body.get("reasonForRefund"):
        raise ebay_error(400, 34903, "The refund reason must be specified.")
    if body["reasonForRefund"] not in REFUND_REASONS:
        raise ebay_error(400, 34903, "The refund reason must be one of the ReasonForRefundEnum values.")
    if len(str(body.get("comment") or "")) > COMMENT_MAX_LENGTH:
        raise ebay_error(
            400, 34921, "The comment exceeds the length limit, please make sure it doesn't exceed 100 characters."
        )
    items = body.get("refundItems") or []
    if items and objects(items) is None:
        raise ebay_error(400, 34902, "Request can't be empty.")
    if not items and not body.get("orderLevelRefundAmount"):
        raise ebay_error(400, 34905, "Either orderLevelRefundAmount or refundItems must be specified.")
    refunds = []
    if body.get("orderLevelRefundAmount"):
        refunds.append((None, _refund_amount(body["orderLevelRefundAmount"])))
    lines = {line["id"]: line for line in order["lines"]}
    for item in items:
        line = lines.get(str(item.get("lineItemId", "")))
        if line is None:
            raise ebay_error(400, 34914, "Can't find the item in the order.")
        amount = _refund_amount(item.get("refundAmount") or {})
        line_total = money(line["unit_price"]) * line["quantity"] + money(line["shipping_price"])
        if money(line["refunded_amount"]) + amount > line_total:
            raise ebay_error(
                409, 34924, "The item refund amount exceeds the item remaining amount.", category="BUSINESS"
            )
        refunds.append((line, amount))
    if refunded_total(order) + sum(a for _, a in refunds) > order_total(order):
        raise ebay_error(400, 34915, "The refund amount exceeds order amount.")
    refund_id = f"5{secrets.randbelow(10**11):011d}"
    for line, amount in refunds:
        if line is not None:
            line["refunded_amount"] = str(money(line["refunded_amount"]) + amount)
        order["refunds"].append(
            {
                "id": refund_id,
                "line_id": line["id"] if line else None,
                "amount": str(amount),
                "reason": body["reasonForRefund"],
                "created_at": iso(world.now()),
            }
        )
    world.touch(order)
    world.record_action(account.key, order_id, "issueRefund", body)
    return Response(200, {"refundId": refund_id, "refundStatus": "PENDING"})


def _refund_amount(value: dict) -> Decimal:
    if not isinstance(value, dict) or value.get("value") in (None, ""):
        raise ebay_error(400, 34906, "The amount value must be specified.")
    if not value.get("currency"):
        raise ebay_error(400, 34908, "The amount currency must be specified.")
    if value["currency"] != "EUR":  # every sandbox order is in euros
        raise ebay_error(400, 34909, "The amount currency isn't correct.")
    try:
        amount = Decimal(str(value["value"]))
    except InvalidOperation:
        amount = Decimal("-1")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ebay_error(400, 34907, "The amount value must be positive and within two decimals.")
    return amount


# ---- post-order cancellation (format (unverified)) -------------------------------------
def _find(world, account, order_id: str) -> dict | None:
    order = world.order(account.key, order_id)
    if order is None:
        order = next((o for o in world.orders.get(account.key, {}).values() if o["reference"] == order_id), None)
    return order


def create_cancellation(world, account, request) -> Response:
    """Post-Order cancellation by the seller of an unshipped order → 201 {cancelId}."""
    body = json_object(request)
    order = _find(world, account, str(body.get("legacyOrderId") or ""))
    if order is None:
        raise ebay_error(400, 1500, "Invalid legacyOrderId", domain="API_POSTORDER")
    if order.get("cancel"):
        raise ebay_error(409, 1501, "The order is already cancelled", domain="API_POSTORDER", category="BUSINESS")
    if any(line["quantity_shipped"] for line in order["lines"]):
        raise ebay_error(
            409, 1502, "The order has been shipped and cannot be cancelled", domain="API_POSTORDER", category="BUSINESS"
        )
    cancel_id = str(5_000_000_000 + secrets.randbelow(999_999_999))
    _cancel(
        world,
        order,
        initiator="Seller",
        reason=str(body.get("cancelReason") or "OUT_OF_STOCK_OR_CANNOT_FULFILL"),
        cancel_id=cancel_id,
    )
    world.record_action(account.key, order["id"], "createCancellation", body)
    return Response(201, {"cancelId": cancel_id})


def approve_cancellation(world, account, request, cancelId: str) -> Response:
    """The seller approves a buyer's cancellation request → the order is cancelled."""
    order = next(
        (o for o in world.orders.get(account.key, {}).values() if (o.get("buyer_cancel") or {}).get("id") == cancelId),
        None,
    )
    if order is None or order.get("cancel"):
        raise ebay_error(404, 1503, f"Invalid cancelId: {cancelId}", domain="API_POSTORDER")
    _cancel(world, order, initiator="Buyer", reason=order["buyer_cancel"]["reason"], cancel_id=cancelId)
    world.record_action(account.key, order["id"], "approveCancellation", {"cancelId": cancelId})
    return Response(200, {})


def _cancel(world, order: dict, *, initiator: str, reason: str, cancel_id: str) -> None:
    order["cancel"] = {"initiator": initiator, "reason": reason, "id": cancel_id, "at": iso(world.now(), millis=True)}
    order["buyer_cancel"] = None
    for line in order["lines"]:
        line["quantity_cancelled"] = line["quantity"] - line["quantity_shipped"]
    world.touch(order)


# getSellerStandardsProfile (sell_analytics_v1): the seller's standards for a program and cycle. The spec
# types a metric's `value` as a string and does not list the keys: the keys (eBay's seller-standards
# page) and the value as a percentage are unverified; fixed figures of an above-standard seller.
SELLER_STANDARDS = {
    "SHIPPING_MISS_RATE": "1.52",
    "DEFECTIVE_TRANSACTION_RATE": "0.61",
    "TRACKING_UPLOADED_ON_TIME_AND_VALIDATED": "96.80",
}
STANDARDS_PROGRAMS = ("PROGRAM_DE", "PROGRAM_UK", "PROGRAM_US", "PROGRAM_GLOBAL")


def seller_standards_profile(world, account, request, program: str, cycle: str) -> Response:
    if program not in STANDARDS_PROGRAMS or cycle not in ("CURRENT", "PROJECTED"):
        return Response(
            400, {"errors": [{"errorId": 54403, "domain": "API_ANALYTICS", "message": "Invalid program or cycle."}]}
        )
    return Response(
        200,
        {
            "program": program,
            "cycle": {"cycleType": cycle, "evaluationDate": "2026-11-20T00:00:00.000Z", "evaluationMonth": "2026-11"},
            "defaultProgram": True,
            "standardsLevel": "ABOVE_STANDARD",
            "evaluationReason": "Seller level generated by standards monthly evaluation cycle",
            "metrics": [{"metricKey": key, "value": value} for key, value in SELLER_STANDARDS.items()],
        },
    )


ROUTES = [
    route("POST", "/identity/v1/oauth2/token", "token", oauth_token, kind="token"),
    route(
        "GET",
        "/sell/analytics/v1/seller_standards_profile/{program}/{cycle}",
        "getSellerStandardsProfile",
        seller_standards_profile,
    ),
    route(
        "GET", "/commerce/message/v1/conversation", "getConversations", ebay_messages.get_conversations, is_list=True
    ),
    route(
        "GET", "/commerce/message/v1/conversation/{conversation_id}", "getConversation", ebay_messages.get_conversation
    ),
    route("POST", "/commerce/message/v1/send_message", "sendMessage", ebay_messages.send_message),
    route("GET", "/sell/fulfillment/v1/order", "getOrders", get_orders, is_list=True),
    route("GET", "/sell/fulfillment/v1/order/{orderId}", "getOrder", get_order),
    route(
        "GET",
        "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment",
        "getShippingFulfillments",
        get_shipping_fulfillments,
    ),
    route(
        "POST",
        "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment",
        "createShippingFulfillment",
        create_shipping_fulfillment,
    ),
    route(
        "GET",
        "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment/{fulfillmentId}",
        "getShippingFulfillment",
        get_shipping_fulfillment,
    ),
    route("POST", "/sell/fulfillment/v1/order/{order_id}/issue_refund", "issueRefund", issue_refund),
    route(
        "POST", "/sell/inventory/v1/bulk_update_price_quantity", "bulkUpdatePriceQuantity", bulk_update_price_quantity
    ),
    route("POST", "/post-order/v2/cancellation", "createCancellation", create_cancellation),
    route("GET", "/post-order/v2/return/search", "searchReturns", ebay_returns.search_returns),
    route("POST", "/post-order/v2/return/{returnId}/decide", "decideReturn", ebay_returns.decide_return),
    route(
        "POST", "/post-order/v2/return/{returnId}/mark_as_received", "markReturnReceived", ebay_returns.mark_as_received
    ),
    route("POST", "/post-order/v2/cancellation/{cancelId}/approve", "approveCancellation", approve_cancellation),
]
