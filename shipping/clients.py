"""The connector of a carrier account (connectors take configuration, never models)."""

from __future__ import annotations

from shipping.carriers import colissimo, dhl, mondial_relay, ups
from shipping.models import CarrierAccount

CONNECTORS = {
    "colissimo": colissimo.Connector,
    "ups": ups.Connector,
    "dhl_parcel": dhl.Connector,
    "mondial_relay": mondial_relay.Connector,  # unverified format (no spec stored)
}


def has_connector(carrier_code: str) -> bool:
    return carrier_code in CONNECTORS


def connector_class(carrier_code: str):
    return CONNECTORS[carrier_code]


def connector_for_account(account: CarrierAccount):
    """Raises KeyError for a carrier without a connector (`has_connector` says which have one)."""
    return CONNECTORS[account.carrier.code](
        base_url=account.base_url, tracking_base_url=account.tracking_base_url, credentials=account.credentials
    )
