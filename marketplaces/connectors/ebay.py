"""eBay connector: Sell Fulfillment v1 (orders, shipping, refunds), Sell Inventory v1 (stock), OAuth.

Wire facts come from `shared/specs/ebay/sell_fulfillment_v1_oas3.json` and
`sell_inventory_v1_oas3.json`. The status values are plain strings in the spec;
the tables below hold the values eBay's documentation lists, and anything else
is rejected, never guessed. eBay has no acceptance step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

import requests
from orders import platforms
from orders.canonical import AddressData, CanonicalStatus, OrderData, OrderLineData
from orders.carriers import EBAY_CARRIER_CODES, normalize_tracking, platform_carrier_code

from .base import (
    AccountConfig,
    CancelLine,
    ConnectorBase,
    OrderPage,
    RefundLine,
    RefundResult,
    ShipmentLine,
    ShipmentResult,
    StockPushResult,
)
from .carriers import validate_tracking
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
    earliest,
    field_of,
    map_page,
    parse_currency,
    quantity_of,
    same_currency,
    text_of,
)
from .tokens import CachedToken, TokenStore

ORDERS_PATH = "/sell/fulfillment/v1/order"
ORDER_PATH = "/sell/fulfillment/v1/order/{order_id}"
SHIPPING_FULFILLMENT_PATH = "/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment"
ISSUE_REFUND_PATH = "/sell/fulfillment/v1/order/{order_id}/issue_refund"
BULK_PRICE_QUANTITY_PATH = "/sell/inventory/v1/bulk_update_price_quantity"
# (unverified) Post-Order API seller cancellation; not in the stored specs.
POST_ORDER_CANCELLATION_PATH = "/post-order/v2/cancellation"
POST_ORDER_CANCEL_REASON = "OUT_OF_STOCK_OR_CANNOT_FULFILL"

# issueRefund needs sell.finances on top of sell.fulfillment (spec: per-operation scopes).
OAUTH_SCOPES = (
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.finances",
)

# Calls are a daily budget per application shared by all its sellers (unverified figure).
DAILY_CALL_BUDGET = 5000
RATE_LIMITS: Mapping[str, tuple[float, int]] = {
    "daily_application_calls": (DAILY_CALL_BUDGET / 86400, DAILY_CALL_BUDGET)
}

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # spec: limit max 200
STOCK_BATCH_SIZE = 25  # spec: "up to 25" per bulkUpdatePriceQuantity call

FULFILLMENT_STATUS_MAP: Mapping[str, str] = {
    "NOT_STARTED": CanonicalStatus.ACCEPTED,  # paid, nothing shipped; no acceptance step
    "IN_PROGRESS": CanonicalStatus.PARTIALLY_SHIPPED,
    "FULFILLED": CanonicalStatus.SHIPPED,
}
# orderPaymentStatus values (eBay's OrderPaymentStatusEnum page, not the stored spec:
# unverified there). None = paid enough to let the fulfillment status decide.
PAYMENT_STATUS_MAP: Mapping[str, str | None] = {
    "PENDING": CanonicalStatus.AWAITING_PAYMENT,
    "PAID": None,
    "PARTIALLY_REFUNDED": None,
    "FULLY_REFUNDED": None,
}
# FAILED means "buyer payment or refund has failed": nothing safe can be inferred
# (unpaid order, or a shipped order whose refund failed), so the order is rejected for
# a human to look at instead of being guessed.
PAYMENT_STATUSES_FOR_REVIEW = frozenset({"FAILED"})
# cancelStatus.cancelState (eBay's CancelStateEnum page: CANCELED, IN_PROGRESS, NONE_REQUESTED).
CANCEL_STATES = frozenset({"NONE_REQUESTED", "IN_PROGRESS", "CANCELED"})

# issueRefund reasonForRefund (eBay's ReasonForRefundEnum page; unverified in the spec).
REFUND_REASONS = frozenset(
    {
        "BUYER_CANCEL",
        "SELLER_CANCEL",
        "ITEM_NOT_RECEIVED",
        "BUYER_RETURN",
        "ITEM_NOT_AS_DESCRIBED",
        "OTHER_ADJUSTMENT",
        "SHIPPING_DISCOUNT",
    }
)
DEFAULT_REFUND_REASON = "OTHER_ADJUSTMENT"
COMMENT_MAX_LENGTH = 100  # spec: comment up to 100 characters

CENT = Decimal("0.01")


def parse_error(status: int, headers: Mapping[str, str], body: Any, text: str) -> MarketplaceError:
    """eBay error body: {"errors": [{"errorId", "domain", "category", "message", "longMessage"}]}."""
    code, message = "", text[:500] or f"HTTP {status}"
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
        code = str(first.get("errorId", ""))
        message = str(first.get("longMessage") or first.get("message") or message)
    return error_for_status(
        status,
        message,
        platform=platforms.EBAY,
        code=code,
        body=body if body is not None else text[:2000],
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _money(raw: Any, name: str, currency: str, *, required: bool = False) -> Decimal:
    """An eBay Amount {value (decimal string), currency}, checked against the order currency."""
    if raw is None:
        if required:
            raise InvalidOrder(f"missing field {name}")
        return Decimal("0")
    if not isinstance(raw, Mapping):
        raise InvalidOrder(f"field {name} is not an Amount")
    same_currency(currency, raw.get("currency"), f"{name}.currency")
    return amount_of(raw, "value")


def canonical_status_of(order: Mapping[str, Any]) -> str:
    """Cancellation first, then payment, then fulfillment; unknown values are rejected."""
    cancel_state = field_of(order, "cancelStatus.cancelState", required=False)
    if cancel_state is not None and cancel_state not in CANCEL_STATES:
        raise InvalidOrder(f"unknown status cancelState {cancel_state}")
    if cancel_state == "CANCELED":
        return CanonicalStatus.CANCELLED
    payment = order.get("orderPaymentStatus")
    if payment in PAYMENT_STATUSES_FOR_REVIEW:
        raise InvalidOrder(f"orderPaymentStatus {payment}: payment or refund failed, check the order on eBay")
    if payment is not None:
        if payment not in PAYMENT_STATUS_MAP:
            raise InvalidOrder(f"unknown status orderPaymentStatus {payment}")
        if PAYMENT_STATUS_MAP[payment]:
            return PAYMENT_STATUS_MAP[payment]
    return canonical_status(FULFILLMENT_STATUS_MAP, order.get("orderFulfillmentStatus"))


def _ship_to(order: Mapping[str, Any]) -> Mapping[str, Any]:
    instructions = order.get("fulfillmentStartInstructions") or []
    for instruction in instructions:
        ship_to = field_of(instruction, "shippingStep.shipTo", required=False)
        if isinstance(ship_to, Mapping):
            return ship_to
    return {}


def _address(ship_to: Mapping[str, Any]) -> AddressData | None:
    contact = ship_to.get("contactAddress")
    if not isinstance(contact, Mapping):
        return None
    return AddressData(
        name=text_of(ship_to, "fullName", required=False),
        company=text_of(ship_to, "companyName", required=False),
        line1=text_of(contact, "addressLine1", required=False),
        line2=text_of(contact, "addressLine2", required=False),
        postal_code=text_of(contact, "postalCode", required=False),
        city=text_of(contact, "city", required=False),
        region=text_of(contact, "stateOrProvince", required=False),
        country_code=text_of(contact, "countryCode", required=False).upper(),
        phone=text_of(ship_to, "primaryPhone.phoneNumber", required=False),
        email=text_of(ship_to, "email", required=False),
    )


def map_line_item(item: Mapping[str, Any], currency: str, *, buyer_requested_cancel: bool) -> OrderLineData:
    """One LineItem -> OrderLineData; lineItemCost is unit price x quantity (spec)."""
    quantity = quantity_of(item, "quantity", minimum=1)
    line_total = _money(item.get("lineItemCost"), "lineItemCost", currency, required=True)
    unit_price = (line_total / quantity).quantize(CENT, rounding=ROUND_HALF_UP) if quantity else line_total
    tax = sum(
        (
            _money(tax.get("amount"), "taxes.amount", currency)
            for tax in item.get("taxes") or []
            if isinstance(tax, Mapping)
        ),
        Decimal("0"),
    )
    status = text_of(item, "lineItemFulfillmentStatus", required=False)
    return OrderLineData(
        marketplace_line_id=text_of(item, "lineItemId"),
        sku=text_of(item, "sku"),
        title=text_of(item, "title", required=False),
        quantity=quantity,
        unit_price_amount=unit_price,
        total_amount=line_total,
        shipping_amount=_money(
            field_of(item, "deliveryCost.shippingCost", required=False), "deliveryCost.shippingCost", currency
        ),
        tax_amount=tax,
        quantity_shipped=quantity if status == "FULFILLED" else 0,
        marketplace_product_id=text_of(item, "legacyItemId", required=False),
        marketplace_status=status,
        ship_by=datetime_of(item, "lineItemFulfillmentInstructions.shipByDate", required=False),
        buyer_requested_cancel=buyer_requested_cancel,
    )


def map_order(order: Mapping[str, Any]) -> OrderData:
    """A Fulfillment API `Order` -> OrderData. Raises InvalidOrder."""
    order_id = text_of(order, "orderId")
    status = canonical_status_of(order)
    total = field_of(order, "pricingSummary.total")
    currency = parse_currency(
        total.get("currency") if isinstance(total, Mapping) else None, "pricingSummary.total.currency"
    )
    cancel_state = field_of(order, "cancelStatus.cancelState", required=False)
    items = order.get("lineItems")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("order has no lineItems")
    lines = tuple(map_line_item(item, currency, buyer_requested_cancel=cancel_state == "IN_PROGRESS") for item in items)
    ship_to = _ship_to(order)
    instructions = order.get("fulfillmentStartInstructions") or [{}]
    marketplace_statuses = [
        f"orderFulfillmentStatus={order.get('orderFulfillmentStatus', '')}",
        f"orderPaymentStatus={order.get('orderPaymentStatus', '')}",
    ]
    if cancel_state:
        marketplace_statuses.append(f"cancelState={cancel_state}")
    return OrderData(
        platform=platforms.EBAY,
        marketplace_order_id=order_id,
        status=status,
        marketplace_status=" ".join(marketplace_statuses),
        purchased_at=datetime_of(order, "creationDate"),
        marketplace_updated_at=datetime_of(order, "lastModifiedDate"),
        currency=currency,
        total_amount=_money(total, "pricingSummary.total", currency, required=True),
        lines=lines,
        shipping_amount=_money(
            field_of(order, "pricingSummary.deliveryCost", required=False), "pricingSummary.deliveryCost", currency
        ),
        reference=text_of(order, "legacyOrderId", required=False)
        or text_of(order, "salesRecordReference", required=False)
        or order_id,
        channel=text_of(items[0], "purchaseMarketplaceId", required=False),
        ship_by=earliest(line.ship_by for line in lines),
        deliver_by=datetime_of(instructions[0], "maxEstimatedDeliveryDate", required=False)
        if isinstance(instructions[0], Mapping)
        else None,
        shipping_method=text_of(ship_to, "shippingServiceCode", required=False)
        or text_of(instructions[0], "shippingStep.shippingServiceCode", required=False),
        buyer_name=text_of(ship_to, "fullName", required=False),
        buyer_email=text_of(ship_to, "email", required=False),
        shipping_address=_address(ship_to),
        raw=order,
    )


def iso_millis(moment: dt.datetime) -> str:
    """Aware datetime -> "2026-11-23T10:00:00.000Z", the format of eBay's examples."""
    if moment.tzinfo is None:
        raise ValueError("datetimes sent to a marketplace must be timezone-aware")
    utc = moment.astimezone(dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _same_lines(fulfillment: Mapping[str, Any], lines: list[ShipmentLine]) -> bool:
    recorded = {
        (str(item.get("lineItemId")), int(item.get("quantity") or 0))
        for item in fulfillment.get("lineItems") or []
        if isinstance(item, Mapping)
    }
    return recorded == {(line.line_id, line.quantity) for line in lines}


class EbayConnector(ConnectorBase):
    """One eBay seller (one refresh token)."""

    platform: ClassVar[str] = platforms.EBAY
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
        self.token = CachedToken(key=self.token_key, store=self.token_store, fetch=self._fetch_token)
        self.http = HttpClient(
            platform=self.platform,
            base_url=account.api_base_url,
            session=self.session,
            parse_error=parse_error,
            token=self.token,
            **self.http_options,
        )

    def _fetch_token(self) -> tuple[str, float]:
        """refresh_token grant with Basic client_id:client_secret."""
        scopes = self.account.settings.get("oauth_scopes") or OAUTH_SCOPES
        return fetch_token(
            session=self.session,
            platform=self.platform,
            url=self.account.auth_url,
            form={
                "grant_type": "refresh_token",
                "refresh_token": self.account.credential("refresh_token"),
                "scope": " ".join(scopes),
            },
            auth=(self.account.credential("client_id"), self.account.credential("client_secret")),
            timeout=self.timeout,
        )

    # -- orders -------------------------------------------------------------------

    def list_changed_orders(self, *, since: dt.datetime, page_token: str | None = None) -> OrderPage:
        """getOrders filtered on lastmodifieddate; the page token is eBay's `next` link."""
        if page_token:
            response = self.http.request("GET", page_token, operation="getOrders")
        else:
            response = self.http.request(
                "GET",
                ORDERS_PATH,
                params={
                    "filter": f"lastmodifieddate:[{iso_millis(since)}..]",
                    "limit": self.page_size(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
                    "offset": 0,
                },
                operation="getOrders",
            )
        body = response.body if isinstance(response.body, dict) else {}
        raw_orders = body.get("orders", [])  # an empty collection may omit `orders`
        if not isinstance(raw_orders, list):
            raise TransientError("getOrders response with a malformed orders list", platform=self.platform, body=body)
        orders, rejected, high_watermark = map_page(
            raw_orders,
            map_one=map_order,
            order_id_of=lambda raw: str(raw.get("orderId", "")),
            updated_at_of=lambda raw: raw.get("lastModifiedDate"),
        )
        next_link = body.get("next") if raw_orders else None
        return OrderPage(orders, rejected, next_link or None, high_watermark)

    # -- actions ------------------------------------------------------------------

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None:
        """eBay has no acceptance step (see orders.platforms): raises UnsupportedAction."""
        raise UnsupportedAction("eBay orders need no acceptance", platform=self.platform)

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None:
        """eBay has no acceptance step: raises UnsupportedAction; use cancel_order."""
        raise UnsupportedAction("eBay orders cannot be refused, only cancelled", platform=self.platform)

    def cancel_order(self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None) -> None:
        """Seller cancellation through the Post-Order API (unverified; whole order only).

        A refusal on an order that eBay already shows as CANCELED (a retried call) counts as done.
        """
        if lines is not None:
            raise UnsupportedAction("eBay cancels whole orders only", platform=self.platform)
        try:
            self.http.request(
                "POST",
                POST_ORDER_CANCELLATION_PATH,
                json_body={"legacyOrderId": order_id, "cancelReason": POST_ORDER_CANCEL_REASON},
                operation="createCancellation",
            )
        except RejectedByMarketplace:
            if self.order(order_id=order_id).get("cancelStatus", {}).get("cancelState") != "CANCELED":
                raise

    def order(self, *, order_id: str) -> Mapping[str, Any]:
        """getOrder: one order as eBay has it now (its cancelStatus is complete, unlike getOrders)."""
        response = self.http.request("GET", ORDER_PATH.format(order_id=order_id), operation="getOrder")
        return response.body if isinstance(response.body, dict) else {}

    def shipping_fulfillments(self, *, order_id: str) -> list[Mapping[str, Any]]:
        """getShippingFulfillments: the packages eBay already has for the order."""
        response = self.http.request(
            "GET", SHIPPING_FULFILLMENT_PATH.format(order_id=order_id), operation="getShippingFulfillments"
        )
        body = response.body if isinstance(response.body, dict) else {}
        return [f for f in body.get("fulfillments") or [] if isinstance(f, Mapping)]

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
    ) -> ShipmentResult:
        """createShippingFulfillment, after checking getShippingFulfillments.

        The call is not idempotent (each one creates a package), so an existing
        fulfillment with the same tracking number and lines is returned as
        `already_recorded` instead of posting again.
        """
        if not lines:
            raise InvalidRequest("a shipment needs at least one line", platform=self.platform)
        tracking = validate_tracking(carrier, tracking_number)
        code = platform_carrier_code(carrier, EBAY_CARRIER_CODES, self.account.settings.get("carrier_codes"))
        if not code:
            raise InvalidRequest(f"no eBay carrier code for {carrier}", platform=self.platform)
        for fulfillment in self.shipping_fulfillments(order_id=order_id):
            if normalize_tracking(str(fulfillment.get("shipmentTrackingNumber", ""))) == tracking and _same_lines(
                fulfillment, lines
            ):
                return ShipmentResult(shipment_id=str(fulfillment.get("fulfillmentId") or ""), already_recorded=True)
        response = self.http.request(
            "POST",
            SHIPPING_FULFILLMENT_PATH.format(order_id=order_id),
            json_body={
                "lineItems": [{"lineItemId": line.line_id, "quantity": line.quantity} for line in lines],
                "shippedDate": iso_millis(shipped_at),
                "shippingCarrierCode": code,
                "trackingNumber": tracking,
            },
            operation="createShippingFulfillment",
        )
        location = response.headers.get("Location", "")
        shipment_id = location.rstrip("/").rsplit("/", 1)[-1] if location else None
        if not shipment_id and isinstance(response.body, dict):
            shipment_id = response.body.get("fulfillmentId")
        return ShipmentResult(shipment_id=shipment_id or None)

    def refund(self, *, order_id: str, lines: list[RefundLine], reason: str, idempotency_key: str) -> RefundResult:
        """issueRefund per line (amount + shipping of the line); sent once, never retried here.

        `reason` is an eBay ReasonForRefundEnum value; anything else goes as OTHER with
        the text in `comment`.
        """
        if not lines:
            raise InvalidRequest("a refund needs at least one line", platform=self.platform)
        reason_code = reason if reason in REFUND_REASONS else DEFAULT_REFUND_REASON
        body: dict[str, Any] = {
            "reasonForRefund": reason_code,
            "refundItems": [
                {
                    "refundAmount": {
                        "value": f"{(line.amount + line.shipping_amount).quantize(CENT):f}",
                        "currency": line.currency,
                    },
                    "lineItemId": line.line_id,
                }
                for line in lines
            ],
        }
        if reason_code != reason and reason:
            body["comment"] = reason[:COMMENT_MAX_LENGTH]
        response = self.http.request(
            "POST", ISSUE_REFUND_PATH.format(order_id=order_id), json_body=body, operation="issueRefund"
        )
        refund_id = response.body.get("refundId") if isinstance(response.body, dict) else None
        return RefundResult(refund_ids=(str(refund_id),) if refund_id else ())

    def push_stock(self, *, quantities: Mapping[str, int]) -> StockPushResult:
        """bulkUpdatePriceQuantity in batches of 25, reading the per-SKU responses (200 or 207)."""
        accepted: list[str] = []
        rejected: dict[str, str] = {}
        deferred: list[str] = []
        skus = list(quantities)
        for start in range(0, len(skus), STOCK_BATCH_SIZE):
            batch = skus[start : start + STOCK_BATCH_SIZE]
            requests_body = [
                {"sku": sku, "shipToLocationAvailability": {"quantity": max(int(quantities[sku]), 0)}} for sku in batch
            ]
            try:
                response = self.http.request(
                    "POST",
                    BULK_PRICE_QUANTITY_PATH,
                    json_body={"requests": requests_body},
                    idempotent=True,
                    operation="bulkUpdatePriceQuantity",
                )
            except RateLimited:
                deferred.extend(skus[start:])
                break
            except TransientError:
                deferred.extend(batch)
                continue
            except RejectedByMarketplace as exc:
                rejected.update({sku: exc.message for sku in batch})
                continue
            answered: set[str] = set()
            body = response.body if isinstance(response.body, dict) else {}
            for item in body.get("responses") or []:
                sku = str(item.get("sku", ""))
                if sku not in batch:
                    continue
                status = int(item.get("statusCode") or 0)
                if 200 <= status < 300:
                    if sku not in rejected:
                        answered.add(sku)
                else:
                    errors = [e.get("message", "") for e in item.get("errors") or [] if isinstance(e, Mapping)]
                    rejected[sku] = "; ".join(errors) or f"status {status}"
                    answered.discard(sku)
            accepted.extend(sku for sku in batch if sku in answered)
            deferred.extend(sku for sku in batch if sku not in answered and sku not in rejected)
        return StockPushResult(tuple(accepted), rejected, tuple(deferred))
