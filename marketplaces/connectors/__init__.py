"""Marketplace connectors: one module per platform behind the protocol of `base.py`.

    from marketplaces.connectors import AccountConfig, connector_for
    connector = connector_for(AccountConfig(platform="mirakl", account_key="fnac-2001",
                                            api_base_url="https://fnac.mirakl.net",
                                            credentials={"api_key": "...", "shop_id": "2001"}))
    page = connector.list_changed_orders(since=cursor)

Connectors never import models; they return `orders.canonical` dataclasses and raise
the errors of `errors.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from .amazon import AmazonConnector
from .base import (
    AccountConfig,
    CancelLine,
    Connector,
    OrderPage,
    Package,
    RefundLine,
    RefundResult,
    RejectedOrder,
    ReturnData,
    ReturnLineData,
    ReturnPage,
    ShipmentLine,
    ShipmentResult,
    StockPushResult,
)
from .cdiscount import CdiscountConnector
from .ebay import EbayConnector
from .mirakl import MiraklConnector
from .tokens import InMemoryTokenStore, TokenStore

CONNECTORS: dict[str, type] = {
    AmazonConnector.platform: AmazonConnector,
    EbayConnector.platform: EbayConnector,
    MiraklConnector.platform: MiraklConnector,
    CdiscountConnector.platform: CdiscountConnector,
}


def connector_for(
    account: AccountConfig,
    *,
    session: requests.Session | None = None,
    token_store: TokenStore | None = None,
    call_gate: Callable[[str], None] | None = None,
) -> Connector:
    """Build the connector of the account's platform; ValueError for an unknown platform.

    `call_gate(operation)` runs before every HTTP attempt (shared rate limits, call counts).
    """
    try:
        connector_class = CONNECTORS[account.platform]
    except KeyError:
        raise ValueError(f"no connector for platform {account.platform!r}") from None
    return connector_class(account, session=session, token_store=token_store, call_gate=call_gate)


__all__ = [
    "CONNECTORS",
    "AccountConfig",
    "AmazonConnector",
    "CancelLine",
    "CdiscountConnector",
    "Connector",
    "EbayConnector",
    "InMemoryTokenStore",
    "MiraklConnector",
    "OrderPage",
    "Package",
    "RefundLine",
    "RefundResult",
    "RejectedOrder",
    "ReturnData",
    "ReturnLineData",
    "ReturnPage",
    "ShipmentLine",
    "ShipmentResult",
    "StockPushResult",
    "TokenStore",
    "connector_for",
]
