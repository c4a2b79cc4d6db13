"""The eBay wire shared by the eBay modules: errors, Amount, the Order/LineItem shapes.

Shapes follow specs/ebay/sell_fulfillment_v1_oas3.json: `Order`, `LineItem`, `Amount
{value (string), currency}`; errors `{"errors": [{errorId, domain, category, message,
longMessage, parameters}]}` with the spec's error ids.
"""

from __future__ import annotations

from decimal import Decimal

from .wire import ApiError, Response, iso, money, parse_iso

PLATFORM = "ebay"
EMAIL_HIDDEN_AFTER_DAYS = 14  # (unverified) buyer email no longer returned
NAME_HIDDEN_AFTER_DAYS = 90  # (unverified) fullName no longer returned
SHIPPING_SERVICE = {"Standard": "FR_ColiposteColissimo", "Express": "FR_ChronopostChrono13", "Relay": "FR_MondialRelay"}


def ebay_error(
    status: int,
    error_id: int,
    message: str,
    *,
    domain: str = "API_FULFILLMENT",
    category: str = "REQUEST",
    long_message: str = "",
    parameters: list | None = None,
) -> ApiError:
    return ApiError(
        status,
        str(error_id),
        message,
        extra={"domain": domain, "category": category, "longMessage": long_message, "parameters": parameters},
    )


def error_response(err: ApiError) -> Response:
    entry = {
        "errorId": int(err.code) if err.code.isdigit() else 0,
        "domain": err.extra.get("domain", "API_FULFILLMENT"),
        "category": err.extra.get("category", "REQUEST"),
        "message": err.message,
    }
    if err.extra.get("longMessage"):
        entry["longMessage"] = err.extra["longMessage"]
    if err.extra.get("parameters"):
        entry["parameters"] = err.extra["parameters"]
    return Response(err.status, {"errors": [entry]})


def throttled(retry_after: float) -> Response:
    return error_response(
        ebay_error(
            429, 2001, "Too many requests. The request limit has been reached for the resource.", domain="ACCESS"
        )
    )


def server_error(status: int) -> Response:
    return error_response(ebay_error(status, 30500, "System error", category="APPLICATION"))


def unauthorized() -> ApiError:
    return ebay_error(
        401,
        1001,
        "Invalid access token",
        domain="OAuth",
        long_message="Invalid access token. Check the value of the Authorization HTTP request header.",
    )


# ---- rendering ----------------------------------------------------------------------
def amount_of(value: Decimal) -> dict:
    return {"value": str(money(value)), "currency": "EUR"}


def refunded_total(order: dict) -> Decimal:
    return sum((money(r["amount"]) for r in order["refunds"]), Decimal("0"))


def order_total(order: dict) -> Decimal:
    return sum(
        (money(l["unit_price"]) * l["quantity"] + money(l["shipping_price"]) for l in order["lines"]), Decimal("0")
    )


def _payment_status(order: dict) -> str:
    refunded = refunded_total(order)
    if order.get("cancel") or (refunded and refunded >= order_total(order)):
        return "FULLY_REFUNDED"
    return "PARTIALLY_REFUNDED" if refunded else "PAID"


def _cancel_status(world, order: dict, with_requests: bool) -> dict:
    requests, state = [], "NONE_REQUESTED"
    if order.get("cancel"):
        state = "CANCELED"
        requests.append(
            {
                "cancelInitiator": order["cancel"]["initiator"],
                "cancelReason": order["cancel"]["reason"],
                "cancelRequestId": order["cancel"]["id"],
                "cancelRequestState": "COMPLETED",
                "cancelRequestedDate": order["cancel"]["at"],
                "cancelCompletedDate": order["cancel"]["at"],
            }
        )
    elif order.get("buyer_cancel"):
        state = "IN_PROGRESS"  # CancelStateEnum: NONE_REQUESTED, IN_PROGRESS, CANCELED
        requests.append(
            {
                "cancelInitiator": "Buyer",  # the spec: "Typically, either the 'Buyer' or 'Seller'"
                "cancelReason": order["buyer_cancel"]["reason"],
                "cancelRequestId": order["buyer_cancel"]["id"],
                "cancelRequestState": "REQUESTED",
                "cancelRequestedDate": order["buyer_cancel"]["requested_at"],
            }
        )
    status = {"cancelState": state, "cancelRequests": requests if with_requests else []}
    if state == "CANCELED":
        status["cancelledDate"] = order["cancel"]["at"]
    return status


