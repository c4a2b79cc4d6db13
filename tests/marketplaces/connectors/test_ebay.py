"""eBay connector: mapping of recorded getOrders payloads and the requests put on the wire."""

import base64
import copy
import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from marketplaces.connectors.base import AccountConfig, RefundLine, ShipmentLine
from marketplaces.connectors.ebay import EbayConnector, map_order
from marketplaces.connectors.errors import (
    InvalidRequest,
    MarketplaceError,
    RateLimited,
    RejectedByMarketplace,
    UnsupportedAction,
)
from orders.canonical import CanonicalStatus

from .conftest import load_payload

RESPONSE = load_payload("ebay_get_orders.json")
ORDERS = RESPONSE["orders"]
SINCE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc


def make_connector(server, **settings):
    account = AccountConfig(
        platform="ebay",
        account_key="ebay-atelier",
        api_base_url=f"{server.url}/ebay",
        auth_url=f"{server.url}/ebay/identity/v1/oauth2/token",
        credentials={
            "client_id": "AtelierL-oms-PRD-1234",
            "client_secret": "PRD-secret",
            "refresh_token": "v^1.1#i^1#r^1",
        },
        settings={"http_backoff_seconds": 0, **settings},
    )
    return EbayConnector(account)


def serve_token(server, token="v^1.1#access-1"):
    server.reply(
        "POST",
        "/ebay/identity/v1/oauth2/token",
        body={"access_token": token, "expires_in": 7200, "token_type": "User Access Token"},
    )


@pytest.mark.parametrize(
    "index, expected",
    [
        (0, CanonicalStatus.ACCEPTED),  # NOT_STARTED, PAID
        (1, CanonicalStatus.PARTIALLY_SHIPPED),  # IN_PROGRESS
        (2, CanonicalStatus.SHIPPED),  # FULFILLED
        (3, CanonicalStatus.AWAITING_PAYMENT),  # payment PENDING
        (4, CanonicalStatus.CANCELLED),  # cancelState CANCELED
        (5, CanonicalStatus.ACCEPTED),  # cancel requested by the buyer, still to ship
    ],
)
def test_each_ebay_status_combination_maps_to_its_canonical_status(index, expected):
    mapped = map_order(ORDERS[index])
    assert mapped.status == expected
    assert mapped.marketplace_order_id == ORDERS[index]["orderId"]
    assert mapped.raw is ORDERS[index]


def test_partially_shipped_order_maps_lines_amounts_and_per_line_ship_by():
    mapped = map_order(ORDERS[1])
    assert mapped.currency == "EUR"
    assert mapped.total_amount == Decimal("64.80")
    assert mapped.shipping_amount == Decimal("4.90")
    assert mapped.reference == "1202"
    assert mapped.channel == "EBAY_FR"
    lamp, candles = mapped.lines
    assert (lamp.sku, lamp.quantity, lamp.total_amount, lamp.unit_price_amount) == (
        "LAMPE-LAITON-E27",
        1,
        Decimal("34.90"),
        Decimal("34.90"),
    )
    assert (candles.sku, candles.quantity, candles.total_amount, candles.unit_price_amount) == (
        "BOUGIE-CIRE-SOJA",
        2,
        Decimal("25.00"),
        Decimal("12.50"),
    )
    assert lamp.marketplace_status == "FULFILLED" and lamp.quantity_shipped == 1
    assert candles.marketplace_status == "NOT_STARTED" and candles.quantity_shipped == 0
    assert lamp.ship_by == dt.datetime(2026, 11, 25, 22, 59, 59, tzinfo=UTC)
    assert candles.ship_by == dt.datetime(2026, 11, 24, 22, 59, 59, tzinfo=UTC)
    assert mapped.ship_by == candles.ship_by  # the earliest line decides
    assert mapped.shipping_address.name == "Hugo Petit"
    assert mapped.shipping_address.city == "Nantes"
    assert mapped.shipping_address.phone == "0698765432"
    assert mapped.buyer_email == "121098133451@members.ebay.com"
    assert mapped.shipping_method == "FR_ColissimoDomicileSansSignature"


