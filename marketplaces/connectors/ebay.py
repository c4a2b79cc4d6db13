"""eBay connector: Sell Fulfillment v1 (orders, shipping, refunds), Sell Inventory v1 (stock), OAuth.

Wire facts come from `shared/specs/ebay/sell_fulfillment_v1_oas3.json` and
`sell_inventory_v1_oas3.json`. The status values are plain strings in the spec;
the tables below hold the values eBay's documentation lists, and anything else
is rejected, never guessed. eBay has no acceptance step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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
from orders.carriers import EBAY_CARRIER_CODES, normalize_tracking, platform_carrier_code

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
from .ebay_returns import EbayReturns
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
SELLER_STANDARDS_PATH = "/sell/analytics/v1/seller_standards_profile/{program}/{cycle}"
# (unverified) Post-Order API seller cancellation; not in the stored specs.
POST_ORDER_CANCELLATION_PATH = "/post-order/v2/cancellation"
POST_ORDER_CANCEL_REASON = "OUT_OF_STOCK_OR_CANNOT_FULFILL"

# issueRefund needs sell.finances on top of sell.fulfillment (spec: per-operation scopes).
OAUTH_SCOPES = (
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.finances",
    "https://api.ebay.com/oauth/api_scope/commerce.message",  # buyer conversations (Message API)
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


def _discount(raw: Any, name: str, currency: str) -> Decimal:
    """A discount as a positive amount (the spec says "should be a negative real number" for some)."""
    if raw is None:
        return Decimal("0")
    if not isinstance(raw, Mapping):
        raise InvalidOrder(f"field {name} is not an Amount")
    same_currency(currency, raw.get("currency"), f"{name}.currency")
    return abs(amount_of(raw, "value", allow_negative=True))


def shipped_quantities(fulfillments: list[Mapping[str, Any]]) -> dict[str, int]:
    """Units shipped per line id, from the order's shipping fulfillments (getShippingFulfillments)."""
    shipped: dict[str, int] = {}
    for fulfillment in fulfillments:
        for item in fulfillment.get("lineItems") or []:
            if isinstance(item, Mapping):
                line_id = str(item.get("lineItemId", ""))
                shipped[line_id] = shipped.get(line_id, 0) + quantity_of(item, "quantity", required=False)
    return shipped


def needs_shipped_quantities(order: Mapping[str, Any]) -> bool:
    """Whether some line is shipped in part: only its fulfillments say how many units."""
    return any(
        isinstance(item, Mapping) and item.get("lineItemFulfillmentStatus") == "IN_PROGRESS"
        for item in order.get("lineItems") or []
    )


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


def _shipped(item: Mapping[str, Any], quantity: int, shipped: Mapping[str, int] | None) -> int:
    status = item.get("lineItemFulfillmentStatus")
    if status == "FULFILLED":
        return quantity
    if status == "IN_PROGRESS" and shipped is not None:
        return min(quantity, shipped.get(str(item.get("lineItemId", "")), 0))
    return 0


def map_line_item(
    item: Mapping[str, Any],
    currency: str,
    *,
    buyer_requested_cancel: bool,
    buyer_cancel_reason: str = "",
    shipped: Mapping[str, int] | None = None,
) -> OrderLineData:
    """One LineItem -> OrderLineData; lineItemCost is unit price x quantity before discounts (spec).

    `shipped` (units per line id, from the fulfillments) says how much of a line in
    IN_PROGRESS is shipped; without it such a line counts as not shipped yet.
    """
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
    discounted = item.get("discountedLineItemCost")
    delivery = item.get("deliveryCost") if isinstance(item.get("deliveryCost"), Mapping) else {}
    status = text_of(item, "lineItemFulfillmentStatus", required=False)
    return OrderLineData(
        marketplace_line_id=text_of(item, "lineItemId"),
        sku=text_of(item, "sku"),
        title=text_of(item, "title", required=False),
        quantity=quantity,
        unit_price_amount=unit_price,
        total_amount=line_total,
        shipping_amount=_money(delivery.get("shippingCost"), "deliveryCost.shippingCost", currency),
        tax_amount=tax,
        discount_amount=line_total - _money(discounted, "discountedLineItemCost", currency)
        if discounted
        else Decimal("0"),
        shipping_discount_amount=_discount(delivery.get("discountAmount"), "deliveryCost.discountAmount", currency),
        fee_amount=_money(delivery.get("handlingCost"), "deliveryCost.handlingCost", currency)
        + _money(delivery.get("importCharges"), "deliveryCost.importCharges", currency),
        quantity_shipped=_shipped(item, quantity, shipped),
        marketplace_product_id=text_of(item, "legacyItemId", required=False),
        marketplace_status=status,
        ship_by=datetime_of(item, "lineItemFulfillmentInstructions.shipByDate", required=False),
        buyer_requested_cancel=buyer_requested_cancel,
        buyer_cancel_reason=buyer_cancel_reason,
    )


