"""Mirakl seller (shop) API connector, for every Mirakl operator (Fnac-Darty, Conforama, Boulanger...).

Wire facts come from `shared/specs/mirakl/mmp-seller-openapi.json` (OR11, OR12,
OR21, OR23, OR24, OR28, OR29, OR30, STO01, SH21). The account's api_base_url is
the operator's instance (`https://<operator>.mirakl.net`). Amounts are JSON
numbers, read as Decimal; `country_iso_code` is often alpha-3 and is converted.
Writes are PUTs that Mirakl refuses with a 4xx once the order has moved on, so
after a 4xx the connector reads the order (OR12) to tell "already done" from "refused".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import requests

from orders import platforms
from orders.canonical import (
    AddressData,
    AdjustmentData,
    AdjustmentKind,
    CanonicalStatus,
    OrderData,
    OrderLineData,
    TaxMode,
)
from orders.carriers import CARRIER_NAMES, MIRAKL_CARRIER_CODES, normalize_tracking, platform_carrier_code, tracking_url

from .base import (
    AccountConfig,
    CancelLine,
    ConnectorBase,
    OrderPage,
    Package,
    RefundLine,
    RefundResult,
    ShipmentLine,
    ShipmentResult,
    StockPushResult,
    refund_already_applied,
)
from .carriers import validate_tracking
from .countries import to_alpha2
from .errors import (
    InvalidRequest,
    MarketplaceError,
    RateLimited,
    RejectedByMarketplace,
    TransientError,
    error_for_status,
    parse_retry_after,
)
from .http import HttpClient
from .mirakl_returns import MiraklReturns
from .payload import (
    InvalidOrder,
    amount_of,
    canonical_status,
    datetime_of,
    map_page,
    parse_amount,
    parse_currency,
    quantity_of,
    text_of,
)
from .tokens import TokenStore

ORDERS_PATH = "/api/orders"  # OR11
ORDER_PATH = "/api/orders/{order_id}"  # OR12
ACCEPT_PATH = "/api/orders/{order_id}/accept"  # OR21
TRACKING_PATH = "/api/orders/{order_id}/tracking"  # OR23
SHIP_PATH = "/api/orders/{order_id}/ship"  # OR24
REFUND_PATH = "/api/orders/refund"  # OR28
CANCEL_ORDER_PATH = "/api/orders/{order_id}/cancel"  # OR29
CANCEL_LINES_PATH = "/api/orders/cancel"  # OR30
STOCK_IMPORT_PATH = "/api/offers/stock/imports"  # STO01
STOCK_IMPORT_STATUS_PATH = "/api/offers/stock/imports/{import_id}/status"  # STO02
STOCK_IMPORT_ERRORS_PATH = "/api/offers/stock/imports/{import_id}/error_report"  # STO03
# STO02 `status`: WAITING and RUNNING are not finished; COMPLETE is, FAILED is the whole import refused.
STOCK_IMPORT_UNFINISHED = ("WAITING", "RUNNING")
STOCK_IMPORT_FAILED = "FAILED"
CARRIERS_PATH = "/api/shipping/carriers"  # SH21
STATISTICS_PATH = "/api/account/statistics"  # A21: "Maximum usage: Once per day"

# The spec's call frequencies (OR11 and STO01 at most once a minute per shop, from orders/platforms.py;
# STO02 "once every 15 seconds", STO03 "once per minute").
RATE_LIMITS: Mapping[str, tuple[float, int]] = {
    "OR11": (1 / platforms.CAPABILITIES[platforms.MIRAKL].min_poll_interval.total_seconds(), 1),
    "STO01": (1 / platforms.CAPABILITIES[platforms.MIRAKL].min_stock_push_interval.total_seconds(), 1),
    "STO02": (1 / 15, 1),
    "STO03": (1 / 60, 1),
}

# OR11 `max`/`offset`: default 10, max 100 (unverified: not in the spec, from Mirakl's
# "offset pagination" documentation).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100

STATUS_MAP: Mapping[str, str] = {
    "STAGING": CanonicalStatus.AWAITING_PAYMENT,  # fraud check / not yet offered to the shop
    "WAITING_DEBIT": CanonicalStatus.AWAITING_PAYMENT,
    "WAITING_DEBIT_PAYMENT": CanonicalStatus.AWAITING_PAYMENT,
    "WAITING_ACCEPTANCE": CanonicalStatus.PENDING_ACCEPTANCE,
    "SHIPPING": CanonicalStatus.ACCEPTED,  # accepted and paid: to ship
    "SHIPPED": CanonicalStatus.SHIPPED,
    "TO_COLLECT": CanonicalStatus.SHIPPED,
    "RECEIVED": CanonicalStatus.DELIVERED,
    "CLOSED": CanonicalStatus.DELIVERED,
    "REFUSED": CanonicalStatus.REFUSED,
    "CANCELED": CanonicalStatus.CANCELLED,
}
SHIPPED_STATES = frozenset({"SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED"})
INCIDENT_OPEN = "INCIDENT_OPEN"  # order_line_state of a shipped line the buyer opened an incident on
ACCEPTED_STATES = frozenset({"WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"}) | SHIPPED_STATES

STOCK_CSV_HEADER = '"offer-sku";"quantity";"warehouse-code";"update-delete"'


def parse_error(status: int, headers: Mapping[str, str], body: Any, text: str) -> MarketplaceError:
    """Mirakl error body: {"status": 400, "message": "..."} (sometimes plain text)."""
    code, message = "", text[:500] or f"HTTP {status}"
    if isinstance(body, dict):
        message = str(body.get("message") or message)
        code = str(body.get("status") or "")
    return error_for_status(
        status,
        message,
        platform=platforms.MIRAKL,
        code=code,
        body=body if body is not None else text[:2000],
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _country(raw: Mapping[str, Any], path: str) -> str:
    value = text_of(raw, "country_iso_code", required=False)
    if not value:
        return ""
    try:
        return to_alpha2(value)
    except ValueError:
        raise InvalidOrder(f"unknown country code {path}.country_iso_code: {value!r}") from None


def _address(raw: Any, path: str, *, relay_point_id: str = "") -> AddressData | None:
    if not isinstance(raw, Mapping):
        return None
    name = " ".join(
        part for part in (text_of(raw, "firstname", required=False), text_of(raw, "lastname", required=False)) if part
    )
    company = " ".join(
        part for part in (text_of(raw, "company", required=False), text_of(raw, "company_2", required=False)) if part
    )
    return AddressData(
        name=name,
        company=company,
        line1=text_of(raw, "street_1", required=False),
        line2=text_of(raw, "street_2", required=False),
        line3=text_of(raw, "additional_info", required=False),
        postal_code=text_of(raw, "zip_code", required=False),
        city=text_of(raw, "city", required=False),
        region=text_of(raw, "state", required=False),
        country_code=_country(raw, path),
        phone=text_of(raw, "phone", required=False),
        relay_point_id=relay_point_id,
    )


def _sum_of(raw: Any, path: str, field: str = "amount") -> Decimal:
    """The sum of `field` over a list of objects (taxes[], fees[], promotions[])."""
    if raw is not None and not isinstance(raw, list):
        raise InvalidOrder(f"{path} is not a list")
    return sum(
        (parse_amount(entry.get(field), f"{path}.{field}") for entry in raw or [] if isinstance(entry, Mapping)),
        Decimal("0"),
    )


def _adjustments(line: Mapping[str, Any], line_id: str) -> list[AdjustmentData]:
    """The line's refunds[] and cancelations[]: money the platform gave back, whoever asked.

    A refund's or cancellation's fees[] are given back too: they count with its amount.
    """
    found = []
    for kind, key in ((AdjustmentKind.REFUND, "refunds"), (AdjustmentKind.CANCELLATION, "cancelations")):
        for index, entry in enumerate(line.get(key) or []):
            if not isinstance(entry, Mapping):
                continue
            path = f"order_lines[{line_id}].{key}[{index}]"
            found.append(
                AdjustmentData(
                    kind=kind,
                    marketplace_adjustment_id=text_of(entry, "id"),
                    marketplace_line_id=line_id,
                    amount=amount_of(entry, "amount", required=False) + _sum_of(entry.get("fees"), f"{path}.fees"),
                    shipping_amount=amount_of(entry, "shipping_amount", required=False),
                    tax_amount=_sum_of(entry.get("taxes"), f"{path}.taxes")
                    + _sum_of(entry.get("shipping_taxes"), f"{path}.shipping_taxes"),
                    quantity=quantity_of(entry, "quantity", required=False),
                    reason=text_of(entry, "reason_code", required=False),
                    state=text_of(entry, "refund_state", required=False) or text_of(entry, "state", required=False),
                    created_at=datetime_of(entry, "created_date", required=False),
                )
            )
    return found


def map_order_line(line: Mapping[str, Any]) -> OrderLineData:
    """One order_lines entry -> OrderLineData.

    `price` is the items after promotions: the promotions' `deduced_amount` is added back
    as the items before discounts and shown as the discount, so the line still costs `price`.
    """
    quantity = quantity_of(line, "quantity", minimum=1)
    state = text_of(line, "order_line_state", required=False)
    line_id = text_of(line, "order_line_id")
    discount = _sum_of(line.get("promotions"), "promotions", "deduced_amount")
    return OrderLineData(
        marketplace_line_id=line_id,
        sku=text_of(line, "offer_sku"),
        title=text_of(line, "product_title", required=False),
        quantity=quantity,
        unit_price_amount=amount_of(line, "price_unit"),
        total_amount=amount_of(line, "price") + discount,
        shipping_amount=amount_of(line, "shipping_price", required=False),
        tax_amount=_sum_of(line.get("taxes"), "taxes"),
        shipping_tax_amount=_sum_of(line.get("shipping_taxes"), "shipping_taxes"),
        discount_amount=discount,
        fee_amount=_sum_of(line.get("fees"), "fees"),
        quantity_shipped=quantity if state in SHIPPED_STATES or state == INCIDENT_OPEN else 0,
        marketplace_product_id=text_of(line, "product_sku", required=False),
        marketplace_status=state,
    )


def _tax_mode(order: Mapping[str, Any]) -> str:
    # The spec gives no default; an order without taxes reads the same in both modes.
    mode = text_of(order, "order_tax_mode", required=False) or TaxMode.INCLUDED
    if mode not in TaxMode.ALL:
        raise InvalidOrder(f"unknown order_tax_mode {mode!r}")
    return mode


def _total_with_taxes(order: Mapping[str, Any], tax_mode: str, lines: tuple[OrderLineData, ...]) -> Decimal:
    """What the buyer pays: `total_price`, plus the taxes when the order states prices without them
    (the platform's `order_taxes` when it gives them, else the lines' taxes)."""
    total = amount_of(order, "total_price")
    if tax_mode == TaxMode.INCLUDED:
        return total
    if order.get("order_taxes"):
        return total + _sum_of(order["order_taxes"], "order_taxes", "total_amount")
    return total + sum((line.taxes_amount for line in lines), Decimal("0"))


# How long a shop has to accept a Mirakl order (unverified: set per operator; 2 days is the common
# setting). OR11's acceptance_decision_date is when the shop decided, not a deadline (spec).
DEFAULT_ACCEPTANCE_WINDOW = dt.timedelta(hours=48)


def map_order(order: Mapping[str, Any], *, acceptance_window: dt.timedelta = DEFAULT_ACCEPTANCE_WINDOW) -> OrderData:
    """An OR11/OR12 order -> OrderData. Raises InvalidOrder."""
    order_id = text_of(order, "order_id")
    marketplace_status = text_of(order, "order_state")
    status = canonical_status(STATUS_MAP, marketplace_status)
    currency = parse_currency(order.get("currency_iso_code"), "currency_iso_code")
    raw_lines = order.get("order_lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidOrder("order has no order_lines")
    lines = tuple(map_order_line(line) for line in raw_lines)
    tax_mode = _tax_mode(order)
    adjustments = tuple(
        adjustment for line in raw_lines for adjustment in _adjustments(line, text_of(line, "order_line_id"))
    )
    customer = order.get("customer") if isinstance(order.get("customer"), Mapping) else {}
    buyer_name = " ".join(
        part
        for part in (text_of(customer, "firstname", required=False), text_of(customer, "lastname", required=False))
        if part
    )
    channel = order.get("channel") if isinstance(order.get("channel"), Mapping) else {}
    return OrderData(
        platform=platforms.MIRAKL,
        marketplace_order_id=order_id,
        status=status,
        marketplace_status=marketplace_status,
        purchased_at=datetime_of(order, "created_date"),
        marketplace_updated_at=datetime_of(order, "last_updated_date"),
        currency=currency,
        total_amount=_total_with_taxes(order, tax_mode, lines),
        lines=lines,
        tax_mode=tax_mode,
        adjustments=adjustments,
        reference=text_of(order, "commercial_id", required=False),
        channel=text_of(channel, "label", required=False) or text_of(channel, "code", required=False),
        acceptance_deadline=datetime_of(order, "created_date") + acceptance_window,
        ship_by=datetime_of(order, "shipping_deadline", required=False),
        deliver_by=datetime_of(order, "delivery_date.latest", required=False),
        earliest_delivery_date=datetime_of(order, "delivery_date.earliest", required=False),
        payment_method=text_of(order, "payment_type", required=False),
        shipping_method=text_of(order, "shipping_type_code", required=False),
        buyer_name=buyer_name,
        buyer_email=text_of(order, "customer_notification_email", required=False),
        shipping_address=_address(
            customer.get("shipping_address"),
            "customer.shipping_address",
            relay_point_id=text_of(order, "shipping_pudo_id", required=False),
        ),
        billing_address=_address(customer.get("billing_address"), "customer.billing_address"),
        is_business=isinstance(customer.get("organization"), Mapping),
        raw=order,
    )


def iso_z(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetimes sent to a marketplace must be timezone-aware")
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def stock_csv(quantities: Mapping[str, int]) -> bytes:
    """The STO01 file: one global quantity per offer (no warehouse code)."""
    rows = [STOCK_CSV_HEADER]
    for sku, quantity in quantities.items():
        escaped = sku.replace('"', '""')
        rows.append(f'"{escaped}";"{max(int(quantity), 0)}";"";"update"')
    return ("\n".join(rows) + "\n").encode("utf-8")


class MiraklConnector(MiraklReturns, ConnectorBase):
    """One shop on one Mirakl operator instance."""

    platform: ClassVar[str] = platforms.MIRAKL
    rate_limits: ClassVar[Mapping[str, tuple[float, int]]] = RATE_LIMITS

    def __init__(
        self,
        account: AccountConfig,
        *,
        session: requests.Session | None = None,
        token_store: TokenStore | None = None,
        call_gate: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(account, session=session, token_store=token_store, call_gate=call_gate)
        self.shop_id = str(account.credentials.get("shop_id") or "")
        hours = account.settings.get("acceptance_window_hours")
        self.acceptance_window = dt.timedelta(hours=float(hours)) if hours else DEFAULT_ACCEPTANCE_WINDOW
        self.http = HttpClient(
            platform=self.platform,
            base_url=account.api_base_url,
            session=self.session,
            parse_error=parse_error,
            # The shop API key goes as is, without "Bearer".
            static_headers={"Authorization": account.credential("api_key")},
            refresh_on_statuses=(),
            **self.http_options,
        )
        self._carriers: list[Mapping[str, Any]] | None = None

    def _params(self, **params: Any) -> dict[str, Any]:
        if self.shop_id:
            params["shop_id"] = self.shop_id
        return params

    # -- orders -------------------------------------------------------------------

    def list_changed_orders(self, *, since: dt.datetime, page_token: str | None = None) -> OrderPage:
        """OR11 with start_update_date, max/offset paging (the page token is the next offset).

        Mirakl subtracts a safety delta from start_update_date: expect orders already seen.
        """
        offset = int(page_token) if page_token else 0
        size = self.page_size(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        response = self.http.request(
            "GET",
            ORDERS_PATH,
            params=self._params(start_update_date=iso_z(since), max=size, offset=offset),
            operation="OR11",
        )
        body = response.body if isinstance(response.body, dict) else {}
        raw_orders = body.get("orders")
        if not isinstance(raw_orders, list):
            raise TransientError("OR11 response without orders", platform=self.platform, body=body)
        orders, rejected, high_watermark = map_page(
            raw_orders,
            map_one=lambda raw: map_order(raw, acceptance_window=self.acceptance_window),
            order_id_of=lambda raw: str(raw.get("order_id", "")),
            updated_at_of=lambda raw: raw.get("last_updated_date"),
        )
        next_offset = offset + len(raw_orders)
        total = body.get("total_count")
        has_more = bool(raw_orders) and isinstance(total, (int, Decimal)) and next_offset < int(total)
        return OrderPage(orders, rejected, str(next_offset) if has_more else None, high_watermark)

    def order_summary(self, *, order_id: str) -> Mapping[str, Any]:
        """OR12: the order as Mirakl has it now (state, tracking; no cancelations or refunds)."""
        response = self.http.request(
            "GET", ORDER_PATH.format(order_id=order_id), params=self._params(), operation="OR12"
        )
        body = response.body if isinstance(response.body, dict) else {}
        if isinstance(body.get("orders"), list) and body["orders"]:
            body = body["orders"][0]
        return body

    def order_state(self, *, order_id: str) -> str:
        """OR12: the order's current order_state."""
        return str(self.order_summary(order_id=order_id).get("order_state", ""))

    def order_detail(self, *, order_id: str) -> Mapping[str, Any]:
        """OR11 for one order: the full order, with each line's cancelations and refunds (OR12 has neither)."""
        response = self.http.request("GET", ORDERS_PATH, params=self._params(order_ids=order_id), operation="OR11")
        body = response.body if isinstance(response.body, dict) else {}
        found = [o for o in body.get("orders") or [] if isinstance(o, Mapping) and o.get("order_id") == order_id]
        if not found:
            raise TransientError(f"OR11 does not list order {order_id}", platform=self.platform, body=body)
        return found[0]

    def _lines_to_cancel(self, order_id: str, lines: list[CancelLine]) -> list[CancelLine]:
        """The requested cancellations Mirakl does not hold yet.

        A line holds its cancellation once at least the requested quantity is cancelled:
        exact for whole-line cancels (what the order actions send); a second partial cancel
        of a line would be taken for the first.
        """
        order = self.order_detail(order_id=order_id)
        if order.get("order_state") == "CANCELED":
            return []
        cancelled = {
            str(line.get("order_line_id")): sum(int(c.get("quantity") or 0) for c in line.get("cancelations") or [])
            for line in order.get("order_lines") or []
            if isinstance(line, Mapping)
        }
        return [line for line in lines if cancelled.get(line.line_id, 0) < line.quantity]

    def refunded_total(self, *, order_id: str) -> Decimal:
        """OR11: every refund of the order's lines, items and shipping."""
        order = self.order_detail(order_id=order_id)
        return sum(
            (
                parse_amount(refund.get("amount"), "refunds.amount")
                + parse_amount(refund.get("shipping_amount") or 0, "refunds.shipping_amount")
                for line in order.get("order_lines") or []
                if isinstance(line, Mapping)
                for refund in line.get("refunds") or []
                if isinstance(refund, Mapping)
            ),
            Decimal("0"),
        )

    def _already_in(self, order_id: str, states: frozenset[str], error: RejectedByMarketplace) -> None:
        """After a 4xx on a write: return if the order already is where we wanted it, else re-raise."""
        if self.order_state(order_id=order_id) not in states:
            raise error

    # -- actions ------------------------------------------------------------------

    def _decide(self, order_id: str, line_ids: list[str], accepted: bool) -> None:
        if not line_ids:
            raise InvalidRequest("every order line must be decided: no line given", platform=self.platform)
        try:
            self.http.request(
                "PUT",
                ACCEPT_PATH.format(order_id=order_id),
                params=self._params(),
                json_body={"order_lines": [{"id": line_id, "accepted": accepted} for line_id in line_ids]},
                operation="OR21",
            )
        except RejectedByMarketplace as exc:
            self._already_in(order_id, ACCEPTED_STATES if accepted else frozenset({"REFUSED"}), exc)

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None:
        """OR21 accepting the lines (Mirakl wants every line of the order decided).

        Only in WAITING_ACCEPTANCE; a 4xx on an order that is already accepted counts
        as done. Raises RejectedByMarketplace otherwise.
        """
        self._decide(order_id, line_ids, True)

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None:
        """OR21 with accepted=false for the lines (Mirakl takes no reason text)."""
        self._decide(order_id, line_ids, False)

    def cancel_order(
        self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None, retry: bool = False
    ) -> None:
        """OR29 for the whole order, or OR30 for `lines` (reason -> settings["reason_codes"] or as is).

        A refusal because the order (or every line asked) is already cancelled counts as done;
        on a `retry` OR30 first reads the order (OR11) and sends only what Mirakl does not hold
        yet, since a second OR30 of a partial quantity would cancel it twice.
        """
        if lines is None:
            try:
                self.http.request(
                    "PUT", CANCEL_ORDER_PATH.format(order_id=order_id), params=self._params(), operation="OR29"
                )
            except RejectedByMarketplace as exc:
                self._already_in(order_id, frozenset({"CANCELED"}), exc)
            return
        reason_code = self._reason_code(reason)
        if retry:
            lines = self._lines_to_cancel(order_id, lines)
            if not lines:
                return
        try:
            self.http.request(
                "PUT",
                CANCEL_LINES_PATH,
                params=self._params(),
                json_body={
                    "cancelations": [
                        {
                            "order_line_id": line.line_id,
                            "quantity": line.quantity,
                            "amount": line.amount,
                            "shipping_amount": line.shipping_amount,
                            "reason_code": reason_code,
                        }
                        for line in lines
                    ]
                },
                operation="OR30",
            )
        except RejectedByMarketplace:
            if self._lines_to_cancel(order_id, lines):
                raise

    def _reason_code(self, reason: str) -> str:
        codes = self.account.settings.get("reason_codes") or {}
        code = codes.get(reason, reason)
        if not code:
            raise InvalidRequest("Mirakl needs a reason_code", platform=self.platform)
        return str(code)

    def shop_statistics(self, *, period: str = "LAST_MONTH") -> dict[str, Decimal]:
        """A21: the operator's own figures of the shop over `period` (late_shipment_rate, valid_tracking_rate,
        cancelation_rate, approval_rate…), as the fractions Mirakl sends; a figure without a number is left out."""
        response = self.http.request("GET", STATISTICS_PATH, params=self._params(periods=period), operation="A21")
        body = response.body if isinstance(response.body, dict) else {}
        figures = {}
        for name, entries in body.items():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, Mapping) and entry.get("period") == period:
                    try:
                        figures[name] = Decimal(str(entry.get("value")))
                    except (InvalidOperation, ValueError):
                        continue
        return figures

    def list_carriers(self) -> list[Mapping[str, Any]]:
        """SH21: the operator's carriers [{code, label, standard_code, tracking_url}], cached per connector."""
        if self._carriers is None:
            response = self.http.request("GET", CARRIERS_PATH, params=self._params(), operation="SH21")
            body = response.body if isinstance(response.body, dict) else {}
            self._carriers = [c for c in body.get("carriers") or [] if isinstance(c, Mapping)]
        return self._carriers

    def _tracking_body(self, carrier: str, tracking: str) -> dict[str, Any]:
        overrides = self.account.settings.get("carrier_codes")
        if overrides and carrier in overrides:
            return {"carrier_code": overrides[carrier], "tracking_number": tracking}
        known = {str(c.get("code")): c for c in self.list_carriers()}
        code = platform_carrier_code(carrier, MIRAKL_CARRIER_CODES)
        if code in known:
            return {"carrier_code": code, "tracking_number": tracking}
        name = CARRIER_NAMES[carrier]
        for candidate in known.values():
            if str(candidate.get("label", "")).casefold() == name.casefold():
                return {"carrier_code": str(candidate["code"]), "tracking_number": tracking}
        # The operator has no code for it: OR23 takes a name and a tracking URL instead.
        return {"carrier_name": name, "carrier_url": tracking_url(carrier, tracking), "tracking_number": tracking}

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
    ) -> ShipmentResult:
        """OR23 (tracking) then OR24 (ship the whole order).

        OR24 ships every line: Mirakl has no per-line shipment in these calls.
        If OR24 is refused because the order already is shipped, the result says
        `already_recorded`. On a `retry` (an earlier attempt's outcome is unknown)
        the order is read first (OR12): a shipped order is not shipped again, and
        tracking Mirakl already holds is not sent again. OR23 is never re-sent
        inside one attempt: the outbox's retry reads first.

        OR23 takes one tracking number per order: `packages` is not used (shipping.fulfilment never sends it here).
        """
        if not lines:
            raise InvalidRequest("a shipment needs at least one line", platform=self.platform)
        tracking = validate_tracking(carrier, tracking_number)
        tracking_known = False
        if retry:
            order = self.order_summary(order_id=order_id)
            if order.get("order_state") in SHIPPED_STATES:
                return ShipmentResult(shipment_id=None, already_recorded=True)
            tracking_known = normalize_tracking(str(order.get("shipping_tracking") or "")) == tracking
        if not tracking_known:
            self.http.request(
                "PUT",
                TRACKING_PATH.format(order_id=order_id),
                params=self._params(),
                json_body=self._tracking_body(carrier, tracking),
                operation="OR23",
            )
        try:
            self.http.request("PUT", SHIP_PATH.format(order_id=order_id), params=self._params(), operation="OR24")
        except RejectedByMarketplace as exc:
            self._already_in(order_id, SHIPPED_STATES, exc)
            return ShipmentResult(shipment_id=None, already_recorded=True)
        return ShipmentResult(shipment_id=None)

    def refund(
        self,
        *,
        order_id: str,
        lines: list[RefundLine],
        reason: str,
        idempotency_key: str,
        refunded_before: Decimal | None = None,
        retry: bool = False,
    ) -> RefundResult:
        """OR28; not idempotent, so a `retry` first reads the lines' refunds (OR11). Returns Mirakl's refund ids."""
        if not lines:
            raise InvalidRequest("a refund needs at least one line", platform=self.platform)
        reason_code = self._reason_code(reason)
        if refund_already_applied(
            retry=retry,
            refunded_before=refunded_before,
            lines=lines,
            refunded_on_platform=lambda: self.refunded_total(order_id=order_id),
        ):
            return RefundResult(already_recorded=True)
        response = self.http.request(
            "PUT",
            REFUND_PATH,
            params=self._params(),
            json_body={
                "refunds": [
                    {
                        "order_line_id": line.line_id,
                        "amount": line.amount,
                        "shipping_amount": line.shipping_amount,
                        "quantity": line.quantity,
                        "currency_iso_code": line.currency,
                        "reason_code": reason_code,
                    }
                    for line in lines
                ]
            },
            operation="OR28",
        )
        body = response.body if isinstance(response.body, dict) else {}
        ids = tuple(
            str(r.get("refund_id")) for r in body.get("refunds") or [] if isinstance(r, Mapping) and r.get("refund_id")
        )
        return RefundResult(refund_ids=ids)

    def push_stock(self, *, quantities: Mapping[str, int]) -> StockPushResult:
        """STO01: every quantity in one CSV import (at most one import a minute).

        The import is asynchronous: its SKUs await the import's report under the import id
        (`read_stock_report`: STO02 status, then the STO03 error report).
        """
        skus = tuple(quantities)
        if not skus:
            return StockPushResult()
        try:
            response = self.http.request(
                "POST",
                STOCK_IMPORT_PATH,
                params=self._params(),
                files={"file": ("stock.csv", stock_csv(quantities), "text/csv")},
                idempotent=True,  # absolute quantities: importing twice sets the same stock
                operation="STO01",
            )
        except (RateLimited, TransientError):
            return StockPushResult(deferred=skus)
        except RejectedByMarketplace as exc:
            return StockPushResult(rejected=dict.fromkeys(skus, exc.message))
        import_id = response.body.get("import_id") if isinstance(response.body, dict) else None
        if not import_id:
            return StockPushResult(deferred=skus)  # an import we cannot follow is sent again
        return StockPushResult(awaiting_report={str(import_id): skus})

    def read_stock_report(self, *, submission_id: str, skus: tuple[str, ...]) -> StockPushResult:
        """STO02, and STO03 when the import has an error report: each line in error is a rejected SKU.

        STO03's file (spec: "The first column contains the line number in error. The second
        column contains the error reason", the rest is the imported line) is read by the
        `offer-sku` column of the STO01 header; the header names of the first two columns are
        (unverified) and not relied on.
        """
        status = self.http.request(
            "GET",
            STOCK_IMPORT_STATUS_PATH.format(import_id=requests.utils.quote(submission_id, safe="")),
            params=self._params(),
            operation="STO02",
        ).body
        status = status if isinstance(status, Mapping) else {}
        state = str(status.get("status", ""))
        if state in STOCK_IMPORT_UNFINISHED or not state:
            return StockPushResult(deferred=skus)
        if state == STOCK_IMPORT_FAILED:
            return StockPushResult(rejected=dict.fromkeys(skus, f"stock import {submission_id} failed on Mirakl"))
        errors = self._stock_import_errors(submission_id) if status.get("has_error_report") else {}
        rejected = {sku: errors[sku] for sku in skus if sku in errors}
        return StockPushResult(accepted=tuple(sku for sku in skus if sku not in rejected), rejected=rejected)

    def _stock_import_errors(self, import_id: str) -> dict[str, str]:
        """STO03 as SKU -> reason."""
        text = self.http.request(
            "GET",
            STOCK_IMPORT_ERRORS_PATH.format(import_id=requests.utils.quote(import_id, safe="")),
            params=self._params(),
            operation="STO03",
        ).text
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        if not rows or "offer-sku" not in rows[0] or len(rows[0]) < 2:
            raise TransientError(
                f"STO03 report of import {import_id} has no offer-sku column", platform=self.platform, body=text[:500]
            )
        sku_column = rows[0].index("offer-sku")
        return {row[sku_column]: row[1] for row in rows[1:] if len(row) > max(sku_column, 1)}
