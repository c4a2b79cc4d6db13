"""Mirakl MMP seller API, one instance per operator under /mirakl/<operator>.

Operations (specs/mirakl/mmp-seller-openapi.json): OR11, OR12, OR21, OR23, OR24, OR28,
OR29, OR30, STO01/STO02/STO03, SH21, A01. Auth is the shop API key in `Authorization`
(no Bearer). Amounts are JSON numbers; `country_iso_code` alpha-3 (as the spec's examples).
Errors are `{"status": N, "message": "…"}` plus, where the spec lists error codes (OR21),
a `code` (the key name is (unverified)).
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import secrets
from decimal import Decimal

from .catalogue import BY_SKU
from .lifecycle import cancel_all_lines, set_status
from .routing import route
from .wire import ApiError, Response, iso, money, objects, parse_iso

PLATFORM = "mirakl"
DEFAULT_MAX, MAX_MAX = 10, 100  # (unverified) OR11 page size default and maximum
UPDATE_SAFETY_DELTA_SECONDS = 60  # (unverified) subtracted from start_update_date
COMMISSION_RATE = Decimal("0.15")  # demo figure
VAT_RATE = Decimal("20")
STOCK_CSV_HEADER = ("offer-sku", "quantity", "warehouse-code", "update-delete")
SHIPPED_STATES = ("SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED")
CANCELLABLE_STATES = ("WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING")  # OR29 (unverified)
SHIPPING_TYPES = {"Standard": ("STD", "Livraison standard"), "Express": ("EXP", "Livraison express"),
                  "Relay": ("RELAY", "Livraison en point relais Mondial Relay")}
CARRIERS = (  # SH21; codes per operator are (unverified): the same list for every operator here
    ("COLISSIMO", "Colissimo", "COLP", "https://www.laposte.fr/outils/suivre-vos-envois?code={trackingId}"),
    ("CHRONOPOST", "Chronopost", "CHRP", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={trackingId}"),
    ("DHL", "DHL", "DHL", "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={trackingId}"),
    ("UPS", "UPS", "UPS", "https://www.ups.com/track?tracknum={trackingId}"),
    ("DPD", "DPD", "DPD", "https://trace.dpd.fr/fr/trace/{trackingId}"),
    ("GLS", "GLS", "GLS", "https://gls-group.com/FR/fr/suivi-colis?match={trackingId}"),
    ("MONDIAL_RELAY", "Mondial Relay", "MRLY", "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={trackingId}"),
    ("RELAIS_COLIS", "Relais Colis", "RCOL", "https://www.relaiscolis.com/suivi-de-colis/?reference={trackingId}"),
    ("COLIS_PRIVE", "Colis Privé", "CPRV", "https://www.colisprive.fr/moncolis/pages/detailColis.aspx?numColis={trackingId}"),
    ("FEDEX", "FedEx/TNT", "FEDX", "https://www.fedex.com/fedextrack/?trknbr={trackingId}"),
)


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


# ---- rendering ----------------------------------------------------------------------
def _n(value) -> Decimal:
    return money(value)


def _tax(amount: Decimal) -> list[dict]:
    vat = money(amount - amount / (1 + VAT_RATE / 100))
    return [{"amount": vat, "code": "TVAFR20", "rate": VAT_RATE, "tax_calculation_rule": "PROPORTIONAL"}]


def _address(address: dict, civility: str) -> dict:
    return {"civility": civility, "firstname": address["first_name"], "lastname": address["last_name"],
            "company": address["company"] or None, "street_1": address["line1"], "street_2": address["line2"] or None,
            "zip_code": address["postal_code"], "city": address["city"], "country": "France",
            "country_iso_code": "FRA", "phone": address["phone"], "state": None}


def render_line(order: dict, line: dict) -> dict:
    price = _n(line["unit_price"]) * line["quantity"]
    shipping = _n(line["shipping_price"])
    commission = money(price * COMMISSION_RATE)
    return {
        "can_refund": line["status"] in SHIPPED_STATES,
        "cancelations": [_render_cancelation(c) for c in order["cancelations"] if c["line_id"] == line["id"]],
        "category_code": "C" + line["ean"][9:12], "category_label": "Maison",
        "commission_fee": commission, "commission_rate_vat": VAT_RATE,
        "commission_vat": money(commission * VAT_RATE / 100), "created_date": order["created_at"],
        "description": None, "last_updated_date": order["updated_at"],
        "offer_id": int(line["ean"][6:12]), "offer_sku": line["sku"], "offer_state_code": "11",
        "order_line_additional_fields": [], "order_line_id": line["id"], "order_line_index": line["index"],
        "order_line_state": line["status"], "order_line_state_reason_code": None,
        "order_line_state_reason_label": None, "origin_unit_price": _n(line["unit_price"]),
        "price": price, "price_additional_info": None, "price_unit": _n(line["unit_price"]),
        "product_medias": [], "product_shop_sku": line["sku"], "product_sku": "MKP" + line["ean"],
        "product_title": line["title"], "promotions": [], "quantity": line["quantity"],
        "refunds": [_render_refund(r) for r in order["refunds"] if r["line_id"] == line["id"]],
        "shipping_price": shipping, "shipping_taxes": _tax(shipping), "taxes": _tax(price),
        "total_commission": money(commission * (1 + VAT_RATE / 100)), "total_price": price + shipping,
    }


def _render_cancelation(c: dict) -> dict:
    return {"id": c["id"], "amount": _n(c["amount"]), "shipping_amount": _n(c["shipping_amount"]),
            "quantity": c["quantity"], "reason_code": c["reason_code"], "created_date": c["created_at"],
            "commission_amount": money(_n(c["amount"]) * COMMISSION_RATE), "commission_taxes": [],
            "commission_total_amount": money(_n(c["amount"]) * COMMISSION_RATE), "taxes": [], "shipping_taxes": []}


def _render_refund(r: dict) -> dict:
    return {"id": r["id"], "order_refund_id": r["order_refund_id"], "amount": _n(r["amount"]),
            "shipping_amount": _n(r["shipping_amount"]), "quantity": r["quantity"], "reason_code": r["reason_code"],
            "created_date": r["created_at"], "refund_state": "REFUNDED", "state": "REFUNDED",
            "commission_amount": Decimal("0.00"), "commission_tax_amount": Decimal("0.00"), "commission_taxes": [],
            "commission_total_amount": Decimal("0.00"), "taxes": [], "shipping_taxes": []}


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
        "customer": {"customer_id": buyer["customer_id"], "civility": buyer["civility"],
                     "firstname": buyer["first_name"], "lastname": buyer["last_name"], "locale": "fr_FR",
                     "billing_address": _address(order["billing_address"], buyer["civility"]),
                     "shipping_address": _address(order["shipping_address"], buyer["civility"])},
        "customer_debited_date": order.get("debited_at"),
        "customer_notification_email": f"notification+{buyer['email'].split('@')[0]}@notification.mirakl.net",
        "delivery_date": {"earliest": order["ship_by"], "latest": order["deliver_by"]},
        "fulfillment": {"center": {"code": "DEFAULT"}},
        "fully_refunded": bool(refunded) and refunded >= price + shipping,
        "has_customer_message": False, "has_incident": False, "has_invoice": False,
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
        "paymentType": "PAY_ON_ACCEPTANCE", "payment_type": "PAY_ON_ACCEPTANCE",
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
        "shipping_type_code": shipping_type[0], "shipping_type_label": shipping_type[1],
        "shipping_zone_code": "FR", "shipping_zone_label": "France métropolitaine",
        "total_commission": sum((l["total_commission"] for l in lines), Decimal("0")),
        "total_price": price + shipping,
        "transaction_date": order.get("debited_at"),
    }
    if order["relay_id"]:
        body["shipping_pudo_id"] = order["relay_id"]
    return body


# OR12's schema is narrower than OR11's (no channel, currency, pudo id, taxes, cancelations
# or refunds; lines carry debited/shipped/received dates): the spec wins, so OR12 answers it.
OR12_KEYS = ("acceptance_decision_date", "commercial_id", "created_date", "customer", "has_customer_message",
             "has_incident", "has_invoice", "last_updated_date", "order_id", "order_lines", "order_state",
             "order_state_reason_code", "order_state_reason_label", "paymentType", "payment_type", "price",
             "shipping_company", "shipping_price", "shipping_tracking", "shipping_tracking_url", "shipping_type_code",
             "shipping_type_label", "shipping_zone_code", "shipping_zone_label", "total_commission", "total_price")
OR12_LINE_KEYS = ("can_refund", "category_code", "category_label", "commission_fee", "commission_rate_vat",
                  "commission_vat", "created_date", "description", "last_updated_date", "offer_id", "offer_sku",
                  "offer_state_code", "order_line_additional_fields", "order_line_id", "order_line_index",
                  "order_line_state", "order_line_state_reason_code", "order_line_state_reason_label", "price",
                  "price_additional_info", "price_unit", "product_sku", "product_title", "quantity",
                  "shipping_price", "total_commission", "total_price")


def render_order_or12(order: dict) -> dict:
    full = render_order(order)
    body = {key: full[key] for key in OR12_KEYS if key in full}
    body["customer"] = {key: full["customer"][key] for key in ("billing_address", "civility", "customer_id",
                                                               "firstname", "lastname", "shipping_address")}
    lines = []
    for line, stored in zip(full["order_lines"], order["lines"]):
        entry = {key: line[key] for key in OR12_LINE_KEYS}
        entry["debited_date"] = order.get("debited_at")
        entry["shipped_date"] = order.get("shipped_at") if stored["quantity_shipped"] else None
        entry["received_date"] = order.get("delivered_at") if stored["status"] in ("RECEIVED", "CLOSED") else None
        entry["shipping_price_unit"] = money(line["shipping_price"] / stored["quantity"])
        entry["shipping_price_additional_unit"] = Decimal("0.00")
        lines.append(entry)
    body["order_lines"] = lines
    return body


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
    size, offset = request.arg("max", str(DEFAULT_MAX)), request.arg("offset", "0")
    if not size.isdigit() or not offset.isdigit() or not 1 <= int(size) <= MAX_MAX:
        raise ApiError(400, "VALIDATION_ERROR", f"max must be between 1 and {MAX_MAX} and offset a positive number")
    ids, states, channels = request.args("order_ids"), set(request.args("order_state_codes")), set(request.args("channel_codes"))
    if len(ids) > 100:
        raise ApiError(400, "VALIDATION_ERROR", "order_ids accepts at most 100 values")
    start, end = _date_arg(request, "start_date"), _date_arg(request, "end_date")
    start_update, end_update = _date_arg(request, "start_update_date"), _date_arg(request, "end_update_date")
    if start_update is not None:
        start_update -= dt.timedelta(seconds=UPDATE_SAFETY_DELTA_SECONDS)
    # Stored instants are uniform ISO strings: comparing text is comparing time, and much cheaper.
    start, end, start_update, end_update = (iso(m) if m else None for m in (start, end, start_update, end_update))
    chosen = []
    for order in world.orders.get(account.key, {}).values():
        created, updated = order["created_at"], order["updated_at"]
        if ids and order["id"] not in ids or states and order["status"] not in states:
            continue
        if channels and order["channel"][0] not in channels:
            continue
        if start and created < start or end and created > end:
            continue
        if start_update and updated < start_update or end_update and updated > end_update:
            continue
        chosen.append(order)
    chosen.sort(key=lambda o: (o["created_at"], o["id"]), reverse=request.arg("order") == "desc")
    page = chosen[int(offset):int(offset) + int(size)]
    return Response(200, {"orders": [render_order(o) for o in page], "total_count": len(chosen)},
                    page_key=("orders",))


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
    order = _order(world, account, order_id)
    body = _body(request)
    decisions = body.get("order_lines")
    if not isinstance(decisions, list):
        raise ApiError(400, "VALIDATION_ERROR", "order_lines is required")
    if order["status"] != "WAITING_ACCEPTANCE":
        raise ApiError(400, "ORDER_INVALID_STATE",
                       f"Order {order_id} is not in state WAITING_ACCEPTANCE (current state: {order['status']})")
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
        raise ApiError(400, "ORDER_LINE_ACCEPTANCE_DECISION_MISSING", "Some order lines are missing from the acceptance decision")
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
    order = _order(world, account, order_id)
    if order["status"] != "SHIPPING":
        raise ApiError(400, "ORDER_INVALID_STATE", f"Order {order_id} is not in state SHIPPING (current state: {order['status']})")
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
    body = _body(request)
    entries = objects(body.get("cancelations"))
    if entries is None:
        raise ApiError(400, "VALIDATION_ERROR", "cancelations is required")
    done, touched = [], {}
    for entry in entries:
        order, line = _find_line(world, account, str(entry.get("order_line_id", "")))
        quantity = entry.get("quantity")
        if order["status"] not in CANCELLABLE_STATES:
            raise ApiError(400, "ORDER_INVALID_STATE", f"Order {order['id']} cannot be canceled in state {order['status']}")
        remaining = line["quantity"] - line["quantity_cancelled"] - line["quantity_shipped"]
        if not isinstance(quantity, int) or not 0 < quantity <= remaining:
            raise ApiError(400, "VALIDATION_ERROR", f"quantity must be between 1 and {remaining}")
        if not entry.get("reason_code"):
            raise ApiError(400, "VALIDATION_ERROR", "reason_code is required")
        record = {"id": str(1000 + secrets.randbelow(10**8)), "line_id": line["id"], "quantity": quantity,
                  "amount": str(_amount(entry.get("amount"), "amount")),
                  "shipping_amount": str(_amount(entry.get("shipping_amount"), "shipping_amount")),
                  "reason_code": str(entry["reason_code"]), "created_at": iso(world.now())}
        order["cancelations"].append(record)
        line["quantity_cancelled"] += quantity
        if line["quantity_cancelled"] >= line["quantity"]:
            line["status"] = "CANCELED"
        touched[order["id"]] = order
        done.append({"amount": _n(record["amount"]), "cancelation_id": record["id"], "currency_iso_code": "EUR",
                     "order_line_id": line["id"], "quantity": quantity, "reason_code": record["reason_code"],
                     "shipping_amount": _n(record["shipping_amount"]), "taxes": [], "shipping_taxes": []})
    for order in touched.values():
        if all(l["status"] in ("CANCELED", "REFUSED") for l in order["lines"]):
            order["status"] = "CANCELED"
        world.touch(order)
        world.record_action(account.key, order["id"], "OR30", body)
    return Response(200, {"cancelations": done, "order_tax_mode": "TAX_INCLUDED"})


def refund(world, account, request) -> Response:
    body = _body(request)
    entries = objects(body.get("refunds"))
    if entries is None:
        raise ApiError(400, "VALIDATION_ERROR", "refunds is required")
    done, touched = [], {}
    for entry in entries:
        order, line = _find_line(world, account, str(entry.get("order_line_id", "")))
        if line["status"] not in SHIPPED_STATES:
            raise ApiError(400, "ORDER_INVALID_STATE", f"Order line {line['id']} cannot be refunded in state {line['status']}")
        if not entry.get("reason_code"):
            raise ApiError(400, "VALIDATION_ERROR", "reason_code is required")
        amount = _amount(entry.get("amount"), "amount")
        shipping = _amount(entry.get("shipping_amount"), "shipping_amount")
        already = sum((_n(r["amount"]) for r in order["refunds"] if r["line_id"] == line["id"]), Decimal("0"))
        if already + amount > _n(line["unit_price"]) * line["quantity"]:
            raise ApiError(400, "VALIDATION_ERROR", f"The refund amount exceeds the refundable amount of line {line['id']}")
        record = {"id": str(1000 + secrets.randbelow(10**8)), "order_refund_id": secrets.token_hex(16),
                  "line_id": line["id"], "amount": str(amount), "shipping_amount": str(shipping),
                  "quantity": entry.get("quantity") or 0, "reason_code": str(entry["reason_code"]),
                  "created_at": iso(world.now())}
        order["refunds"].append(record)
        touched[order["id"]] = order
        done.append({"amount": amount, "currency_iso_code": "EUR", "order_line_id": line["id"],
                     "order_refund_id": record["order_refund_id"], "quantity": record["quantity"],
                     "reason_code": record["reason_code"], "refund_id": record["id"], "shipping_amount": shipping,
                     "taxes": [], "shipping_taxes": []})
    for order in touched.values():
        world.touch(order)
        world.record_action(account.key, order["id"], "OR28", body)
    return Response(200, {"order_tax_mode": "TAX_INCLUDED", "refunds": done})


# ---- stock, carriers, account -------------------------------------------------------
def _csv_part(request) -> str | None:
    content_type = request.header("content-type")
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body,
                                       policy=email.policy.HTTP)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True).decode("utf-8-sig", "replace")
    return None


def stock_import(world, account, request) -> Response:
    text = _csv_part(request)
    if text is None:
        raise ApiError(400, "VALIDATION_ERROR", "A multipart 'file' part with the CSV is required")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows or rows[0][:2] != list(STOCK_CSV_HEADER[:2]):
        raise ApiError(400, "VALIDATION_ERROR", "The CSV header must start with \"offer-sku\";\"quantity\"")
    ok, errors = 0, []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        sku, quantity = (row + ["", ""])[:2]
        if sku not in BY_SKU:
            errors.append(row + [f"The offer with sku {sku} does not exist"])
        elif not quantity.strip().isdigit():
            errors.append(row + ["The quantity must be a positive integer"])
        else:
            world.publish_stock(account.key, sku, int(quantity), "STO01")
            ok += 1
    import_id = str(10_000 + secrets.randbelow(90_000_000))
    world.documents.setdefault("mirakl_imports", {})[import_id] = {
        "account": account.key, "import_id": import_id, "date_created": iso(world.now()),
        "has_error_report": bool(errors), "lines_in_error": len(errors), "lines_in_success": ok,
        "shop_id": int(account.credentials["shop_id"]) if account.credentials["shop_id"].isdigit() else account.credentials["shop_id"],
        "status": "COMPLETE", "errors": errors, "header": rows[0],
    }
    world.record_action(account.key, "stock", "STO01", {"csv": text})
    return Response(201, {"import_id": import_id})


def _import(world, account, import_id: str) -> dict:
    record = world.documents.get("mirakl_imports", {}).get(import_id)
    if record is None or record["account"] != account.key:
        raise ApiError(404, "", f"Import {import_id} not found")
    return record


def stock_import_status(world, account, request, import_id: str) -> Response:
    record = _import(world, account, import_id)
    return Response(200, {k: record[k] for k in ("date_created", "has_error_report", "import_id", "lines_in_error",
                                                 "lines_in_success", "shop_id", "status")})


def stock_import_errors(world, account, request, import_id: str) -> Response:
    record = _import(world, account, import_id)
    if not record["errors"]:
        raise ApiError(404, "", f"No error report for import {import_id}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(record["header"] + ["error-message"])
    writer.writerows(record["errors"])
    return Response(200, out.getvalue().encode("utf-8"), content_type="text/csv")


def carriers(world, account, request) -> Response:
    return Response(200, {"carriers": [{"code": c[0], "label": c[1], "standard_code": c[2], "tracking_url": c[3]}
                                       for c in CARRIERS]})


def shop_account(world, account, request) -> Response:
    return Response(200, {"shop_id": int(account.credentials["shop_id"]) if account.credentials["shop_id"].isdigit()
                          else account.credentials["shop_id"], "shop_name": account.name, "shop_state": "OPEN",
                          "currency_iso_code": "EUR", "is_professional": True, "channels": []})


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
]
