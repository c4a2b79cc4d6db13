"""Colissimo SLS labels (`colissimo/colissimo-shipping-openapi.json`) and La Poste Suivi v2 tracking.

Labels: POST /sls-ws/SlsServiceWSRest/2.0/generateLabel, header `apiKey`, body
`GenerateLabelRequestV31`; the answer is multipart/mixed (the spec's description): a JSON
part `jsonInfos` {messages, labelV2Response {parcelNumber, …}} and a binary part `label`.
400 functional error, 403 "Token KO or Unauthorized access". The SLS file has no cancel
operation: an unused Colissimo label is simply never deposited (nothing to void).
Tracking (unverified, no spec stored): GET /suivi/v2/idships/{idShip}, header `X-Okapi-Key`,
answer {shipment {idShip, product, isFinal, event [{code, label, date}] newest first}}.
"""

from __future__ import annotations

import re
import uuid

from marketplaces.sandbox.wire import Request, Response, dumps, iso

from . import world as w
from .accounts import COLISSIMO_API_KEY, LAPOSTE_OKAPI_KEY
from .labels import pdf_label, zpl_label

CARRIER = "colissimo"
LABEL_PATH = "/sls-ws/SlsServiceWSRest/2.0/generateLabel"
TRACKING_PATH = re.compile(r"^/suivi/v2/idships/(?P<id>[^/]+)$")
PRINTING_TYPES = {
    "PDF_10x15_300dpi": "PDF",
    "PDF_A4_300dpi": "PDF",
    "ZPL_10x15_203dpi": "ZPL",
    "ZPL_10x15_300dpi": "ZPL",
}
# Home (DOM, DOS with signature), relay point (A2P, BPR), international (COLI, COLD: unverified list),
# and the return product CORE ("8R" parcel numbers, per the productCode description of the SLS file).
PRODUCTS = ("DOM", "DOS", "A2P", "BPR", "COLI", "COLD", "CORE")
RETURN_PREFIXES = {"CORE": "8R"}
# La Poste Suivi event codes for each step (codes from third-party clients: unverified).
EVENTS = {
    w.LABEL_CREATED: ("DR1", "Déclaratif réceptionné"),
    w.IN_TRANSIT: ("PC1", "Pris en charge"),
    w.OUT_FOR_DELIVERY: ("MD2", "Mis en distribution"),
    w.EXCEPTION: ("ND1", "Non distribuable"),
    w.DELIVERED: ("DI1", "Distribué"),
    w.RETURNED: ("RE1", "Retourné à l'expéditeur"),
}


def operation(request: Request) -> str | None:
    if request.method == "POST" and request.path == LABEL_PATH:
        return "label"
    if request.method == "GET" and TRACKING_PATH.match(request.path):
        return "track"
    return None


def handle(world: w.World, request: Request, operation: str) -> Response:
    if operation == "label":
        if request.header("apiKey") != COLISSIMO_API_KEY:
            return error_response(403, "Token KO or Unauthorized access", code="30000")
        return _generate_label(world, request)
    if request.header("X-Okapi-Key") != LAPOSTE_OKAPI_KEY:
        return Response(401, {"code": "UNAUTHORIZED", "message": "Invalid credentials"})
    return _track(world, TRACKING_PATH.match(request.path)["id"])


def error_response(status: int, message: str, *, code: str = "30100") -> Response:
    if status >= 500:
        return Response(status, {"messages": [{"id": "50000", "type": "ERROR", "messageContent": "Erreur technique"}]})
    return Response(status, {"messages": [{"id": code, "type": "ERROR", "messageContent": message}]})


def _generate_label(world: w.World, request: Request) -> Response:
    try:
        body = request.json() or {}
        output, letter = body["outputFormat"], body["letter"]
        printing_type = output["outputPrintingType"]
        service, parcel, addressee = letter["service"], letter["parcel"], letter["addressee"]["address"]
        product = service["productCode"]
        weight = float(parcel["weight"])
    except (ValueError, KeyError, TypeError):
        return error_response(400, "Le format de la requête est invalide", code="30001")
    if printing_type not in PRINTING_TYPES:
        return error_response(400, f"Le format d'impression {printing_type} n'est pas valide", code="30221")
    if product not in PRODUCTS:
        return error_response(400, f"Le code produit {product} est incorrect", code="30102")
    if not 0 < weight <= 30:
        return error_response(400, "Le poids du colis est incorrect", code="30204")
    if not addressee.get("zipCode") or not addressee.get("countryCode"):
        return error_response(400, "Le code postal ou le pays du destinataire est absent", code="30108")
    label_format = PRINTING_TYPES[printing_type]
    with world.lock:
        stored = world.add_parcel(
            carrier=CARRIER,
            make_number=lambda: RETURN_PREFIXES.get(product, "6A") + w.digits(11),
            product=product,
            label_format=label_format,
            reference=str(service.get("orderNumber", "")),
        )
    sender = _lines(letter.get("sender", {}).get("address", {}))
    content = {
        "carrier_name": "Colissimo",
        "product": product,
        "tracking_number": stored.tracking_number,
        "sender": sender,
        "addressee": _lines(addressee),
    }
    label = pdf_label(**content) if label_format == "PDF" else zpl_label(**content).encode()
    infos = {
        "messages": [{"id": "0", "type": "INFOS", "messageContent": "La requête a été traitée avec succès"}],
        "labelV2Response": {"parcelNumber": stored.tracking_number, "parcelNumberPartner": "", "pdfUrl": None},
    }
    boundary = f"uuid:{uuid.uuid4()}"
    parts = [
        (b"application/json", b"<jsonInfos>", dumps(infos).encode()),
        (b"application/octet-stream", b"<label>", label),
    ]
    payload = (
        b"".join(
            b"--"
            + boundary.encode()
            + b"\r\nContent-Type: "
            + kind
            + b"\r\nContent-Transfer-Encoding: binary\r\n"
            + b"Content-ID: "
            + cid
            + b"\r\n\r\n"
            + data
            + b"\r\n"
            for kind, cid, data in parts
        )
        + b"--"
        + boundary.encode()
        + b"--\r\n"
    )
    return Response(200, payload, content_type=f'multipart/mixed; boundary="{boundary}"; type="application/json"')


def _track(world: w.World, number: str) -> Response:
    parcel = world.parcel(CARRIER, number)
    if parcel is None:
        return Response(
            404, {"returnCode": 404, "returnMessage": "Numéro de suivi inconnu", "idShip": number, "lang": "fr_FR"}
        )
    steps = parcel.steps(world.now(), world.speed)
    events = [
        {"code": EVENTS[step][0], "label": EVENTS[step][1], "date": iso(moment)} for moment, step in reversed(steps)
    ]
    shipment = {"idShip": number, "product": "colissimo", "isFinal": steps[-1][1] == w.DELIVERED, "event": events}
    return Response(200, {"lang": "fr_FR", "scope": "open", "returnCode": 200, "shipment": shipment})


def _lines(address: dict) -> list[str]:
    name = " ".join(part for part in (address.get("firstName"), address.get("lastName")) if part)
    street = [address.get(key) for key in ("companyName", "line2", "line3")]
    city = " ".join(part for part in (address.get("zipCode"), address.get("city")) if part)
    return [line for line in (name, *street, city, address.get("countryCode")) if line]
