"""Cdiscount (Octopia) connector: mapping of recorded orders and the requests put on the wire."""

import copy
import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from marketplaces.connectors.base import AccountConfig, CancelLine, RefundLine, ShipmentLine
from marketplaces.connectors.cdiscount import CdiscountConnector, map_order
from marketplaces.connectors.errors import InvalidRequest, RateLimited, RejectedByMarketplace, UnsupportedAction
from orders.canonical import CanonicalStatus

from .conftest import load_payload, load_wire_payload

ORDERS = load_payload("cdiscount_orders.json")["items"]
WIRE_ORDERS = load_wire_payload("cdiscount_orders.json")["items"]
UTC = dt.timezone.utc
SINCE = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

EXPECTED = {
    "Processing": CanonicalStatus.AWAITING_PAYMENT,
    "WaitingAcceptance": CanonicalStatus.PENDING_ACCEPTANCE,
    "Accepted": CanonicalStatus.ACCEPTED,
    "Refused": CanonicalStatus.REFUSED,
    "InPreparation": CanonicalStatus.PARTIALLY_SHIPPED,  # its first line is already shipped
    "Shipped": CanonicalStatus.SHIPPED,
    "Delivered": CanonicalStatus.DELIVERED,
    "Cancelled": CanonicalStatus.CANCELLED,
}


def in_status(status):
    return next(order for order in ORDERS if order["status"] == status)


def make_connector(server, **settings):
    account = AccountConfig(
        platform="cdiscount",
        account_key="cdiscount-123456",
        api_base_url=f"{server.url}/octopia",
        auth_url=f"{server.url}/octopia/auth/realms/maas/protocol/openid-connect/token",
        credentials={
            "client_id": "oms-123456",
            "client_secret": "s3cr3t",
            "seller_id": "123456",
            "sales_channel_id": "CDISFR",
        },
        settings={"http_backoff_seconds": 0, **settings},
    )
    return CdiscountConnector(account)


def serve_token(server, token="eyJhbGciOiJSUzI1NiJ9.token-1"):
    server.reply(
        "POST",
        "/octopia/auth/realms/maas/protocol/openid-connect/token",
        body={"access_token": token, "expires_in": 7200, "refresh_expires_in": 0, "token_type": "Bearer"},
    )


def test_the_recorded_payload_holds_every_cdiscount_status():
    assert {order["status"] for order in ORDERS} == set(EXPECTED)


@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_each_cdiscount_status_maps_to_its_canonical_status(status):
    mapped = map_order(in_status(status))
    assert mapped.status == EXPECTED[status]
    assert mapped.marketplace_status == status


def test_in_preparation_without_shipped_lines_is_accepted():
    order = copy.deepcopy(in_status("InPreparation"))
    order["lines"][0]["status"] = "Accepted"
    assert map_order(order).status == CanonicalStatus.ACCEPTED


def test_waiting_acceptance_order_maps_deadlines_amounts_and_address():
    mapped = map_order(in_status("WaitingAcceptance"))
    assert mapped.acceptance_deadline == dt.datetime(2026, 11, 25, 10, 42, tzinfo=UTC)
    assert mapped.ship_by == dt.datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert mapped.total_amount == Decimal("64.89") and mapped.shipping_amount == Decimal("4.99")
    assert mapped.channel == "CDISFR"
    assert mapped.buyer_name == "Hugo Bernard"
    (line,) = mapped.lines
    assert (line.sku, line.ean, line.quantity, line.unit_price_amount, line.total_amount) == (
        "SKU-KETTLE-17",
        "3760123450017",
        2,
        Decimal("29.95"),
        Decimal("59.90"),
    )
    assert mapped.shipping_address.city == "Rennes" and mapped.shipping_address.country_code == "FR"


def test_acceptance_deadline_is_ignored_outside_waiting_acceptance():
    assert map_order(in_status("Accepted")).acceptance_deadline is None


def test_relay_business_and_fulfilment_orders():
    assert map_order(in_status("Delivered")).shipping_address.relay_point_id == "020418"
    assert map_order(in_status("Accepted")).is_business is True
    fulfilment = next(order for order in ORDERS if order["supplyMode"] == "Fulfillment")
    assert map_order(fulfilment).fulfilled_by_marketplace is True
    assert map_order(in_status("Accepted")).fulfilled_by_marketplace is False


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda o: o.update(status="OnHold"), "unknown status OnHold"),
        (lambda o: o.update(supplyMode="Dropship"), "unknown supplyMode Dropship"),
        (lambda o: o.update(currencyCode=None), "missing or bad currency currencyCode"),
        (lambda o: o["lines"][0].update(quantity=-3), "negative quantity quantity: -3"),
        (lambda o: o["lines"][0].update(quantity=0), "quantity quantity must be at least 1: 0"),
        (lambda o: o.update(totalPrice="64,89"), "bad amount totalPrice: '64,89'"),
        (lambda o: o["lines"][0].pop("sellerProductId"), "missing field sellerProductId"),
        (lambda o: o.pop("updatedAt"), "missing field updatedAt"),
    ],
)
def test_bad_orders_are_rejected_and_the_page_goes_on(server, mutate, reason):
    broken = copy.deepcopy(WIRE_ORDERS[1])
    mutate(broken)
    serve_token(server)
    server.reply(
        "GET",
        "/octopia/seller/v2/orders",
        body={"itemsPerPage": 50, "pageIndex": 1, "totalItems": 2, "items": [broken, WIRE_ORDERS[2]]},
    )
    page = make_connector(server).list_changed_orders(since=SINCE)
    assert [o.marketplace_order_id for o in page.orders] == [WIRE_ORDERS[2]["orderId"]]
    (rejected,) = page.rejected
    assert rejected.marketplace_order_id == broken["orderId"] and reason in rejected.reason