def test_a_buyer_cancellation_request_flags_the_lines():
    mapped = map_order(ORDERS[5])
    assert all(line.buyer_requested_cancel for line in mapped.lines)
    assert not any(line.buyer_requested_cancel for line in map_order(ORDERS[0]).lines)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda o: o.update(orderFulfillmentStatus="SHIPPED_BY_PIGEON"), "unknown status SHIPPED_BY_PIGEON"),
        (lambda o: o.update(orderPaymentStatus="MAYBE"), "unknown status orderPaymentStatus MAYBE"),
        (lambda o: o.update(orderPaymentStatus="FAILED"), "orderPaymentStatus FAILED: payment or refund failed"),
        (lambda o: o["cancelStatus"].update(cancelState="WHATEVER"), "unknown status cancelState WHATEVER"),
        (lambda o: o["lineItems"][0].update(quantity=-2), "negative quantity quantity: -2"),
        (lambda o: o["lineItems"][0].update(quantity=0), "quantity quantity must be at least 1: 0"),
        (
            lambda o: o["lineItems"][0]["lineItemCost"].update(currency="GBP"),
            "currency GBP of lineItemCost.currency differs",
        ),
        (lambda o: o["pricingSummary"]["total"].update(value="trente"), "bad amount value: 'trente'"),
        (
            lambda o: o["pricingSummary"]["total"].pop("currency"),
            "missing or bad currency pricingSummary.total.currency",
        ),
        (lambda o: o["lineItems"][0].pop("sku"), "missing field sku"),
    ],
)
def test_bad_orders_are_rejected_and_the_page_goes_on(server, mutate, reason):
    broken = copy.deepcopy(ORDERS[0])
    mutate(broken)
    serve_token(server)
    server.reply(
        "GET",
        "/ebay/sell/fulfillment/v1/order",
        body={"total": 2, "limit": 50, "offset": 0, "orders": [broken, ORDERS[2]]},
    )
    page = make_connector(server).list_changed_orders(since=SINCE)
    assert [o.marketplace_order_id for o in page.orders] == [ORDERS[2]["orderId"]]
    (rejected,) = page.rejected
    assert rejected.marketplace_order_id == broken["orderId"]
    assert reason in rejected.reason
    assert rejected.raw["orderId"] == broken["orderId"]


def test_list_changed_orders_sends_the_encoded_filter_and_follows_next(server):
    serve_token(server)
    next_link = f"{server.url}/ebay/sell/fulfillment/v1/order?filter=lastmodifieddate%3A%5B2026-11-23T09%3A00%3A00.000Z..%5D&limit=3&offset=3"
    server.reply(
        "GET",
        "/ebay/sell/fulfillment/v1/order",
        body={"total": 6, "limit": 3, "offset": 0, "orders": ORDERS[:3], "next": next_link},
    )
    server.reply(
        "GET", "/ebay/sell/fulfillment/v1/order", body={"total": 6, "limit": 3, "offset": 3, "orders": ORDERS[3:]}
    )
    connector = make_connector(server, page_size=3)

    first = connector.list_changed_orders(since=SINCE)
    second = connector.list_changed_orders(since=SINCE, page_token=first.next_page_token)

    assert first.next_page_token == next_link and second.next_page_token is None
    assert len(first.orders) + len(second.orders) == 6
    assert second.high_watermark == dt.datetime(2026, 11, 23, 9, 15, 45, tzinfo=UTC)
    calls = server.calls("GET", "/ebay/sell/fulfillment/v1/order")
    assert "%5B" in calls[0].raw_query and "[" not in calls[0].raw_query  # brackets percent-encoded
    assert calls[0].query == {
        "filter": ["lastmodifieddate:[2026-11-23T09:00:00.000Z..]"],
        "limit": ["3"],
        "offset": ["0"],
    }
    assert calls[1].query["offset"] == ["3"]
    assert calls[0].headers["authorization"] == "Bearer v^1.1#access-1"

    (token_call,) = server.calls("POST", "/ebay/identity/v1/oauth2/token")
    user, _, password = base64.b64decode(token_call.headers["authorization"].split()[1]).decode().partition(":")
    assert (user, password) == ("AtelierL-oms-PRD-1234", "PRD-secret")
    form = parse_qs(token_call.body.decode())
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["v^1.1#i^1#r^1"]
    assert "https://api.ebay.com/oauth/api_scope/sell.finances" in form["scope"][0].split()


