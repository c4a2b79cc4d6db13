"""Amazon Selling Partner API connector: Orders v0, Listings Items 2021-08-01, LWA tokens.

Wire facts come from `shared/specs/amazon/ordersV0.json` and
`listingsItems_2021-08-01.json`; cancel and refund go through the Feeds API
(`amazon_feeds.py`, unverified). Amazon has no acceptance step: a paid order
arrives `Unshipped`, which maps to `accepted`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
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
from orders.carriers import AMAZON_CARRIER_CODES, AMAZON_OTHER_CARRIER, CARRIER_NAMES, platform_carrier_code

from . import amazon_feeds
from .amazon_reports import RATE_LIMITS as AMAZON_REPORT_LIMITS
from .amazon_returns import AmazonReturns
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
    field_of,
    map_page,
    parse_currency,
    quantity_of,
    same_currency,
    text_of,
)
from .tokens import CachedToken, TokenStore

ORDERS_PATH = "/orders/v0/orders"
ORDER_PATH = "/orders/v0/orders/{order_id}"
ORDER_ITEMS_PATH = "/orders/v0/orders/{order_id}/orderItems"
SHIPMENT_CONFIRMATION_PATH = "/orders/v0/orders/{order_id}/shipmentConfirmation"
LISTINGS_ITEM_PATH = "/listings/2021-08-01/items/{seller_id}/{sku}"
# (unverified: the Tokens API model is not in the stored specs) getOrders returns buyer
# names and address lines only to a Restricted Data Token asked for these data elements.
RESTRICTED_DATA_TOKEN_PATH = "/tokens/2021-03-01/restrictedDataToken"
SELLER_PERFORMANCE_REPORT = "GET_V2_SELLER_PERFORMANCE_REPORT"
RESTRICTED_ORDER_DATA = ("buyerInfo", "shippingAddress")

# Usage plans from the spec files: operation -> (requests per second, burst).
RATE_LIMITS: Mapping[str, tuple[float, int]] = {
    "getOrders": (0.0167, 20),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "patchListingsItem": (5.0, 5),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    # Messaging (amazon_messaging): 1 request per second, burst 5, for every operation.
    "getMessagingActionsForOrder": (1.0, 5),
    "createUnexpectedProblem": (1.0, 5),
    "createConfirmOrderDetails": (1.0, 5),
    "createConfirmDeliveryDetails": (1.0, 5),
    # Solicitations (amazon_solicitations): 1 request per second, burst 5.
    "getSolicitationActionsForOrder": (1.0, 5),
    "createProductReviewAndSellerFeedbackSolicitation": (1.0, 5),
    **AMAZON_REPORT_LIMITS,
}

# getOrderItems is called once per order inside a page, and its burst is 30:
# pages of 20 orders stay inside the burst. The spec allows 1-100.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

STATUS_MAP: Mapping[str, str] = {
    "PendingAvailability": CanonicalStatus.AWAITING_PAYMENT,
    "Pending": CanonicalStatus.AWAITING_PAYMENT,
    "Unshipped": CanonicalStatus.ACCEPTED,  # paid; Amazon has no acceptance step
    "PartiallyShipped": CanonicalStatus.PARTIALLY_SHIPPED,
    "Shipped": CanonicalStatus.SHIPPED,
    "InvoiceUnconfirmed": CanonicalStatus.SHIPPED,
    "Canceled": CanonicalStatus.CANCELLED,
    "Unfulfillable": CanonicalStatus.CANCELLED,
}

# Currency of each EU marketplace, used only for orders that carry no money at all
# (cancelled before payment): Amazon.fr, .de, .es, .it, .nl, .be use EUR.
MARKETPLACE_CURRENCIES: Mapping[str, str] = {
    "A13V1IB3VIYZZH": "EUR",
    "A1PA6795UKMFR9": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "AMEN7PMS3EDWL": "EUR",
    "A1F83G8C2ARO7P": "GBP",
}

# Listings Items needs a productType on PATCH; "PRODUCT" is Amazon's generic type for
# offer-only changes such as stock (unverified). Override with settings["product_type"].
DEFAULT_PRODUCT_TYPE = "PRODUCT"
FULFILLMENT_CHANNEL_CODE = "DEFAULT"  # seller-fulfilled stock

USER_AGENT = "oms-connectors/0.1 (Language=Python)"
CENT = Decimal("0.01")


def parse_error(status: int, headers: Mapping[str, str], body: Any, text: str) -> MarketplaceError:
    """Amazon error body: {"errors": [{"code", "message", "details"}]}."""
    code, message = "", text[:500] or f"HTTP {status}"
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
        code = str(first.get("code", ""))
        message = str(first.get("message", message))
        if first.get("details"):
            message = f"{message} ({first['details']})"
    return error_for_status(
        status,
        message,
        platform=platforms.AMAZON,
        code=code,
        body=body if body is not None else text[:2000],
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _address(raw: Any) -> AddressData | None:
    if not isinstance(raw, Mapping):
        return None
    return AddressData(
        name=text_of(raw, "Name", required=False),
        company=text_of(raw, "CompanyName", required=False),
        line1=text_of(raw, "AddressLine1", required=False),
        line2=text_of(raw, "AddressLine2", required=False),
        line3=text_of(raw, "AddressLine3", required=False),
        postal_code=text_of(raw, "PostalCode", required=False),
        city=text_of(raw, "City", required=False),
        region=text_of(raw, "StateOrRegion", required=False),
        country_code=text_of(raw, "CountryCode", required=False).upper(),
        phone=text_of(raw, "Phone", required=False),
    )


def _money(raw: Mapping[str, Any], name: str, currency: str, *, allow_negative: bool = False) -> Decimal:
    """Amount of an optional Money field, checking its currency against the order's."""
    money = raw.get(name)
    if money is None:
        return Decimal("0")
    if not isinstance(money, Mapping):
        raise InvalidOrder(f"field {name} is not a Money object")
    same_currency(currency, money.get("CurrencyCode"), f"{name}.CurrencyCode")
    return amount_of(money, "Amount", allow_negative=allow_negative)