def test_orders_are_paged_by_page_index_with_token_and_seller_headers(server):
    serve_token(server)
    for start in (0, 4, 8):
        server.reply(
            "GET",
            "/octopia/seller/v2/orders",
            body={
                "itemsPerPage": 4,
                "pageIndex": start // 4 + 1,
                "totalItems": 9,
                "items": WIRE_ORDERS[start : start + 4],
            },
        )
    connector = make_connector(server, page_size=4)
    pages = [connector.list_changed_orders(since=SINCE)]
    while pages[-1].next_page_token:
        pages.append(connector.list_changed_orders(since=SINCE, page_token=pages[-1].next_page_token))
    assert [p.next_page_token for p in pages] == ["2", "3", None]
    assert sum(len(p.orders) for p in pages) == 9
    calls = server.calls("GET", "/octopia/seller/v2/orders")
    assert calls[0].query == {
        "updatedAtMin": ["2026-11-23T10:00:00Z"],
        "pageSize": ["4"],
        "pageIndex": ["1"],
        "salesChannelId": ["CDISFR"],
    }
    assert [c.param("pageIndex") for c in calls] == ["1", "2", "3"]
    assert calls[0].headers["authorization"] == "Bearer eyJhbGciOiJSUzI1NiJ9.token-1"
    assert calls[0].headers["sellerid"] == "123456"
    (token_call,) = server.calls("POST", "/octopia/auth/realms/maas/protocol/openid-connect/token")
    assert parse_qs(token_call.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["oms-123456"],
        "client_secret": ["s3cr3t"],
    }


def test_problem_body_is_parsed(server):
    serve_token(server)
    server.reply(
        "GET",
        "/octopia/seller/v2/orders",
        status=400,
        body={
            "type": "https://developer.octopia-io.net/problems/validation-error",
            "title": "Bad Request",
            "status": 400,
            "detail": "pageSize must be between 1 and 100",
            "errors": [{"field": "pageSize", "message": "out of range"}],
        },
    )
    with pytest.raises(RejectedByMarketplace) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.code == "Bad Request"
    assert caught.value.message == "pageSize must be between 1 and 100 (pageSize: out of range)"


def test_429_with_retry_after(server):
    serve_token(server)
    server.reply(
        "GET",
        "/octopia/seller/v2/orders",
        status=429,
        headers={"Retry-After": "30"},
        body={
            "type": "https://developer.octopia-io.net/problems/too-many-requests",
            "title": "Too Many Requests",
            "status": 429,
            "detail": "Rate limit exceeded, retry later",
        },
    )
    with pytest.raises(RateLimited) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.retry_after == 30.0


def test_expired_token_is_refreshed_once(server):
    serve_token(server, "old")
    serve_token(server, "new")
    server.reply(
        "GET",
        "/octopia/seller/v2/orders",
        status=401,
        body={
            "type": "https://developer.octopia-io.net/problems/unauthorized",
            "title": "Unauthorized",
            "status": 401,
            "detail": "The access token is missing, invalid or expired",
        },
    )
    server.reply(
        "GET", "/octopia/seller/v2/orders", body={"itemsPerPage": 50, "pageIndex": 1, "totalItems": 0, "items": []}
    )
    make_connector(server).list_changed_orders(since=SINCE)
    assert [c.headers["authorization"] for c in server.calls("GET", "/octopia/seller/v2/orders")] == [
        "Bearer old",
        "Bearer new",
    ]


def test_accept_and_refuse_validate_every_line(server):
    serve_token(server)
    path = "/octopia/seller/v2/orders/2611230142ABCDB/validate"
    server.reply("POST", path, status=204)
    connector = make_connector(server)
    connector.accept_order(order_id="2611230142ABCDB", line_ids=["1"])
    connector.refuse_order(order_id="2611230142ABCDB", line_ids=["1"], reason="rupture")
    assert [c.json() for c in server.calls("POST", path)] == [
        {"lines": [{"lineId": "1", "accepted": True}]},
        {"lines": [{"lineId": "1", "accepted": False}]},
    ]


