"""Cdiscount connector, through the Octopia seller API v2 (format in cdiscount_format.py, unverified).

Client-credentials token, `Authorization: Bearer` plus a `SellerId` header on every
call, pageIndex paging, RFC 7807 error bodies. Shipments are not idempotent: the
connector reads the order's shipments before creating one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import requests

from orders import platforms
from orders.canonical import (
    AddressData,
    CanonicalStatus,
    OrderData,
    OrderLineData,
    TaxMode,
)
from orders.carriers import (
    CARRIER_NAMES,
    CDISCOUNT_CARRIER_CODES,
    normalize_tracking,
    platform_carrier_code,
    tracking_url,
)

from . import cdiscount_format as wire
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
from .cdiscount_claims import CdiscountClaims
from .countries import to_alpha2
from .errors import (
    InvalidRequest,
    MarketplaceError,
    RateLimited,
    RejectedByMarketplace,
    TransientError,
    UnsupportedAction,
    error_for_status,
    parse_retry_after,
)
from .http import HttpClient, fetch_token
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
from .tokens import CachedToken, TokenStore

CENT = Decimal("0.01")


def parse_error(status: int, headers: Mapping[str, str], body: Any, text: str) -> MarketplaceError:
    """RFC 7807 problem: {"type", "title", "status", "detail", "errors"?}."""
    code, message = "", text[:500] or f"HTTP {status}"
    if isinstance(body, dict):
        code = str(body.get("title") or body.get("type") or "")
        message = str(body.get("detail") or body.get("title") or message)
        field_errors = [e for e in body.get("errors") or [] if isinstance(e, Mapping)]
        if field_errors:
            details = "; ".join(f"{e.get('field', '')}: {e.get('message', '')}" for e in field_errors)
            message = f"{message} ({details})"
    return error_for_status(
        status,
        message,
        platform=platforms.CDISCOUNT,
        code=code,
        body=body if body is not None else text[:2000],
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _address(raw: Any, path: str) -> AddressData | None:
    if not isinstance(raw, Mapping):
        return None
    name = " ".join(
        part for part in (text_of(raw, "firstName", required=False), text_of(raw, "lastName", required=False)) if part
    )
    country = text_of(raw, "countryCode", required=False)
    try:
        country = to_alpha2(country) if country else ""
    except ValueError:
        raise InvalidOrder(f"unknown country code {path}.countryCode: {country!r}") from None
    return AddressData(
        name=name,
        company=text_of(raw, "companyName", required=False),
        line1=text_of(raw, "addressLine1", required=False),
        line2=text_of(raw, "addressLine2", required=False),
        postal_code=text_of(raw, "postalCode", required=False),
        city=text_of(raw, "city", required=False),
        country_code=country,
        phone=text_of(raw, "phone", required=False),
        relay_point_id=text_of(raw, "relayId", required=False),
    )


def map_order_line(line: Mapping[str, Any]) -> OrderLineData:
    quantity = quantity_of(line, "quantity", minimum=1)
    status = text_of(line, "status", required=False)
    ean = text_of(line, "productId", required=False)
    return OrderLineData(
        marketplace_line_id=text_of(line, "lineId"),
        sku=text_of(line, "sellerProductId"),
        title=text_of(line, "productTitle", required=False),
        quantity=quantity,
        unit_price_amount=amount_of(line, "unitPrice"),
        total_amount=amount_of(line, "totalPrice"),
        shipping_amount=amount_of(line, "shippingPrice", required=False),
        quantity_shipped=quantity if status in wire.SHIPPED_LINE_STATUSES else 0,
        marketplace_product_id=ean,
        ean=ean,
        marketplace_status=status,
    )


def canonical_status_of(order: Mapping[str, Any], lines: tuple[OrderLineData, ...]) -> str:
    status = canonical_status(wire.STATUS_MAP, order.get("status"))
    # InPreparation is "some lines shipped" in the agreed format: say so when the lines show it.
    if order.get("status") == "InPreparation" and any(line.quantity_shipped for line in lines):
        return CanonicalStatus.PARTIALLY_SHIPPED
    return status


def map_order(order: Mapping[str, Any]) -> OrderData:
    """An Octopia order -> OrderData. Raises InvalidOrder."""
    order_id = text_of(order, "orderId")
    marketplace_status = text_of(order, "status")
    supply_mode = text_of(order, "supplyMode", required=False) or wire.SELLER_SUPPLY_MODE
    if supply_mode not in wire.SUPPLY_MODES:
        raise InvalidOrder(f"unknown supplyMode {supply_mode}")
    raw_lines = order.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidOrder("order has no lines")
    lines = tuple(map_order_line(line) for line in raw_lines)
    status = canonical_status_of(order, lines)
    customer = order.get("customer") if isinstance(order.get("customer"), Mapping) else {}
    channel = order.get("salesChannel") if isinstance(order.get("salesChannel"), Mapping) else {}
    return OrderData(
        platform=platforms.CDISCOUNT,
        marketplace_order_id=order_id,
        status=status,
        marketplace_status=marketplace_status,
        purchased_at=datetime_of(order, "purchasedAt"),
        marketplace_updated_at=datetime_of(order, "updatedAt"),
        currency=parse_currency(order.get("currencyCode"), "currencyCode"),
        total_amount=amount_of(order, "totalPrice"),
        lines=lines,
        tax_mode=TaxMode.INCLUDED,  # French consumer prices (TTC); the format states no tax
        reference=text_of(order, "reference", required=False),
        channel=text_of(channel, "id", required=False),
        # acceptanceDeadline only means something while the order waits for acceptance.
        acceptance_deadline=datetime_of(order, "acceptanceDeadline", required=False)
        if marketplace_status == "WaitingAcceptance"
        else None,
        ship_by=datetime_of(order, "shippedAtMax", required=False),
        shipping_method=text_of(order, "shippingMethod", required=False),
        buyer_name=" ".join(
            part
            for part in (text_of(customer, "firstName", required=False), text_of(customer, "lastName", required=False))
            if part
        ),
        buyer_email=text_of(customer, "email", required=False),
        shipping_address=_address(order.get("shippingAddress"), "shippingAddress"),
        billing_address=_address(order.get("billingAddress"), "billingAddress"),
        is_business=order.get("businessOrder") is True,
        fulfilled_by_marketplace=supply_mode != wire.SELLER_SUPPLY_MODE,
        raw=order,
    )


def iso_z(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("datetimes sent to a marketplace must be timezone-aware")
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_lines(shipment: Mapping[str, Any], lines: list[ShipmentLine]) -> bool:
    recorded = {
        (str(item.get("lineId")), int(item.get("quantity") or 0))
        for item in shipment.get("lines") or []
        if isinstance(item, Mapping)
    }
    return recorded == {(line.line_id, line.quantity) for line in lines}


class CdiscountConnector(CdiscountClaims, ConnectorBase):
    """One Cdiscount seller (Octopia client credentials + seller id)."""

    platform: ClassVar[str] = platforms.CDISCOUNT
    rate_limits: ClassVar[Mapping[str, tuple[float, int]]] = wire.RATE_LIMITS

    def __init__(
        self,
        account: AccountConfig,
        *,
        session: requests.Session | None = None,
        token_store: TokenStore | None = None,
        call_gate: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(account, session=session, token_store=token_store, call_gate=call_gate)
        self.sales_channel_id = str(account.credentials.get("sales_channel_id") or "")
        self.token = CachedToken(key=self.token_key, store=self.token_store, fetch=self._fetch_token)
        self.http = HttpClient(
            platform=self.platform,
            base_url=account.api_base_url,
            session=self.session,
            parse_error=parse_error,
            token=self.token,
            static_headers={wire.SELLER_ID_HEADER: account.credential("seller_id")},
            **self.http_options,
        )
        self._carriers: list[Mapping[str, Any]] | None = None

    def _fetch_token(self) -> tuple[str, float]:
        """client_credentials grant (form client_id, client_secret)."""
        return fetch_token(
            session=self.session,
            platform=self.platform,
            url=self.account.auth_url,
            form={
                "grant_type": "client_credentials",
                "client_id": self.account.credential("client_id"),
                "client_secret": self.account.credential("client_secret"),
            },
            timeout=self.timeout,
        )

    # -- orders -------------------------------------------------------------------

    def list_changed_orders(self, *, since: dt.datetime, page_token: str | None = None) -> OrderPage:
        """GET orders updated since `since`, pageIndex paging (the page token is the next index)."""
        page_index = int(page_token) if page_token else 1
        size = self.page_size(wire.DEFAULT_PAGE_SIZE, wire.MAX_PAGE_SIZE)
        params: dict[str, Any] = {"updatedAtMin": iso_z(since), "pageSize": size, "pageIndex": page_index}
        if self.sales_channel_id:
            params["salesChannelId"] = self.sales_channel_id
        response = self.http.request("GET", wire.ORDERS_PATH, params=params, operation="getOrders")
        body = response.body if isinstance(response.body, dict) else {}
        items = body.get("items")
        if not isinstance(items, list):
            raise TransientError("orders response without items", platform=self.platform, body=body)
        orders, rejected, high_watermark = map_page(
            items,
            map_one=map_order,
            order_id_of=lambda raw: str(raw.get("orderId", "")),
            updated_at_of=lambda raw: raw.get("updatedAt"),
        )
        per_page = int(body.get("itemsPerPage") or size)
        total = int(body.get("totalItems") or 0)
        has_more = bool(items) and page_index * per_page < total
        return OrderPage(orders, rejected, str(page_index + 1) if has_more else None, high_watermark)

    def seller_indicators(self) -> dict[str, Decimal]:
        """GET /sellers/indicators: {name: percent} (order_acceptation, product_shipping, deadline_compliance,
        order_claims, order_refunds); the shape is unverified (no Octopia spec), a value not a number is left out."""
        response = self.http.request("GET", wire.INDICATORS_PATH, operation="getSellerIndicators")
        body = response.body if isinstance(response.body, dict) else {}
        figures = {}
        for indicator in body.get("indicators") or []:
            if not isinstance(indicator, Mapping) or not indicator.get("name"):
                continue
            try:
                figures[str(indicator["name"])] = Decimal(str(indicator.get("value")))
            except (InvalidOperation, ValueError):
                continue
        return figures

    def order_status(self, *, order_id: str) -> str:
        response = self.http.request("GET", wire.ORDER_PATH.format(order_id=order_id), operation="getOrder")
        return str(response.body.get("status", "")) if isinstance(response.body, dict) else ""

    def _already_in(self, order_id: str, statuses: frozenset[str], error: RejectedByMarketplace) -> None:
        """After a refusal: return if the order already is where we wanted it, else re-raise."""
        if self.order_status(order_id=order_id) not in statuses:
            raise error

    # -- actions ------------------------------------------------------------------

    def _validate(self, order_id: str, line_ids: list[str], accepted: bool) -> None:
        if not line_ids:
            raise InvalidRequest("every line must be decided: no line given", platform=self.platform)
        try:
            self.http.request(
                "POST",
                wire.VALIDATE_PATH.format(order_id=order_id),
                json_body={"lines": [{"lineId": line_id, "accepted": accepted} for line_id in line_ids]},
                operation="validateOrder",
            )
        except RejectedByMarketplace as exc:
            self._already_in(order_id, wire.ACCEPTED_STATUSES if accepted else frozenset({"Refused"}), exc)

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None:
        """validate with accepted=true (only in WaitingAcceptance; every line listed).

        A refusal on an order that is already accepted counts as done.
        """
        self._validate(order_id, line_ids, True)

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None:
        """validate with accepted=false for the lines (the format carries no reason)."""
        self._validate(order_id, line_ids, False)

    def cancel_order(
        self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None, retry: bool = False
    ) -> None:
        """cancel the whole order; per-line cancellation is not in the format (UnsupportedAction).

        A 409 on an order that already is Cancelled (a replay after an unknown outcome) counts
        as done, so a retry needs no read first.
        """
        if lines is not None:
            raise UnsupportedAction("Octopia cancels whole orders only", platform=self.platform)
        try:
            self.http.request(
                "POST",
                wire.CANCEL_PATH.format(order_id=order_id),
                json_body={"reason": reason},
                operation="cancelOrder",
            )
        except RejectedByMarketplace as exc:
            self._already_in(order_id, frozenset({"Cancelled"}), exc)

    def list_carriers(self) -> list[Mapping[str, Any]]:
        """GET carriers [{code, name}], cached per connector."""
        if self._carriers is None:
            response = self.http.request("GET", wire.CARRIERS_PATH, operation="getCarriers")
            body = response.body if isinstance(response.body, dict) else {}
            self._carriers = [c for c in body.get("items") or [] if isinstance(c, Mapping)]
        return self._carriers

    def _carrier_code(self, carrier: str) -> str:
        overrides = self.account.settings.get("carrier_codes")
        if overrides and carrier in overrides:
            return str(overrides[carrier])
        known = {str(c.get("code")): c for c in self.list_carriers()}
        code = platform_carrier_code(carrier, CDISCOUNT_CARRIER_CODES)
        if code in known:
            return code
        for candidate in known.values():
            if str(candidate.get("name", "")).casefold() == CARRIER_NAMES[carrier].casefold():
                return str(candidate["code"])
        raise InvalidRequest(f"Cdiscount has no carrier code for {CARRIER_NAMES[carrier]}", platform=self.platform)

    def shipments(self, *, order_id: str) -> list[Mapping[str, Any]]:
        response = self.http.request("GET", wire.SHIPMENTS_PATH.format(order_id=order_id), operation="getShipments")
        body = response.body if isinstance(response.body, dict) else {}
        return [s for s in body.get("items") or [] if isinstance(s, Mapping)]

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
        """POST a shipment, after checking the order's shipments (check-before-retry).

        One tracking number per shipment (unverified): `packages` is not used (shipping.fulfilment never sends it here).
        """
        if not lines:
            raise InvalidRequest("a shipment needs at least one line", platform=self.platform)
        tracking = validate_tracking(carrier, tracking_number)
        code = self._carrier_code(carrier)
        for shipment in self.shipments(order_id=order_id):
            if normalize_tracking(str(shipment.get("trackingNumber", ""))) == tracking and _same_lines(shipment, lines):
                return ShipmentResult(shipment_id=str(shipment.get("shipmentId") or ""), already_recorded=True)
        response = self.http.request(
            "POST",
            wire.SHIPMENTS_PATH.format(order_id=order_id),
            json_body={
                "carrierCode": code,
                "trackingNumber": tracking,
                "trackingUrl": tracking_url(carrier, tracking),
                "lines": [{"lineId": line.line_id, "quantity": line.quantity} for line in lines],
            },
            operation="createShipment",
        )
        shipment_id = response.body.get("shipmentId") if isinstance(response.body, dict) else None
        return ShipmentResult(shipment_id=str(shipment_id) if shipment_id else None)

    def refunded_total(self, *, order_id: str) -> Decimal:
        """GET refunds: every amount refunded on the order."""
        response = self.http.request("GET", wire.REFUNDS_PATH.format(order_id=order_id), operation="getRefunds")
        body = response.body if isinstance(response.body, dict) else {}
        return sum(
            (
                parse_amount(line.get("amount"), "refunds.lines.amount")
                for refund in body.get("items") or []
                if isinstance(refund, Mapping)
                for line in refund.get("lines") or []
                if isinstance(line, Mapping)
            ),
            Decimal("0"),
        )

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
        """POST refunds, amount per line = item amount + shipping amount; sent once.

        Not idempotent: a `retry` first reads the order's refunds (GET refunds).
        """
        if not lines:
            raise InvalidRequest("a refund needs at least one line", platform=self.platform)
        if refund_already_applied(
            retry=retry,
            refunded_before=refunded_before,
            lines=lines,
            refunded_on_platform=lambda: self.refunded_total(order_id=order_id),
        ):
            return RefundResult(already_recorded=True)
        response = self.http.request(
            "POST",
            wire.REFUNDS_PATH.format(order_id=order_id),
            json_body={
                "lines": [
                    {"lineId": line.line_id, "amount": (line.amount + line.shipping_amount).quantize(CENT)}
                    for line in lines
                ],
                "reason": reason,
            },
            operation="createRefund",
        )
        refund_id = response.body.get("refundId") if isinstance(response.body, dict) else None
        return RefundResult(refund_ids=(str(refund_id),) if refund_id else ())

    def push_stock(self, *, quantities: Mapping[str, int]) -> StockPushResult:
        """Offer packages of type Update, up to 1000 offers each (absolute stock: safe to resend).

        Octopia integrates a package later: its offers await the package's report (`read_stock_report`).
        """
        awaiting: dict[str, tuple[str, ...]] = {}
        rejected: dict[str, str] = {}
        deferred: list[str] = []
        skus = list(quantities)
        for start in range(0, len(skus), wire.MAX_OFFERS_PER_PACKAGE):
            batch = skus[start : start + wire.MAX_OFFERS_PER_PACKAGE]
            try:
                response = self.http.request(
                    "POST",
                    wire.OFFER_PACKAGES_PATH,
                    json_body={
                        "type": wire.OFFER_PACKAGE_TYPE,
                        "offers": [{"sellerProductId": sku, "stock": max(int(quantities[sku]), 0)} for sku in batch],
                    },
                    idempotent=True,
                    operation="createOfferPackage",
                )
            except RateLimited:
                deferred.extend(skus[start:])
                break
            except TransientError:
                deferred.extend(batch)
                continue
            except RejectedByMarketplace as exc:
                rejected.update(dict.fromkeys(batch, exc.message))
                continue
            package_id = response.body.get("packageId") if isinstance(response.body, dict) else None
            if not package_id:
                deferred.extend(batch)  # a package we cannot follow is sent again
                continue
            awaiting[str(package_id)] = tuple(batch)
        return StockPushResult(rejected=rejected, deferred=tuple(deferred), awaiting_report=awaiting)

    def read_stock_report(self, *, submission_id: str, skus: tuple[str, ...]) -> StockPushResult:
        """The offer package's status and its per-offer errors (unverified: see cdiscount_format)."""
        package = self.http.request(
            "GET",
            wire.OFFER_PACKAGE_PATH.format(package_id=requests.utils.quote(submission_id, safe="")),
            operation="getOfferPackage",
        ).body
        package = package if isinstance(package, Mapping) else {}
        status = str(package.get("status", ""))
        errors = {
            str(error.get("sellerProductId")): str(error.get("message") or "refused")
            for error in package.get("errors") or []
            if isinstance(error, Mapping)
        }
        if status == wire.OFFER_PACKAGE_FAILED:
            return StockPushResult(
                rejected={sku: errors.get(sku, f"offer package {submission_id} failed") for sku in skus}
            )
        if status != wire.OFFER_PACKAGE_INTEGRATED:
            return StockPushResult(deferred=skus)
        rejected = {sku: errors[sku] for sku in skus if sku in errors}
        return StockPushResult(accepted=tuple(sku for sku in skus if sku not in rejected), rejected=rejected)
