"""Amazon SP-API connector: mapping of recorded payloads and the requests put on the wire."""

import copy
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from marketplaces.connectors.amazon import AmazonConnector, map_order, package_reference_id
from marketplaces.connectors.base import AccountConfig, CancelLine, RefundLine, ShipmentLine
from marketplaces.connectors.errors import (
    AuthenticationFailed,
    InvalidRequest,
    RateLimited,
    RejectedByMarketplace,
    TransientError,
    UnsupportedAction,
)
from orders.canonical import CanonicalStatus

from .conftest import load_payload

ORDERS = load_payload("amazon_get_orders.json")["payload"]["Orders"]
ITEMS = load_payload("amazon_order_items_by_order.json")
SINCE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
RDT_PATH = "/amazon/tokens/2021-03-01/restrictedDataToken"

EXPECTED_STATUS = {
    "PendingAvailability": CanonicalStatus.AWAITING_PAYMENT,
    "Pending": CanonicalStatus.AWAITING_PAYMENT,
    "Unshipped": CanonicalStatus.ACCEPTED,
    "PartiallyShipped": CanonicalStatus.PARTIALLY_SHIPPED,
    "Shipped": CanonicalStatus.SHIPPED,
    "InvoiceUnconfirmed": CanonicalStatus.SHIPPED,
    "Canceled": CanonicalStatus.CANCELLED,
    "Unfulfillable": CanonicalStatus.CANCELLED,
}


def order_with_status(status):
    return next(order for order in ORDERS if order["OrderStatus"] == status)


def items_of(order):
    return ITEMS[order["AmazonOrderId"]]["payload"]["OrderItems"]


def make_connector(server, **settings):
    account = AccountConfig(
        platform="amazon",
        account_key="amz-fr-1",
        api_base_url=f"{server.url}/amazon",
        auth_url=f"{server.url}/amazon/auth/o2/token",
        credentials={
            "client_id": "amzn1.application-oa2-client.abc",
            "client_secret": "secret-xyz",
            "refresh_token": "Atzr|refresh-1",
            "seller_id": "A2SELLERFR",
            "marketplace_id": "A13V1IB3VIYZZH",
        },
        settings={"http_backoff_seconds": 0, **settings},
    )
    return AmazonConnector(account)


def serve_token(server, token="Atza|token-1", expires_in=3600, rdt="Atz.sprdt|rdt-1"):
    """LWA token endpoint, plus the Restricted Data Token that getOrders is sent with."""
    server.reply(
        "POST",
        "/amazon/auth/o2/token",
        body={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "refresh_token": "Atzr|refresh-1",
        },
    )
    if rdt:
        server.reply("POST", RDT_PATH, body={"restrictedDataToken": rdt, "expiresIn": 3600})


# -- mapping ---------------------------------------------------------------------------


def test_the_recorded_payload_holds_every_amazon_status():
    assert {order["OrderStatus"] for order in ORDERS} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("amazon_status", sorted(EXPECTED_STATUS))
def test_each_amazon_status_maps_to_its_canonical_status(amazon_status):
    order = order_with_status(amazon_status)
    mapped = map_order(order, items_of(order))
    assert mapped.status == EXPECTED_STATUS[amazon_status]
    assert mapped.marketplace_status == amazon_status
    assert mapped.marketplace_order_id == order["AmazonOrderId"]
    assert mapped.raw["order"] is order


def test_unshipped_order_maps_amounts_lines_address_and_deadlines():
    order = order_with_status("Unshipped")
    mapped = map_order(order, items_of(order))
    assert mapped.currency == "EUR"
    assert mapped.total_amount == Decimal("54.80")
    assert mapped.shipping_amount == Decimal("4.80")
    assert mapped.ship_by == dt.datetime(2026, 11, 25, 23, 59, 59, tzinfo=dt.timezone.utc)
    assert mapped.deliver_by == dt.datetime(2026, 11, 28, 23, 59, 59, tzinfo=dt.timezone.utc)
    assert mapped.is_prime is True
    assert mapped.channel == "Amazon.fr"
    assert mapped.shipping_address.city == "Lyon"
    assert mapped.shipping_address.postal_code == "69003"
    assert mapped.shipping_address.country_code == "FR"
    assert mapped.buyer_name == "Camille Dubois"
    first, second = mapped.lines
    assert first.sku == "CAFE-MOULU-250G"
    assert first.quantity == 2
    assert first.total_amount == Decimal("25.00")
    assert first.unit_price_amount == Decimal("12.50")
    assert first.tax_amount == Decimal("4.17")
    assert first.marketplace_product_id == "B0C1X2Y3Z4"
    assert first.buyer_requested_cancel is False
    assert second.buyer_requested_cancel is True