def test_a_next_link_to_another_host_is_refused(server):
    serve_token(server)
    with pytest.raises(MarketplaceError):
        make_connector(server).list_changed_orders(
            since=SINCE, page_token="https://evil.example/ebay/sell/fulfillment/v1/order"
        )
    assert server.calls("GET", "/ebay/sell/fulfillment/v1/order") == []


def test_ebay_error_body_is_parsed(server):
    serve_token(server)
    server.reply(
        "GET",
        "/ebay/sell/fulfillment/v1/order",
        status=400,
        body={
            "errors": [
                {
                    "errorId": 30700,
                    "domain": "API_FULFILLMENT",
                    "category": "REQUEST",
                    "message": "Invalid filter.",
                    "longMessage": "The filter lastmodifieddate is invalid.",
                    "parameters": [{"name": "filter", "value": "x"}],
                }
            ]
        },
    )
    with pytest.raises(RejectedByMarketplace) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.code == "30700"
    assert caught.value.message == "The filter lastmodifieddate is invalid."


def test_throttling_is_rate_limited(server):
    serve_token(server)
    server.reply(
        "GET",
        "/ebay/sell/fulfillment/v1/order",
        status=429,
        body={
            "errors": [
                {
                    "errorId": 2001,
                    "domain": "ACCESS",
                    "category": "REQUEST",
                    "message": "Too many requests. The request limit has been reached for the resource.",
                }
            ]
        },
    )
    with pytest.raises(RateLimited) as caught:
        make_connector(server, http_retries=0).list_changed_orders(since=SINCE)
    assert caught.value.code == "2001"


def test_refuse_is_unsupported(server):
    with pytest.raises(UnsupportedAction):
        make_connector(server).refuse_order(order_id="12-10980-33450", line_ids=[], reason="stock")


SHIP_PATH = "/ebay/sell/fulfillment/v1/order/12-10980-33450/shipping_fulfillment"


def test_confirm_shipment_checks_existing_fulfillments_then_posts_once(server):
    serve_token(server)
    server.reply("GET", SHIP_PATH, body={"total": 0, "fulfillments": []})
    server.reply(
        "POST",
        SHIP_PATH,
        status=201,
        body={},
        headers={
            "Location": f"{server.url}/ebay/sell/fulfillment/v1/order/12-10980-33450/shipping_fulfillment/9405509699937730129381"
        },
    )
    result = make_connector(server).confirm_shipment(
        order_id="12-10980-33450",
        carrier="colissimo",
        tracking_number="6A-1234-5678-901",
        lines=[ShipmentLine("10000045670", 1)],
        shipped_at=dt.datetime(2026, 11, 23, 16, 5, 7, 123000, tzinfo=UTC),
        idempotency_key="ship-1",
    )
    assert result.shipment_id == "9405509699937730129381" and result.already_recorded is False
    (post,) = server.calls("POST", SHIP_PATH)
    assert post.json() == {
        "lineItems": [{"lineItemId": "10000045670", "quantity": 1}],
        "shippedDate": "2026-11-23T16:05:07.123Z",
        "shippingCarrierCode": "Colissimo",
        "trackingNumber": "6A12345678901",
    }
    assert len(server.calls("GET", SHIP_PATH)) == 1


def test_confirm_shipment_does_not_post_a_package_eBay_already_has(server):
    serve_token(server)
    server.reply(
        "GET",
        SHIP_PATH,
        body={
            "total": 1,
            "fulfillments": [
                {
                    "fulfillmentId": "6A12345678901",
                    "shipmentTrackingNumber": "6A12345678901",
                    "shippingCarrierCode": "Colissimo",
                    "shippedDate": "2026-11-23T16:05:07.000Z",
                    "lineItems": [{"lineItemId": "10000045670", "quantity": 1}],
                }
            ],
        },
    )
    result = make_connector(server).confirm_shipment(
        order_id="12-10980-33450",
        carrier="colissimo",
        tracking_number="6A 1234 5678 901",
        lines=[ShipmentLine("10000045670", 1)],
        shipped_at=SINCE,
        idempotency_key="ship-1",
    )
    assert result.already_recorded is True and result.shipment_id == "6A12345678901"
    assert server.calls("POST", SHIP_PATH) == []


