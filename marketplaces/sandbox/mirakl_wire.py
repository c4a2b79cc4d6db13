"""The Mirakl wire shared by the Mirakl modules: errors and the OR11/OR12 order shapes.

Shapes follow specs/mirakl/mmp-seller-openapi.json (`OR11_Response_200_Orders`,
`OR12_Response_200`). Amounts are JSON numbers; `country_iso_code` alpha-3 (as the spec's
examples). Errors are `{"status": N, "message": "…"}` plus, where the spec lists error codes
(OR21), a `code` (the key name is (unverified)).
"""

from __future__ import annotations

from decimal import Decimal

from .mirakl_incidents import has_incident, line_reason
from .wire import ApiError, Response, money

PLATFORM = "mirakl"
COMMISSION_RATE = Decimal("0.15")  # demo figure
VAT_RATE = Decimal("20")
SHIPPED_STATES = ("SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED")
# A line in incident was shipped: it can be refunded (a refund is one way to settle the incident).
REFUNDABLE_STATES = (*SHIPPED_STATES, "INCIDENT_OPEN")
CANCELLABLE_STATES = ("WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING")  # OR29 (unverified)
SHIPPING_TYPES = {
    "Standard": ("STD", "Livraison standard"),
    "Express": ("EXP", "Livraison express"),
    "Relay": ("RELAY", "Livraison en point relais Mondial Relay"),
}


def error_response(err: ApiError) -> Response:
    body = {"status": err.status, "message": err.message}
    if err.code and err.code.isupper():
        body["code"] = err.code
    headers = {"Retry-After": err.extra["retry_after"]} if "retry_after" in err.extra else {}
    return Response(err.status, body, headers)


def throttled(retry_after: float) -> Response:
    seconds = str(max(1, int(retry_after + 0.999)))
    return error_response(ApiError(429, "", "Too Many Requests", extra={"retry_after": seconds}))


def server_error(status: int) -> Response:
    return error_response(ApiError(status, "", "Internal Server Error" if status == 500 else "Service Unavailable"))


def unauthorized() -> ApiError:
    return ApiError(401, "", "Unauthorized")


# ---- rendering ----------------------------------------------------------------------
def _n(value) -> Decimal:
    return money(value)


def _tax(amount: Decimal) -> list[dict]:
    vat = money(amount - amount / (1 + VAT_RATE / 100))
    return [{"amount": vat, "code": "TVAFR20", "rate": VAT_RATE, "tax_calculation_rule": "PROPORTIONAL"}]


def _address(address: dict, civility: str) -> dict:
    return {
        "civility": civility,
        "firstname": address["first_name"],
        "lastname": address["last_name"],
        "company": address["company"] or None,
        "street_1": address["line1"],
        "street_2": address["line2"] or None,
        "zip_code": address["postal_code"],
        "city": address["city"],
        "country": "France",
        "country_iso_code": "FRA",
        "phone": address["phone"],
        "state": None,
    }


def render_line(order: dict, line: dict) -> dict:
    price = _n(line["unit_price"]) * line["quantity"]
    shipping = _n(line["shipping_price"])
    commission = money(price * COMMISSION_RATE)
    return {
        "can_refund": line["status"] in REFUNDABLE_STATES,
        "cancelations": [_render_cancelation(c) for c in order["cancelations"] if c["line_id"] == line["id"]],
        "category_code": "C" + line["ean"][9:12],
        "category_label": "Maison",
        "commission_fee": commission,
        "commission_rate_vat": VAT_RATE,
        "commission_vat": money(commission * VAT_RATE / 100),
        "created_date": order["created_at"],
        "description": None,
        "last_updated_date": order["updated_at"],
        "offer_id": int(line["ean"][6:12]),
        "offer_sku": line["sku"],
        "offer_state_code": "11",
        "order_line_additional_fields": [],
        "order_line_id": line["id"],
        "order_line_index": line["index"],
        "order_line_state": line["status"],
        "order_line_state_reason_code": line_reason(line)[0],
        "order_line_state_reason_label": line_reason(line)[1],
        "origin_unit_price": _n(line["unit_price"]),
        "price": price,
        "price_additional_info": None,
        "price_unit": _n(line["unit_price"]),
        "product_medias": [],
        "product_shop_sku": line["sku"],
        "product_sku": "MKP" + line["ean"],
        "product_title": line["title"],
        "promotions": [],
        "quantity": line["quantity"],
        "refunds": [_render_refund(r) for r in order["refunds"] if r["line_id"] == line["id"]],
        "shipping_price": shipping,
        "shipping_taxes": _tax(shipping),
        "taxes": _tax(price),
        "total_commission": money(commission * (1 + VAT_RATE / 100)),
        "total_price": price + shipping,
    }


