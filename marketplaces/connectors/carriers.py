"""The tracking check every connector makes before a shipment leaves (the carrier data is
in `orders/carriers.py`, which the core reads too)."""

from __future__ import annotations

from orders.carriers import CARRIER_NAMES, CARRIERS, normalize_tracking, tracking_matches

from .errors import InvalidRequest


def validate_tracking(carrier: str, tracking_number: str) -> str:
    """Return the normalised tracking number, or raise InvalidRequest.

    Raises InvalidRequest for an unknown carrier code or a number that does not
    match the carrier's format: pushing it would cost Amazon's Valid Tracking Rate.
    """
    if carrier not in CARRIERS:
        raise InvalidRequest(f"unknown carrier {carrier!r}; expected one of {', '.join(CARRIERS)}")
    normalized = normalize_tracking(tracking_number)
    if not tracking_matches(carrier, normalized):
        raise InvalidRequest(
            f"tracking number {tracking_number!r} does not look like a {CARRIER_NAMES[carrier]} number"
        )
    return normalized
