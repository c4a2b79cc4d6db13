"""Mondial Relay, a relay-point network. UNVERIFIED format: no Mondial Relay spec is stored in
shared/specs, so these paths and fields are the sandbox's own, shaped after the JSON shipment APIs
of the other carriers; correct them (and shipping/carriers/mondial_relay.py) against Mondial
Relay's documentation before production.

- POST /api/v1/shipments (HTTP Basic login/password; body `{customer_id, delivery_mode ("24R" relay
  point, "HOM" home), relay_point {country, id (6 digits)}, reference, label_format (PDF|ZPL),
  sender, recipient {name, line1, postal_code, city, country}, parcels [{weight_grams}]}`) → 201
  `{shipments [{shipment_number (8 digits), label_pdf_b64 | label_zpl}]}`; 400
  `{errors [{code, message}]}` for a relay-point mode without a relay point, a weight over 30 kg…
- GET /api/v1/tracking/{shipment_number} → `{shipment_number, events [{date, code, label}]}`,
  newest first; the parcel waits at the relay point before the buyer collects it.
"""

from __future__ import annotations

import base64
import re

from marketplaces.sandbox.wire import Request, Response, iso

from . import world as w
from .accounts import MONDIAL_RELAY_CUSTOMER, MONDIAL_RELAY_LOGIN, MONDIAL_RELAY_PASSWORD
from .labels import pdf_label, zpl_label

CARRIER = "mondial_relay"
SHIPMENTS_PATH = "/api/v1/shipments"
TRACKING_PATH = re.compile(r"^/api/v1/tracking/(?P<number>[^/]+)$")
MODES = {"24R": "Point Relais", "HOM": "Domicile"}
RELAY_POINT = re.compile(r"^[0-9]{6}$")
MAX_GRAMS = 30_000
EVENTS = {
    w.LABEL_CREATED: ("80", "Prise en charge en attente"),
    w.IN_TRANSIT: ("81", "Colis en cours d'acheminement"),
    w.OUT_FOR_DELIVERY: ("82", "Colis disponible au Point Relais"),
    w.EXCEPTION: ("90", "Incident de livraison"),
    w.DELIVERED: ("85", "Colis livré au destinataire"),
    w.RETURNED: ("91", "Colis retourné à l'expéditeur"),
}


def operation(request: Request) -> str | None:
    if request.method == "POST" and request.path == SHIPMENTS_PATH:
        return "label"
    if request.method == "GET" and TRACKING_PATH.match(request.path):
        return "track"
    return None


def error_response(status: int, message: str, *, code: str = "ERR") -> Response:
    return Response(status, {"errors": [{"code": code, "message": message}]})


def handle(world: w.World, request: Request, operation: str) -> Response:
    header = request.header("Authorization")
    try:
        login, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        login, password = "", ""
    if not header.startswith("Basic ") or (login, password) != (MONDIAL_RELAY_LOGIN, MONDIAL_RELAY_PASSWORD):
        return error_response(401, "Identifiants invalides", code="AUTH")
    if operation == "track":
        return _track(world, TRACKING_PATH.match(request.path)["number"])
    return _create(world, request)


def _create(world: w.World, request: Request) -> Response:
    try:
        body = request.json() or {}
        parcels = body["parcels"]
        if not isinstance(parcels, list) or not parcels:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return error_response(400, "Corps de requête invalide", code="BODY")
    problems = _problems(body)
    if problems:
        return Response(400, {"errors": [{"code": code, "message": message} for code, message in problems]})
    label_format = "ZPL" if body.get("label_format") == "ZPL" else "PDF"
    mode = MODES[body["delivery_mode"]]
    recipient = body["recipient"]
    addressee = [recipient["name"], recipient["line1"], f"{recipient['postal_code']} {recipient['city']}"]
    if body["delivery_mode"] == "24R":
        addressee.append(f"Point Relais {body['relay_point']['country']}-{body['relay_point']['id']}")
    sender = body.get("sender") or {}
    shipments = []
    with world.lock:
        for _parcel in parcels:
            parcel = world.add_parcel(
                carrier=CARRIER,
                make_number=lambda: w.digits(8),
                product=mode,
                label_format=label_format,
                reference=str(body.get("reference", "")),
            )
            content = {
                "carrier_name": "Mondial Relay",
                "product": mode,
                "tracking_number": parcel.tracking_number,
                "sender": [line for line in (sender.get("name"), sender.get("city")) if line],
                "addressee": addressee,
            }
            if label_format == "PDF":
                label = {"label_pdf_b64": base64.b64encode(pdf_label(**content)).decode()}
            else:
                label = {"label_zpl": zpl_label(**content)}
            shipments.append({"shipment_number": parcel.tracking_number, **label})
    return Response(201, {"shipments": shipments})


def _problems(body: dict) -> list[tuple[str, str]]:
    problems = []
    if body.get("customer_id") != MONDIAL_RELAY_CUSTOMER:
        problems.append(("CUSTOMER", "Enseigne inconnue"))
    mode = body.get("delivery_mode")
    if mode not in MODES:
        problems.append(("MODE", f"Mode de livraison inconnu : {mode!r}"))
    relay = body.get("relay_point") or {}
    if mode == "24R" and not (RELAY_POINT.match(str(relay.get("id", ""))) and relay.get("country")):
        problems.append(("RELAY", "Point Relais obligatoire pour le mode 24R (6 chiffres et un pays)"))
    recipient = body.get("recipient") or {}
    if not all(recipient.get(key) for key in ("name", "line1", "postal_code", "city", "country")):
        problems.append(("RECIPIENT", "Destinataire incomplet"))
    for parcel in body.get("parcels") or []:
        grams = parcel.get("weight_grams") if isinstance(parcel, dict) else None
        if not isinstance(grams, int) or not 0 < grams <= MAX_GRAMS:
            problems.append(("WEIGHT", "Poids invalide (1 g à 30 kg)"))
    return problems


def _track(world: w.World, number: str) -> Response:
    parcel = world.parcel(CARRIER, number)
    if parcel is None:
        return error_response(404, f"Expédition inconnue : {number}", code="UNKNOWN")
    events = [
        {"date": iso(moment), "code": EVENTS[step][0], "label": EVENTS[step][1]}
        for moment, step in reversed(parcel.steps(world.now(), world.speed))
    ]
    return Response(200, {"shipment_number": number, "events": events})