def test_cancelled_order_without_money_takes_the_marketplace_currency():
    order = order_with_status("Canceled")
    assert "OrderTotal" not in order
    mapped = map_order(order, items_of(order))
    assert mapped.currency == "EUR"
    assert mapped.total_amount == Decimal("0")
    assert mapped.lines[0].quantity == 0


def test_fba_orders_are_marked_fulfilled_by_the_marketplace():
    order = order_with_status("Unfulfillable")
    assert map_order(order, items_of(order)).fulfilled_by_marketplace is True
    order = order_with_status("Shipped")
    assert map_order(order, items_of(order)).fulfilled_by_marketplace is False


def test_business_order_keeps_the_company():
    order = order_with_status("InvoiceUnconfirmed")
    mapped = map_order(order, items_of(order))
    assert mapped.is_business is True
    assert mapped.shipping_address.company == "Brûlerie Girard SARL"


# -- rejection of bad orders -------------------------------------------------------------


def bad(mutate):
    order = copy.deepcopy(order_with_status("Unshipped"))
    items = copy.deepcopy(items_of(order))
    mutate(order, items)
    return order, items


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda o, i: o.update(OrderStatus="Frozen"), "unknown status Frozen"),
        (lambda o, i: i[0].pop("SellerSKU"), "missing field SellerSKU"),
        (lambda o, i: i[0].update(QuantityOrdered=-1), "negative quantity QuantityOrdered: -1"),
        (lambda o, i: i[0]["ItemPrice"].update(CurrencyCode="USD"), "currency USD of ItemPrice.CurrencyCode differs"),
        (lambda o, i: o["OrderTotal"].update(Amount="54,80"), "bad amount Amount: '54,80'"),
        (lambda o, i: o.pop("PurchaseDate"), "missing field PurchaseDate"),
        (lambda o, i: o["OrderTotal"].pop("CurrencyCode"), "missing or bad currency OrderTotal.CurrencyCode"),
        (lambda o, i: i.clear(), "order has no items"),
    ],
)
def test_bad_orders_are_rejected_with_a_reason(server, mutate, reason):
    order, items = bad(mutate)
    serve_token(server)
    good = order_with_status("Shipped")
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": [order, good]}})
    server.reply(
        "GET",
        f"/amazon/orders/v0/orders/{order['AmazonOrderId']}/orderItems",
        body={"payload": {"AmazonOrderId": order["AmazonOrderId"], "OrderItems": items}},
    )
    server.reply(
        "GET", f"/amazon/orders/v0/orders/{good['AmazonOrderId']}/orderItems", body=ITEMS[good["AmazonOrderId"]]
    )

    page = make_connector(server).list_changed_orders(since=SINCE)

    assert [o.marketplace_order_id for o in page.orders] == [good["AmazonOrderId"]]
    assert len(page.rejected) == 1
    assert page.rejected[0].marketplace_order_id == order["AmazonOrderId"]
    assert reason in page.rejected[0].reason
    assert page.rejected[0].raw is not None


# -- orders over HTTP --------------------------------------------------------------------


def test_list_changed_orders_requests_orders_then_items_and_follows_next_token(server):
    serve_token(server)
    first, second = ORDERS[:3], ORDERS[3:]
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": first, "NextToken": "NT-page-2"}})
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": second}})
    for order_id, response in ITEMS.items():
        server.reply("GET", f"/amazon/orders/v0/orders/{order_id}/orderItems", body=response)
    connector = make_connector(server, page_size=3)

    page1 = connector.list_changed_orders(since=SINCE)
    page2 = connector.list_changed_orders(since=SINCE, page_token=page1.next_page_token)

    assert len(page1.orders) == 3 and page1.next_page_token == "NT-page-2"
    assert len(page2.orders) == 5 and page2.next_page_token is None
    assert page1.rejected == [] and page2.rejected == []
    assert page2.high_watermark == dt.datetime(2026, 11, 23, 9, 45, 12, tzinfo=dt.timezone.utc)

    get_orders = server.calls("GET", "/amazon/orders/v0/orders")
    assert get_orders[0].query == {
        "MarketplaceIds": ["A13V1IB3VIYZZH"],
        "LastUpdatedAfter": ["2026-11-23T09:00:00Z"],
        "MaxResultsPerPage": ["3"],
    }
    assert get_orders[1].query == {"MarketplaceIds": ["A13V1IB3VIYZZH"], "NextToken": ["NT-page-2"]}
    # getOrders carries the Restricted Data Token (names, addresses); getOrderItems the LWA token.
    assert get_orders[0].headers["x-amz-access-token"] == "Atz.sprdt|rdt-1"
    assert "authorization" not in get_orders[0].headers
    item_calls = [r for r in server.requests if r.path.endswith("/orderItems")]
    assert len(item_calls) == 8
    assert {c.headers["x-amz-access-token"] for c in item_calls} == {"Atza|token-1"}
    (rdt_call,) = server.calls("POST", RDT_PATH)
    assert rdt_call.headers["x-amz-access-token"] == "Atza|token-1"
    assert rdt_call.json() == {
        "restrictedResources": [
            {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]}
        ]
    }

    token_calls = server.calls("POST", "/amazon/auth/o2/token")
    assert len(token_calls) == 1  # one token for the 10 calls
    form = dict(pair.split("=") for pair in token_calls[0].body.decode().split("&"))
    assert form["grant_type"] == "refresh_token"
    assert form["client_id"] == "amzn1.application-oa2-client.abc"
    assert form["refresh_token"] == "Atzr%7Crefresh-1"