def _order_currency(order: Mapping[str, Any], items: list[Mapping[str, Any]]) -> str:
    total = order.get("OrderTotal")
    if total is not None:
        return parse_currency(field_of(total, "CurrencyCode", required=False), "OrderTotal.CurrencyCode")
    for item in items:
        for name in ("ItemPrice", "ShippingPrice", "ItemTax"):
            money = item.get(name)
            if isinstance(money, Mapping) and money.get("CurrencyCode") is not None:
                return parse_currency(money.get("CurrencyCode"), f"{name}.CurrencyCode")
    # No money anywhere: only acceptable for orders that never reached payment.
    if order.get("OrderStatus") in ("Pending", "PendingAvailability", "Canceled"):
        currency = MARKETPLACE_CURRENCIES.get(str(order.get("MarketplaceId", "")))
        if currency:
            return currency
    raise InvalidOrder("missing field OrderTotal")


def _discount(raw: Mapping[str, Any], name: str, currency: str) -> Decimal:
    """A discount as a positive amount: the spec does not give its sign, so either is read."""
    return abs(_money(raw, name, currency, allow_negative=True))


def _is_true(value: Any) -> bool:
    # IsGift and IsBuyerRequestedCancel are the strings "true"/"false" in the spec.
    return str(value).lower() == "true"


def map_order_item(item: Mapping[str, Any], currency: str) -> OrderLineData:
    """One getOrderItems entry -> OrderLineData. ItemPrice is the line total.

    Taxes are stated after their discounts (ItemTax less PromotionDiscountTax, ShippingTax
    less ShippingDiscountTax); the fee is CODFee less CODFeeDiscount.
    """
    # Amazon reports QuantityOrdered 0 on cancelled orders: zero is legitimate here.
    quantity = quantity_of(item, "QuantityOrdered")
    line_total = _money(item, "ItemPrice", currency)
    unit_price = (line_total / quantity).quantize(CENT, rounding=ROUND_HALF_UP) if quantity else line_total
    cancel = item.get("BuyerRequestedCancel") if isinstance(item.get("BuyerRequestedCancel"), Mapping) else {}
    buyer = item.get("BuyerInfo") if isinstance(item.get("BuyerInfo"), Mapping) else {}
    return OrderLineData(
        marketplace_line_id=text_of(item, "OrderItemId"),
        sku=text_of(item, "SellerSKU"),
        title=text_of(item, "Title", required=False),
        quantity=quantity,
        unit_price_amount=unit_price,
        total_amount=line_total,
        shipping_amount=_money(item, "ShippingPrice", currency),
        tax_amount=_money(item, "ItemTax", currency) - _discount(item, "PromotionDiscountTax", currency),
        shipping_tax_amount=_money(item, "ShippingTax", currency) - _discount(item, "ShippingDiscountTax", currency),
        discount_amount=_discount(item, "PromotionDiscount", currency),
        shipping_discount_amount=_discount(item, "ShippingDiscount", currency),
        fee_amount=_money(item, "CODFee", currency) - _discount(item, "CODFeeDiscount", currency),
        gift_wrap_amount=_money(buyer, "GiftWrapPrice", currency),
        gift_wrap_tax_amount=_money(buyer, "GiftWrapTax", currency),
        is_gift=_is_true(item.get("IsGift")),
        gift_message=text_of(buyer, "GiftMessageText", required=False),
        quantity_shipped=quantity_of(item, "QuantityShipped", required=False),
        marketplace_product_id=text_of(item, "ASIN", required=False),
        buyer_requested_cancel=_is_true(cancel.get("IsBuyerRequestedCancel")),
        buyer_cancel_reason=text_of(cancel, "BuyerCancelReason", required=False),
    )


