"""Every injectable fault kind, scoped to one account (and optionally one operation)."""

import email.utils
import json

import pytest
import requests

from .support import amazon_session, cdiscount_session, ebay_session, mirakl_session, new_account, unlimited


@pytest.mark.parametrize("status, code", [(500, "InternalFailure"), (503, "ServiceUnavailable")])
def test_http_errors_amazon(sandbox, status, code):
    key, creds = new_account(sandbox, "amazon")
    order = sandbox.admin.generate_orders(key, 1)[0]
    session = amazon_session(sandbox, creds)
    sandbox.admin.inject_fault(key, "http_error", status=status, count=2, operation="getOrder")
    url = f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}"
    first, second, third = (session.get(url, timeout=10) for _ in range(3))
    assert first.status_code == second.status_code == status
    assert first.json()["errors"][0]["code"] == code
    assert third.status_code == 200
    assert sandbox.admin.faults() == []


def test_http_502_on_ebay_and_mirakl_and_cdiscount_bodies(sandbox):
    ebay_key, ebay_creds = new_account(sandbox, "ebay")
    mirakl_key, mirakl_creds = new_account(sandbox, "mirakl")
    cdiscount_key, cdiscount_creds = new_account(sandbox, "cdiscount")
    ebay_client = ebay_session(sandbox, ebay_creds)
    for key in (ebay_key, mirakl_key, cdiscount_key):
        sandbox.admin.inject_fault(key, "http_error", status=502)
    ebay = ebay_client.get(f"{sandbox.url}/ebay/sell/fulfillment/v1/order", timeout=10)
    assert ebay.status_code == 502 and ebay.json()["errors"][0]["errorId"] == 30500
    mirakl = mirakl_session(mirakl_creds).get(f"{sandbox.url}/mirakl/fnac/api/shipping/carriers", timeout=10)
    assert mirakl.status_code == 502 and mirakl.json()["status"] == 502
    token = requests.post(
        f"{sandbox.url}/octopia/auth/realms/maas/protocol/openid-connect/token",
        timeout=10,
        data={
            "grant_type": "client_credentials",
            "client_id": cdiscount_creds["client_id"],
            "client_secret": cdiscount_creds["client_secret"],
        },
    )
    assert token.status_code == 502, "a fault without an operation also hits the token endpoint"
    cdiscount = cdiscount_session(sandbox, cdiscount_creds)
    assert cdiscount.get(f"{sandbox.url}/octopia/seller/v2/carriers", timeout=10).status_code == 200


def test_fault_only_hits_its_account_and_operation(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    other_key, other_creds = new_account(sandbox, "mirakl")
    unlimited(sandbox, key)
    sandbox.admin.inject_fault(key, "http_error", status=500, operation="OR11")
    session = mirakl_session(creds)
    assert session.get(f"{sandbox.url}/mirakl/fnac/api/shipping/carriers", timeout=10).status_code == 200
    assert mirakl_session(other_creds).get(f"{sandbox.url}/mirakl/fnac/api/orders", timeout=10).status_code == 200
    assert session.get(f"{sandbox.url}/mirakl/fnac/api/orders", timeout=10).status_code == 500
    log = sandbox.admin.requests(account=key, operation="OR11")
    assert log[-1]["fault"] == "http_error" and log[-1]["status"] == 500


def test_timeout_answers_late_or_drops_the_connection(sandbox):
    key, creds = new_account(sandbox, "ebay")
    session = ebay_session(sandbox, creds)
    url = f"{sandbox.url}/ebay/sell/fulfillment/v1/order"
    sandbox.admin.inject_fault(key, "timeout", seconds=1.0, operation="getOrders")
    with pytest.raises(requests.Timeout):
        session.get(url, timeout=0.3)
    assert session.get(url, timeout=10).status_code == 200
    sandbox.admin.inject_fault(key, "timeout", seconds=0.1, drop=True, operation="getOrders")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers=dict(session.headers), timeout=10)
    assert session.get(url, timeout=10).status_code == 200


@pytest.mark.parametrize("kind", ["malformed_json", "truncated_json"])
def test_broken_json_bodies(sandbox, kind):
    key, creds = new_account(sandbox, "cdiscount")
    sandbox.admin.generate_orders(key, 2)
    session = cdiscount_session(sandbox, creds)
    sandbox.admin.inject_fault(key, kind, operation="getOrders")
    broken = session.get(f"{sandbox.url}/octopia/seller/v2/orders", timeout=10)
    assert broken.status_code == 200 and broken.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        json.loads(broken.text)
    assert len(session.get(f"{sandbox.url}/octopia/seller/v2/orders", timeout=10).json()["items"]) == 2


