"""Amazon SP-API: LWA token, Orders v0, Listings Items 2021-08-01, Feeds 2021-06-30 (minimal).

Responses are built from the schemas of specs/amazon/*.json: `Order`, `OrderItem`,
`Money {CurrencyCode, Amount}` with `Amount` a string, `ErrorList`. Seller cancellation
and refunds go through feeds (POST_ORDER_ACKNOWLEDGEMENT_DATA, POST_PAYMENT_ADJUSTMENT_DATA,
(unverified) formats), stock through patchListingsItem or a JSON_LISTINGS_FEED.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import uuid
from decimal import Decimal

from .routing import route
from .wire import ApiError, Response, iso, money, objects, parse_iso

PLATFORM = "amazon"
TOKEN_LIFETIME = 3600
# The wire brief agrees on 401 for a bad token; real SP-API answers 403 "Unauthorized" (unverified).
UNAUTHORIZED_STATUS = 401
MAX_RESULTS_PER_PAGE = 100
BEFORE_MARGIN_SECONDS = 120  # spec: CreatedBefore/LastUpdatedBefore "at least two minutes before current time"
NEXT_TOKENS_KEPT = 10_000  # oldest NextTokens are forgotten beyond this
SALES_CHANNELS = {"A13V1IB3VIYZZH": "Amazon.fr", "A1PA6795UKMFR9": "Amazon.de",
                  "A1RKKUPIHCS9HS": "Amazon.es", "APJ6JRA9NG5V4": "Amazon.it"}
VAT_RATES = {"A13V1IB3VIYZZH": Decimal("20"), "A1PA6795UKMFR9": Decimal("19"),
             "A1RKKUPIHCS9HS": Decimal("21"), "APJ6JRA9NG5V4": Decimal("22")}
SHIP_SERVICE_LEVEL = {"Standard": "Std FR Dom_1", "Express": "Exp FR Dom_2", "Relay": "Std FR Dom_1"}


# ---- errors -------------------------------------------------------------------------
def _headers(extra: dict | None = None) -> dict:
    return {"x-amzn-RequestId": str(uuid.uuid4()), **(extra or {})}


def decorate(response: Response, operation: str) -> Response:
    """Every SP-API answer names its request; successful ones also give the usage-plan rate."""
    from .ratelimit import RATE_LIMITS

    response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
    limit = RATE_LIMITS.get((PLATFORM, operation))
    if limit and response.status < 400:
        response.headers.setdefault("x-amzn-RateLimit-Limit", str(limit[0]))
    return response


def error_response(err: ApiError) -> Response:
    return Response(err.status, {"errors": [{"code": err.code, "message": err.message,
                                             "details": err.extra.get("details", "")}]}, _headers())


def throttled(retry_after: float) -> Response:
    # Amazon sends no Retry-After: the client backs off on its own.
    return error_response(ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource."))


def server_error(status: int) -> Response:
    code = "ServiceUnavailable" if status == 503 else "InternalFailure"
    return error_response(ApiError(status, code, "We encountered an internal error. Please try again."))


def unauthorized(detail: str = "The access token you provided has expired.") -> ApiError:
    return ApiError(UNAUTHORIZED_STATUS, "Unauthorized", "Access to requested resource is denied.",
                    extra={"details": detail})


# ---- auth ---------------------------------------------------------------------------
def _token_form(request) -> dict:
    if "json" in request.header("content-type"):
        return {k: str(v) for k, v in (request.json() or {}).items()}
    return request.form()


def token_account(world, request):
    form = _token_form(request)
    return world.find_account(PLATFORM, client_id=form.get("client_id", ""),
                              refresh_token=form.get("refresh_token", ""))


def lwa_token(world, account, request) -> Response:
    form = _token_form(request)
    if form.get("grant_type") != "refresh_token":
        return Response(400, {"error": "unsupported_grant_type",
                              "error_description": "The authorization grant type is not supported by the authorization server"})
    clients = [a for a in world.accounts.values() if a.platform == PLATFORM
               and a.credentials["client_id"] == form.get("client_id")
               and a.credentials["client_secret"] == form.get("client_secret")]
    if not clients:
        return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    if account is None or account.credentials["client_secret"] != form.get("client_secret"):
        return Response(400, {"error": "invalid_grant",
                              "error_description": "The request has an invalid grant parameter : refresh_token"})
    token = world.issue_token(account, TOKEN_LIFETIME, "Atza|")
    return Response(200, {"access_token": token, "refresh_token": account.credentials["refresh_token"],
                          "token_type": "bearer", "expires_in": TOKEN_LIFETIME})


def authenticate(world, request):
    token = request.header("x-amz-access-token")
    if not token:
        raise unauthorized("Access token is missing in the request header.")
    account = world.account_for_token(token)
    if account is None or account.platform != PLATFORM:
        raise unauthorized("The access token you provided is revoked, malformed or invalid."
                           if token not in world.tokens else "The access token you provided has expired.")
    return account


def restricted_data_token(world, account, request) -> Response:
    token = world.issue_token(account, TOKEN_LIFETIME, "Atz.sprdt|")
    return Response(200, {"restrictedDataToken": token, "expiresIn": TOKEN_LIFETIME}, _headers())


# ---- rendering ----------------------------------------------------------------------
def _money(amount: Decimal) -> dict:
    return {"CurrencyCode": "EUR", "Amount": str(money(amount))}


def _vat(order: dict, gross: Decimal) -> Decimal:
    rate = VAT_RATES.get(order["marketplace_id"], Decimal("20"))
    return money(gross - gross / (1 + rate / 100))


def _order_total(order: dict) -> Decimal:
    return sum((money(l["unit_price"]) * l["quantity"] + money(l["shipping_price"]) for l in order["lines"]),
               Decimal("0"))


def render_order(order: dict) -> dict:
    shipped = sum(line["quantity_shipped"] for line in order["lines"])
    ordered = sum(line["quantity"] for line in order["lines"])
    afn = order["fulfilled_by_marketplace"]
    body = {
        "AmazonOrderId": order["id"],
        "PurchaseDate": order["created_at"],
        "LastUpdateDate": order["updated_at"],
        "OrderStatus": order["status"],
        "FulfillmentChannel": "AFN" if afn else "MFN",
        "SalesChannel": SALES_CHANNELS.get(order["marketplace_id"], "Amazon.fr"),
        "ShipServiceLevel": SHIP_SERVICE_LEVEL.get(order["shipping_method"], "Std FR Dom_1"),
        "OrderTotal": _money(_order_total(order)),
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": 0 if order["status"] == "Canceled" else ordered - shipped,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": order["marketplace_id"],
        "ShipmentServiceLevelCategory": "Expedited" if order["shipping_method"] == "Express" else "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": order["earliest_ship"],
        "EarliestDeliveryDate": order["ship_by"],
        "LatestDeliveryDate": order["deliver_by"],
        "IsBusinessOrder": order["is_business"],
        "IsPrime": order["is_prime"],
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
        "AutomatedShippingSettings": {"HasAutomatedShippingSettings": False},
        "BuyerInfo": {"BuyerEmail": f"{order['buyer']['email'].split('@')[0]}@marketplace."
                                    f"{SALES_CHANNELS.get(order['marketplace_id'], 'Amazon.fr').lower()}"},
    }
    if not afn:
        body["LatestShipDate"] = order["ship_by"]  # only returned for seller-fulfilled orders
    if order["status"] not in ("Pending", "Canceled", "PendingAvailability"):
        body["ShippingAddress"] = render_address(order)
        body["BuyerInfo"]["BuyerName"] = f"{order['buyer']['first_name']} {order['buyer']['last_name']}"
    return body


def render_address(order: dict) -> dict:
    address = order["shipping_address"]
    out = {
        "Name": f"{address['first_name']} {address['last_name']}",
        "AddressLine1": address["line1"],
        "City": address["city"],
        "PostalCode": address["postal_code"],
        "CountryCode": address["country_code"],
        "Phone": address["phone"],
        "AddressType": "Commercial" if address["company"] else "Residential",
    }
    if address["company"]:
        out["CompanyName"] = address["company"]
    if address["line2"]:
        out["AddressLine2"] = address["line2"]
    return out


def render_item(order: dict, line: dict) -> dict:
    price = money(line["unit_price"]) * line["quantity"]
    shipping = money(line["shipping_price"])
    zero = _money(Decimal("0"))
    return {
        "ASIN": line["asin"],
        "SellerSKU": line["sku"],
        "OrderItemId": line["id"],
        "Title": line["title"],
        "QuantityOrdered": line["quantity"],
        "QuantityShipped": line["quantity_shipped"],
        "ProductInfo": {"NumberOfItems": "1"},
        "ItemPrice": _money(price),
        "ShippingPrice": _money(shipping),
        "ItemTax": _money(_vat(order, price)),
        "ShippingTax": _money(_vat(order, shipping)),
        "ShippingDiscount": zero,
        "ShippingDiscountTax": zero,
        "PromotionDiscount": zero,
        "PromotionDiscountTax": zero,
        "PromotionIds": [],
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
        "BuyerRequestedCancel": {
            "IsBuyerRequestedCancel": "true" if line["buyer_cancel_requested"] else "false",
            "BuyerCancelReason": (order.get("buyer_cancel") or {}).get("reason", "") if line["buyer_cancel_requested"] else "",
        },
    }


# ---- orders -------------------------------------------------------------------------
def _order_or_404(world, account, order_id: str) -> dict:
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "NotFound", "Invalid order ID")
    return order


def _check_marketplaces(account, ids: list[str]) -> None:
    if not ids:
        raise ApiError(400, "InvalidInput", "Missing required parameter: MarketplaceIds")
    if len(ids) > 50 or any(i != account.credentials["marketplace_id"] for i in ids):
        raise ApiError(400, "InvalidInput", "Invalid MarketplaceIds: the seller is not registered in every marketplace given")


def _instant(request, name: str):
    value = request.arg(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ApiError(400, "InvalidInput", f"Invalid {name}: the date must be in ISO 8601 format") from None


def get_orders(world, account, request) -> Response:
    tokens = world.documents.setdefault("amazon_next_tokens", {})
    next_token = request.arg("NextToken")
    if next_token:
        remaining = tokens.get(next_token)  # reusable: a retry after a timeout gets the same page
        if remaining is None or remaining["account"] != account.key:
            raise ApiError(400, "InvalidInput", "Invalid NextToken")
        ids, start = remaining["ids"], remaining["start"]
        page_size, bounds = remaining["page_size"], remaining["bounds"]
    else:
        _check_marketplaces(account, request.args("MarketplaceIds"))
        (ids, page_size, bounds), start = _select_orders(world, account, request), 0
    page = ids[start:start + page_size]
    orders = [render_order(world.order(account.key, order_id)) for order_id in page]
    payload = {"Orders": orders, **bounds}
    if start + page_size < len(ids):
        token = secrets.token_urlsafe(48)
        while len(tokens) >= NEXT_TOKENS_KEPT:
            del tokens[next(iter(tokens))]
        # Every token of one traversal shares the id list captured by its first call.
        tokens[token] = {"account": account.key, "ids": ids, "start": start + page_size,
                         "page_size": page_size, "bounds": bounds}
        payload["NextToken"] = token
    return Response(200, {"payload": payload}, _headers(),
                    page_key=("payload", "Orders"))


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
        raise ApiError(400, "InvalidInput", "LastUpdatedAfter and LastUpdatedBefore cannot be set when "
                                            "CreatedAfter or CreatedBefore is set")
    latest_allowed = world.now() - dt.timedelta(seconds=BEFORE_MARGIN_SECONDS)
    for name, before, after in (("CreatedBefore", created_before, created_after),
                                ("LastUpdatedBefore", updated_before, updated_after)):
        if before and (before > latest_allowed or (after and before < after)):
            raise ApiError(400, "InvalidInput", f"{name} must be equal to or after the matching After date "
                                                "and at least two minutes before current time")
    statuses = set(request.args("OrderStatuses"))
    channels = set(request.args("FulfillmentChannels"))
    now = world.now()
    chosen = []
    # Stored instants are uniform ISO strings: comparing text is comparing time, and much cheaper.
    created_after, created_before, updated_after, updated_before = (
        iso(m) if m else None for m in (created_after, created_before, updated_after, updated_before))
    for order in world.orders.get(account.key, {}).values():
        created, updated = order["created_at"], order["updated_at"]
        if order_ids and order["id"] not in order_ids:
            continue
        if created_after and created < created_after or created_before and created > created_before:
            continue
        if updated_after and updated < updated_after or updated_before and updated > updated_before:
            continue
        if statuses and order["status"] not in statuses:
            continue
        if channels and ("AFN" if order["fulfilled_by_marketplace"] else "MFN") not in channels:
            continue
        chosen.append(order)
    key = "updated_at" if updated_after else "created_at"
    chosen.sort(key=lambda o: (o[key], o["id"]))
    bounds = {"LastUpdatedBefore": updated_before or iso(now)} if updated_after else \
        {"CreatedBefore": created_before or iso(now)}
    return [o["id"] for o in chosen], int(page_size), bounds


def get_order(world, account, request, orderId: str) -> Response:
    return Response(200, {"payload": render_order(_order_or_404(world, account, orderId))}, _headers())


def get_order_items(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    items = [render_item(order, line) for line in order["lines"]]
    return Response(200, {"payload": {"OrderItems": items, "AmazonOrderId": order["id"]}}, _headers(),
                    page_key=("payload", "OrderItems"))


def get_order_address(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    payload = {"AmazonOrderId": order["id"]}
    if order["status"] not in ("Pending", "Canceled"):
        payload["ShippingAddress"] = render_address(order)
    return Response(200, {"payload": payload}, _headers())


def get_order_buyer_info(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    info = render_order(order)["BuyerInfo"]
    return Response(200, {"payload": {"AmazonOrderId": order["id"], **info}}, _headers())


def confirm_shipment(world, account, request, orderId: str) -> Response:
    order = _order_or_404(world, account, orderId)
    body = _json_body(request)
    detail = body.get("packageDetail") or {}
    if body.get("marketplaceId") != account.credentials["marketplace_id"]:
        raise ApiError(400, "InvalidInput", "Invalid marketplaceId")
    missing = [f for f in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
               if not detail.get(f)]
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
                return Response(204, None, _headers())
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
    order["shipments"].append({
        "id": str(detail["packageReferenceId"]), "package_reference_id": str(detail["packageReferenceId"]),
        "carrier": detail["carrierCode"], "carrier_name": detail.get("carrierName", ""),
        "tracking_number": detail["trackingNumber"], "shipped_at": detail["shipDate"],
        "lines": [{"line_id": k, "quantity": v} for k, v in wanted.items()], "request": body_signature(detail),
    })
    complete = all(line["quantity_shipped"] >= line["quantity"] - line["quantity_cancelled"] for line in order["lines"])
    order["status"] = "Shipped" if complete else "PartiallyShipped"
    order["shipped_at"] = order["shipped_at"] or iso(world.now())
    world.touch(order)
    world.record_action(account.key, orderId, "confirmShipment", body)
    return Response(204, None, _headers())


def body_signature(detail: dict) -> str:
    return json.dumps({k: str(v) for k, v in sorted(detail.items())}, sort_keys=True)


def _json_body(request) -> dict:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "InvalidInput", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidInput", "The request body must be a JSON object")
    return body


# ---- listings -----------------------------------------------------------------------
def _check_seller(account, seller_id: str) -> None:
    if seller_id != account.credentials["seller_id"]:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")


def get_listings_item(world, account, request, sellerId: str, sku: str) -> Response:
    from .catalogue import BY_SKU

    _check_seller(account, sellerId)
    _check_marketplaces(account, request.args("marketplaceIds"))
    published = world.stock.get(account.key, {}).get(sku)
    product = BY_SKU.get(sku)
    if product is None and published is None:
        raise ApiError(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {account.credentials['marketplace_id']}")
    return Response(200, {
        "sku": sku,
        "summaries": [{"marketplaceId": account.credentials["marketplace_id"],
                       "asin": product.asin if product else "", "productType": "PRODUCT",
                       "conditionType": "new_new", "status": ["BUYABLE", "DISCOVERABLE"],
                       "itemName": product.title if product else sku,
                       "createdDate": "2025-01-06T09:00:00Z",
                       "lastUpdatedDate": published["published_at"] if published else "2025-01-06T09:00:00Z"}],
        "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT",
                                     "quantity": published["quantity"] if published else 0}],
    }, _headers())


def patch_listings_item(world, account, request, sellerId: str, sku: str) -> Response:
    _check_seller(account, sellerId)
    _check_marketplaces(account, request.args("marketplaceIds"))
    body = _json_body(request)
    patches = body.get("patches")
    if not body.get("productType") or not isinstance(patches, list) or not patches:
        raise ApiError(400, "InvalidInput", "productType and at least one patch are required")
    quantity, issues = _availability_quantity(patches)
    submission = uuid.uuid4().hex
    if issues:
        return Response(200, {"sku": sku, "status": "INVALID", "submissionId": submission, "issues": issues}, _headers())
    if request.arg("mode") == "VALIDATION_PREVIEW":
        return Response(200, {"sku": sku, "status": "VALID", "submissionId": submission, "issues": []}, _headers())
    if quantity is not None:
        world.publish_stock(account.key, sku, quantity, "patchListingsItem")
    world.record_action(account.key, f"listing:{sku}", "patchListingsItem", body)
    return Response(200, {"sku": sku, "status": "ACCEPTED", "submissionId": submission, "issues": []}, _headers())


def _availability_quantity(patches: list) -> tuple[int | None, list]:
    quantity = None
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete"):
            return None, [_issue("4000001", "Invalid patch operation")]
        if patch.get("path") != "/attributes/fulfillment_availability" or patch["op"] == "delete":
            continue
        for entry in patch.get("value") or []:
            value = entry.get("quantity") if isinstance(entry, dict) else None
            if not isinstance(value, int) or value < 0:
                return None, [_issue("90220", "'quantity' must be an integer of 0 or more", "fulfillment_availability")]
            quantity = value
    return quantity, []


def _issue(code: str, message: str, attribute: str = "") -> dict:
    issue = {"code": code, "message": message, "severity": "ERROR"}
    if attribute:
        issue["attributeNames"] = [attribute]
    return issue


# ---- feeds (minimal) ----------------------------------------------------------------
def create_feed_document(world, account, request) -> Response:
    body = _json_body(request)
    if not body.get("contentType"):
        raise ApiError(400, "InvalidInput", "contentType is required")
    document_id = "amzn1.tortuga.4." + world.new_document_id("amazon_documents", "").lower()
    world.documents["amazon_documents"][document_id] = {"account": account.key, "content": "",
                                                        "content_type": body["contentType"]}
    url = f"{request.base_url}/_documents/{document_id}"
    return Response(201, {"feedDocumentId": document_id, "url": url}, _headers())


def upload_document(world, account, request, documentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(documentId)
    if document is None:
        return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    document["content"] = request.body.decode("utf-8", "replace")
    return Response(200, b"")


def download_document(world, account, request, documentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(documentId)
    if document is None:
        return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    return Response(200, document["content"].encode("utf-8"), content_type=document["content_type"])


def create_feed(world, account, request) -> Response:
    body = _json_body(request)
    missing = [f for f in ("feedType", "marketplaceIds", "inputFeedDocumentId") if not body.get(f)]
    if missing:
        raise ApiError(400, "InvalidInput", f"Missing required field(s): {', '.join(missing)}")
    document = world.documents.get("amazon_documents", {}).get(body["inputFeedDocumentId"])
    if document is None or document["account"] != account.key:
        raise ApiError(400, "InvalidInput", "Invalid inputFeedDocumentId")
    feed_id = str(50_000_000_000 + secrets.randbelow(9_999_999_999))
    report = _process_feed(world, account, body["feedType"], document["content"])
    result_id = "amzn1.tortuga.4." + world.new_document_id("amazon_documents", "").lower()
    world.documents["amazon_documents"][result_id] = {"account": account.key, "content": json.dumps(report),
                                                      "content_type": "application/json"}
    now = iso(world.now())
    world.documents.setdefault("amazon_feeds", {})[feed_id] = {
        "account": account.key, "feedId": feed_id, "feedType": body["feedType"],
        "marketplaceIds": body["marketplaceIds"], "createdTime": now, "processingStatus": "DONE",
        "processingStartTime": now, "processingEndTime": now, "resultFeedDocumentId": result_id,
    }
    return Response(202, {"feedId": feed_id}, _headers())


def get_feed(world, account, request, feedId: str) -> Response:
    feed = world.documents.get("amazon_feeds", {}).get(feedId)
    if feed is None or feed["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested feed was not found")
    return Response(200, {k: v for k, v in feed.items() if k != "account"}, _headers())


def get_feed_document(world, account, request, feedDocumentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(feedDocumentId)
    if document is None or document["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested feed document was not found")
    return Response(200, {"feedDocumentId": feedDocumentId,
                          "url": f"{request.base_url}/_documents/{feedDocumentId}"}, _headers())


def _process_feed(world, account, feed_type: str, content: str) -> dict:
    """Apply a feed now; returns the processing report (shape (unverified))."""
    accepted, errors = 0, []
    if feed_type == "JSON_LISTINGS_FEED":
        try:
            messages = json.loads(content or "{}").get("messages", [])
        except ValueError:
            messages, errors = [], [{"messageId": 0, "code": "4000003", "message": "Invalid JSON"}]
        for message in messages:
            quantity, issues = _availability_quantity(message.get("patches") or [])
            if issues or not message.get("sku"):
                errors.append({"messageId": message.get("messageId"), "code": "90220", "message": "Invalid message"})
                continue
            if quantity is not None:
                world.publish_stock(account.key, message["sku"], quantity, "JSON_LISTINGS_FEED")
            accepted += 1
    elif feed_type == "POST_ORDER_ACKNOWLEDGEMENT_DATA":
        for order_id, status in re.findall(r"<AmazonOrderID>\s*([\d-]+)\s*</AmazonOrderID>.*?"
                                           r"<StatusCode>\s*(\w+)\s*</StatusCode>", content, re.S):
            order = world.order(account.key, order_id)
            if order and status == "Failure" and order["status"] in ("Pending", "Unshipped") \
                    and not order["fulfilled_by_marketplace"]:
                order["status"] = "Canceled"
                world.touch(order)
                world.record_action(account.key, order_id, "cancel", {"feedType": feed_type})
                accepted += 1
            else:
                errors.append({"orderId": order_id, "message": "Order cannot be cancelled"})
    elif feed_type == "POST_PAYMENT_ADJUSTMENT_DATA":
        for order_id, amount in re.findall(r"<AmazonOrderID>\s*([\d-]+)\s*</AmazonOrderID>.*?"
                                           r"<Amount[^>]*>\s*([\d.]+)\s*</Amount>", content, re.S):
            order = world.order(account.key, order_id)
            if order is None:
                errors.append({"orderId": order_id, "message": "Unknown order"})
                continue
            order["refunds"].append({"id": uuid.uuid4().hex[:12], "amount": amount, "created_at": iso(world.now())})
            world.touch(order)
            world.record_action(account.key, order_id, "refund", {"feedType": feed_type, "amount": amount})
            accepted += 1
    return {"header": {"sellerId": account.credentials["seller_id"], "version": "2.0"},
            "summary": {"errors": len(errors), "messagesProcessed": accepted + len(errors),
                        "messagesAccepted": accepted, "messagesInvalid": len(errors)},
            "issues": errors}


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
]