def render_order(world, order: dict, base_url: str, *, with_cancel_requests: bool) -> dict:
    created = order["created_at"]
    age_days = (world.now() - parse_iso(created)).days
    address = order["shipping_address"]
    ship_to = {
        "contactAddress": {
            "addressLine1": address["line1"],
            "city": address["city"],
            "postalCode": address["postal_code"],
            "countryCode": address["country_code"],
        },
        "primaryPhone": {"phoneNumber": address["phone"]},
    }
    if address["line2"]:
        ship_to["contactAddress"]["addressLine2"] = address["line2"]
    if address["company"]:
        ship_to["companyName"] = address["company"]
    if age_days < NAME_HIDDEN_AFTER_DAYS:
        ship_to["fullName"] = f"{address['first_name']} {address['last_name']}"
    if age_days < EMAIL_HIDDEN_AFTER_DAYS:
        ship_to["email"] = order["buyer"]["email"].split("@")[0] + "@members.ebay.com"
    subtotal = sum((money(l["unit_price"]) * l["quantity"] for l in order["lines"]), Decimal("0"))
    delivery = sum((money(l["shipping_price"]) for l in order["lines"]), Decimal("0"))
    total = subtotal + delivery
    fee = money(total * Decimal("0.109"))
    body = {
        "orderId": order["id"],
        "salesRecordReference": order["reference"][-6:].lstrip("0") or "1",
        "creationDate": millis(created),
        "lastModifiedDate": millis(order["updated_at"]),
        "orderFulfillmentStatus": order["status"],
        "orderPaymentStatus": _payment_status(order),
        "sellerId": "oms_demo_seller",
        "buyer": {
            "username": order["buyer"]["username"],
            "taxAddress": {
                "city": address["city"],
                "postalCode": address["postal_code"],
                "countryCode": address["country_code"],
            },
        },
        "pricingSummary": {
            "priceSubtotal": amount_of(subtotal),
            "deliveryCost": amount_of(delivery),
            "total": amount_of(total),
        },
        "cancelStatus": _cancel_status(world, order, with_cancel_requests),
        "paymentSummary": {
            "payments": [
                {
                    "paymentMethod": "EBAY",
                    "paymentReferenceId": order["reference"],
                    "paymentDate": millis(created),
                    "amount": amount_of(total),
                    "paymentStatus": "PAID",
                }
            ],
            "refunds": [
                {
                    "refundId": r["id"],
                    "refundStatus": "REFUNDED",
                    "amount": amount_of(money(r["amount"])),
                    "refundDate": millis(r["created_at"]),
                    "refundReferenceId": r["id"],
                }
                for r in order["refunds"]
            ],
            "totalDueSeller": amount_of(total - fee - refunded_total(order)),
        },
        "fulfillmentStartInstructions": [
            {
                "fulfillmentInstructionsType": "SHIP_TO",
                "ebaySupportedFulfillment": False,
                "minEstimatedDeliveryDate": millis(order["ship_by"]),
                "maxEstimatedDeliveryDate": millis(order["deliver_by"]),
                "shippingStep": {
                    "shipTo": ship_to,
                    "shippingCarrierCode": "Colissimo",
                    "shippingServiceCode": SHIPPING_SERVICE.get(order["shipping_method"], "FR_ColiposteColissimo"),
                },
            }
        ],
        "fulfillmentHrefs": [
            f"{base_url}/sell/fulfillment/v1/order/{order['id']}/shipping_fulfillment/{s['id']}"
            for s in order["shipments"]
        ],
        "lineItems": [_render_line(order, line) for line in order["lines"]],
        "totalFeeBasisAmount": amount_of(total),
        "totalMarketplaceFee": amount_of(fee),
    }
    return body


def _render_line(order: dict, line: dict) -> dict:
    cost = money(line["unit_price"]) * line["quantity"]
    shipping = money(line["shipping_price"])
    return {
        "lineItemId": line["id"],
        "legacyItemId": "1" + line["ean"][1:12],
        "sku": line["sku"],
        "title": line["title"],
        "lineItemCost": amount_of(cost),
        "quantity": line["quantity"],
        "soldFormat": "FIXED_PRICE",
        "listingMarketplaceId": "EBAY_FR",
        "purchaseMarketplaceId": "EBAY_FR",
        "lineItemFulfillmentStatus": line["status"],
        "total": amount_of(cost + shipping),
        "deliveryCost": {"shippingCost": amount_of(shipping)},
        "appliedPromotions": [],
        "taxes": [],
        "properties": {"buyerProtection": True},
        "lineItemFulfillmentInstructions": {
            "shipByDate": millis(line["ship_by"]),
            "minEstimatedDeliveryDate": millis(order["ship_by"]),
            "maxEstimatedDeliveryDate": millis(order["deliver_by"]),
            "guaranteedDelivery": False,
        },
        "refunds": [
            {
                "amount": amount_of(money(r["amount"])),
                "refundDate": millis(r["created_at"]),
                "refundId": r["id"],
                "refundReferenceId": r["id"],
            }
            for r in order["refunds"]
            if r.get("line_id") == line["id"]
        ],
    }


def millis(value: str | None) -> str | None:
    return iso(parse_iso(value), millis=True) if value else None


def json_object(request) -> dict:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ebay_error(400, 32600, "Invalid input data")
    return body
