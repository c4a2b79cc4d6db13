"""Mondial Relay, a relay-point network. UNVERIFIED: no Mondial Relay spec is stored in
shared/specs; this speaks the carrier sandbox's own JSON shape (shipping/sandbox/mondial_relay.py).
Check every path and field against Mondial Relay's documentation before a real contract uses it.

Credentials: `login` and `password` (HTTP Basic), `customer_id` (the "enseigne"). Products:
`24R` (to a relay point: the order's relay point id is required) and `HOM` (home). No cancel
call: an unused label is not voided at the carrier (unverified).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import requests

from shipping.carriers import (
    DELIVERED,
    EXCEPTION,
    IN_TRANSIT,
    LABEL_CREATED,
    OUT_FOR_DELIVERY,
    RETURNED,
    CarrierRefused,
    CarrierUnavailable,
    Label,
    LabelRequest,
    TrackingEvent,
    idempotency_headers,
)
from shipping.carriers.http import call

RELAY_POINT_PRODUCT = "24R"
# Tracking codes (the sandbox's, unverified) → canonical statuses; 82: waiting at the relay point.
EVENT_STATUSES = {
    "80": LABEL_CREATED,
    "81": IN_TRANSIT,
    "82": OUT_FOR_DELIVERY,
    "85": DELIVERED,
    "90": EXCEPTION,
    "91": RETURNED,
}


class Connector:
    voids_at_carrier = False
    label_formats = ("PDF", "ZPL")

    def __init__(self, *, base_url: str, tracking_base_url: str = "", credentials: dict):
        self.base_url = base_url.rstrip("/")
        self.tracking_base_url = (tracking_base_url or base_url).rstrip("/")
        self.credentials = credentials
        self.session = requests.Session()
        self.session.auth = (credentials["login"], credentials["password"])

    def create_labels(self, request: LabelRequest) -> list[Label]:
        """One call for every parcel; a relay-point product needs the order's relay point."""
        if request.product_code == RELAY_POINT_PRODUCT and not request.relay_point_id:
            raise CarrierRefused("Mondial Relay 24R needs the buyer's relay point: this order has none")
        addressee = request.addressee
        body = {
            "customer_id": self.credentials["customer_id"],
            "delivery_mode": request.product_code,
            "reference": request.reference[:15],
            "label_format": request.label_format,
            "sender": {"name": request.sender.company or request.sender.name, "city": request.sender.city},
            "recipient": {
                "name": addressee.name,
                "line1": addressee.line1,
                "postal_code": addressee.postal_code,
                "city": addressee.city,
                "country": addressee.country,
            },
            "parcels": [{"weight_grams": parcel.weight_grams} for parcel in request.parcels],
        }
        if request.product_code == RELAY_POINT_PRODUCT:
            body["relay_point"] = {"country": addressee.country, "id": request.relay_point_id}
        response = call(
            self.session,
            "POST",
            f"{self.base_url}/api/v1/shipments",
            headers=idempotency_headers(request),
            json=body,
            error_text=_errors,
        )
        try:
            return [
                Label(
                    tracking_number=item["shipment_number"],
                    content=base64.b64decode(item["label_pdf_b64"])
                    if "label_pdf_b64" in item
                    else item["label_zpl"].encode(),
                    label_format=request.label_format,
                )
                for item in response.json()["shipments"]
            ]
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            raise CarrierUnavailable(f"unreadable Mondial Relay answer: {error!r}") from error

    def void(self, tracking_number: str) -> None:  # pragma: no cover - voids_at_carrier is False
        raise CarrierRefused("Mondial Relay has no cancel call here (unverified)")

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        response = call(
            self.session,
            "GET",
            f"{self.tracking_base_url}/api/v1/tracking/{tracking_number}",
            error_text=_errors,
        )
        return sorted(
            (
                TrackingEvent(
                    at=dt.datetime.fromisoformat(event["date"]),
                    status=EVENT_STATUSES.get(event["code"], IN_TRANSIT),
                    code=event["code"],
                    description=event.get("label", ""),
                )
                for event in response.json()["events"]
            ),
            key=lambda event: event.at,
        )


def _errors(response: requests.Response) -> str:
    return "; ".join(error["message"] for error in response.json()["errors"])
