"""The one protocol every marketplace connector implements, and the values it exchanges.

A connector is pure translation plus HTTP: it is built from an `AccountConfig`
(no model, no database), returns canonical dataclasses (`orders.canonical`) and
raises the errors of `errors.py`. One connector object per account; it is safe
to share between threads, and several processes may each build their own for the
same account (tokens are shared through the `TokenStore`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

import requests

from orders.canonical import OrderData

from .errors import UnsupportedAction
from .http import BACKOFF_SECONDS, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, RETRIES_FOR_SAFE_CALLS
from .tokens import PROCESS_TOKEN_STORE, TokenStore


@dataclass(frozen=True)
class AccountConfig:
    """What a connector needs to talk to one seller account.

    `credentials` keys per platform: amazon {client_id, client_secret, refresh_token,
    seller_id, marketplace_id}; ebay {client_id, client_secret, refresh_token};
    mirakl {api_key, shop_id}; cdiscount {client_id, client_secret, seller_id,
    sales_channel_id}. `settings` holds optional tuning: `carrier_codes`
    ({our carrier code: platform code}), `page_size`, `timeout_connect`,
    `timeout_read`, `http_retries`, `http_backoff_seconds`, plus the per-platform
    keys each connector documents.
    """

    platform: str
    account_key: str
    api_base_url: str
    auth_url: str = ""
    credentials: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def credential(self, name: str) -> str:
        """Return a required credential; raises ValueError naming the missing key."""
        value = self.credentials.get(name)
        if value in (None, ""):
            raise ValueError(f"{self.platform} account {self.account_key}: credential {name!r} is missing")
        return str(value)


@dataclass(frozen=True)
class RejectedOrder:
    """An order of a page that could not be mapped; the rest of the page is unaffected."""

    marketplace_order_id: str
    reason: str
    raw: Any


@dataclass(frozen=True)
class OrderPage:
    """One page of changed orders.

    `next_page_token` is None on the last page. `high_watermark` is the latest
    last-updated time seen on this page (rejected orders included), for the cursor.
    """

    orders: list[OrderData]
    rejected: list[RejectedOrder]
    next_page_token: str | None
    high_watermark: dt.datetime | None


@dataclass(frozen=True)
class ShipmentLine:
    line_id: str  # the platform's line id (OrderLineData.marketplace_line_id)
    quantity: int


@dataclass(frozen=True)
class Package:
    """One parcel of a shipment, told on its own where the platform takes one package per call."""

    tracking_number: str
    lines: tuple[ShipmentLine, ...]


@dataclass(frozen=True)
class CancelLine:
    line_id: str
    quantity: int
    amount: Decimal = Decimal("0")  # Mirakl OR30 wants the amount given back for the line
    shipping_amount: Decimal = Decimal("0")


@dataclass(frozen=True)
class RefundLine:
    line_id: str
    amount: Decimal  # item amount refunded for this line, in the order's currency
    quantity: int = 0
    shipping_amount: Decimal = Decimal("0")
    currency: str = "EUR"


@dataclass(frozen=True)
class ReturnLineData:
    line_id: str  # the platform's order line id ("" when the platform names the SKU only: Amazon's report)
    quantity: int
    reason: str = ""  # the platform's reason code, verbatim
    sku: str = ""
    product_id: str = ""  # the platform's listing id, when that is all it names (eBay's Post-Order itemId)


@dataclass(frozen=True)
class ReturnData:
    """A return a buyer opened on the platform, as the platform states it."""

    return_id: str
    order_id: str  # the platform's order id
    state: str  # verbatim (Mirakl: WAITING_ACCEPTANCE, IN_PROGRESS, REFUSED, RECEIVED, CLOSED…)
    created_at: dt.datetime
    updated_at: dt.datetime
    lines: tuple[ReturnLineData, ...]
    reason: str = ""
    respond_by: dt.datetime | None = None  # the platform's deadline for our answer, when it gives one
    carrier: str = ""
    tracking_number: str = ""
    label_url: str = ""
    kind: str = "return"  # "incident": a claim on the platform (Mirakl incident…), no parcel comes back


@dataclass(frozen=True)
class ReturnPage:
    returns: tuple[ReturnData, ...]
    next_page_token: str | None = None


@dataclass(frozen=True)
class ShipmentResult:
    """What the platform recorded; `already_recorded` is True when check-before-retry found it."""

    shipment_id: str | None
    already_recorded: bool = False


@dataclass(frozen=True)
class RefundResult:
    """The platform's refund ids; `already_recorded` is True when a retry found the refund applied."""

    refund_ids: tuple[str, ...] = ()
    already_recorded: bool = False


def refund_already_applied(
    *,
    retry: bool,
    refunded_before: Decimal | None,
    lines: list[RefundLine],
    refunded_on_platform: Callable[[], Decimal],
) -> bool:
    """On a retry: does the platform's refunded total (read only then) already hold this refund?

    `refunded_before` is what the seller had refunded when the refund was decided; the
    platform holding at least that plus this refund means the earlier attempt went through.
    (A refund made on the platform behind our back would count too: the poll brings it in.)
    """
    if not retry or refunded_before is None:
        return False
    this_refund = sum((line.amount + line.shipping_amount for line in lines), Decimal("0"))
    return refunded_on_platform() >= refunded_before + this_refund


