"""DHL Parcel DE Shipping v2 (`shared/specs/dhl/parcel-de-shipping-v2.1.12.yaml`) and DHL
Shipment Tracking – Unified (no spec stored: unverified).

Credentials: `api_key` (header `dhl-api-key`), `user` and `password` (HTTP Basic: the
partner system user), `billing_number` (14 characters: EKP + procedure + participation).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import requests

from marketplaces.connectors.countries import ALPHA3_TO_ALPHA2
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

ALPHA2_TO_ALPHA3 = {alpha2: alpha3 for alpha3, alpha2 in ALPHA3_TO_ALPHA2.items()}
DOC_FORMATS = {"PDF": "PDF", "ZPL": "ZPL2"}
PROFILE = "STANDARD_GRUPPENPROFIL"
STATUS_CODES = {"pre-transit": LABEL_CREATED, "transit": IN_TRANSIT, "failure": EXCEPTION, "delivered": DELIVERED}
# The finer steps the `status` text names (unverified: no spec of DHL tracking is stored).
SANDBOX_STEPS = {OUT_FOR_DELIVERY: OUT_FOR_DELIVERY, RETURNED: RETURNED}


class Connector:
    voids_at_carrier = True
    label_formats = ("PDF", "ZPL")

    def __init__(self, *, base_url: str, tracking_base_url: str = "", credentials: dict):
        self.base_url = base_url.rstrip("/")
        self.tracking_base_url = (tracking_base_url or base_url).rstrip("/")
        self.credentials = credentials
        self.session = requests.Session()
        self.session.auth = (credentials["user"], credentials["password"])
        self.session.headers["dhl-api-key"] = credentials["api_key"]

    def create_labels(self, request: LabelRequest) -> list[Label]:
        """One shipment per parcel in one createOrders call (a DHL shipment is one parcel)."""
        body = {
            "profile": PROFILE,
            "shipments": [
                {
                    "product": request.product_code,
                    "billingNumber": self.credentials["billing_number"],
                    "refNo": request.reference[:35].ljust(8, "-"),  # refNo is 8 to 35 characters
                    "shipDate": request.ship_date.isoformat(),
                    "shipper": _party(request.sender),
                    "consignee": _party(request.addressee),
                    "details": {"weight": {"uom": "kg", "value": round(parcel.weight_grams / 1000, 3)}},
                }
                for parcel in request.parcels
            ],
        }
        response = call(
            self.session,
            "POST",
            f"{self.base_url}/parcel/de/shipping/v2/orders",
            params={"docFormat": DOC_FORMATS[request.label_format], "includeDocs": "include"},
            headers=idempotency_headers(request),
            json=body,
            error_text=_errors,
        )
        try:
            labels = []
            for item in response.json()["items"]:
                label = item["label"]
                content = base64.b64decode(label["b64"]) if "b64" in label else label["zpl2"].encode()
                labels.append(
                    Label(tracking_number=item["shipmentNo"], content=content, label_format=request.label_format)
                )
            return labels
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            raise CarrierUnavailable(f"unreadable DHL createOrders answer: {error!r}") from error

    def void(self, tracking_number: str) -> None:
        response = call(
            self.session,
            "DELETE",
            f"{self.base_url}/parcel/de/shipping/v2/orders",
            params={"profile": PROFILE, "shipment": tracking_number},
            error_text=_errors,
        )
        item = response.json()["items"][0]
        if item["sstatus"]["status"] != 200:  # 207: the call went through, this shipment did not
            raise CarrierRefused(
                f"HTTP {item['sstatus']['status']}: {item['sstatus'].get('detail', item['sstatus']['title'])}"
            )

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        response = call(
            self.session,
            "GET",
            f"{self.tracking_base_url}/track/shipments",
            params={"trackingNumber": tracking_number},
            headers={"DHL-API-Key": self.credentials["api_key"]},
            error_text=lambda r: r.json().get("title", ""),
        )
        events = response.json()["shipments"][0]["events"]
        return sorted(
            (
                TrackingEvent(
                    at=dt.datetime.fromisoformat(event["timestamp"]),
                    status=SANDBOX_STEPS.get(event.get("status"), STATUS_CODES.get(event["statusCode"], IN_TRANSIT)),
                    code=event["statusCode"],
                    description=event.get("description", ""),
                )
                for event in events
            ),
            key=lambda event: event.at,
        )


def _party(address) -> dict:
    party = {
        "name1": address.company or address.name,
        "name2": address.name if address.company else "",
        "addressStreet": address.line1,
        "additionalAddressInformation1": address.line2,
        "postalCode": address.postal_code,
        "city": address.city,
        "country": ALPHA2_TO_ALPHA3.get(address.country, address.country),
        "phone": address.phone,
        "email": address.email,
    }
    return {key: value for key, value in party.items() if value}


def _errors(response: requests.Response) -> str:
    payload = response.json()
    messages = [
        message["validationMessage"]
        for item in payload.get("items", [])
        for message in item.get("validationMessages", [])
    ]
    return "; ".join(messages) or payload["status"].get("detail") or payload["status"]["title"]