def test_refund_posts_issue_refund_with_line_amounts(server):
    serve_token(server)
    path = "/ebay/sell/fulfillment/v1/order/12-10980-33450/issue_refund"
    server.reply("POST", path, body={"refundId": "5000123456", "refundStatus": "PENDING"})
    result = make_connector(server).refund(
        order_id="12-10980-33450",
        reason="Colis arrivé endommagé",
        lines=[RefundLine("10000045670", Decimal("34.90"), quantity=1, shipping_amount=Decimal("4.90"))],
        idempotency_key="refund-1",
    )
    assert result.refund_ids == ("5000123456",)
    assert server.calls("POST", path)[0].json() == {
        "reasonForRefund": "OTHER_ADJUSTMENT",
        "refundItems": [{"refundAmount": {"value": "39.80", "currency": "EUR"}, "lineItemId": "10000045670"}],
        "comment": "Colis arrivé endommagé",
    }


def test_push_stock_batches_by_25_and_reads_per_item_results(server):
    serve_token(server)
    path = "/ebay/sell/inventory/v1/bulk_update_price_quantity"
    quantities = {f"SKU-{n:02d}": n for n in range(30)}
    first = [{"sku": f"SKU-{n:02d}", "offerId": f"50{n}", "statusCode": 200} for n in range(25)]
    first[3] = {
        "sku": "SKU-03",
        "statusCode": 400,
        "errors": [{"errorId": 25001, "message": "Listing not found for SKU-03"}],
    }
    server.reply("POST", path, status=207, body={"responses": first})
    server.reply("POST", path, body={"responses": [{"sku": f"SKU-{n:02d}", "statusCode": 200} for n in range(25, 29)]})

    result = make_connector(server).push_stock(quantities=quantities)

    calls = server.calls("POST", path)
    assert [len(c.json()["requests"]) for c in calls] == [25, 5]
    assert calls[0].json()["requests"][7] == {"sku": "SKU-07", "shipToLocationAvailability": {"quantity": 7}}
    assert result.rejected == {"SKU-03": "Listing not found for SKU-03"}
    assert len(result.accepted) == 28 and "SKU-03" not in result.accepted
    assert result.deferred == ("SKU-29",)  # no answer for it: push again


def test_cancel_goes_through_post_order(server):
    serve_token(server)
    server.reply("POST", "/ebay/post-order/v2/cancellation", status=201, body={"cancelId": "5000999"})
    make_connector(server).cancel_order(order_id="12-10980-33450", reason="rupture")
    assert server.calls("POST", "/ebay/post-order/v2/cancellation")[0].json()["legacyOrderId"] == "12-10980-33450"


def test_unknown_carrier_is_refused_before_sending(server):
    with pytest.raises(InvalidRequest):
        make_connector(server).confirm_shipment(
            order_id="1",
            carrier="pigeon",
            tracking_number="123456789",
            lines=[ShipmentLine("1", 1)],
            shipped_at=SINCE,
            idempotency_key="k",
        )
    assert server.requests == []


def test_a_retried_cancel_of_an_order_ebay_already_cancelled_counts_as_done(server):
    serve_token(server)
    server.reply(
        "POST",
        "/ebay/post-order/v2/cancellation",
        status=409,
        body={
            "errors": [
                {
                    "errorId": 1501,
                    "domain": "API_POSTORDER",
                    "category": "BUSINESS",
                    "message": "The order is already cancelled",
                }
            ]
        },
    )
    server.reply("GET", "/ebay/sell/fulfillment/v1/order/12-10984-33454", body=ORDERS[4])  # cancelState CANCELED
    make_connector(server).cancel_order(order_id="12-10984-33454", reason="rupture")
    assert len(server.calls("GET", "/ebay/sell/fulfillment/v1/order/12-10984-33454")) == 1


def test_a_refused_cancel_of_a_live_order_is_raised(server):
    serve_token(server)
    server.reply(
        "POST",
        "/ebay/post-order/v2/cancellation",
        status=409,
        body={
            "errors": [
                {
                    "errorId": 1502,
                    "domain": "API_POSTORDER",
                    "category": "BUSINESS",
                    "message": "The order has been shipped and cannot be cancelled",
                }
            ]
        },
    )
    server.reply("GET", "/ebay/sell/fulfillment/v1/order/12-10982-33452", body=ORDERS[2])  # FULFILLED
    with pytest.raises(RejectedByMarketplace) as caught:
        make_connector(server).cancel_order(order_id="12-10982-33452", reason="rupture")
    assert caught.value.code == "1502"