@dataclass(frozen=True)
class StockPushResult:
    """Per-SKU outcome of a stock push.

    `accepted`: the platform took the quantity (Amazon: see `submission_ids`).
    `rejected`: SKU -> the platform's reason; sending it again will not help.
    `deferred`: not sent or not confirmed because of throttling or a transient
    error; push them again later.
    `awaiting_report`: submission id -> its SKUs, for an asynchronous import (Mirakl
    STO01, Cdiscount offer packages) whose per-SKU outcome the platform reports later:
    `read_stock_report` reads it.
    """

    accepted: tuple[str, ...] = ()
    rejected: Mapping[str, str] = field(default_factory=dict)
    deferred: tuple[str, ...] = ()
    submission_ids: tuple[str, ...] = ()
    awaiting_report: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Connector(Protocol):
    """The contract of `amazon.py`, `ebay.py`, `mirakl.py` and `cdiscount.py`.

    Every method raises `errors.MarketplaceError` subclasses only (RateLimited,
    AuthenticationFailed, TransientError, RejectedByMarketplace, InvalidRequest,
    UnsupportedAction). Writes are never re-sent blindly: `retry=True` says an earlier
    attempt's outcome is unknown, and where a platform call is not idempotent the
    connector first reads what the platform already has; an "already done" refusal
    of a replayed write counts as done. `refunded_before` (the order's refunded total
    when the refund was decided) lets a refund retry recognise its own refund.

    What the platform can do (an acceptance step, line-level cancels...) is data in
    `orders.platforms.CAPABILITIES`; a method the platform lacks raises UnsupportedAction.
    """

    platform: ClassVar[str]
    rate_limits: ClassVar[Mapping[str, tuple[float, int]]]  # operation -> (requests/s, burst)

    def list_changed_orders(self, *, since: dt.datetime, page_token: str | None = None) -> OrderPage: ...

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None: ...

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None: ...

    def cancel_order(
        self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None, retry: bool = False
    ) -> None: ...

    def confirm_shipment(
        self,
        *,
        order_id: str,
        carrier: str,
        tracking_number: str,
        lines: list[ShipmentLine],
        shipped_at: dt.datetime,
        idempotency_key: str,
        retry: bool = False,
        packages: list[Package] | None = None,
    ) -> ShipmentResult: ...

    def refund(
        self,
        *,
        order_id: str,
        lines: list[RefundLine],
        reason: str,
        idempotency_key: str,
        refunded_before: Decimal | None = None,
        retry: bool = False,
    ) -> RefundResult: ...

    def push_stock(self, *, quantities: Mapping[str, int]) -> StockPushResult: ...

    def read_stock_report(self, *, submission_id: str, skus: tuple[str, ...]) -> StockPushResult:
        """The outcome of the SKUs of one asynchronous import (`awaiting_report`): accepted and
        rejected with the platform's reason, or all deferred while the platform is still working."""
        ...


class ConnectorBase:
    """Shared construction: one Session, the token store, timeouts read from settings."""

    platform: ClassVar[str] = ""
    rate_limits: ClassVar[Mapping[str, tuple[float, int]]] = {}

    def __init__(
        self,
        account: AccountConfig,
        *,
        session: requests.Session | None = None,
        token_store: TokenStore | None = None,
        call_gate: Callable[[str], None] | None = None,
    ) -> None:
        if account.platform != self.platform:
            raise ValueError(f"{type(self).__name__} cannot serve a {account.platform!r} account")
        self.account = account
        self.session = session or requests.Session()
        self.token_store = token_store if token_store is not None else PROCESS_TOKEN_STORE
        settings = account.settings
        self.timeout = (
            float(settings.get("timeout_connect", CONNECT_TIMEOUT_SECONDS)),
            float(settings.get("timeout_read", READ_TIMEOUT_SECONDS)),
        )
        self.http_options = {
            "timeout": self.timeout,
            "retries": int(settings.get("http_retries", RETRIES_FOR_SAFE_CALLS)),
            "backoff_seconds": float(settings.get("http_backoff_seconds", BACKOFF_SECONDS)),
            "call_gate": call_gate,
        }

    @property
    def token_key(self) -> str:
        """Store key of the account's token; new credentials or a new token URL never reuse an old token."""
        identity = f"{self.account.auth_url}|{self.account.credentials.get('client_id', '')}"
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
        return f"{self.platform}:{self.account.account_key}:{digest}"

    def read_stock_report(self, *, submission_id: str, skus: tuple[str, ...]) -> StockPushResult:
        """Platforms whose stock calls answer per SKU at once (Amazon, eBay) have no report to read."""
        raise UnsupportedAction(
            f"{self.platform} answers stock pushes at once: no import report", platform=self.platform
        )

    def list_returns(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """The returns buyers opened or changed since `since`; platforms without a returns API raise."""
        raise UnsupportedAction(f"{self.platform}: no returns API is read yet (unverified)", platform=self.platform)

    def list_incidents(self, *, since: dt.datetime, page_token: str | None = None) -> ReturnPage:
        """The incidents (claims) in progress on lines changed since `since`, as returns of kind "incident"."""
        raise UnsupportedAction(f"{self.platform}: no incidents are read yet", platform=self.platform)

    def page_size(self, default: int, maximum: int) -> int:
        size = int(self.account.settings.get("page_size", default))
        return max(1, min(size, maximum))
