"""Amazon: Pending → Unshipped, confirmShipment, AFN read-only, listings stock, feeds, buyer cancel."""

import requests

from .support import amazon_session, new_account

SHIP_BODY = {
    "packageReferenceId": "1",
    "carrierCode": "Colissimo",
    "trackingNumber": "6A12345678901",
    "shipDate": "2026-11-23T12:00:00Z",
}


def _setup(sandbox, **options):
    key, creds = new_account(sandbox, "amazon")
    order = sandbox.admin.generate_orders(key, 1, **options)[0]
    return key, creds, order, amazon_session(sandbox, creds)


def _get(sandbox, session, order_id):
    return session.get(f"{sandbox.url}/amazon/orders/v0/orders/{order_id}", timeout=10).json()["payload"]


def test_pending_becomes_unshipped_and_only_then_shows_the_address(sandbox):
    key, creds, order, session = _setup(sandbox, afn=False)
    pending = _get(sandbox, session, order["id"])
    assert pending["OrderStatus"] == "Pending" and "ShippingAddress" not in pending
    sandbox.admin.advance_clock(120)
    unshipped = _get(sandbox, session, order["id"])
    assert unshipped["OrderStatus"] == "Unshipped"
    assert unshipped["ShippingAddress"]["CountryCode"] == "FR" and unshipped["ShippingAddress"]["PostalCode"]
    assert unshipped["LastUpdateDate"] > pending["LastUpdateDate"]
    changed = session.get(
        f"{sandbox.url}/amazon/orders/v0/orders",
        timeout=10,
        params={"MarketplaceIds": creds["marketplace_id"], "LastUpdatedAfter": unshipped["LastUpdateDate"]},
    ).json()["payload"]
    assert [o["AmazonOrderId"] for o in changed["Orders"]] == [order["id"]]
    assert "LastUpdatedBefore" in changed


