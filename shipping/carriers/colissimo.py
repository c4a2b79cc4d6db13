"""Colissimo SLS labels (`shared/specs/colissimo/colissimo-shipping-openapi.json`) and La Poste
Suivi v2 tracking (no spec stored: unverified).

Credentials: `api_key` (SLS header `apiKey`), `tracking_api_key` (Suivi header `X-Okapi-Key`).
generateLabel answers multipart/mixed: a JSON part `jsonInfos` and the label bytes in `label`.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import requests

from shipping.carriers import (
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    LABEL_CREATED,
    OUT_FOR_DELIVERY,
    RETURNED,
    CarrierUnavailable,
    Label,
    LabelRequest,
    TrackingEvent,
    idempotency_headers,
)
from shipping.carriers.http import call

PRINTING_TYPES = {"PDF": "PDF_10x15_300dpi", "ZPL": "ZPL_10x15_203dpi"}
# La Poste Suivi event codes (unverified): the first letters say the step.
EVENT_STATUSES = {
    "DR": LABEL_CREATED,
    "PC": IN_TRANSIT,
    "ET": IN_TRANSIT,
    "EP": IN_TRANSIT,
    "MD": OUT_FOR_DELIVERY,
    "AG": EXCEPTION,
    "ND": EXCEPTION,
    "RE": RETURNED,
    "DI": DELIVERED,
}


class Connector:
    voids_at_carrier = False  # the SLS file has no cancel operation: an unused label is never deposited
    label_formats = ("PDF", "ZPL")

    def __init__(self, *, base_url: str, tracking_base_url: str = "", credentials: dict):
        self.base_url = base_url.rstrip("/")
        self.tracking_base_url = (tracking_base_url or base_url).rstrip("/")
        self.credentials = credentials
        self.session = requests.Session()

    def create_labels(self, request: LabelRequest) -> list[Label]:
        """One generateLabel call per parcel (the SLS letter carries one parcel)."""
        return [self._label(request, parcel.weight_grams, part) for part, parcel in enumerate(request.parcels)]

    def _label(self, request: LabelRequest, weight_grams: int, part: int) -> Label:
        body = {
            "outputFormat": {"x": 0, "y": 0, "outputPrintingType": PRINTING_TYPES[request.label_format]},
            "letter": {
                "service": {
                    "productCode": request.product_code,
                    "depositDate": request.ship_date.isoformat(),
                    "orderNumber": request.reference[:30],
                },
                "parcel": {"weight": round(weight_grams / 1000, 3)},
                "sender": {"senderParcelRef": request.reference[:17], "address": _address(request.sender)},
                "addressee": {"addresseeParcelRef": request.reference[:15], "address": _address(request.addressee)},
            },
        }
        response = call(
            self.session,
            "POST",
            f"{self.base_url}/sls-ws/SlsServiceWSRest/2.0/generateLabel",
            json=body,
            headers={
                "apiKey": self.credentials["api_key"],
                "Accept": "multipart/mixed",
                **idempotency_headers(request, part),
            },
            error_text=_messages,
        )
        parts = _parts(response)
        try:
            infos = json.loads(parts["<jsonInfos>"])
            tracking_number = infos["labelV2Response"]["parcelNumber"]
            content = parts["<label>"]
        except (KeyError, ValueError, TypeError) as error:
            raise CarrierUnavailable(f"unreadable generateLabel answer: {error!r}") from error
        return Label(tracking_number=tracking_number, content=content, label_format=request.label_format)

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        response = call(
            self.session,
            "GET",
            f"{self.tracking_base_url}/suivi/v2/idships/{tracking_number}",
            params={"lang": "fr_FR"},
            headers={"X-Okapi-Key": self.credentials["tracking_api_key"], "Accept": "application/json"},
            error_text=lambda r: r.json().get("returnMessage") or r.json().get("message", ""),
        )
        events = response.json()["shipment"]["event"]
        return sorted(
            (
                TrackingEvent(
                    at=dt.datetime.fromisoformat(event["date"]),
                    status=EVENT_STATUSES.get(event["code"][:2], IN_TRANSIT),
                    code=event["code"],
                    description=event["label"],
                )
                for event in events
            ),
            key=lambda event: event.at,
        )


def _address(address) -> dict:
    first, _, last = address.name.rpartition(" ")
    fields = {
        "companyName": address.company,
        "firstName": first,
        "lastName": last or address.name,
        "line2": address.line1,
        "line3": address.line2,
        "zipCode": address.postal_code,
        "city": address.city,
        "countryCode": address.country,
        "phoneNumber": address.phone,
        "email": address.email,
    }
    return {key: value for key, value in fields.items() if value}  # the spec: omit blank optional fields


def _parts(response: requests.Response) -> dict[str, bytes]:
    """The multipart answer's parts by Content-ID."""
    head = f"Content-Type: {response.headers.get('Content-Type', '')}\r\n\r\n".encode()
    message = email.message_from_bytes(head + response.content, policy=email.policy.HTTP)
    if not message.is_multipart():
        raise CarrierUnavailable(f"generateLabel answered {message.get_content_type()}, not multipart")
    return {part["Content-ID"]: part.get_payload(decode=True) for part in message.iter_parts()}


def _messages(response: requests.Response) -> str:
    return "; ".join(f"{m['id']} {m['messageContent']}" for m in response.json()["messages"])
