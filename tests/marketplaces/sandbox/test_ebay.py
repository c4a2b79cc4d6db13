"""eBay: shipping fulfillments, refunds, bulk stock, cancellations, buyer data ageing."""

from .support import ebay_session, new_account

FULFILLMENT = "/ebay/sell/fulfillment/v1/order"


def _setup(sandbox, **options):
    key, creds = new_account(sandbox, "ebay")
    order = sandbox.admin.generate_orders(key, 1, **options)[0]
    return key, creds, order, ebay_session(sandbox, creds)


def _order(sandbox, session, order_id):
    return session.get(f"{sandbox.url}{FULFILLMENT}/{order_id}", timeout=10).json()


def test_shipping_fulfillment_location_and_status(sandbox):
    key, creds, order, session = _setup(sandbox, skus=["CLE-USB-128", "SOURIS-SF"], quantity=1)
    first, second = order["lines"]
    url = f"{sandbox.url}{FULFILLMENT}/{order['id']}/shipping_fulfillment"
    created = session.post(
        url,
        timeout=10,
        json={
            "lineItems": [{"lineItemId": first["id"], "quantity": 1}],
            "shippedDate": "2026-01-01T10:00:00.000Z",
            "shippingCarrierCode": "Colissimo",
            "trackingNumber": "6A12345678901",
        },
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith(
        f"/sell/fulfillment/v1/order/{order['id']}/shipping_fulfillment/6A12345678901"
    )
    partly = _order(sandbox, session, order["id"])
    assert partly["orderFulfillmentStatus"] == "IN_PROGRESS"
    assert [l["lineItemFulfillmentStatus"] for l in partly["lineItems"]] == ["FULFILLED", "NOT_STARTED"]
    session.post(
        url,
        timeout=10,
        json={
            "lineItems": [{"lineItemId": second["id"]}],
            "shippingCarrierCode": "Colissimo",
            "trackingNumber": "6A12345678902",
        },
    )
    done = _order(sandbox, session, order["id"])
    assert done["orderFulfillmentStatus"] == "FULFILLED" and len(done["fulfillmentHrefs"]) == 2
    listed = session.get(url, timeout=10).json()
    assert listed["total"] == 2 and listed["fulfillments"][0]["shipmentTrackingNumber"] == "6A12345678901"
    one = session.get(created.headers["Location"], timeout=10).json()
    assert one["lineItems"] == [{"lineItemId": first["id"], "quantity": 1}]


def test_shipping_fulfillment_rejects_bad_tracking_and_unknown_lines(sandbox):
    key, creds, order, session = _setup(sandbox, lines=1)
    url = f"{sandbox.url}{FULFILLMENT}/{order['id']}/shipping_fulfillment"
    hyphens = session.post(
        url,
        timeout=10,
        json={
            "lineItems": [{"lineItemId": order["lines"][0]["id"]}],
            "shippingCarrierCode": "Colissimo",
            "trackingNumber": "6A-123 456",
        },
    )
    assert hyphens.status_code == 400 and hyphens.json()["errors"][0]["errorId"] == 32300
    unknown = session.post(
        url,
        timeout=10,
        json={"lineItems": [{"lineItemId": "1"}], "shippingCarrierCode": "UPS", "trackingNumber": "1Z999AA10123456784"},
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["errorId"] == 32200
    assert _order(sandbox, session, order["id"])["orderFulfillmentStatus"] == "NOT_STARTED"


def test_issue_refund_needs_the_finances_scope_and_caps_the_amount(sandbox):
    key, creds, order, session = _setup(sandbox, skus=["TAPIS-YOGA"], quantity=1)
    line = order["lines"][0]
    url = f"{sandbox.url}{FULFILLMENT}/{order['id']}/issue_refund"
    body = {
        "reasonForRefund": "BUYER_RETURN",
        "comment": "Retour reçu",
        "refundItems": [{"lineItemId": line["id"], "refundAmount": {"value": "10.00", "currency": "EUR"}}],
    }
    narrow = ebay_session(sandbox, creds, scope="https://api.ebay.com/oauth/api_scope/sell.fulfillment")
    assert narrow.post(url, json=body, timeout=10).status_code == 403
    refund = session.post(url, json=body, timeout=10)
    assert refund.status_code == 200 and refund.json()["refundStatus"] == "PENDING"
    after = _order(sandbox, session, order["id"])
    assert after["orderPaymentStatus"] == "PARTIALLY_REFUNDED"
    assert after["paymentSummary"]["refunds"][0]["amount"] == {"value": "10.00", "currency": "EUR"}
    excessive = {
        **body,
        "refundItems": [{"lineItemId": line["id"], "refundAmount": {"value": "500.00", "currency": "EUR"}}],
    }
    assert session.post(url, json=excessive, timeout=10).json()["errors"][0]["errorId"] == 34924
    assert session.post(url, json={"comment": "x"}, timeout=10).json()["errors"][0]["errorId"] == 34903
    assert (
        session.post(url, json={**body, "reasonForRefund": "Damaged"}, timeout=10).json()["errors"][0]["errorId"]
        == 34903
    )
    long_comment = session.post(url, json={**body, "comment": "x" * 101}, timeout=10)
    assert long_comment.json()["errors"][0]["errorId"] == 34921
    dollars = {
        **body,
        "refundItems": [{"lineItemId": line["id"], "refundAmount": {"value": "1.00", "currency": "USD"}}],
    }
    assert session.post(url, json=dollars, timeout=10).json()["errors"][0]["errorId"] == 34909
    stranger = {**body, "refundItems": [{"lineItemId": "999", "refundAmount": {"value": "1.00", "currency": "EUR"}}]}
    assert session.post(url, json=stranger, timeout=10).json()["errors"][0]["errorId"] == 34914
    whole = {"reasonForRefund": "OTHER_ADJUSTMENT", "orderLevelRefundAmount": {"value": "9999.00", "currency": "EUR"}}
    assert session.post(url, json=whole, timeout=10).json()["errors"][0]["errorId"] == 34915


def test_bulk_update_price_quantity_per_item_answers(sandbox):
    key, creds, order, session = _setup(sandbox)
    url = f"{sandbox.url}/ebay/sell/inventory/v1/bulk_update_price_quantity"
    ok = session.post(
        url,
        timeout=10,
        json={
            "requests": [
                {"sku": "CLE-USB-128", "shipToLocationAvailability": {"quantity": 4}},
                {"sku": "SOURIS-SF", "offers": [{"offerId": "9876543210", "availableQuantity": 2}]},
            ]
        },
    )
    assert ok.status_code == 200
    assert [r["statusCode"] for r in ok.json()["responses"]] == [200, 200]
    stock = sandbox.admin.stock(key)["stock"]
    assert stock["CLE-USB-128"]["quantity"] == 4 and stock["SOURIS-SF"]["quantity"] == 2
    mixed = session.post(
        url,
        timeout=10,
        json={
            "requests": [
                {"sku": "CLE-USB-128", "shipToLocationAvailability": {"quantity": 3}},
                {"sku": "NOT-A-SKU", "shipToLocationAvailability": {"quantity": 3}},
            ]
        },
    )
    assert mixed.status_code == 207
    assert [r["statusCode"] for r in mixed.json()["responses"]] == [200, 404]
    too_many = session.post(
        url, timeout=10, json={"requests": [{"sku": "CLE-USB-128", "shipToLocationAvailability": {"quantity": 1}}] * 26}
    )
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["domain"] == "API_INVENTORY"


def test_seller_cancellation_and_buyer_cancel_request(sandbox):
    key, creds, order, session = _setup(sandbox)
    created = session.post(
        f"{sandbox.url}/ebay/post-order/v2/cancellation",
        timeout=10,
        json={"legacyOrderId": order["id"], "cancelReason": "OUT_OF_STOCK_OR_CANNOT_FULFILL"},
    )
    assert created.status_code == 201 and created.json()["cancelId"]
    cancelled = _order(sandbox, session, order["id"])
    assert cancelled["cancelStatus"]["cancelState"] == "CANCELED"
    assert cancelled["orderPaymentStatus"] == "FULLY_REFUNDED"
    again = session.post(
        f"{sandbox.url}/ebay/post-order/v2/cancellation", timeout=10, json={"legacyOrderId": order["id"]}
    )
    assert again.status_code == 409
    second = sandbox.admin.generate_orders(key, 1)[0]
    sandbox.admin.buyer_cancel(key, second["id"])
    detail = _order(sandbox, session, second["id"])
    assert detail["cancelStatus"]["cancelState"] == "IN_PROGRESS"
    assert detail["cancelStatus"]["cancelRequests"][0]["cancelInitiator"] == "Buyer"
    listed = session.get(f"{sandbox.url}{FULFILLMENT}?orderIds={second['id']}", timeout=10).json()["orders"][0]
    assert listed["cancelStatus"]["cancelState"] == "IN_PROGRESS" and listed["cancelStatus"]["cancelRequests"] == []
    cancel_id = detail["cancelStatus"]["cancelRequests"][0]["cancelRequestId"]
    approved = session.post(f"{sandbox.url}/ebay/post-order/v2/cancellation/{cancel_id}/approve", timeout=10)
    assert approved.status_code == 200
    assert _order(sandbox, session, second["id"])["cancelStatus"]["cancelState"] == "CANCELED"


def test_ship_by_is_per_line_and_email_disappears_after_14_days(sandbox):
    key, creds, order, session = _setup(sandbox, lines=3)
    body = _order(sandbox, session, order["id"])
    assert all(l["lineItemFulfillmentInstructions"]["shipByDate"].endswith("Z") for l in body["lineItems"])
    assert {l["lineItemFulfillmentInstructions"]["shipByDate"] for l in body["lineItems"]} == {
        sandbox.server.world.order(key, order["id"])["lines"][i]["ship_by"].replace("Z", ".000Z") for i in range(3)
    }
    ship_to = body["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
    assert ship_to["email"] and ship_to["fullName"]
    sandbox.admin.advance_clock(15 * 86400)
    session = ebay_session(sandbox, creds)
    later = _order(sandbox, session, order["id"])["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
    assert "email" not in later and later["fullName"] == ship_to["fullName"]


def test_filters_fulfillment_status_and_dates(sandbox):
    key, creds, order, session = _setup(sandbox)
    sandbox.admin.generate_orders(key, 2, status="FULFILLED")
    url = f"{sandbox.url}{FULFILLMENT}"
    open_orders = session.get(
        url, params={"filter": "orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}"}, timeout=10
    ).json()
    assert [o["orderId"] for o in open_orders["orders"]] == [order["id"]]
    done = session.get(url, params={"filter": "orderfulfillmentstatus:{FULFILLED|IN_PROGRESS}"}, timeout=10).json()
    assert done["total"] == 2
    invalid = session.get(url, params={"filter": "orderfulfillmentstatus:{FULFILLED}"}, timeout=10)
    assert invalid.status_code == 400 and invalid.json()["errors"][0]["errorId"] == 30800
    bad_name = session.get(url, params={"filter": "colour:{RED}"}, timeout=10)
    assert bad_name.json()["errors"][0]["errorId"] == 30700
    bad_date = session.get(url, params={"filter": "creationdate:[yesterday..]"}, timeout=10)
    assert bad_date.json()["errors"][0]["errorId"] == 30810
