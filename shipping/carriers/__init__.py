"""Carrier connectors: pure translation + HTTP (requests), no models.

Each module (`colissimo`, `ups`, `dhl`, `mondial_relay`: unverified format) has a `Connector(base_url=, tracking_base_url=,
credentials=)` with the same small protocol:

- `create_labels(request: LabelRequest) -> list[Label]`: one label per parcel, in order;
- `void(tracking_number)`: cancels an unused label at the carrier (only where
  `voids_at_carrier` is true: Colissimo has no cancel operation, an unused label is never billed);
- `track(tracking_number) -> list[TrackingEvent]`: the carrier's events, oldest first.

They raise `CarrierRefused` (the carrier said no: fix the data, nothing to retry) or
`CarrierUnavailable` (5xx, 429, timeout, unreadable answer: try again later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Canonical tracking statuses (each connector maps the carrier's codes onto them).
LABEL_CREATED = "label_created"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
EXCEPTION = "exception"
DELIVERED = "delivered"
RETURNED = "returned"  # the carrier brings the parcel back to the sender


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    company: str = ""
    line2: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ParcelSpec:
    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True)
class LabelRequest:
    reference: str  # our order number, printed on the label where the carrier allows it
    product_code: str  # the carrier's product (CarrierService.product_code)
    sender: Address
    addressee: Address
    parcels: list[ParcelSpec]
    label_format: str = "PDF"  # "PDF" or "ZPL"
    ship_date: dt.date = field(default_factory=dt.date.today)
    # The same key for every attempt of one label request: sent as `Idempotency-Key` (one per parcel
    # where each parcel is its own call), so a retry after a worker died gets the labels the carrier
    # already made instead of new ones (the carrier sandbox honours it; unverified on the real APIs).
    request_key: str = ""
    # The buyer's relay point (Order.relay_point_id), for a relay-point product.
    relay_point_id: str = ""


def idempotency_headers(request: LabelRequest, part: int | None = None) -> dict:
    """The request key as a header (`<key>-<part>` for one call per parcel); none without a key."""
    if not request.request_key:
        return {}
    return {IDEMPOTENCY_HEADER: request.request_key if part is None else f"{request.request_key}-{part}"}


IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Label:
    tracking_number: str
    content: bytes
    label_format: str  # "PDF" or "ZPL"


@dataclass(frozen=True)
class TrackingEvent:
    at: dt.datetime
    status: str  # one of the canonical statuses above
    code: str  # the carrier's own code
    description: str


class CarrierError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class CarrierRefused(CarrierError):
    """The carrier refused the request (4xx): retrying the same data cannot help."""


class CarrierUnavailable(CarrierError):
    """The carrier could not answer now (5xx, 429, timeout, unreadable answer)."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, status=status)
        self.retry_after = retry_after
