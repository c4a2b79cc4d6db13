"""The SP-API wire shared by the Amazon modules: errors, headers, Money and the Order/OrderItem shapes.

Shapes follow specs/amazon/ordersV0.json: `Order`, `OrderItem`, `Address`, `Money
{CurrencyCode, Amount}` with `Amount` a string, errors as `ErrorList`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from .wire import ApiError, Response, money

PLATFORM = "amazon"
# The wire brief agrees on 401 for a bad token; real SP-API answers 403 "Unauthorized" (unverified).
UNAUTHORIZED_STATUS = 401
SALES_CHANNELS = {
    "A13V1IB3VIYZZH": "Amazon.fr",
    "A1PA6795UKMFR9": "Amazon.de",
    "A1RKKUPIHCS9HS": "Amazon.es",
    "APJ6JRA9NG5V4": "Amazon.it",
}
VAT_RATES = {
    "A13V1IB3VIYZZH": Decimal("20"),
    "A1PA6795UKMFR9": Decimal("19"),
    "A1RKKUPIHCS9HS": Decimal("21"),
    "APJ6JRA9NG5V4": Decimal("22"),
}
SHIP_SERVICE_LEVEL = {"Standard": "Std FR Dom_1", "Express": "Exp FR Dom_2", "Relay": "Std FR Dom_1"}


# ---- errors -------------------------------------------------------------------------
def request_headers(extra: dict | None = None) -> dict:
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
    return Response(
        err.status,
        {"errors": [{"code": err.code, "message": err.message, "details": err.extra.get("details", "")}]},
        request_headers(),
    )


def throttled(retry_after: float) -> Response:
    # Amazon sends no Retry-After: the client backs off on its own.
    return error_response(ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource."))


def server_error(status: int) -> Response:
    code = "ServiceUnavailable" if status == 503 else "InternalFailure"
    return error_response(ApiError(status, code, "We encountered an internal error. Please try again."))


def unauthorized(detail: str = "The access token you provided has expired.") -> ApiError:
    return ApiError(
        UNAUTHORIZED_STATUS, "Unauthorized", "Access to requested resource is denied.", extra={"details": detail}
    )


def check_marketplaces(account, ids: list[str]) -> None:
    if not ids:
        raise ApiError(400, "InvalidInput", "Missing required parameter: MarketplaceIds")
    if len(ids) > 50 or any(i != account.credentials["marketplace_id"] for i in ids):
        raise ApiError(
            400, "InvalidInput", "Invalid MarketplaceIds: the seller is not registered in every marketplace given"
        )


def json_body(request) -> dict:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "InvalidInput", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidInput", "The request body must be a JSON object")
    return body


# ---- rendering ----------------------------------------------------------------------
def money_of(amount: Decimal) -> dict:
    return {"CurrencyCode": "EUR", "Amount": str(money(amount))}


def _vat(order: dict, gross: Decimal) -> Decimal:
    rate = VAT_RATES.get(order["marketplace_id"], Decimal("20"))
    return money(gross - gross / (1 + rate / 100))


def _order_total(order: dict) -> Decimal:
    return sum(
        (money(l["unit_price"]) * l["quantity"] + money(l["shipping_price"]) for l in order["lines"]), Decimal("0")
    )


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
        "OrderTotal": money_of(_order_total(order)),
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
        "BuyerInfo": {
            "BuyerEmail": f"{order['buyer']['email'].split('@')[0]}@marketplace."
            f"{SALES_CHANNELS.get(order['marketplace_id'], 'Amazon.fr').lower()}"
        },
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
    zero = money_of(Decimal("0"))
    return {
        "ASIN": line["asin"],
        "SellerSKU": line["sku"],
        "OrderItemId": line["id"],
        "Title": line["title"],
        "QuantityOrdered": line["quantity"],
        "QuantityShipped": line["quantity_shipped"],
        "ProductInfo": {"NumberOfItems": "1"},
        "ItemPrice": money_of(price),
        "ShippingPrice": money_of(shipping),
        "ItemTax": money_of(_vat(order, price)),
        "ShippingTax": money_of(_vat(order, shipping)),
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
            "BuyerCancelReason": (
                (order.get("buyer_cancel") or {}).get("reason", "") if line["buyer_cancel_requested"] else ""
            ),
        },
    }