# Marketplaces whose prices exclude sales tax, added at checkout (North America); every
# other marketplace states consumer prices with their VAT included.
TAX_EXCLUDED_MARKETPLACES = frozenset({"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"})  # US, CA, MX


def map_order(order: Mapping[str, Any], items: list[Mapping[str, Any]]) -> OrderData:
    """An Orders v0 `Order` plus its `OrderItems` -> OrderData. Raises InvalidOrder.

    Amazon's Orders API carries no refunds (they are in the Finances API): no adjustments.
    """
    order_id = text_of(order, "AmazonOrderId")
    marketplace_status = text_of(order, "OrderStatus")
    status = canonical_status(STATUS_MAP, marketplace_status)
    if not items:
        raise InvalidOrder("order has no items")
    currency = _order_currency(order, items)
    lines = tuple(map_order_item(item, currency) for item in items)
    tax_mode = (
        TaxMode.EXCLUDED
        if text_of(order, "MarketplaceId", required=False) in TAX_EXCLUDED_MARKETPLACES
        else TaxMode.INCLUDED
    )
    if order.get("OrderTotal") is not None:
        total = _money(order, "OrderTotal", currency)
    else:
        # Pending and cancelled orders may come without a total: the lines' is the only one.
        total = sum((line.charges_amount for line in lines), Decimal("0"))
        if tax_mode == TaxMode.EXCLUDED:
            total += sum((line.taxes_amount for line in lines), Decimal("0"))
    buyer = order.get("BuyerInfo") if isinstance(order.get("BuyerInfo"), Mapping) else {}
    return OrderData(
        platform=platforms.AMAZON,
        marketplace_order_id=order_id,
        status=status,
        marketplace_status=marketplace_status,
        purchased_at=datetime_of(order, "PurchaseDate"),
        marketplace_updated_at=datetime_of(order, "LastUpdateDate"),
        currency=currency,
        total_amount=total,
        lines=lines,
        tax_mode=tax_mode,
        reference=order_id,
        channel=text_of(order, "SalesChannel", required=False),
        ship_by=datetime_of(order, "LatestShipDate", required=False),
        deliver_by=datetime_of(order, "LatestDeliveryDate", required=False),
        earliest_ship_date=datetime_of(order, "EarliestShipDate", required=False),
        earliest_delivery_date=datetime_of(order, "EarliestDeliveryDate", required=False),
        shipping_method=text_of(order, "ShipServiceLevel", required=False),
        buyer_name=text_of(buyer, "BuyerName", required=False),
        buyer_email=text_of(buyer, "BuyerEmail", required=False),
        shipping_address=_address(order.get("ShippingAddress")),
        is_prime=order.get("IsPrime") is True,
        is_business=order.get("IsBusinessOrder") is True,
        purchase_order_number=text_of(buyer, "PurchaseOrderNumber", required=False),
        payment_method=text_of(order, "PaymentMethod", required=False),
        fulfilled_by_marketplace=order.get("FulfillmentChannel") == "AFN",
        raw={"order": order, "items": items},
    )


def iso_z(moment: dt.datetime) -> str:
    """Aware datetime -> "2026-11-23T10:00:00Z" (UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise ValueError("datetimes sent to a marketplace must be timezone-aware")
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def package_reference_id(idempotency_key: str) -> str:
    """A positive number derived from the idempotency key.

    The spec says packageReferenceId identifies a package within an order, so a
    retried confirmation carries the same id as the first attempt.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return str(int(digest[:12], 16) % 9_000_000_000 + 1)