def test_expired_token_is_refreshed_once_on_401_and_the_call_retried(server):
    serve_token(server, "Atza|old")
    serve_token(server, "Atza|new")
    order = order_with_status("Shipped")
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": [order]}})
    items_path = f"/amazon/orders/v0/orders/{order['AmazonOrderId']}/orderItems"
    denied = {"errors": [{"code": "Unauthorized", "message": "The access token you provided has expired."}]}
    server.reply("GET", items_path, status=401, body=denied)
    server.reply("GET", items_path, body=ITEMS[order["AmazonOrderId"]])

    page = make_connector(server).list_changed_orders(since=SINCE)

    assert [o.marketplace_order_id for o in page.orders] == [order["AmazonOrderId"]]
    assert [c.headers["x-amz-access-token"] for c in server.calls("GET", items_path)] == ["Atza|old", "Atza|new"]
    assert len(server.calls("POST", "/amazon/auth/o2/token")) == 2


def test_expired_restricted_data_token_is_renewed_once(server):
    serve_token(server, rdt="rdt-old")
    server.reply("POST", RDT_PATH, body={"restrictedDataToken": "rdt-new", "expiresIn": 3600})
    denied = {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]}
    server.reply("GET", "/amazon/orders/v0/orders", status=403, body=denied)
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": []}})

    page = make_connector(server).list_changed_orders(since=SINCE)

    assert page.orders == []
    calls = server.calls("GET", "/amazon/orders/v0/orders")
    assert [c.headers["x-amz-access-token"] for c in calls] == ["rdt-old", "rdt-new"]
    assert len(server.calls("POST", "/amazon/auth/o2/token")) == 1


def test_a_token_about_to_expire_is_refreshed_before_the_call(server):
    serve_token(server, "Atza|short", expires_in=60)  # inside the 120 s margin
    serve_token(server, "Atza|long")
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": []}})
    connector = make_connector(server, restricted_data_token=False)
    connector.list_changed_orders(since=SINCE)
    connector.list_changed_orders(since=SINCE)
    tokens = [c.headers["x-amz-access-token"] for c in server.calls("GET", "/amazon/orders/v0/orders")]
    # The short-lived token serves the call it was fetched for; the next call refreshes first.
    assert tokens == ["Atza|short", "Atza|long"]
    assert len(server.calls("POST", "/amazon/auth/o2/token")) == 2


def test_refused_refresh_token_raises_authentication_failed(server):
    server.reply(
        "POST",
        "/amazon/auth/o2/token",
        status=400,
        body={"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"},
    )
    with pytest.raises(AuthenticationFailed) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.code == "invalid_grant"
    assert server.calls("GET", "/amazon/orders/v0/orders") == []


def test_persistent_401_after_refresh_raises_authentication_failed(server):
    serve_token(server)
    server.reply(
        "GET", "/amazon/orders/v0/orders", status=401, body={"errors": [{"code": "Unauthorized", "message": "denied"}]}
    )
    with pytest.raises(AuthenticationFailed):
        make_connector(server).list_changed_orders(since=SINCE)
    assert len(server.calls("GET", "/amazon/orders/v0/orders")) == 2


# -- error bodies ------------------------------------------------------------------------


def test_quota_exceeded_is_retried_then_raised_as_rate_limited(server):
    serve_token(server)
    server.reply(
        "GET",
        "/amazon/orders/v0/orders",
        status=429,
        body={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]},
    )
    with pytest.raises(RateLimited) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.code == "QuotaExceeded"
    assert caught.value.retry_after is None
    assert len(server.calls("GET", "/amazon/orders/v0/orders")) == 3  # first try + 2 retries