def _refund(entry: Mapping[str, Any], currency: str, line_id: str) -> AdjustmentData | None:
    refund_id = text_of(entry, "refundId", required=False) or text_of(entry, "refundReferenceId", required=False)
    if not refund_id or entry.get("refundStatus") == "FAILED":
        return None  # not issued yet, or failed: no money moved
    return AdjustmentData(
        kind=AdjustmentKind.REFUND,
        marketplace_adjustment_id=refund_id,
        marketplace_line_id=line_id,
        amount=_money(entry.get("amount"), "refunds.amount", currency),
        state=text_of(entry, "refundStatus", required=False),
        created_at=datetime_of(entry, "refundDate", required=False),
    )


def _adjustments(
    order: Mapping[str, Any], currency: str, total: Decimal, cancel_reason: str
) -> tuple[AdjustmentData, ...]:
    """Refunds per line and per order (an order-level refund that repeats a line's id counts once),
    and the whole order's cancellation once eBay says CANCELED.

    One refund covering several lines (issueRefund with several refundItems) shows the same refundId
    in each line's refunds[]: each line is kept, as `<refundId>:<lineItemId>`, so every line is read
    back, each once (a refund on one line keeps its plain refundId)."""
    per_line = [
        refund
        for item in order.get("lineItems") or []
        for entry in item.get("refunds") or []
        if isinstance(entry, Mapping)
        for refund in [_refund(entry, currency, text_of(item, "lineItemId"))]
        if refund
    ]
    lines_of = Counter(refund.marketplace_adjustment_id for refund in per_line)
    found: dict[str, AdjustmentData] = {}
    for refund in per_line:
        if lines_of[refund.marketplace_adjustment_id] > 1:
            key = f"{refund.marketplace_adjustment_id}:{refund.marketplace_line_id}"
            refund = dataclasses.replace(refund, marketplace_adjustment_id=key)
        found[refund.marketplace_adjustment_id] = refund
    for entry in field_of(order, "paymentSummary.refunds", required=False) or []:
        refund = _refund(entry, currency, "") if isinstance(entry, Mapping) else None
        if refund and refund.marketplace_adjustment_id not in lines_of:
            found.setdefault(refund.marketplace_adjustment_id, refund)
    adjustments = list(found.values())
    if field_of(order, "cancelStatus.cancelState", required=False) == "CANCELED":
        adjustments.append(
            AdjustmentData(
                kind=AdjustmentKind.CANCELLATION,
                marketplace_adjustment_id=order_id_of(order),
                amount=total,
                reason=cancel_reason,
                created_at=datetime_of(order, "cancelStatus.cancelledDate", required=False),
            )
        )
    return tuple(adjustments)


def order_id_of(order: Mapping[str, Any]) -> str:
    return text_of(order, "orderId")


def _buyer_cancel_reason(order: Mapping[str, Any]) -> str:
    """The buyer's reason from cancelRequests (getOrder only: getOrders returns the array empty)."""
    for request in field_of(order, "cancelStatus.cancelRequests", required=False) or []:
        if isinstance(request, Mapping) and str(request.get("cancelInitiator", "")).lower() == "buyer":
            return text_of(request, "cancelReason", required=False)
    return ""


