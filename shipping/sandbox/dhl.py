"""DHL Parcel DE Shipping v2 (`dhl/parcel-de-shipping-v2.1.12.yaml`) and DHL tracking (unverified).

- POST /parcel/de/shipping/v2/orders?docFormat=PDF|ZPL2: headers `dhl-api-key` and HTTP
  Basic (user/password); `ShipmentOrderRequest {profile, shipments [{product, billingNumber
  (\\w{10}\\d{2}\\w{2}), refNo, shipper, consignee, details {weight {uom, value}}}]}` →
  `LabelDataResponse {status, items [{shipmentNo, sstatus, label {b64 | zpl2, fileFormat}}]}`.
- DELETE /parcel/de/shipping/v2/orders?profile=…&shipment=…: cancels shipments not yet
  manifested → `{status, items [{shipmentNo, sstatus}]}`.
- GET /track/shipments?trackingNumber=… (Shipment Tracking – Unified, header `DHL-API-Key`;
  no spec stored: unverified) → `{shipments [{id, status {statusCode, status}, events}]}`.
"""

from __future__ import annotations

import base64
import binascii
import re

from marketplaces.sandbox.wire import Request, Response, iso

from . import world as w
from .accounts import DHL_API_KEY, DHL_PASSWORD, DHL_USER
from .labels import pdf_label, zpl_label

CARRIER = "dhl_parcel"
ORDERS_PATH = "/parcel/de/shipping/v2/orders"
TRACK_PATH = "/track/shipments"
PRODUCTS = {
    "V01PAK": "DHL Paket",
    "V53WPAK": "DHL Paket International",
    "V54EPAK": "DHL Europaket",
    "V62WP": "Warenpost",
    "V62KP": "DHL Kleinpaket",
    "V66WPI": "Warenpost International",
}
BILLING_NUMBER = re.compile(r"^\w{10}\d{2}\w{2}$")
# Unified tracking statusCode values (pre-transit, transit, delivered, failure) and a text.
STATUSES = {
    w.LABEL_CREATED: (
        "pre-transit",
        "Die Auftragsdaten zu dieser Sendung wurden vom Absender elektronisch an DHL übermittelt.",
    ),
    w.IN_TRANSIT: ("transit", "Die Sendung wurde im Start-Paketzentrum bearbeitet."),
    w.OUT_FOR_DELIVERY: ("transit", "Die Sendung wurde in das Zustellfahrzeug geladen."),
    w.EXCEPTION: ("failure", "Der Empfänger wurde nicht angetroffen."),
    w.DELIVERED: ("delivered", "Die Sendung wurde erfolgreich zugestellt."),
    w.RETURNED: ("failure", "Die Sendung wird an den Absender zurückgesandt."),
}


def operation(request: Request) -> str | None:
    if request.path == ORDERS_PATH:
        return {"POST": "label", "DELETE": "void"}.get(request.method)
    if request.method == "GET" and request.path == TRACK_PATH:
        return "track"
    return None


def error_response(status: int, message: str) -> Response:
    title = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
    return Response(status, {"status": {"title": title, "status": status, "detail": message}})


def handle(world: w.World, request: Request, operation: str) -> Response:
    if operation == "track":
        if request.header("DHL-API-Key") != DHL_API_KEY:
            return error_response(401, "Invalid API key")
        return _track(world, request.arg("trackingNumber", ""))
    if request.header("dhl-api-key") != DHL_API_KEY or _basic_user(request) != (DHL_USER, DHL_PASSWORD):
        return error_response(401, "Unauthorized for given resource.")
    if operation == "label":
        return _create(world, request)
    return _delete(world, request)