def test_accepting_an_order_already_accepted_counts_as_done(server):
    serve_token(server)
    server.reply(
        "POST",
        "/octopia/seller/v2/orders/2611230242ABCDC/validate",
        status=409,
        body={
            "type": "https://developer.octopia-io.net/problems/conflict",
            "title": "Conflict",
            "status": 409,
            "detail": "Order 2611230242ABCDC cannot be validated in status Accepted",
        },
    )
    server.reply("GET", "/octopia/seller/v2/orders/2611230242ABCDC", body=WIRE_ORDERS[2])
    make_connector(server).accept_order(order_id="2611230242ABCDC", line_ids=["1"])
    assert len(server.calls("POST", "/octopia/seller/v2/orders/2611230242ABCDC/validate")) == 1


def test_ship_checks_shipments_then_posts_one(server):
    serve_token(server)
    path = "/octopia/seller/v2/orders/2611230242ABCDC/shipments"
    server.reply("GET", "/octopia/seller/v2/carriers", body={"items": [{"code": "COLISSIMO", "name": "Colissimo"}]})
    server.reply("GET", path, body={"items": []})
    server.reply("POST", path, status=201, body={"shipmentId": "SHP-0001"})
    result = make_connector(server).confirm_shipment(
        order_id="2611230242ABCDC",
        carrier="colissimo",
        tracking_number="6A12345678901",
        lines=[ShipmentLine("1", 2)],
        shipped_at=SINCE,
        idempotency_key="s",
    )
    assert result.shipment_id == "SHP-0001" and not result.already_recorded
    body = server.calls("POST", path)[0].json()
    assert body["carrierCode"] == "COLISSIMO" and body["trackingNumber"] == "6A12345678901"
    assert body["trackingUrl"].endswith("code=6A12345678901")
    assert body["lines"] == [{"lineId": "1", "quantity": 2}]


def test_ship_retry_finds_the_existing_shipment(server):
    serve_token(server)
    path = "/octopia/seller/v2/orders/2611230242ABCDC/shipments"
    server.reply("GET", "/octopia/seller/v2/carriers", body={"items": [{"code": "COLISSIMO", "name": "Colissimo"}]})
    server.reply(
        "GET",
        path,
        body={
            "items": [
                {
                    "shipmentId": "SHP-0001",
                    "carrierCode": "COLISSIMO",
                    "trackingNumber": "6A12345678901",
                    "lines": [{"lineId": "1", "quantity": 2}],
                }
            ]
        },
    )
    result = make_connector(server).confirm_shipment(
        order_id="2611230242ABCDC",
        carrier="colissimo",
        tracking_number="6A12345678901",
        lines=[ShipmentLine("1", 2)],
        shipped_at=SINCE,
        idempotency_key="s",
    )
    assert result.already_recorded and result.shipment_id == "SHP-0001"
    assert server.calls("POST", path) == []


def test_a_carrier_missing_from_the_list_is_refused(server):
    serve_token(server)
    server.reply("GET", "/octopia/seller/v2/carriers", body={"items": [{"code": "COLISSIMO", "name": "Colissimo"}]})
    with pytest.raises(InvalidRequest):
        make_connector(server).confirm_shipment(
            order_id="X",
            carrier="gls",
            tracking_number="GLS12345678",
            lines=[ShipmentLine("1", 1)],
            shipped_at=SINCE,
            idempotency_key="s",
        )


def test_refund_cancel_and_stock(server):
    serve_token(server)
    server.reply("POST", "/octopia/seller/v2/orders/A/refunds", status=201, body={"refundId": "RFD-1"})
    server.reply("POST", "/octopia/seller/v2/orders/A/cancel", status=204)
    server.reply("POST", "/octopia/seller/v2/offer-packages", status=202, body={"packageId": "PKG-1"})
    connector = make_connector(server)
    refund = connector.refund(
        order_id="A",
        reason="Produit défectueux",
        idempotency_key="r",
        lines=[RefundLine("1", Decimal("29.95"), quantity=1, shipping_amount=Decimal("4.99"))],
    )
    connector.cancel_order(order_id="A", reason="OutOfStock")
    stock = connector.push_stock(quantities={"SKU-KETTLE-17": 5, "SKU-TOASTER-2F": 0})
    assert refund.refund_ids == ("RFD-1",)
    refund_call = server.calls("POST", "/octopia/seller/v2/orders/A/refunds")[0]
    assert b'"amount": 34.94' in refund_call.body
    assert refund_call.json()["reason"] == "Produit défectueux"
    assert server.calls("POST", "/octopia/seller/v2/orders/A/cancel")[0].json() == {"reason": "OutOfStock"}
    assert server.calls("POST", "/octopia/seller/v2/offer-packages")[0].json() == {
        "type": "Update",
        "offers": [{"sellerProductId": "SKU-KETTLE-17", "stock": 5}, {"sellerProductId": "SKU-TOASTER-2F", "stock": 0}],
    }
    assert stock.awaiting_report == {"PKG-1": ("SKU-KETTLE-17", "SKU-TOASTER-2F")} and stock.accepted == ()


def test_partial_cancel_is_unsupported(server):
    with pytest.raises(UnsupportedAction):
        make_connector(server).cancel_order(order_id="A", reason="x", lines=[CancelLine("1", 1)])
    assert server.requests == []
