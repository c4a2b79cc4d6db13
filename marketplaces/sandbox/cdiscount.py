"""Octopia (Cdiscount) seller API v2, in the format agreed with the connector (README.md).

No official spec exists: every constant and shape here is (unverified), kept in this file.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from . import cdiscount_claims, cdiscount_discussions
from .catalogue import BY_SKU
from .lifecycle import set_status
from .routing import bearer, route
from .wire import ApiError, Response, iso, money, objects, parse_iso

PLATFORM = "cdiscount"
TOKEN_LIFETIME = 7200
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 100
MAX_OFFERS_PER_PACKAGE = 1000
PROBLEM_TYPE = "https://developer.octopia-io.net/problems/"
SALES_CHANNELS = {"CDISFR": "Cdiscount"}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
CARRIERS = (
    ("COLISSIMO", "Colissimo"),
    ("CHRONOPOST", "Chronopost"),
    ("DHL", "DHL"),
    ("UPS", "UPS"),
    ("DPD", "DPD"),
    ("GLS", "GLS"),
    ("MONDIAL_RELAY", "Mondial Relay"),
    ("RELAIS_COLIS", "Relais Colis"),
    ("COLIS_PRIVE", "Colis Privé"),
    ("FEDEX", "FedEx/TNT"),
)
SHIPPABLE = ("Accepted", "InPreparation")
CANCELLABLE = ("WaitingAcceptance", "Accepted", "InPreparation")
REFUNDABLE = ("Shipped", "Delivered", "InPreparation", "Cancelled")


def error_response(err: ApiError) -> Response:
    body = {
        "type": PROBLEM_TYPE + (err.code or TITLES.get(err.status, "error").lower().replace(" ", "-")),
        "title": TITLES.get(err.status, "Error"),
        "status": err.status,
        "detail": err.message,
    }
    if err.extra.get("errors"):
        body["errors"] = err.extra["errors"]
    headers = {"Retry-After": err.extra["retry_after"]} if "retry_after" in err.extra else {}
    return Response(err.status, body, headers, content_type="application/problem+json")


def throttled(retry_after: float) -> Response:
    return error_response(
        ApiError(
            429,
            "too-many-requests",
            "Rate limit exceeded, retry later",
            extra={"retry_after": str(max(1, int(retry_after + 0.999)))},
        )
    )


def server_error(status: int) -> Response:
    return error_response(ApiError(status, "", "The server could not process the request"))


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "The access token is missing, invalid or expired")


def _bad(detail: str, field: str = "") -> ApiError:
    return ApiError(400, "validation-error", detail, extra={"errors": [{"field": field, "message": detail}]})


# ---- auth ---------------------------------------------------------------------------
def token_account(world, request):
    return world.find_account(PLATFORM, client_id=request.form().get("client_id", ""))


def token(world, account, request) -> Response:
    """client_credentials grant → Bearer token (401 invalid_client)."""
    form = request.form()
    if form.get("grant_type") != "client_credentials":
        return Response(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"})
    if account is None or account.credentials["client_secret"] != form.get("client_secret"):
        return Response(
            401, {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}
        )
    access = world.issue_token(account, TOKEN_LIFETIME, "eyJhbGciOiJSUzI1NiJ9.")
    return Response(
        200,
        {
            "access_token": access,
            "expires_in": TOKEN_LIFETIME,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        },
    )


def authenticate(world, request):
    account = world.account_for_token(bearer(request.header("authorization")))
    if account is None or account.platform != PLATFORM:
        raise unauthorized()
    if request.header("sellerid") != account.credentials["seller_id"]:
        raise ApiError(403, "forbidden", "The SellerId header is missing or does not match the token")
    return account


# ---- rendering ----------------------------------------------------------------------
def _address(address: dict, relay_id: str) -> dict:
    return {
        "firstName": address["first_name"],
        "lastName": address["last_name"],
        "companyName": address["company"],
        "addressLine1": address["line1"],
        "addressLine2": address["line2"],
        "postalCode": address["postal_code"],
        "city": address["city"],
        "countryCode": address["country_code"],
        "phone": address["phone"],
        "relayId": relay_id,
    }


def render_order(account, order: dict) -> dict:
    lines = []
    for line in order["lines"]:
        unit = money(line["unit_price"])
        lines.append(
            {
                "lineId": line["id"],
                "sellerProductId": line["sku"],
                "productId": line["ean"],
                "productTitle": line["title"],
                "quantity": line["quantity"],
                "unitPrice": unit,
                "totalPrice": unit * line["quantity"],
                "shippingPrice": money(line["shipping_price"]),
                "status": line["status"],
            }
        )
    shipping = sum((l["shippingPrice"] for l in lines), Decimal("0"))
    channel = account.credentials.get("sales_channel_id", "CDISFR")
    buyer = order["buyer"]
    return {
        "orderId": order["id"],
        "reference": order["reference"],
        "businessOrder": order["is_business"],
        "salesChannel": {"id": channel, "name": SALES_CHANNELS.get(channel, channel)},
        "seller": {"id": account.credentials["seller_id"]},
        "customer": {
            "reference": buyer["customer_id"],
            "firstName": buyer["first_name"],
            "lastName": buyer["last_name"],
            "email": f"{buyer['email'].split('@')[0]}@cdiscount-marketplace.fr",
        },
        "purchasedAt": order["created_at"],
        "createdAt": order["created_at"],
        "updatedAt": order["updated_at"],
        "shippedAtMax": order["ship_by"],
        "acceptanceDeadline": order["acceptance_deadline"],
        "status": order["status"],
        "supplyMode": "Fulfillment" if order["fulfilled_by_marketplace"] else "Seller",
        "currencyCode": "EUR",
        "totalPrice": sum((l["totalPrice"] for l in lines), Decimal("0")) + shipping,
        "shippingPrice": shipping,
        "shippingMethod": order["shipping_method"],
        "billingAddress": _address(order["billing_address"], ""),
        "shippingAddress": _address(order["shipping_address"], order["relay_id"]),
        "lines": lines,
    }


# ---- orders -------------------------------------------------------------------------
def _order(world, account, order_id: str, *, writable: bool = False) -> dict:
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "not-found", f"Order {order_id} not found")
    if writable and order["fulfilled_by_marketplace"]:
        raise ApiError(409, "conflict", f"Order {order_id} is fulfilled by Cdiscount and is read-only")
    return order


def _int_arg(request, name: str, default: int, low: int, high: int) -> int:
    value = request.arg(name, str(default))
    if not value.isdigit() or not low <= int(value) <= high:
        raise _bad(f"{name} must be an integer between {low} and {high}", name)
    return int(value)


def list_orders(world, account, request) -> Response:
    """GET /seller/v2/orders: updatedAt-sorted pages (pageIndex 1-based)."""
    size = _int_arg(request, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    index = _int_arg(request, "pageIndex", 1, 1, 10**6)
    bounds = []
    for name in ("updatedAtMin", "updatedAtMax"):
        value = request.arg(name)
        try:
            bounds.append(iso(parse_iso(value)) if value else None)  # compared as uniform ISO text
        except ValueError:
            raise _bad(f"{name} must be an ISO 8601 date-time", name) from None
    statuses = set(request.args("status"))
    channel = request.arg("salesChannelId")
    chosen = []
    for order in world.orders.get(account.key, {}).values():
        updated = order["updated_at"]
        if (bounds[0] and updated < bounds[0]) or (bounds[1] and updated > bounds[1]):
            continue
        if statuses and order["status"] not in statuses:
            continue
        if channel and channel != account.credentials.get("sales_channel_id", "CDISFR"):
            continue
        chosen.append(order)
    chosen.sort(key=lambda o: (o["updated_at"], o["id"]))
    page = chosen[(index - 1) * size : index * size]
    return Response(
        200,
        {
            "itemsPerPage": size,
            "pageIndex": index,
            "totalItems": len(chosen),
            "items": [render_order(account, o) for o in page],
        },
        page_key=("items",),
    )


# GET /sellers/indicators (unverified: no Octopia spec is stored; the names are MARKETPLACES.md's, the shape
# ours): fixed figures of a healthy seller over the last 30 days, in percent.
INDICATORS = {
    "order_acceptation": 98.5,
    "product_shipping": 99.1,
    "deadline_compliance": 96.4,
    "order_claims": 0.9,
    "order_refunds": 1.8,
}


def seller_indicators(world, account, request) -> Response:
    return Response(
        200,
        {
            "indicators": [
                {"name": name, "value": value, "period": "LAST_30_DAYS"} for name, value in INDICATORS.items()
            ]
        },
    )


def get_order(world, account, request, orderId: str) -> Response:
    return Response(200, render_order(account, _order(world, account, orderId)))


def _body(request) -> dict:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise _bad("The body must be a JSON object")
    return body


def validate(world, account, request, orderId: str) -> Response:
    """Accepts/refuses every line of a WaitingAcceptance order → 204 (409 in another status)."""
    order = _order(world, account, orderId, writable=True)
    body = _body(request)
    decisions = objects(body.get("lines"))
    if decisions is None:
        raise _bad("lines must be a list of {lineId, accepted}", "lines")
    if order["status"] != "WaitingAcceptance":
        raise ApiError(409, "conflict", f"Order {orderId} is in status {order['status']}, not WaitingAcceptance")
    lines = {line["id"]: line for line in order["lines"]}
    decided: dict[str, bool] = {}
    for position, decision in enumerate(decisions):
        line_id = str(decision.get("lineId", ""))
        if line_id not in lines or line_id in decided:
            raise _bad(f"Unknown or repeated lineId {line_id}", f"lines[{position}].lineId")
        if not isinstance(decision.get("accepted"), bool):
            raise _bad("accepted must be a boolean", f"lines[{position}].accepted")
        decided[line_id] = decision["accepted"]
    if set(decided) != set(lines):
        raise _bad("Every line of the order must be accepted or refused", "lines")
    for line_id, accepted in decided.items():
        lines[line_id]["status"] = "Accepted" if accepted else "Refused"
    order["status"] = "Accepted" if any(decided.values()) else "Refused"
    world.touch(order)
    world.record_action(account.key, orderId, "validate", body)
    return Response(204)


def create_shipment(world, account, request, orderId: str) -> Response:
    """A new shipment (not idempotent) → 201 {shipmentId}; Shipped once every line is."""
    order = _order(world, account, orderId, writable=True)
    body = _body(request)
    for name in ("carrierCode", "trackingNumber", "lines"):
        if not body.get(name):
            raise _bad(f"{name} is required", name)
    if objects(body["lines"]) is None:
        raise _bad("lines must be a list of {lineId, quantity}", "lines")
    if body["carrierCode"] not in {c[0] for c in CARRIERS}:
        raise _bad(f"Unknown carrierCode {body['carrierCode']}", "carrierCode")
    if order["status"] not in SHIPPABLE:
        raise ApiError(409, "conflict", f"Order {orderId} cannot be shipped in status {order['status']}")
    lines = {line["id"]: line for line in order["lines"]}
    wanted: dict[str, int] = {}
    for position, item in enumerate(body["lines"]):
        line = lines.get(str(item.get("lineId", "")))
        quantity = item.get("quantity")
        if line is None or line["status"] not in ("Accepted", "Shipped"):
            raise _bad(f"Line {item.get('lineId')} cannot be shipped", f"lines[{position}].lineId")
        if not isinstance(quantity, int) or quantity < 1:
            raise _bad("quantity must be a positive integer", f"lines[{position}].quantity")
        wanted[line["id"]] = wanted.get(line["id"], 0) + quantity
        if line["quantity_shipped"] + wanted[line["id"]] > line["quantity"]:
            raise _bad(f"Line {line['id']} would ship more than ordered", f"lines[{position}].quantity")
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        line["quantity_shipped"] += quantity
        if line["quantity_shipped"] >= line["quantity"]:
            line["status"] = "Shipped"
    shipment_id = "SHP-" + secrets.token_hex(6).upper()
    order["shipments"].append(
        {
            "id": shipment_id,
            "carrier": body["carrierCode"],
            "tracking_number": body["trackingNumber"],
            "tracking_url": body.get("trackingUrl", ""),
            "shipped_at": iso(world.now()),
            "lines": [{"line_id": k, "quantity": v} for k, v in wanted.items()],
        }
    )
    done = all(l["status"] in ("Shipped", "Refused", "Cancelled") for l in order["lines"])
    order["status"] = "Shipped" if done else "InPreparation"
    if done and not order["shipped_at"]:
        order["shipped_at"] = iso(world.now())  # delivery follows a few days after the last parcel
    world.touch(order)
    world.record_action(account.key, orderId, "createShipment", body)
    location = f"{request.base_url}/seller/v2/orders/{orderId}/shipments/{shipment_id}"
    return Response(201, {"shipmentId": shipment_id}, {"Location": location})


def list_shipments(world, account, request, orderId: str) -> Response:
    order = _order(world, account, orderId)
    return Response(
        200,
        {
            "items": [
                {
                    "shipmentId": s["id"],
                    "carrierCode": s["carrier"],
                    "trackingNumber": s["tracking_number"],
                    "trackingUrl": s.get("tracking_url", ""),
                    "createdAt": s["shipped_at"],
                    "lines": [{"lineId": l["line_id"], "quantity": l["quantity"]} for l in s["lines"]],
                }
                for s in order["shipments"]
            ]
        },
    )


def cancel(world, account, request, orderId: str) -> Response:
    """Seller cancellation of an order with nothing shipped → 204."""
    order = _order(world, account, orderId, writable=True)
    body = _body(request) if request.body else {}
    if order["status"] not in CANCELLABLE or any(l["quantity_shipped"] for l in order["lines"]):
        raise ApiError(409, "conflict", f"Order {orderId} cannot be cancelled in status {order['status']}")
    for line in order["lines"]:
        line["quantity_cancelled"] = line["quantity"]
    set_status(world, order, "Cancelled")
    order["cancel"] = {"reason": body.get("reason", ""), "at": iso(world.now())}
    world.record_action(account.key, orderId, "cancel", body)
    return Response(204)


def create_refund(world, account, request, orderId: str) -> Response:
    """Per-line refunds, never more than a line cost → 201 {refundId}."""
    order = _order(world, account, orderId, writable=True)
    body = _body(request)
    entries = objects(body.get("lines"))
    if entries is None:
        raise _bad("lines must be a list of {lineId, amount}", "lines")
    if order["status"] not in REFUNDABLE:
        raise ApiError(409, "conflict", f"Order {orderId} cannot be refunded in status {order['status']}")
    lines = {line["id"]: line for line in order["lines"]}
    planned: dict[str, Decimal] = {}
    for position, entry in enumerate(entries):
        line = lines.get(str(entry.get("lineId", "")))
        amount = entry.get("amount")
        if line is None:
            raise _bad(f"Unknown lineId {entry.get('lineId')}", f"lines[{position}].lineId")
        if not isinstance(amount, (int, Decimal)) or amount <= 0:
            raise _bad("amount must be a positive number", f"lines[{position}].amount")
        planned[line["id"]] = planned.get(line["id"], Decimal("0")) + money(amount)
        ceiling = money(line["unit_price"]) * line["quantity"] + money(line["shipping_price"])
        if money(line["refunded_amount"]) + planned[line["id"]] > ceiling:
            raise _bad(f"Refund exceeds what line {line['id']} cost", f"lines[{position}].amount")
    refund_id = "RFD-" + secrets.token_hex(6).upper()
    for line_id, amount in planned.items():
        lines[line_id]["refunded_amount"] = str(money(lines[line_id]["refunded_amount"]) + amount)
        order["refunds"].append(
            {
                "id": refund_id,
                "line_id": line_id,
                "amount": str(amount),
                "reason": body.get("reason", ""),
                "created_at": iso(world.now()),
            }
        )
    world.touch(order)
    world.record_action(account.key, orderId, "createRefund", body)
    return Response(201, {"refundId": refund_id})


def list_refunds(world, account, request, orderId: str) -> Response:
    """The order's refunds, one item per refund id with its lines."""
    order = _order(world, account, orderId)
    refunds: dict[str, dict] = {}
    for entry in order["refunds"]:
        refund = refunds.setdefault(
            entry["id"],
            {"refundId": entry["id"], "reason": entry["reason"], "createdAt": entry["created_at"], "lines": []},
        )
        refund["lines"].append({"lineId": entry["line_id"], "amount": money(entry["amount"])})
    return Response(200, {"items": list(refunds.values())})


