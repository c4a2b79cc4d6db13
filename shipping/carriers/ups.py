"""UPS Shipping and Tracking with OAuth client credentials (`shared/specs/ups/*.yaml`).

Credentials: `client_id`, `client_secret`, `shipper_number` (the 6-character UPS account).
The token comes from POST /security/v1/oauth/token (HTTP Basic, client_credentials) and is
kept until shortly before it expires. Labels are ZPL: the Shipping file offers GIF, ZPL, EPL
and SPL, no PDF.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
import uuid

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

VERSION = "v2409"
TOKEN_MARGIN_SECONDS = 60
# Activity status.type: M manifest (label only), I in transit, X exception, D delivered.
STATUS_TYPES = {
    "M": LABEL_CREATED,
    "P": IN_TRANSIT,
    "I": IN_TRANSIT,
    "X": EXCEPTION,
    "D": DELIVERED,
    "RS": RETURNED,  # returned to shipper (sandbox code: the stored spec does not list the types)
}
OUT_FOR_DELIVERY_CODE = "OT"


class Connector:
    voids_at_carrier = True
    label_formats = ("ZPL",)

    def __init__(self, *, base_url: str, tracking_base_url: str = "", credentials: dict):
        self.base_url = base_url.rstrip("/")
        self.tracking_base_url = (tracking_base_url or base_url).rstrip("/")
        self.credentials = credentials
        self.session = requests.Session()
        self._token, self._token_expires = "", 0.0

    def create_labels(self, request: LabelRequest) -> list[Label]:
        if request.label_format != "ZPL":
            raise CarrierRefused("UPS prints ZPL labels here (its API has no PDF label format)")
        body = {
            "ShipmentRequest": {
                "Request": {
                    "RequestOption": "nonvalidate",
                    "TransactionReference": {"CustomerContext": request.reference},
                },
                "Shipment": {
                    "Description": request.reference,
                    "Shipper": {**_party(request.sender), "ShipperNumber": self.credentials["shipper_number"]},
                    "ShipFrom": _party(request.sender),
                    "ShipTo": _party(request.addressee),
                    "PaymentInformation": {
                        "ShipmentCharge": [
                            {"Type": "01", "BillShipper": {"AccountNumber": self.credentials["shipper_number"]}}
                        ]
                    },
                    "Service": {"Code": request.product_code},
                    "Package": [
                        {
                            "Packaging": {"Code": "02"},
                            "PackageWeight": {
                                "UnitOfMeasurement": {"Code": "KGS"},
                                "Weight": f"{parcel.weight_grams / 1000:.1f}",
                            },
                        }
                        for parcel in request.parcels
                    ],
                },
                "LabelSpecification": {
                    "LabelImageFormat": {"Code": "ZPL"},
                    "LabelStockSize": {"Height": "6", "Width": "4"},
                },
            }
        }
        response = self._call(
            "POST", f"{self.base_url}/api/shipments/{VERSION}/ship", json=body, extra=idempotency_headers(request)
        )
        try:
            results = response.json()["ShipmentResponse"]["ShipmentResults"]["PackageResults"]
            results = results if isinstance(results, list) else [results]  # one package may come as an object
            return [
                Label(
                    tracking_number=result["TrackingNumber"],
                    content=base64.b64decode(result["ShippingLabel"]["GraphicImage"]),
                    label_format="ZPL",
                )
                for result in results
            ]
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            raise CarrierUnavailable(f"unreadable UPS ship answer: {error!r}") from error

    def void(self, tracking_number: str) -> None:
        self._call("DELETE", f"{self.base_url}/api/shipments/{VERSION}/void/cancel/{tracking_number}")

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        response = self._call(
            "GET", f"{self.tracking_base_url}/api/track/v1/details/{tracking_number}", params={"locale": "fr_FR"}
        )
        package = response.json()["trackResponse"]["shipment"][0]["package"][0]
        events = []
        for activity in package["activity"]:
            status = activity["status"]
            at = dt.datetime.strptime(activity["date"] + activity["time"], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
            canonical = (
                OUT_FOR_DELIVERY
                if status.get("code") == OUT_FOR_DELIVERY_CODE
                else STATUS_TYPES.get(status["type"], IN_TRANSIT)
            )
            events.append(
                TrackingEvent(
                    at=at, status=canonical, code=status.get("code", ""), description=status.get("description", "")
                )
            )
        return sorted(events, key=lambda event: event.at)

    def _call(self, method: str, url: str, extra: dict | None = None, **kwargs) -> requests.Response:
        """A call with a bearer token (and the `extra` headers); a token refused as expired is renewed once."""
        try:
            return call(
                self.session, method, url, headers={**self._headers(), **(extra or {})}, error_text=_errors, **kwargs
            )
        except CarrierRefused as error:
            if error.status != 401:
                raise
            self._token = ""
            return call(
                self.session, method, url, headers={**self._headers(), **(extra or {})}, error_text=_errors, **kwargs
            )

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self._access_token()}", "transId": uuid.uuid4().hex, "transactionSrc": "oms"}

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        response = call(
            self.session,
            "POST",
            f"{self.base_url}/security/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(self.credentials["client_id"], self.credentials["client_secret"]),
            error_text=_errors,
        )
        payload = response.json()
        self._token = payload["access_token"]
        self._token_expires = time.monotonic() + int(payload["expires_in"]) - TOKEN_MARGIN_SECONDS
        return self._token


def _party(address) -> dict:
    lines = [line for line in (address.line1, address.line2) if line]
    party = {
        "Name": address.company or address.name,
        "AttentionName": address.name,
        "Address": {
            "AddressLine": lines,
            "City": address.city,
            "PostalCode": address.postal_code,
            "CountryCode": address.country,
        },
    }
    if address.phone:
        party["Phone"] = {"Number": address.phone}
    return party


def _errors(response: requests.Response) -> str:
    return "; ".join(f"{e['code']} {e['message']}" for e in response.json()["response"]["errors"])