def test_server_error_then_success_is_retried_for_reads(server):
    serve_token(server)
    server.reply(
        "GET",
        "/amazon/orders/v0/orders",
        status=503,
        body={"errors": [{"code": "ServiceUnavailable", "message": "Service temporarily unavailable."}]},
    )
    server.reply("GET", "/amazon/orders/v0/orders", body={"payload": {"Orders": []}})
    page = make_connector(server).list_changed_orders(since=SINCE)
    assert page.orders == []
    assert len(server.calls("GET", "/amazon/orders/v0/orders")) == 2


def test_malformed_json_is_a_transient_error(server):
    serve_token(server)
    server.reply("GET", "/amazon/orders/v0/orders", raw=b'{"payload": {"Orders": [')
    with pytest.raises(TransientError) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert "malformed JSON" in caught.value.message


def test_bad_request_is_rejected_with_the_platform_code(server):
    serve_token(server)
    server.reply(
        "GET",
        "/amazon/orders/v0/orders",
        status=400,
        body={"errors": [{"code": "InvalidInput", "message": "Invalid Input", "details": "MarketplaceIds"}]},
    )
    with pytest.raises(RejectedByMarketplace) as caught:
        make_connector(server).list_changed_orders(since=SINCE)
    assert caught.value.code == "InvalidInput"
    assert caught.value.retryable is False
    assert caught.value.body["errors"][0]["details"] == "MarketplaceIds"
    assert len(server.calls("GET", "/amazon/orders/v0/orders")) == 1


# -- actions -----------------------------------------------------------------------------


def test_amazon_has_no_acceptance_step(server):
    connector = make_connector(server)
    with pytest.raises(UnsupportedAction):
        connector.accept_order(order_id="407-1034567-2234503", line_ids=["70000000000021"])
    assert server.requests == []


def test_confirm_shipment_sends_the_package_detail(server):
    serve_token(server)
    path = "/amazon/orders/v0/orders/407-1034567-2234503/shipmentConfirmation"
    server.reply("POST", path, status=204)
    result = make_connector(server).confirm_shipment(
        order_id="407-1034567-2234503",
        carrier="colissimo",
        tracking_number="6A 1234 5678 901",
        lines=[ShipmentLine("70000000000021", 2), ShipmentLine("70000000000022", 1)],
        shipped_at=dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        idempotency_key="ship-123",
    )
    (call,) = server.calls("POST", path)
    body = call.json()
    assert body["marketplaceId"] == "A13V1IB3VIYZZH"
    package = body["packageDetail"]
    assert package["carrierCode"] == "Colissimo"
    assert "carrierName" not in package
    assert package["trackingNumber"] == "6A12345678901"
    assert package["shipDate"] == "2026-11-23T14:30:00Z"
    assert package["orderItems"] == [
        {"orderItemId": "70000000000021", "quantity": 2},
        {"orderItemId": "70000000000022", "quantity": 1},
    ]
    assert package["packageReferenceId"] == package_reference_id("ship-123") == result.shipment_id
    assert package["packageReferenceId"].isdigit() and int(package["packageReferenceId"]) > 0


def test_unlisted_carrier_goes_as_other_with_its_name(server):
    serve_token(server)
    path = "/amazon/orders/v0/orders/407-1034567-2234503/shipmentConfirmation"
    server.reply("POST", path, status=204)
    make_connector(server).confirm_shipment(
        order_id="407-1034567-2234503",
        carrier="relais_colis",
        tracking_number="RC4400112233",
        lines=[ShipmentLine("70000000000021", 2)],
        shipped_at=SINCE,
        idempotency_key="k",
    )
    package = server.calls("POST", path)[0].json()["packageDetail"]
    assert (package["carrierCode"], package["carrierName"]) == ("Other", "Relais Colis")


def test_a_bad_tracking_number_is_refused_before_any_call(server):
    with pytest.raises(InvalidRequest):
        make_connector(server).confirm_shipment(
            order_id="407-1034567-2234503",
            carrier="ups",
            tracking_number="12345",
            lines=[ShipmentLine("70000000000021", 2)],
            shipped_at=SINCE,
            idempotency_key="k",
        )
    assert server.requests == []


def test_a_failed_confirmation_is_not_resent(server):
    serve_token(server)
    path = "/amazon/orders/v0/orders/407-1034567-2234503/shipmentConfirmation"
    server.reply("POST", path, status=500, body={"errors": [{"code": "InternalFailure", "message": "boom"}]})
    with pytest.raises(TransientError) as caught:
        make_connector(server).confirm_shipment(
            order_id="407-1034567-2234503",
            carrier="ups",
            tracking_number="1Z999AA10123456784",
            lines=[ShipmentLine("70000000000021", 2)],
            shipped_at=SINCE,
            idempotency_key="k",
        )
    assert caught.value.outcome_unknown is True
    assert len(server.calls("POST", path)) == 1