# ---- offers and carriers ------------------------------------------------------------
def create_offer_package(world, account, request) -> Response:
    """Stock update of ≤ 1000 offers, published at once → 202 {packageId}."""
    body = _body(request)
    offers = objects(body.get("offers"))
    if body.get("type") != "Update":
        raise _bad("type must be Update", "type")
    if offers is None or len(offers) > MAX_OFFERS_PER_PACKAGE:
        raise _bad(f"offers must hold 1 to {MAX_OFFERS_PER_PACKAGE} offers", "offers")
    for position, offer in enumerate(offers):
        stock = offer.get("stock")
        if not offer.get("sellerProductId") or not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
            raise _bad("each offer needs a sellerProductId and an integer stock >= 0", f"offers[{position}]")
    errors = []
    for offer in offers:
        refusal = account.stock_rejections.get(offer["sellerProductId"])
        if refusal:  # told to refuse it (admin stock-rejections)
            errors.append({"sellerProductId": offer["sellerProductId"], "message": refusal})
        elif offer["sellerProductId"] in BY_SKU:
            world.publish_stock(account.key, offer["sellerProductId"], offer["stock"], "offer-packages")
        else:
            errors.append({"sellerProductId": offer["sellerProductId"], "message": "Unknown product"})
    package_id = "PKG-" + secrets.token_hex(8).upper()
    world.documents.setdefault("cdiscount_packages", {})[package_id] = {
        "account": account.key,
        "packageId": package_id,
        "type": "Update",
        "status": "Integrated",
        "createdAt": iso(world.now()),
        "offerCount": len(offers),
        "errors": errors,
    }
    world.record_action(account.key, "stock", "createOfferPackage", body)
    return Response(202, {"packageId": package_id})