def test_duplicate_page_serves_the_previous_page_again(sandbox):
    key, creds = new_account(sandbox, "ebay")
    sandbox.admin.generate_orders(key, 4)
    session = ebay_session(sandbox, creds)
    first = session.get(f"{sandbox.url}/ebay/sell/fulfillment/v1/order?limit=2", timeout=10).json()
    sandbox.admin.inject_fault(key, "duplicate_page")
    second = session.get(first["next"], timeout=10).json()
    assert [o["orderId"] for o in second["orders"]] == [o["orderId"] for o in first["orders"]]
    real_second = session.get(first["next"], timeout=10).json()
    assert {o["orderId"] for o in real_second["orders"]}.isdisjoint(o["orderId"] for o in first["orders"])


def test_reordered_page(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    unlimited(sandbox, key)
    sandbox.admin.generate_orders(key, 5)
    session = mirakl_session(creds)
    normal = [o["order_id"] for o in session.get(f"{sandbox.url}/mirakl/fnac/api/orders", timeout=10).json()["orders"]]
    sandbox.admin.inject_fault(key, "reordered_page", operation="OR11")
    shuffled = [
        o["order_id"] for o in session.get(f"{sandbox.url}/mirakl/fnac/api/orders", timeout=10).json()["orders"]
    ]
    assert shuffled == list(reversed(normal)) and shuffled != normal


def test_expired_token_once_even_with_a_fresh_token(sandbox):
    key, creds = new_account(sandbox, "cdiscount")
    session = cdiscount_session(sandbox, creds)
    sandbox.admin.inject_fault(key, "expired_token")
    refused = session.get(f"{sandbox.url}/octopia/seller/v2/carriers", timeout=10)
    assert refused.status_code == 401 and refused.json()["title"] == "Unauthorized"
    assert (
        cdiscount_session(sandbox, creds).get(f"{sandbox.url}/octopia/seller/v2/carriers", timeout=10).status_code
        == 200
    )


def test_clock_skew_shifts_timestamps_and_date_header(sandbox):
    key, creds = new_account(sandbox, "amazon")
    order = sandbox.admin.generate_orders(key, 1)[0]
    session = amazon_session(sandbox, creds)
    url = f"{sandbox.url}/amazon/orders/v0/orders/{order['id']}"
    normal = session.get(url, timeout=10)
    sandbox.admin.inject_fault(key, "clock_skew", seconds=3600)
    skewed = session.get(url, timeout=10)
    assert normal.json()["payload"]["PurchaseDate"] == order["created_at"]
    assert skewed.json()["payload"]["PurchaseDate"][11:13] == f"{(int(order['created_at'][11:13]) + 1) % 24:02d}"
    shift = (
        email.utils.parsedate_to_datetime(skewed.headers["Date"])
        - email.utils.parsedate_to_datetime(normal.headers["Date"])
    ).total_seconds()
    assert 3590 <= shift <= 3610


def test_unknown_fault_kind_is_refused(sandbox):
    key, creds = new_account(sandbox, "ebay")
    with pytest.raises(requests.HTTPError):
        sandbox.admin.inject_fault(key, "gremlins")


def test_failure_after_the_request_took_effect(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    unlimited(sandbox, key)
    session = mirakl_session(creds)
    applied, lost = sandbox.admin.generate_orders(key, 2, lines=1)
    for order, apply in ((applied, True), (lost, False)):
        sandbox.admin.inject_fault(key, "http_error", status=503, operation="OR21", apply=apply)
        answer = session.put(
            f"{sandbox.url}/mirakl/fnac/api/orders/{order['id']}/accept",
            timeout=10,
            json={"order_lines": [{"id": order["lines"][0]["id"], "accepted": True}]},
        )
        assert answer.status_code == 503
    assert sandbox.admin.order(key, applied["id"])["status"] == "SHIPPING"
    assert sandbox.admin.order(key, lost["id"])["status"] == "WAITING_ACCEPTANCE"


def test_dropped_connection_after_a_shipment_was_created(sandbox):
    key, creds = new_account(sandbox, "ebay")
    session = ebay_session(sandbox, creds)
    order = sandbox.admin.generate_orders(key, 1, lines=1)[0]
    sandbox.admin.inject_fault(
        key, "timeout", seconds=0.05, drop=True, apply=True, operation="createShippingFulfillment"
    )
    url = f"{sandbox.url}/ebay/sell/fulfillment/v1/order/{order['id']}/shipping_fulfillment"
    with pytest.raises(requests.ConnectionError):
        requests.post(
            url,
            headers=dict(session.headers),
            timeout=10,
            json={
                "lineItems": [{"lineItemId": order["lines"][0]["id"]}],
                "shippingCarrierCode": "Colissimo",
                "trackingNumber": "6A12345678901",
            },
        )
    assert session.get(url, timeout=10).json()["total"] == 1
