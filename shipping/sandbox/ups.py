"""UPS OAuth, Shipping and Tracking (`ups/OAuthClientCredentials.yaml`, `ups/Shipping.yaml`, `ups/Tracking.yaml`).

- POST /security/v1/oauth/token: HTTP Basic client id/secret, form grant_type=client_credentials.
- POST /api/shipments/{version}/ship: Bearer token; `ShipmentRequest` → `ShipmentResponse
  {ShipmentResults {ShipmentIdentificationNumber, PackageResults [{TrackingNumber,
  ShippingLabel {ImageFormat {Code}, GraphicImage (base64)}}]}}`. The spec's label formats
  are GIF, ZPL, EPL and SPL (no PDF): the sandbox renders ZPL and refuses the others.
- DELETE /api/shipments/{version}/void/cancel/{shipmentidentificationnumber}.
- GET /api/track/v1/details/{inquiryNumber} → `trackResponse {shipment [{package [{trackingNumber,
  currentStatus, activity [{date YYYYMMDD, time HHMMSS, status {type, code, description}}]}]}]}`.
Error bodies `{"response": {"errors": [{"code", "message"}]}}`; the codes are the sandbox's
(no list of codes in the files).
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import string

from marketplaces.sandbox.wire import Request, Response

from . import world as w
from .accounts import UPS_CLIENT_ID, UPS_CLIENT_SECRET
from .labels import zpl_label

CARRIER = "ups"
TOKEN_SECONDS = 14_399
TOKEN_PATH = "/security/v1/oauth/token"
SHIP_PATH = re.compile(r"^/api/shipments/(?P<version>v\d+)/ship$")
VOID_PATH = re.compile(r"^/api/shipments/(?P<version>v\d+)/void/cancel/(?P<number>[^/]+)$")
TRACK_PATH = re.compile(r"^/api/track/v1/details/(?P<number>[^/]+)$")
SERVICES = {"01": "UPS Next Day Air", "07": "UPS Worldwide Express", "11": "UPS Standard", "65": "UPS Saver"}
# Activity status {type, code, description} for each step (type: M manifest, I in transit,
# X exception, D delivered, as in the file's examples; codes are the sandbox's).
STATUSES = {
    w.LABEL_CREATED: ("M", "MP", "Shipper created a label, UPS has not received the package yet."),
    w.IN_TRANSIT: ("I", "DP", "Departed from Facility"),
    w.OUT_FOR_DELIVERY: ("I", "OT", "Out For Delivery Today"),
    w.EXCEPTION: ("X", "UN", "The receiver was not available for delivery."),
    w.DELIVERED: ("D", "KB", "DELIVERED"),
    w.RETURNED: ("RS", "RS", "Returned to shipper"),  # sandbox code (Tracking.yaml does not list the types)
}


def operation(request: Request) -> str | None:
    if request.method == "POST" and request.path == TOKEN_PATH:
        return "token"
    if request.method == "POST" and SHIP_PATH.match(request.path):
        return "label"
    if request.method == "DELETE" and VOID_PATH.match(request.path):
        return "void"
    if request.method == "GET" and TRACK_PATH.match(request.path):
        return "track"
    return None


def error_response(status: int, message: str, *, code: str = "120100") -> Response:
    return Response(status, {"response": {"errors": [{"code": code, "message": message}]}})


def handle(world: w.World, request: Request, operation: str) -> Response:
    if operation == "token":
        return _token(world, request)
    authorization = request.header("Authorization")
    if not authorization.startswith("Bearer ") or not world.token_valid(authorization[len("Bearer ") :]):
        return error_response(401, "Invalid Authentication Information.", code="250002")
    if operation == "label":
        return _ship(world, request)
    if operation == "void":
        return _void(world, VOID_PATH.match(request.path)["number"])
    return _track(world, TRACK_PATH.match(request.path)["number"])


def _token(world: w.World, request: Request) -> Response:
    try:
        client_id, _, secret = (
            base64.b64decode(request.header("Authorization")[len("Basic ") :]).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        client_id, secret = "", ""
    if (client_id, secret) != (UPS_CLIENT_ID, UPS_CLIENT_SECRET):
        return error_response(401, "ClientId is Invalid", code="10401")
    if request.form().get("grant_type") != "client_credentials":
        return error_response(400, "Invalid or missing grant_type", code="10400")
    token = world.issue_token(TOKEN_SECONDS)
    issued = str(int(world.now().timestamp() * 1000))
    return Response(
        200,
        {
            "token_type": "Bearer",
            "issued_at": issued,
            "client_id": client_id,
            "access_token": token,
            "expires_in": str(TOKEN_SECONDS),
            "status": "approved",
        },
    )


def _ship(world: w.World, request: Request) -> Response:
    try:
        shipment_request = (request.json() or {})["ShipmentRequest"]
        shipment = shipment_request["Shipment"]
        shipper_number = shipment["Shipper"]["ShipperNumber"]
        service = shipment["Service"]["Code"]
        packages = shipment["Package"]
        packages = packages if isinstance(packages, list) else [packages]
        weights = [float(package["PackageWeight"]["Weight"]) for package in packages]
        ship_to = shipment["ShipTo"]
        image_format = shipment_request["LabelSpecification"]["LabelImageFormat"]["Code"]
    except (ValueError, KeyError, TypeError):
        return error_response(400, "Missing or invalid shipment data.", code="120100")
    if not re.fullmatch(r"[0-9A-Z]{6}", shipper_number or ""):
        return error_response(400, "Missing or invalid shipper number", code="120100")
    if service not in SERVICES:
        return error_response(400, "Invalid Service Code", code="120114")
    if not packages or any(not 0 < weight <= 70 for weight in weights):
        return error_response(400, "Package weight is missing or exceeds the maximum", code="120541")
    if image_format != "ZPL":
        return error_response(400, f"The sandbox renders ZPL labels only, not {image_format}", code="120412")
    addressee = _lines(ship_to)
    sender = _lines(shipment["Shipper"])
    results = []
    with world.lock:
        for _ in packages:
            parcel = world.add_parcel(
                carrier=CARRIER,
                make_number=lambda: _tracking_number(shipper_number, service),
                product=SERVICES[service],
                label_format="ZPL",
            )
            label = zpl_label(
                carrier_name="UPS",
                product=SERVICES[service],
                tracking_number=parcel.tracking_number,
                sender=sender,
                addressee=addressee,
            )
            results.append(
                {
                    "TrackingNumber": parcel.tracking_number,
                    "ShippingLabel": {
                        "ImageFormat": {"Code": "ZPL"},
                        "GraphicImage": base64.b64encode(label.encode()).decode(),
                    },
                }
            )
    return Response(
        200,
        {
            "ShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}, "TransactionReference": {}},
                "ShipmentResults": {
                    "ShipmentIdentificationNumber": results[0]["TrackingNumber"],
                    "PackageResults": results,
                },
            }
        },
    )


def _void(world: w.World, number: str) -> Response:
    parcel = world.parcel(CARRIER, number)
    if parcel is None:
        return error_response(400, "No shipment found with this number", code="190117")
    if parcel.steps(world.now(), world.speed)[-1][1] != w.LABEL_CREATED:
        return error_response(
            400, "The package is already in the UPS network and can no longer be voided", code="190102"
        )
    parcel.voided = True
    return Response(
        200,
        {
            "VoidShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
            }
        },
    )


def _track(world: w.World, number: str) -> Response:
    parcel = world.parcel(CARRIER, number)
    if parcel is None:
        return error_response(404, "Tracking Information Not Found", code="TW0001")
    steps = parcel.steps(world.now(), world.speed)
    activity = [
        {
            "date": moment.strftime("%Y%m%d"),
            "time": moment.strftime("%H%M%S"),
            "location": {"address": {"countryCode": "FR"}},
            "status": {"type": STATUSES[step][0], "code": STATUSES[step][1], "description": STATUSES[step][2]},
        }
        for moment, step in reversed(steps)
    ]
    package = {"trackingNumber": number, "currentStatus": activity[0]["status"], "activity": activity}
    return Response(200, {"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [package]}]}})


def _tracking_number(shipper_number: str, service: str) -> str:
    return "1Z" + shipper_number + service.zfill(2) + "".join(random.choice(string.digits) for _ in range(8))


def _lines(party: dict) -> list[str]:
    address = party.get("Address") or {}
    street = address.get("AddressLine") or []
    street = street if isinstance(street, list) else [street]
    city = " ".join(part for part in (address.get("PostalCode"), address.get("City")) if part)
    return [line for line in (party.get("Name"), *street, city, address.get("CountryCode")) if line]