def map_order(order: Mapping[str, Any], *, shipped: Mapping[str, int] | None = None) -> OrderData:
    """A Fulfillment API `Order` -> OrderData. Raises InvalidOrder.

    The line taxes are added on top of the prices (`total` = costs + taxes − discounts), so
    eBay orders are TAX_EXCLUDED in the canonical sense. `shipped`: see `map_line_item`.
    """
    order_id = order_id_of(order)
    status = canonical_status_of(order)
    total = field_of(order, "pricingSummary.total")
    currency = parse_currency(
        total.get("currency") if isinstance(total, Mapping) else None, "pricingSummary.total.currency"
    )
    total_amount = _money(total, "pricingSummary.total", currency, required=True)
    cancel_state = field_of(order, "cancelStatus.cancelState", required=False)
    cancel_reason = _buyer_cancel_reason(order)
    items = order.get("lineItems")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("order has no lineItems")
    lines = tuple(
        map_line_item(
            item,
            currency,
            buyer_requested_cancel=cancel_state == "IN_PROGRESS",
            buyer_cancel_reason=cancel_reason,
            shipped=shipped,
        )
        for item in items
    )
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
        total_amount=total_amount,
        lines=lines,
        tax_mode=TaxMode.EXCLUDED,
        fee_amount=_money(field_of(order, "pricingSummary.fee", required=False), "pricingSummary.fee", currency),
        adjustments=_adjustments(order, currency, total_amount, cancel_reason),
        reference=text_of(order, "legacyOrderId", required=False)
        or text_of(order, "salesRecordReference", required=False)
        or order_id,
        channel=text_of(items[0], "purchaseMarketplaceId", required=False),
        ship_by=earliest(line.ship_by for line in lines),
        deliver_by=datetime_of(instructions[0], "maxEstimatedDeliveryDate", required=False)
        if isinstance(instructions[0], Mapping)
        else None,
        earliest_delivery_date=datetime_of(instructions[0], "minEstimatedDeliveryDate", required=False)
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