def _create(world: w.World, request: Request) -> Response:
    doc_format = request.arg("docFormat", "PDF")
    if doc_format not in ("PDF", "ZPL2"):
        return error_response(400, "docFormat must be PDF or ZPL2")
    try:
        body = request.json() or {}
        shipments = body["shipments"]
        if not isinstance(shipments, list) or not 1 <= len(shipments) <= 30:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return error_response(400, "The request body is not a valid ShipmentOrderRequest.")
    problems = [(index, message) for index, shipment in enumerate(shipments) for message in _problems(shipment)]
    if problems:
        items = [
            {
                "sstatus": {"title": "Bad Request", "status": 400},
                "validationMessages": [
                    {"property": f"shipments[{index}]", "validationMessage": message, "validationState": "Error"}
                ],
            }
            for index, message in problems
        ]
        return Response(
            400, {"status": {"title": "Bad Request", "status": 400, "detail": problems[0][1]}, "items": items}
        )
    items = []
    with world.lock:
        for shipment in shipments:
            product = PRODUCTS[shipment["product"]]
            parcel = world.add_parcel(
                carrier=CARRIER,
                make_number=lambda: "00340434" + w.digits(12),
                product=product,
                label_format="PDF" if doc_format == "PDF" else "ZPL",
                reference=str(shipment.get("refNo", "")),
            )
            content = {
                "carrier_name": "DHL",
                "product": product,
                "tracking_number": parcel.tracking_number,
                "sender": _lines(shipment["shipper"]),
                "addressee": _lines(shipment["consignee"]),
            }
            if doc_format == "PDF":
                label = {
                    "b64": base64.b64encode(pdf_label(**content)).decode(),
                    "fileFormat": "PDF",
                    "printFormat": "910-300-700",
                }
            else:
                label = {"zpl2": zpl_label(**content), "fileFormat": "ZPL2", "printFormat": "910-300-700"}
            items.append(
                {"shipmentNo": parcel.tracking_number, "sstatus": {"title": "OK", "status": 200}, "label": label}
            )
    return Response(200, {"status": {"title": "OK", "status": 200}, "items": items})


def _problems(shipment: dict) -> list[str]:
    problems = []
    if shipment.get("product") not in PRODUCTS:
        problems.append(f"Unknown product {shipment.get('product')!r}.")
    if not BILLING_NUMBER.match(str(shipment.get("billingNumber", ""))):
        problems.append("The billing number must match \\w{10}\\d{2}\\w{2}.")
    for party in ("shipper", "consignee"):
        address = shipment.get(party) or {}
        if not all(address.get(key) for key in ("name1", "postalCode", "city", "country")):
            problems.append(f"The {party} needs name1, postalCode, city and country.")
    try:
        weight = float(shipment["details"]["weight"]["value"])
    except (KeyError, TypeError, ValueError):
        weight = 0
    if not 0 < weight <= 31.5:
        problems.append("The weight must be more than 0 and at most 31.5 kg.")
    return problems


def _delete(world: w.World, request: Request) -> Response:
    numbers = request.args("shipment")
    if not request.arg("profile") or not numbers:
        return error_response(400, "profile and shipment are required.")
    items = []
    with world.lock:
        for number in numbers:
            parcel = world.parcel(CARRIER, number)
            if parcel is None or parcel.voided:
                items.append(
                    {
                        "shipmentNo": number,
                        "sstatus": {"title": "Not Found", "status": 400, "detail": "Unknown shipment number."},
                    }
                )
            elif parcel.steps(world.now(), world.speed)[-1][1] != w.LABEL_CREATED:
                items.append(
                    {
                        "shipmentNo": number,
                        "sstatus": {
                            "title": "Bad Request",
                            "status": 400,
                            "detail": "The shipment is already manifested.",
                        },
                    }
                )
            else:
                parcel.voided = True
                items.append({"shipmentNo": number, "sstatus": {"title": "OK", "status": 200}})
    failed = [item for item in items if item["sstatus"]["status"] != 200]
    if failed and len(failed) == len(items):
        return Response(
            400,
            {
                "status": {"title": "Bad Request", "status": 400, "detail": failed[0]["sstatus"]["detail"]},
                "items": items,
            },
        )
    return Response(
        207 if failed else 200, {"status": {"title": "OK", "status": 207 if failed else 200}, "items": items}
    )


def _track(world: w.World, number: str) -> Response:
    parcel = world.parcel(CARRIER, number)
    if parcel is None:
        return Response(
            404, {"title": "No shipment with given tracking number found.", "status": 404, "detail": number}
        )
    steps = parcel.steps(world.now(), world.speed)
    events = [
        {"timestamp": iso(moment), "statusCode": STATUSES[step][0], "status": step, "description": STATUSES[step][1]}
        for moment, step in reversed(steps)
    ]
    return Response(200, {"shipments": [{"id": number, "service": "parcel-de", "status": events[0], "events": events}]})


def _basic_user(request: Request) -> tuple[str, str]:
    header = request.header("Authorization")
    try:
        user, _, password = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return (user, password) if header.startswith("Basic ") else ("", "")


def _lines(party: dict) -> list[str]:
    city = " ".join(part for part in (party.get("postalCode"), party.get("city")) if part)
    keys = ("name1", "name2", "addressStreet", "addressHouse")
    return [line for line in (*(party.get(key) for key in keys), city, party.get("country")) if line]