def test_confirm_shipment_partial_then_full(sandbox):
    key, creds, order, session = _setup(
        sandbox, skus=["BOUILL-INOX-17", "SOURIS-SF"], quantity=2, afn=False, status="Unshipped"
    )
    items = session.get(f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/orderItems", timeout=10).json()
    first, second = items["payload"]["OrderItems"]
    url = f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/shipmentConfirmation"
    body = {
        "marketplaceId": creds["marketplace_id"],
        "packageDetail": {**SHIP_BODY, "orderItems": [{"orderItemId": first["OrderItemId"], "quantity": 2}]},
    }
    assert session.post(url, json=body, timeout=10).status_code == 204
    assert _get(sandbox, session, order["id"])["OrderStatus"] == "PartiallyShipped"
    body["packageDetail"] = {
        **SHIP_BODY,
        "packageReferenceId": "2",
        "orderItems": [{"orderItemId": second["OrderItemId"], "quantity": 2}],
    }
    assert session.post(url, json=body, timeout=10).status_code == 204
    shipped = _get(sandbox, session, order["id"])
    assert shipped["OrderStatus"] == "Shipped" and shipped["NumberOfItemsShipped"] == 4
    after = session.get(f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/orderItems", timeout=10).json()
    assert [i["QuantityShipped"] for i in after["payload"]["OrderItems"]] == [2, 2]
    too_many = session.post(
        url,
        timeout=10,
        json={
            "marketplaceId": creds["marketplace_id"],
            "packageDetail": {
                **SHIP_BODY,
                "packageReferenceId": "3",
                "orderItems": [{"orderItemId": first["OrderItemId"], "quantity": 1}],
            },
        },
    )
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["code"] == "InvalidInput"
    actions = [a["action"] for a in sandbox.admin.order_actions(key, order["id"])]
    assert actions.count("confirmShipment") == 2


def test_confirm_shipment_replay_is_applied_once(sandbox):
    key, creds, order, session = _setup(sandbox, lines=1, quantity=1, afn=False, status="Unshipped")
    item = session.get(f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/orderItems", timeout=10).json()
    body = {
        "marketplaceId": creds["marketplace_id"],
        "packageDetail": {
            **SHIP_BODY,
            "orderItems": [{"orderItemId": item["payload"]["OrderItems"][0]["OrderItemId"], "quantity": 1}],
        },
    }
    url = f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/shipmentConfirmation"
    assert session.post(url, json=body, timeout=10).status_code == 204
    assert session.post(url, json=body, timeout=10).status_code == 204
    actions = [a["action"] for a in sandbox.admin.order_actions(key, order["id"])]
    assert actions == ["confirmShipment", "confirmShipment.replay"]


def test_pending_and_afn_orders_cannot_be_confirmed(sandbox):
    key, creds, order, session = _setup(sandbox, afn=False)
    url = f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}/shipmentConfirmation"
    body = {
        "marketplaceId": creds["marketplace_id"],
        "packageDetail": {**SHIP_BODY, "orderItems": [{"orderItemId": order["lines"][0]["id"], "quantity": 1}]},
    }
    pending = session.post(url, json=body, timeout=10)
    assert pending.status_code == 400 and "Pending" in pending.json()["errors"][0]["message"]
    afn = sandbox.admin.generate_orders(key, 1, afn=True, status="Unshipped")[0]
    assert _get(sandbox, session, afn["id"])["FulfillmentChannel"] == "AFN"
    assert "LatestShipDate" not in _get(sandbox, session, afn["id"])
    refused = session.post(
        f"{sandbox.url}/amazon/orders/v0/orders/{afn['id']}/shipmentConfirmation",
        timeout=10,
        json={
            **body,
            "packageDetail": {
                **body["packageDetail"],
                "orderItems": [{"orderItemId": afn["lines"][0]["id"], "quantity": 1}],
            },
        },
    )
    assert refused.status_code == 400
    missing = session.post(url, json={"marketplaceId": creds["marketplace_id"], "packageDetail": {}}, timeout=10)
    assert missing.status_code == 400 and "trackingNumber" in missing.json()["errors"][0]["message"]
    unknown = session.get(f"{sandbox.url}/amazon/orders/v0/orders/999-0000000-0000000", timeout=10)
    assert unknown.status_code == 404


def test_buyer_cancel_pending_cancels_and_unshipped_flags_items(sandbox):
    key, creds, order, session = _setup(sandbox, afn=False)
    assert sandbox.admin.buyer_cancel(key, order["id"])["applied"] is True
    assert _get(sandbox, session, order["id"])["OrderStatus"] == "Canceled"
    second = sandbox.admin.generate_orders(key, 1, afn=False, status="Unshipped")[0]
    sandbox.admin.buyer_cancel(key, second["id"], reason="Commandé par erreur")
    items = session.get(f"{sandbox.url}/amazon/orders/v0/orders/{second['id']}/orderItems", timeout=10).json()
    flag = items["payload"]["OrderItems"][0]["BuyerRequestedCancel"]
    assert flag == {"IsBuyerRequestedCancel": "true", "BuyerCancelReason": "Commandé par erreur"}


def test_patch_listings_item_publishes_stock(sandbox):
    key, creds, order, session = _setup(sandbox)
    url = f"{sandbox.url}/amazon/listings/2021-08-01/items/{creds['seller_id']}/BOUILL-INOX-17"
    body = {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            }
        ],
    }
    response = session.patch(url, params={"marketplaceIds": creds["marketplace_id"]}, json=body, timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ACCEPTED"
    assert sandbox.admin.stock(key)["stock"]["BOUILL-INOX-17"]["quantity"] == 7
    item = session.get(url, params={"marketplaceIds": creds["marketplace_id"]}, timeout=10).json()
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}]
    other_seller = session.patch(
        url.replace(creds["seller_id"], "SOMEONEELSE"),
        params={"marketplaceIds": creds["marketplace_id"]},
        json=body,
        timeout=10,
    )
    assert other_seller.status_code == 403
    negative = {
        **body,
        "patches": [{**body["patches"][0], "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}]}],
    }
    invalid = session.patch(url, params={"marketplaceIds": creds["marketplace_id"]}, json=negative, timeout=10)
    assert invalid.json()["status"] == "INVALID" and invalid.json()["issues"][0]["severity"] == "ERROR"


def test_feeds_cancel_an_order_and_push_stock(sandbox):
    key, creds, order, session = _setup(sandbox, afn=False, status="Unshipped")
    document = session.post(
        f"{sandbox.url}/amazon/feeds/2021-06-30/documents", timeout=10, json={"contentType": "text/xml; charset=UTF-8"}
    ).json()
    xml = (
        f"<AmazonEnvelope><Message><OrderAcknowledgement><AmazonOrderID>{order['id']}</AmazonOrderID>"
        "<StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>"
    )
    assert requests.put(document["url"], data=xml.encode(), timeout=10).status_code == 200
    feed = session.post(
        f"{sandbox.url}/amazon/feeds/2021-06-30/feeds",
        timeout=10,
        json={
            "feedType": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            "marketplaceIds": [creds["marketplace_id"]],
            "inputFeedDocumentId": document["feedDocumentId"],
        },
    )
    assert feed.status_code == 202
    status = session.get(f"{sandbox.url}/amazon/feeds/2021-06-30/feeds/{feed.json()['feedId']}", timeout=10).json()
    assert status["processingStatus"] == "DONE" and status["resultFeedDocumentId"]
    assert _get(sandbox, session, order["id"])["OrderStatus"] == "Canceled"
    report_url = session.get(
        f"{sandbox.url}/amazon/feeds/2021-06-30/documents/{status['resultFeedDocumentId']}", timeout=10
    ).json()["url"]
    assert requests.get(report_url, timeout=10).json()["summary"]["messagesAccepted"] == 1


def test_get_orders_validates_dates_and_names_its_rate(sandbox):
    key, creds, order, session = _setup(sandbox)
    url = f"{sandbox.url}/amazon/orders/v0/orders"
    ok = session.get(
        url, params={"MarketplaceIds": creds["marketplace_id"], "CreatedAfter": "2020-01-01T00:00:00Z"}, timeout=10
    )
    assert ok.headers["x-amzn-RateLimit-Limit"] == "0.0167" and ok.headers["x-amzn-RequestId"]
    too_recent = session.get(
        url,
        timeout=10,
        params={
            "MarketplaceIds": creds["marketplace_id"],
            "LastUpdatedAfter": "2020-01-01T00:00:00Z",
            "LastUpdatedBefore": sandbox.admin.now(),
        },
    )
    assert too_recent.status_code == 400 and "two minutes" in too_recent.json()["errors"][0]["message"]
    mixed = session.get(
        url,
        timeout=10,
        params={
            "MarketplaceIds": creds["marketplace_id"],
            "CreatedAfter": "2020-01-01T00:00:00Z",
            "LastUpdatedAfter": "2020-01-01T00:00:00Z",
        },
    )
    assert mixed.status_code == 400
    neither = session.get(url, params={"MarketplaceIds": creds["marketplace_id"]}, timeout=10)
    assert neither.status_code == 400
    other_marketplace = session.get(
        url, params={"MarketplaceIds": "A1PA6795UKMFR9", "CreatedAfter": "2020-01-01T00:00:00Z"}, timeout=10
    )
    assert other_marketplace.status_code == 400
    assert "x-amzn-RateLimit-Limit" not in other_marketplace.headers