def test_push_stock_patches_each_listing_and_reports_per_sku(server):
    serve_token(server)
    base = "/amazon/listings/2021-08-01/items/A2SELLERFR"
    server.reply(
        "PATCH",
        f"{base}/CAFE-MOULU-250G",
        body={"sku": "CAFE-MOULU-250G", "status": "ACCEPTED", "submissionId": "sub-1", "issues": []},
    )
    server.reply(
        "PATCH",
        f"{base}/THEIERE-FONTE-1L",
        body={
            "sku": "THEIERE-FONTE-1L",
            "status": "INVALID",
            "submissionId": "sub-2",
            "issues": [
                {
                    "code": "90220",
                    "message": "'fulfillment_availability' is required but not supplied.",
                    "severity": "ERROR",
                }
            ],
        },
    )
    server.reply(
        "PATCH",
        f"{base}/TASSE-GRES-X4",
        status=429,
        body={"errors": [{"code": "QuotaExceeded", "message": "slow down"}]},
    )

    result = make_connector(server, http_retries=0).push_stock(
        quantities={"CAFE-MOULU-250G": 12, "THEIERE-FONTE-1L": 0, "TASSE-GRES-X4": 3, "NOT-SENT": 1}
    )

    assert result.accepted == ("CAFE-MOULU-250G",)
    assert "is required" in result.rejected["THEIERE-FONTE-1L"]
    assert result.deferred == ("TASSE-GRES-X4", "NOT-SENT")
    assert result.submission_ids == ("sub-1",)
    call = server.calls("PATCH", f"{base}/CAFE-MOULU-250G")[0]
    assert call.query == {"marketplaceIds": ["A13V1IB3VIYZZH"]}
    assert call.json() == {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
            }
        ],
    }


def serve_feeds(server):
    server.reply(
        "POST",
        "/amazon/feeds/2021-06-30/documents",
        body={"feedDocumentId": "amzn1.tortuga.doc-1", "url": f"{server.url}/upload/doc-1"},
    )
    server.reply("PUT", "/upload/doc-1", status=200)
    server.reply("POST", "/amazon/feeds/2021-06-30/feeds", status=202, body={"feedId": "50001"})


def test_cancel_order_uploads_an_acknowledgement_feed(server):
    serve_token(server)
    serve_feeds(server)
    make_connector(server).cancel_order(
        order_id="407-1034567-2234503", reason="NoInventory", lines=[CancelLine("70000000000021", 2)]
    )
    upload = server.calls("PUT", "/upload/doc-1")[0]
    assert "x-amz-access-token" not in upload.headers
    root = ET.fromstring(upload.body)
    assert root.findtext("MessageType") == "OrderAcknowledgement"
    assert root.findtext("Message/OrderAcknowledgement/AmazonOrderID") == "407-1034567-2234503"
    assert root.findtext("Message/OrderAcknowledgement/StatusCode") == "Failure"
    assert root.findtext("Message/OrderAcknowledgement/Item/AmazonOrderItemCode") == "70000000000021"
    feed = server.calls("POST", "/amazon/feeds/2021-06-30/feeds")[0].json()
    assert feed == {
        "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
        "marketplaceIds": ["A13V1IB3VIYZZH"],
        "inputFeedDocumentId": "amzn1.tortuga.doc-1",
    }


def test_refund_uploads_a_payment_adjustment_feed(server):
    serve_token(server)
    serve_feeds(server)
    result = make_connector(server).refund(
        order_id="407-1034567-2234505",
        reason="CustomerReturn",
        idempotency_key="refund-9",
        lines=[RefundLine("70000000000041", Decimal("15.00"), quantity=1, shipping_amount=Decimal("4.90"))],
    )
    assert result.refund_ids == ("50001",)
    root = ET.fromstring(server.calls("PUT", "/upload/doc-1")[0].body)
    components = root.findall("Message/OrderAdjustment/AdjustedItem/ItemPriceAdjustments/Component")
    assert [(c.findtext("Type"), c.findtext("Amount"), c.find("Amount").get("currency")) for c in components] == [
        ("Principal", "15.00", "EUR"),
        ("Shipping", "4.90", "EUR"),
    ]
    feed = server.calls("POST", "/amazon/feeds/2021-06-30/feeds")[0].json()
    assert feed["feedType"] == "POST_PAYMENT_ADJUSTMENT_DATA"
