"""Malformed bodies get each platform's 400, never a 500 or a dropped connection."""

import json

from .support import amazon_session, cdiscount_session, ebay_session, mirakl_session, new_account, unlimited

GARBAGE = (
    "not json",
    "[1, 2]",
    '{"lines": "x"}',
    '{"lines": [1, 2]}',
    '{"order_lines": [null]}',
    '{"lineItems": [3]}',
    '{"packageDetail": {"orderItems": "x"}}',
)


def test_garbage_bodies_are_client_errors_everywhere(sandbox):
    amazon_key, amazon_creds = new_account(sandbox, "amazon")
    ebay_key, ebay_creds = new_account(sandbox, "ebay")
    mirakl_key, mirakl_creds = new_account(sandbox, "mirakl")
    cdiscount_key, cdiscount_creds = new_account(sandbox, "cdiscount")
    for key in (amazon_key, ebay_key, mirakl_key, cdiscount_key):
        unlimited(sandbox, key)
    amazon_order = sandbox.admin.generate_orders(amazon_key, 1, status="Unshipped")[0]
    ebay_order = sandbox.admin.generate_orders(ebay_key, 1)[0]
    mirakl_order = sandbox.admin.generate_orders(mirakl_key, 1)[0]
    cdiscount_order = sandbox.admin.generate_orders(cdiscount_key, 1, status="WaitingAcceptance")[0]
    calls = [
        (
            amazon_session(sandbox, amazon_creds),
            "POST",
            f"/amazon/orders/v0/orders/{amazon_order['id']}/shipmentConfirmation",
        ),
        (
            amazon_session(sandbox, amazon_creds),
            "PATCH",
            f"/amazon/listings/2021-08-01/items/{amazon_creds['seller_id']}/SOURIS-SF?marketplaceIds={amazon_creds['marketplace_id']}",
        ),
        (
            ebay_session(sandbox, ebay_creds),
            "POST",
            f"/ebay/sell/fulfillment/v1/order/{ebay_order['id']}/shipping_fulfillment",
        ),
        (ebay_session(sandbox, ebay_creds), "POST", f"/ebay/sell/fulfillment/v1/order/{ebay_order['id']}/issue_refund"),
        (ebay_session(sandbox, ebay_creds), "POST", "/ebay/sell/inventory/v1/bulk_update_price_quantity"),
        (mirakl_session(mirakl_creds), "PUT", f"/mirakl/fnac/api/orders/{mirakl_order['id']}/accept"),
        (mirakl_session(mirakl_creds), "PUT", "/mirakl/fnac/api/orders/cancel"),
        (mirakl_session(mirakl_creds), "PUT", "/mirakl/fnac/api/orders/refund"),
        (
            cdiscount_session(sandbox, cdiscount_creds),
            "POST",
            f"/octopia/seller/v2/orders/{cdiscount_order['id']}/validate",
        ),
        (
            cdiscount_session(sandbox, cdiscount_creds),
            "POST",
            f"/octopia/seller/v2/orders/{cdiscount_order['id']}/shipments",
        ),
        (
            cdiscount_session(sandbox, cdiscount_creds),
            "POST",
            f"/octopia/seller/v2/orders/{cdiscount_order['id']}/refunds",
        ),
        (cdiscount_session(sandbox, cdiscount_creds), "POST", "/octopia/seller/v2/offer-packages"),
    ]
    for session, method, path in calls:
        for body in GARBAGE:
            answer = session.request(
                method, sandbox.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=10
            )
            assert 400 <= answer.status_code < 500, (method, path, body, answer.status_code, answer.text)
            assert answer.json(), "every platform answers its error body as JSON"


def test_chunked_request_bodies_are_read_whole(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    unlimited(sandbox, key)
    order = sandbox.admin.generate_orders(key, 1, lines=1)[0]
    body = json.dumps({"order_lines": [{"id": order["lines"][0]["id"], "accepted": True}]}).encode()
    session = mirakl_session(creds)
    answer = session.put(
        f"{sandbox.url}/mirakl/fnac/api/orders/{order['id']}/accept",
        data=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 204
    assert session.get(f"{sandbox.url}/mirakl/fnac/api/shipping/carriers", timeout=10).status_code == 200
