"""Amazon SP-API: LWA token, Orders v0 and confirmShipment; listings and feeds are in amazon_listings.

Responses are built from the schemas of specs/amazon/*.json (see amazon_wire). Seller
cancellation and refunds go through feeds, stock through patchListingsItem or a
JSON_LISTINGS_FEED (amazon_listings).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from . import amazon_reports
from .amazon_listings import (
    create_feed,
    create_feed_document,
    download_document,
    get_feed,
    get_feed_document,
    get_listings_item,
    patch_listings_item,
    upload_document,
)
from .amazon_messaging import ROUTES as MESSAGING_ROUTES
from .amazon_solicitations import ROUTES as SOLICITATIONS_ROUTES
from .amazon_wire import (
    PLATFORM,
    check_marketplaces,
    decorate,
    error_response,
    json_body,
    render_address,
    render_item,
    render_order,
    request_headers,
    server_error,
    throttled,
    unauthorized,
)
from .routing import route
from .wire import ApiError, Response, iso, objects, parse_iso

# The pipeline's hooks (see routing.py) live in amazon_wire; they are part of this module's interface.
__all__ = [
    "PLATFORM",
    "ROUTES",
    "authenticate",
    "decorate",
    "error_response",
    "server_error",
    "throttled",
    "token_account",
    "unauthorized",
]

TOKEN_LIFETIME = 3600
MAX_RESULTS_PER_PAGE = 100
BEFORE_MARGIN_SECONDS = 120  # spec: CreatedBefore/LastUpdatedBefore "at least two minutes before current time"
NEXT_TOKENS_KEPT = 10_000  # oldest NextTokens are forgotten beyond this


# ---- auth ---------------------------------------------------------------------------
def _token_form(request) -> dict:
    if "json" in request.header("content-type"):
        return {k: str(v) for k, v in (request.json() or {}).items()}
    return request.form()


def token_account(world, request):
    form = _token_form(request)
    return world.find_account(
        PLATFORM, client_id=form.get("client_id", ""), refresh_token=form.get("refresh_token", "")
    )


def lwa_token(world, account, request) -> Response:
    """LWA refresh_token grant → access token (400 invalid_grant, 401 invalid_client)."""
    form = _token_form(request)
    if form.get("grant_type") != "refresh_token":
        return Response(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported by the authorization server",
            },
        )
    clients = [
        a
        for a in world.accounts.values()
        if a.platform == PLATFORM
        and a.credentials["client_id"] == form.get("client_id")
        and a.credentials["client_secret"] == form.get("client_secret")
    ]
    if not clients:
        return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    if account is None or account.credentials["client_secret"] != form.get("client_secret"):
        return Response(
            400,
            {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            },
        )
    token = world.issue_token(account, TOKEN_LIFETIME, "Atza|")
    return Response(
        200,
        {
            "access_token": token,
            "refresh_token": account.credentials["refresh_token"],
            "token_type": "bearer",
            "expires_in": TOKEN_LIFETIME,
        },
    )


def authenticate(world, request):
    token = request.header("x-amz-access-token")
    if not token:
        raise unauthorized("Access token is missing in the request header.")
    account = world.account_for_token(token)
    if account is None or account.platform != PLATFORM:
        raise unauthorized(
            "The access token you provided is revoked, malformed or invalid."
            if token not in world.tokens
            else "The access token you provided has expired."
        )
    return account


def restricted_data_token(world, account, request) -> Response:
    token = world.issue_token(account, TOKEN_LIFETIME, "Atz.sprdt|")
    return Response(200, {"restrictedDataToken": token, "expiresIn": TOKEN_LIFETIME}, request_headers())


# ---- orders -------------------------------------------------------------------------
def _order_or_404(world, account, order_id: str) -> dict:
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "NotFound", "Invalid order ID")
    return order


def _instant(request, name: str):
    value = request.arg(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ApiError(400, "InvalidInput", f"Invalid {name}: the date must be in ISO 8601 format") from None


def get_orders(world, account, request) -> Response:
    """getOrders: a page of orders; NextToken pages through the set captured by the first call."""
    tokens = world.documents.setdefault("amazon_next_tokens", {})
    next_token = request.arg("NextToken")
    if next_token:
        remaining = tokens.get(next_token)  # reusable: a retry after a timeout gets the same page
        if remaining is None or remaining["account"] != account.key:
            raise ApiError(400, "InvalidInput", "Invalid NextToken")
        ids, start = remaining["ids"], remaining["start"]
        page_size, bounds = remaining["page_size"], remaining["bounds"]
    else:
        check_marketplaces(account, request.args("MarketplaceIds"))
        (ids, page_size, bounds), start = _select_orders(world, account, request), 0
    page = ids[start : start + page_size]
    orders = [render_order(world.order(account.key, order_id)) for order_id in page]
    payload = {"Orders": orders, **bounds}
    if start + page_size < len(ids):
        token = secrets.token_urlsafe(48)
        while len(tokens) >= NEXT_TOKENS_KEPT:
            del tokens[next(iter(tokens))]
        # Every token of one traversal shares the id list captured by its first call.
        tokens[token] = {
            "account": account.key,
            "ids": ids,
            "start": start + page_size,
            "page_size": page_size,
            "bounds": bounds,
        }
        payload["NextToken"] = token
    return Response(200, {"payload": payload}, request_headers(), page_key=("payload", "Orders"))


def _select_orders(world, account, request) -> tuple[list[str], int, dict]:
    page_size = request.arg("MaxResultsPerPage", str(MAX_RESULTS_PER_PAGE))
    if not page_size.isdigit() or not 1 <= int(page_size) <= MAX_RESULTS_PER_PAGE:
        raise ApiError(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100")
    created_after, updated_after = _instant(request, "CreatedAfter"), _instant(request, "LastUpdatedAfter")
    created_before, updated_before = _instant(request, "CreatedBefore"), _instant(request, "LastUpdatedBefore")
    order_ids = request.args("AmazonOrderIds")
    if not order_ids and not (created_after or updated_after):
        raise ApiError(400, "InvalidInput", "Either CreatedAfter or LastUpdatedAfter must be specified")
    if (created_after or created_before) and (updated_after or updated_before):
        raise ApiError(
            400,
            "InvalidInput",
            "LastUpdatedAfter and LastUpdatedBefore cannot be set when CreatedAfter or CreatedBefore is set",
        )
    latest_allowed = world.now() - dt.timedelta(seconds=BEFORE_MARGIN_SECONDS)
    for name, before, after in (
        ("CreatedBefore", created_before, created_after),
        ("LastUpdatedBefore", updated_before, updated_after),
    ):
        if before and (before > latest_allowed or (after and before < after)):
            raise ApiError(
                400,
                "InvalidInput",
                f"{name} must be equal to or after the matching After date "
                "and at least two minutes before current time",
            )
    statuses = set(request.args("OrderStatuses"))
    channels = set(request.args("FulfillmentChannels"))
    now = world.now()
    chosen = []
    # Stored instants are uniform ISO strings: comparing text is comparing time, and much cheaper.
    created_after, created_before, updated_after, updated_before = (
        iso(m) if m else None for m in (created_after, created_before, updated_after, updated_before)
    )
    for order in world.orders.get(account.key, {}).values():
        created, updated = order["created_at"], order["updated_at"]
        if order_ids and order["id"] not in order_ids:
            continue
        if (created_after and created < created_after) or (created_before and created > created_before):
            continue
        if (updated_after and updated < updated_after) or (updated_before and updated > updated_before):
            continue
        if statuses and order["status"] not in statuses:
            continue
        if channels and ("AFN" if order["fulfilled_by_marketplace"] else "MFN") not in channels:
            continue
        chosen.append(order)
    key = "updated_at" if updated_after else "created_at"
    chosen.sort(key=lambda o: (o[key], o["id"]))
    bounds = (
        {"LastUpdatedBefore": updated_before or iso(now)}
        if updated_after
        else {"CreatedBefore": created_before or iso(now)}
    )
    return [o["id"] for o in chosen], int(page_size), bounds


def get_order(world, account, request, orderId: str) -> Response:
    return Response(200, {"payload": render_order(_order_or_404(world, account, orderId))}, request_headers())


def get_order_items(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    items = [render_item(order, line) for line in order["lines"]]
    return Response(
        200,
        {"payload": {"OrderItems": items, "AmazonOrderId": order["id"]}},
        request_headers(),
        page_key=("payload", "OrderItems"),
    )


def get_order_address(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    payload = {"AmazonOrderId": order["id"]}
    if order["status"] not in ("Pending", "Canceled"):
        payload["ShippingAddress"] = render_address(order)
    return Response(200, {"payload": payload}, request_headers())


def get_order_buyer_info(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    info = render_order(order)["BuyerInfo"]
    return Response(200, {"payload": {"AmazonOrderId": order["id"], **info}}, request_headers())


def confirm_shipment(world, account, request, orderId: str) -> Response:
    """confirmShipment: ships quantities of items (Unshipped/PartiallyShipped, MFN only) → 204."""
    order = _order_or_404(world, account, orderId)
    body = json_body(request)
    detail = body.get("packageDetail") or {}
    if body.get("marketplaceId") != account.credentials["marketplace_id"]:
        raise ApiError(400, "InvalidInput", "Invalid marketplaceId")
    missing = [
        f
        for f in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
        if not detail.get(f)
    ]
    if missing:
        raise ApiError(400, "InvalidInput", f"Missing required field(s) in packageDetail: {', '.join(missing)}")
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        raise ApiError(400, "InvalidInput", "carrierName is required when carrierCode is Other")
    if objects(detail["orderItems"]) is None:
        raise ApiError(400, "InvalidInput", "orderItems must be a list of {orderItemId, quantity}")
    if order["fulfilled_by_marketplace"]:
        raise ApiError(400, "InvalidInput", "Shipment confirmation is not allowed for orders fulfilled by Amazon")
    for shipment in order["shipments"]:
        if shipment["package_reference_id"] == str(detail["packageReferenceId"]):
            if shipment["request"] == body_signature(detail):
                world.record_action(account.key, orderId, "confirmShipment.replay", body)
                return Response(204, None, request_headers())
            raise ApiError(400, "InvalidInput", "packageReferenceId has already been used for this order")
    if order["status"] not in ("Unshipped", "PartiallyShipped"):
        raise ApiError(400, "InvalidInput", f"The order cannot be shipped in status {order['status']}")
    lines = {line["id"]: line for line in order["lines"]}
    wanted: dict[str, int] = {}
    for item in detail["orderItems"]:
        line = lines.get(str(item.get("orderItemId")))
        quantity = item.get("quantity")
        if line is None:
            raise ApiError(400, "InvalidInput", f"Invalid orderItemId {item.get('orderItemId')}")
        if not isinstance(quantity, int) or quantity < 1:
            raise ApiError(400, "InvalidInput", "quantity must be a positive integer")
        wanted[line["id"]] = wanted.get(line["id"], 0) + quantity
        if line["quantity_shipped"] + wanted[line["id"]] > line["quantity"]:
            raise ApiError(400, "InvalidInput", f"Quantity shipped exceeds quantity ordered for {line['id']}")
    for line_id, quantity in wanted.items():
        lines[line_id]["quantity_shipped"] += quantity
    order["shipments"].append(
        {
            "id": str(detail["packageReferenceId"]),
            "package_reference_id": str(detail["packageReferenceId"]),
            "carrier": detail["carrierCode"],
            "carrier_name": detail.get("carrierName", ""),
            "tracking_number": detail["trackingNumber"],
            "shipped_at": detail["shipDate"],
            "lines": [{"line_id": k, "quantity": v} for k, v in wanted.items()],
            "request": body_signature(detail),
        }
    )
    complete = all(line["quantity_shipped"] >= line["quantity"] - line["quantity_cancelled"] for line in order["lines"])
    order["status"] = "Shipped" if complete else "PartiallyShipped"
    order["shipped_at"] = order["shipped_at"] or iso(world.now())
    world.touch(order)
    world.record_action(account.key, orderId, "confirmShipment", body)
    return Response(204, None, request_headers())


def body_signature(detail: dict) -> str:
    return json.dumps({k: str(v) for k, v in sorted(detail.items())}, sort_keys=True)


ROUTES = [
    route("POST", "/auth/o2/token", "token", lwa_token, kind="token"),
    route("GET", "/orders/v0/orders", "getOrders", get_orders, is_list=True),
    route("GET", "/orders/v0/orders/{orderId}", "getOrder", get_order),
    route("GET", "/orders/v0/orders/{orderId}/orderItems", "getOrderItems", get_order_items, is_list=True),
    route("GET", "/orders/v0/orders/{orderId}/address", "getOrderAddress", get_order_address),
    route("GET", "/orders/v0/orders/{orderId}/buyerInfo", "getOrderBuyerInfo", get_order_buyer_info),
    route("POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", "confirmShipment", confirm_shipment),
    route("POST", "/tokens/2021-03-01/restrictedDataToken", "createRestrictedDataToken", restricted_data_token),
    route("GET", "/listings/2021-08-01/items/{sellerId}/{sku}", "getListingsItem", get_listings_item),
    route("PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}", "patchListingsItem", patch_listings_item),
    route("POST", "/feeds/2021-06-30/documents", "createFeedDocument", create_feed_document),
    route("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument", get_feed_document),
    route("POST", "/feeds/2021-06-30/feeds", "createFeed", create_feed),
    route("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed", get_feed),
    route("PUT", "/_documents/{documentId}", "uploadFeedDocument", upload_document, kind="public"),
    route("GET", "/_documents/{documentId}", "downloadFeedDocument", download_document, kind="public"),
    *MESSAGING_ROUTES,
    *SOLICITATIONS_ROUTES,
    route("POST", "/reports/2021-06-30/reports", "createReport", amazon_reports.create_report),
    route("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", amazon_reports.get_report),
    route(
        "GET",
        "/reports/2021-06-30/documents/{reportDocumentId}",
        "getReportDocument",
        amazon_reports.get_report_document,
    ),
]