class AmazonConnector(AmazonReturns, ConnectorBase):
    """One Amazon seller account on one marketplace (credentials.marketplace_id)."""

    platform: ClassVar[str] = platforms.AMAZON
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
        self.seller_id = account.credential("seller_id")
        self.marketplace_id = account.credential("marketplace_id")
        self.token = CachedToken(key=self.token_key, store=self.token_store, fetch=self._fetch_token)
        self.http = HttpClient(
            platform=self.platform,
            base_url=account.api_base_url,
            session=self.session,
            parse_error=parse_error,
            token=self.token,
            token_headers=lambda token: {"x-amz-access-token": token},
            static_headers={"User-Agent": USER_AGENT},
            # SP-API answers an expired token with 403 Unauthorized as well as 401.
            refresh_on_statuses=(401, 403),
            **self.http_options,
        )
        # getOrders goes through a second client holding the Restricted Data Token, so a
        # 401 there renews the RDT (itself asked for with the LWA token above).
        self.uses_restricted_data_token = bool(account.settings.get("restricted_data_token", True))
        self.restricted_token = CachedToken(
            key=f"{self.token_key}:rdt", store=self.token_store, fetch=self._fetch_restricted_data_token
        )
        self.orders_http = HttpClient(
            platform=self.platform,
            base_url=account.api_base_url,
            session=self.session,
            parse_error=parse_error,
            token=self.restricted_token if self.uses_restricted_data_token else self.token,
            token_headers=lambda token: {"x-amz-access-token": token},
            static_headers={"User-Agent": USER_AGENT},
            refresh_on_statuses=(401, 403),
            **self.http_options,
        )

    def _fetch_restricted_data_token(self) -> tuple[str, float]:
        """createRestrictedDataToken for getOrders with buyer and address data."""
        response = self.http.request(
            "POST",
            RESTRICTED_DATA_TOKEN_PATH,
            json_body={
                "restrictedResources": [
                    {"method": "GET", "path": ORDERS_PATH, "dataElements": list(RESTRICTED_ORDER_DATA)}
                ]
            },
            idempotent=True,  # a token request changes nothing on the platform
            operation="createRestrictedDataToken",
        )
        body = response.body if isinstance(response.body, dict) else {}
        if not body.get("restrictedDataToken"):
            raise TransientError("restrictedDataToken missing from the response", platform=self.platform, body=body)
        return str(body["restrictedDataToken"]), float(body.get("expiresIn") or 3600)

    def _fetch_token(self) -> tuple[str, float]:
        """Login with Amazon refresh_token grant."""
        return fetch_token(
            session=self.session,
            platform=self.platform,
            url=self.account.auth_url,
            form={
                "grant_type": "refresh_token",
                "refresh_token": self.account.credential("refresh_token"),
                "client_id": self.account.credential("client_id"),
                "client_secret": self.account.credential("client_secret"),
            },
            timeout=self.timeout,
        )

    # -- orders -------------------------------------------------------------------

    def list_changed_orders(self, *, since: dt.datetime, page_token: str | None = None) -> OrderPage:
        """getOrders (LastUpdatedAfter, or NextToken) then getOrderItems for each order.

        getOrders is sent with a Restricted Data Token (settings["restricted_data_token"],
        default true) so names and addresses come with the orders.

        An order whose items cannot be read (4xx) is rejected; throttling or a
        transient error on any call raises (the whole page is asked again later).
        """
        if page_token:
            params: dict[str, Any] = {"MarketplaceIds": self.marketplace_id, "NextToken": page_token}
        else:
            params = {
                "MarketplaceIds": self.marketplace_id,
                "LastUpdatedAfter": iso_z(since),
                "MaxResultsPerPage": self.page_size(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
            }
        response = self.orders_http.request("GET", ORDERS_PATH, params=params, operation="getOrders")
        payload = response.body.get("payload") if isinstance(response.body, dict) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("Orders"), list):
            raise TransientError(
                "getOrders response without payload.Orders", platform=self.platform, body=response.body
            )

        items_by_order: dict[str, list[Mapping[str, Any]]] = {}
        item_errors: dict[str, str] = {}
        for raw in payload["Orders"]:
            order_id = raw.get("AmazonOrderId") if isinstance(raw, Mapping) else None
            if not order_id:
                continue
            try:
                items_by_order[order_id] = self.order_items(order_id=str(order_id))
            except RejectedByMarketplace as exc:
                item_errors[order_id] = f"getOrderItems refused: {exc.message}"

        def map_one(raw: Mapping[str, Any]) -> OrderData:
            order_id = raw.get("AmazonOrderId")
            if order_id in item_errors:
                raise InvalidOrder(item_errors[order_id])
            return map_order(raw, items_by_order.get(order_id, []))

        orders, rejected, high_watermark = map_page(
            payload["Orders"],
            map_one=map_one,
            order_id_of=lambda raw: str(raw.get("AmazonOrderId", "")),
            updated_at_of=lambda raw: raw.get("LastUpdateDate"),
        )
        return OrderPage(orders, rejected, payload.get("NextToken") or None, high_watermark)

    def order_items(self, *, order_id: str) -> list[Mapping[str, Any]]:
        """All getOrderItems pages of one order."""
        items: list[Mapping[str, Any]] = []
        next_token: str | None = None
        while True:
            params = {"NextToken": next_token} if next_token else None
            response = self.http.request(
                "GET", ORDER_ITEMS_PATH.format(order_id=order_id), params=params, operation="getOrderItems"
            )
            payload = response.body.get("payload") if isinstance(response.body, dict) else None
            if not isinstance(payload, dict) or not isinstance(payload.get("OrderItems"), list):
                raise TransientError(
                    "getOrderItems response without payload.OrderItems", platform=self.platform, body=response.body
                )
            items.extend(payload["OrderItems"])
            next_token = payload.get("NextToken")
            if not next_token:
                return items

    # -- actions ------------------------------------------------------------------

    def accept_order(self, *, order_id: str, line_ids: list[str]) -> None:
        """Amazon has no acceptance step (see orders.platforms): raises UnsupportedAction."""
        raise UnsupportedAction("Amazon orders need no acceptance", platform=self.platform)

    def refuse_order(self, *, order_id: str, line_ids: list[str], reason: str) -> None:
        """Amazon has no acceptance step: raises UnsupportedAction; use cancel_order."""
        raise UnsupportedAction("Amazon orders cannot be refused, only cancelled", platform=self.platform)

    def order_status(self, *, order_id: str) -> str:
        """getOrder: the order's OrderStatus now."""
        response = self.http.request("GET", ORDER_PATH.format(order_id=order_id), operation="getOrder")
        payload = response.body.get("payload") if isinstance(response.body, dict) else None
        return str(payload.get("OrderStatus", "")) if isinstance(payload, dict) else ""

    def seller_performance(self) -> dict[str, Any]:
        """The seller performance report (accountHealthReport-2020-11-18) of the account's marketplace,
        read through amazon_reports.

        A report still being made raises TransientError (the daily read tries again); a cancelled or
        failed one, RejectedByMarketplace."""
        status, content = self._report(SELLER_PERFORMANCE_REPORT)
        if content is None:
            raise RejectedByMarketplace(f"seller performance report {status}", platform=self.platform)
        try:
            parsed = json.loads(content)
        except ValueError as exc:
            raise TransientError("seller performance report is not JSON", platform=self.platform) from exc
        return parsed if isinstance(parsed, dict) else {}

    def cancel_order(
        self, *, order_id: str, reason: str, lines: list[CancelLine] | None = None, retry: bool = False
    ) -> None:
        """Cancel through an order acknowledgement feed (unverified, see amazon_feeds).

        `lines` None cancels every item (read with getOrderItems). The feed is
        processed asynchronously; a created feed is not a done cancellation. On a
        `retry` the order is read first (getOrder): a Canceled order gets no second feed.
        """
        if retry and self.order_status(order_id=order_id) == "Canceled":
            return
        if lines is None:
            item_ids = [str(item.get("OrderItemId")) for item in self.order_items(order_id=order_id)]
        else:
            item_ids = [line.line_id for line in lines]
        document = amazon_feeds.cancellation_feed(
            seller_id=self.seller_id, order_id=order_id, item_ids=item_ids, reason=reason
        )
        amazon_feeds.submit_feed(
            self.http,
            session=self.session,
            timeout=self.timeout,
            feed_type=amazon_feeds.CANCELLATION_FEED_TYPE,
            marketplace_id=self.marketplace_id,
            document=document,
        )

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
        """confirmShipment once per package (one packageDetail per call, 204): `packages` (each
        parcel's tracking number and lines) when given, else one package of `lines`.

        Each packageReferenceId is derived from `idempotency_key` (and the package's place after
        the first), so a retry after an unknown outcome names the same packages and Amazon's
        sandbox answers a replay. Raises InvalidRequest for a bad tracking number or no lines.
        """
        packages = packages or [Package(tracking_number=tracking_number, lines=tuple(lines))]
        if not all(package.lines for package in packages):
            raise InvalidRequest("a shipment needs at least one line", platform=self.platform)
        trackings = [validate_tracking(carrier, package.tracking_number) for package in packages]
        code = platform_carrier_code(carrier, AMAZON_CARRIER_CODES, self.account.settings.get("carrier_codes"))
        shipping_method = self.account.settings.get("shipping_method")
        references = []
        for number, (package, tracking) in enumerate(zip(packages, trackings, strict=True)):
            key = idempotency_key if number == 0 else f"{idempotency_key}:{number}"
            detail: dict[str, Any] = {
                "packageReferenceId": package_reference_id(key),
                "carrierCode": code or AMAZON_OTHER_CARRIER,
                "trackingNumber": tracking,
                "shipDate": iso_z(shipped_at),
                "orderItems": [{"orderItemId": line.line_id, "quantity": line.quantity} for line in package.lines],
            }
            if not code or code == AMAZON_OTHER_CARRIER:
                detail["carrierName"] = CARRIER_NAMES[carrier]
            if shipping_method:
                detail["shippingMethod"] = str(shipping_method)
            self.http.request(
                "POST",
                SHIPMENT_CONFIRMATION_PATH.format(order_id=order_id),
                json_body={"marketplaceId": self.marketplace_id, "packageDetail": detail},
                operation="confirmShipment",
            )
            references.append(detail["packageReferenceId"])
        return ShipmentResult(shipment_id=references[0])

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
        """Refund through a payment adjustment feed (unverified, see amazon_feeds); returns the feed id.

        Orders v0 shows no refunds to read first; each adjusted item carries an id derived
        from `idempotency_key` (MerchantAdjustmentItemID), so Amazon skips a replayed
        adjustment (unverified) and a `retry` simply sends the same feed again.
        """
        if not lines:
            raise InvalidRequest("a refund needs at least one line", platform=self.platform)
        document = amazon_feeds.refund_feed(
            seller_id=self.seller_id, order_id=order_id, lines=lines, reason=reason, message_key=idempotency_key
        )
        feed_id = amazon_feeds.submit_feed(
            self.http,
            session=self.session,
            timeout=self.timeout,
            feed_type=amazon_feeds.REFUND_FEED_TYPE,
            marketplace_id=self.marketplace_id,
            document=document,
        )
        return RefundResult(refund_ids=(feed_id,) if feed_id else ())

    def push_stock(self, *, quantities: Mapping[str, int]) -> StockPushResult:
        """patchListingsItem per SKU, replacing fulfillment_availability (idempotent).

        INVALID submissions and 4xx answers are rejected per SKU; after a 429 or
        a transient error the remaining SKUs are deferred.
        """
        accepted: list[str] = []
        rejected: dict[str, str] = {}
        deferred: list[str] = []
        submissions: list[str] = []
        product_type = str(self.account.settings.get("product_type", DEFAULT_PRODUCT_TYPE))
        skus = list(quantities)
        for index, sku in enumerate(skus):
            body = {
                "productType": product_type,
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [
                            {
                                "fulfillment_channel_code": FULFILLMENT_CHANNEL_CODE,
                                "quantity": max(int(quantities[sku]), 0),
                            }
                        ],
                    }
                ],
            }
            try:
                response = self.http.request(
                    "PATCH",
                    LISTINGS_ITEM_PATH.format(
                        seller_id=requests.utils.quote(self.seller_id, safe=""), sku=requests.utils.quote(sku, safe="")
                    ),
                    params={"marketplaceIds": self.marketplace_id},
                    json_body=body,
                    idempotent=True,
                    operation="patchListingsItem",
                )
            except (RateLimited, TransientError):
                deferred.extend(skus[index:])
                break
            except RejectedByMarketplace as exc:
                rejected[sku] = exc.message
                continue
            result = response.body if isinstance(response.body, dict) else {}
            if result.get("status") == "ACCEPTED" or result.get("status") == "VALID":
                accepted.append(sku)
                if result.get("submissionId"):
                    submissions.append(str(result["submissionId"]))
            else:
                issues = [
                    str(issue.get("message", ""))
                    for issue in result.get("issues", [])
                    if isinstance(issue, dict) and issue.get("severity") == "ERROR"
                ]
                rejected[sku] = "; ".join(issues) or f"submission status {result.get('status')!r}"
        return StockPushResult(tuple(accepted), rejected, tuple(deferred), tuple(submissions))