def _render_cancelation(c: dict) -> dict:
    return {
        "id": c["id"],
        "amount": _n(c["amount"]),
        "shipping_amount": _n(c["shipping_amount"]),
        "quantity": c["quantity"],
        "reason_code": c["reason_code"],
        "created_date": c["created_at"],
        "commission_amount": money(_n(c["amount"]) * COMMISSION_RATE),
        "commission_taxes": [],
        "commission_total_amount": money(_n(c["amount"]) * COMMISSION_RATE),
        "taxes": [],
        "shipping_taxes": [],
    }


def _render_refund(r: dict) -> dict:
    return {
        "id": r["id"],
        "order_refund_id": r["order_refund_id"],
        "amount": _n(r["amount"]),
        "shipping_amount": _n(r["shipping_amount"]),
        "quantity": r["quantity"],
        "reason_code": r["reason_code"],
        "created_date": r["created_at"],
        "refund_state": "REFUNDED",
        "state": "REFUNDED",
        "commission_amount": Decimal("0.00"),
        "commission_tax_amount": Decimal("0.00"),
        "commission_taxes": [],
        "commission_total_amount": Decimal("0.00"),
        "taxes": [],
        "shipping_taxes": [],
    }


def render_order(order: dict) -> dict:
    lines = [render_line(order, line) for line in order["lines"]]
    price = sum((l["price"] for l in lines), Decimal("0"))
    shipping = sum((l["shipping_price"] for l in lines), Decimal("0"))
    state = order["status"]
    buyer = order["buyer"]
    shipping_type = SHIPPING_TYPES.get(order["shipping_method"], SHIPPING_TYPES["Standard"])
    tracking = order.get("tracking") or {}
    refunded = sum((_n(r["amount"]) + _n(r["shipping_amount"]) for r in order["refunds"]), Decimal("0"))
    body = {
        # The spec: "the date where the shop decided to accept or refuse the order. Null when the
        # order was automatically refused or accepted" - not a deadline (that is operator config).
        "acceptance_decision_date": order.get("decided_at"),
        "can_cancel": state in CANCELLABLE_STATES,
        "can_shop_ship": state == "SHIPPING",
        "channel": {"code": order["channel"][0], "label": order["channel"][1]},
        "commercial_id": order["reference"],
        "created_date": order["created_at"],
        "currency_iso_code": "EUR",
        "customer": {
            "customer_id": buyer["customer_id"],
            "civility": buyer["civility"],
            "firstname": buyer["first_name"],
            "lastname": buyer["last_name"],
            "locale": "fr_FR",
            "billing_address": _address(order["billing_address"], buyer["civility"]),
            "shipping_address": _address(order["shipping_address"], buyer["civility"]),
        },
        "customer_debited_date": order.get("debited_at"),
        "customer_notification_email": f"notification+{buyer['email'].split('@')[0]}@notification.mirakl.net",
        "delivery_date": {"earliest": order["ship_by"], "latest": order["deliver_by"]},
        "fulfillment": {"center": {"code": "DEFAULT"}},
        "fully_refunded": bool(refunded) and refunded >= price + shipping,
        "has_customer_message": False,
        "has_incident": has_incident(order),
        "has_invoice": False,
        "last_updated_date": order["updated_at"],
        "leadtime_to_ship": 2,
        "order_additional_fields": [],
        "order_id": order["id"],
        "order_lines": lines,
        "order_state": state,
        "order_state_reason_code": order.get("state_reason"),
        "order_state_reason_label": order.get("state_reason"),
        "order_tax_mode": "TAX_INCLUDED",
        "order_taxes": [],
        "paymentType": "PAY_ON_ACCEPTANCE",
        "payment_type": "PAY_ON_ACCEPTANCE",
        "payment_workflow": "PAY_ON_ACCEPTANCE",
        "price": price,
        "promotions": {"applied_promotions": [], "total_deduced_amount": Decimal("0.00")},
        "references": {"order_reference_for_customer": order["reference"]},
        "shipping_carrier_code": tracking.get("carrier_code"),
        "shipping_company": tracking.get("carrier_name"),
        "shipping_deadline": order["ship_by"],
        "shipping_price": shipping,
        "shipping_tracking": tracking.get("tracking_number"),
        "shipping_tracking_url": tracking.get("carrier_url"),
        "shipping_type_code": shipping_type[0],
        "shipping_type_label": shipping_type[1],
        "shipping_zone_code": "FR",
        "shipping_zone_label": "France métropolitaine",
        "total_commission": sum((l["total_commission"] for l in lines), Decimal("0")),
        "total_price": price + shipping,
        "transaction_date": order.get("debited_at"),
    }
    if order["relay_id"]:
        body["shipping_pudo_id"] = order["relay_id"]
    return body