class EbayConnector(EbayReturns, ConnectorBase):
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

    def seller_standards(self, *, cycle: str = "CURRENT") -> dict[str, Decimal]:
        """getSellerStandardsProfile: the seller's standards metrics {metricKey: value} for the account's
        program (setting `standards_program`, PROGRAM_GLOBAL by default); a value that is not a number is
        left out. The keys and the value as a percentage are unverified (the spec types it as a string)."""
        program = str(self.account.settings.get("standards_program") or "PROGRAM_GLOBAL")
        response = self.http.request(
            "GET",
            SELLER_STANDARDS_PATH.format(program=program, cycle=cycle),
            operation="getSellerStandardsProfile",
        )
        body = response.body if isinstance(response.body, dict) else {}
        figures = {}
        for metric in body.get("metrics") or []:
            if not isinstance(metric, Mapping) or not metric.get("metricKey"):
                continue
            value = metric.get("value")
            if isinstance(value, Mapping):  # {"value": …} as the Value type has it
                value = value.get("value")
            try:
                figures[str(metric["metricKey"])] = Decimal(str(value))
            except (InvalidOperation, ValueError):
                continue
        return figures

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
            map_one=self._map_with_shipped_quantities,
            order_id_of=lambda raw: str(raw.get("orderId", "")),
            updated_at_of=lambda raw: raw.get("lastModifiedDate"),
        )
        next_link = body.get("next") if raw_orders else None
        return OrderPage(orders, rejected, next_link or None, high_watermark)

    def _map_with_shipped_quantities(self, raw: Mapping[str, Any]) -> OrderData:
        """map_order, reading the fulfillments of an order shipped in part (one call per such order)."""
        if not needs_shipped_quantities(raw):
            return map_order(raw)
        fulfillments = self.shipping_fulfillments(order_id=order_id_of(raw))
        return map_order(raw, shipped=shipped_quantities(fulfillments))

    # -- actions ------------------------------------------------------------------

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None:
        """eBay has no acceptance step (see orders.platforms): raises UnsupportedAction."""
        raise UnsupportedAction("eBay orders need no acceptance", platform=self.platform)

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None:
        """eBay has no acceptance step: raises UnsupportedAction; use cancel_order."""
        raise UnsupportedAction("eBay orders cannot be refused, only cancelled", platform=self.platform)

    def cancel_order(
        self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None, retry: bool = False
    ) -> None:
        """Seller cancellation through the Post-Order API (unverified; whole order only).

        On a `retry` the order is read first (getOrder); a refusal on an order that eBay
        already shows as CANCELED (the earlier attempt went through) counts as done.
        """
        if lines is not None:
            raise UnsupportedAction("eBay cancels whole orders only", platform=self.platform)
        if retry and self._cancelled(order_id):
            return
        try:
            self.http.request(
                "POST",
                POST_ORDER_CANCELLATION_PATH,
                json_body={"legacyOrderId": order_id, "cancelReason": POST_ORDER_CANCEL_REASON},
                operation="createCancellation",
            )
        except RejectedByMarketplace:
            if not self._cancelled(order_id):
                raise

    def _cancelled(self, order_id: str) -> bool:
        return self.order(order_id=order_id).get("cancelStatus", {}).get("cancelState") == "CANCELED"

    def refunded_total(self, *, order_id: str) -> Decimal:
        """getOrder: the order's refunds (paymentSummary.refunds) that did not fail."""
        order = self.order(order_id=order_id)
        return sum(
            (
                amount_of(refund.get("amount") or {}, "value")
                for refund in order.get("paymentSummary", {}).get("refunds") or []
                if isinstance(refund, Mapping) and refund.get("refundStatus") != "FAILED"
            ),
            Decimal("0"),
        )

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
        packages: list[Package] | None = None,
    ) -> ShipmentResult:
        """createShippingFulfillment once per package ("For each package, execute this call once"),
        after checking getShippingFulfillments: `packages` (each parcel's tracking number and lines)
        when given, else one package of `lines` under `tracking_number`.

        The call is not idempotent (each one creates a package), so an existing
        fulfillment with the same tracking number and lines is not posted again (a
        retry after a failure half-way posts only the packages still missing); the
        result is the first package's, `already_recorded` when none was posted.
        """
        packages = packages or [Package(tracking_number=tracking_number, lines=tuple(lines))]
        if not all(package.lines for package in packages):
            raise InvalidRequest("a shipment needs at least one line", platform=self.platform)
        trackings = [validate_tracking(carrier, package.tracking_number) for package in packages]
        code = platform_carrier_code(carrier, EBAY_CARRIER_CODES, self.account.settings.get("carrier_codes"))
        if not code:
            raise InvalidRequest(f"no eBay carrier code for {carrier}", platform=self.platform)
        existing = self.shipping_fulfillments(order_id=order_id)
        results: list[ShipmentResult] = []
        for package, tracking in zip(packages, trackings, strict=True):
            found = next(
                (
                    fulfillment
                    for fulfillment in existing
                    if normalize_tracking(str(fulfillment.get("shipmentTrackingNumber", ""))) == tracking
                    and _same_lines(fulfillment, list(package.lines))
                ),
                None,
            )
            if found is not None:
                results.append(ShipmentResult(shipment_id=str(found.get("fulfillmentId") or ""), already_recorded=True))
                continue
            response = self.http.request(
                "POST",
                SHIPPING_FULFILLMENT_PATH.format(order_id=order_id),
                json_body={
                    "lineItems": [{"lineItemId": line.line_id, "quantity": line.quantity} for line in package.lines],
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
            results.append(ShipmentResult(shipment_id=shipment_id or None))
        return ShipmentResult(
            shipment_id=results[0].shipment_id, already_recorded=all(result.already_recorded for result in results)
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
        """issueRefund per line (amount + shipping of the line); sent once, never retried here.

        Not idempotent: a `retry` first reads the order's refunds (getOrder). `reason` is an
        eBay ReasonForRefundEnum value; anything else goes as OTHER with the text in `comment`.
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
                rejected.update(dict.fromkeys(batch, exc.message))
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