def get_offer_package(world, account, request, packageId: str) -> Response:
    package = world.documents.get("cdiscount_packages", {}).get(packageId)
    if package is None or package["account"] != account.key:
        raise ApiError(404, "not-found", f"Offer package {packageId} not found")
    return Response(200, {k: v for k, v in package.items() if k != "account"})


def list_carriers(world, account, request) -> Response:
    return Response(200, {"items": [{"code": code, "name": name} for code, name in CARRIERS]})


ROUTES = [
    route("POST", "/auth/realms/maas/protocol/openid-connect/token", "token", token, kind="token"),
    route("GET", "/seller/v2/orders", "getOrders", list_orders, is_list=True),
    route("GET", "/seller/v2/sellers/indicators", "getSellerIndicators", seller_indicators),
    route("GET", "/seller/v2/orders/{orderId}", "getOrder", get_order),
    route("POST", "/seller/v2/orders/{orderId}/validate", "validateOrder", validate),
    route("POST", "/seller/v2/orders/{orderId}/shipments", "createShipment", create_shipment),
    route("GET", "/seller/v2/orders/{orderId}/shipments", "getShipments", list_shipments),
    route("POST", "/seller/v2/orders/{orderId}/cancel", "cancelOrder", cancel),
    route("POST", "/seller/v2/orders/{orderId}/refunds", "createRefund", create_refund),
    route("GET", "/seller/v2/orders/{orderId}/refunds", "getRefunds", list_refunds),
    route("POST", "/seller/v2/offer-packages", "createOfferPackage", create_offer_package),
    route("GET", "/seller/v2/offer-packages/{packageId}", "getOfferPackage", get_offer_package),
    route("GET", "/seller/v2/carriers", "getCarriers", list_carriers),
    route("GET", "/seller/v2/claims", "getClaims", cdiscount_claims.list_claims),
    route("GET", "/seller/v2/discussions", "getDiscussions", cdiscount_discussions.list_discussions, is_list=True),
    route("GET", "/seller/v2/discussions/{discussionId}", "getDiscussion", cdiscount_discussions.get_discussion),
    route(
        "POST",
        "/seller/v2/discussions/{discussionId}/messages",
        "postDiscussionMessage",
        cdiscount_discussions.post_message,
    ),
]