# OR12's schema is narrower than OR11's (no channel, currency, pudo id, taxes, cancelations
# or refunds; lines carry debited/shipped/received dates): the spec wins, so OR12 answers it.
OR12_KEYS = (
    "acceptance_decision_date",
    "commercial_id",
    "created_date",
    "customer",
    "has_customer_message",
    "has_incident",
    "has_invoice",
    "last_updated_date",
    "order_id",
    "order_lines",
    "order_state",
    "order_state_reason_code",
    "order_state_reason_label",
    "paymentType",
    "payment_type",
    "price",
    "shipping_company",
    "shipping_price",
    "shipping_tracking",
    "shipping_tracking_url",
    "shipping_type_code",
    "shipping_type_label",
    "shipping_zone_code",
    "shipping_zone_label",
    "total_commission",
    "total_price",
)
OR12_LINE_KEYS = (
    "can_refund",
    "category_code",
    "category_label",
    "commission_fee",
    "commission_rate_vat",
    "commission_vat",
    "created_date",
    "description",
    "last_updated_date",
    "offer_id",
    "offer_sku",
    "offer_state_code",
    "order_line_additional_fields",
    "order_line_id",
    "order_line_index",
    "order_line_state",
    "order_line_state_reason_code",
    "order_line_state_reason_label",
    "price",
    "price_additional_info",
    "price_unit",
    "product_sku",
    "product_title",
    "quantity",
    "shipping_price",
    "total_commission",
    "total_price",
)


def render_order_or12(order: dict) -> dict:
    full = render_order(order)
    body = {key: full[key] for key in OR12_KEYS if key in full}
    body["customer"] = {
        key: full["customer"][key]
        for key in ("billing_address", "civility", "customer_id", "firstname", "lastname", "shipping_address")
    }
    lines = []
    for line, stored in zip(full["order_lines"], order["lines"], strict=True):
        entry = {key: line[key] for key in OR12_LINE_KEYS}
        entry["debited_date"] = order.get("debited_at")
        entry["shipped_date"] = order.get("shipped_at") if stored["quantity_shipped"] else None
        entry["received_date"] = order.get("delivered_at") if stored["status"] in ("RECEIVED", "CLOSED") else None
        entry["shipping_price_unit"] = money(line["shipping_price"] / max(stored["quantity"], 1))
        entry["shipping_price_additional_unit"] = Decimal("0.00")
        lines.append(entry)
    body["order_lines"] = lines
    return body
