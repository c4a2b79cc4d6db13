"""Token buckets at the documented rates: 429 bodies per platform, counted per account and operation."""

import requests

from .support import amazon_session, cdiscount_session, ebay_session, mirakl_session, new_account


def test_amazon_get_orders_burst_of_20_then_quota_exceeded(sandbox):
    key, creds = new_account(sandbox, "amazon")
    session = amazon_session(sandbox, creds)
    params = {"MarketplaceIds": creds["marketplace_id"], "CreatedAfter": "2020-01-01T00:00:00Z"}
    statuses = [
        session.get(f"{sandbox.url}/amazon/orders/v0/orders", params=params, timeout=10).status_code for _ in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    throttled = session.get(f"{sandbox.url}/amazon/orders/v0/orders", params=params, timeout=10)
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "Retry-After" not in throttled.headers
    assert sandbox.admin.count(key, "getOrders") == {"requests": 22, "throttled": 2}
    sandbox.admin.advance_clock(60)  # 0.0167/s refills one token a minute
    assert session.get(f"{sandbox.url}/amazon/orders/v0/orders", params=params, timeout=10).status_code == 200


def test_rate_scale_per_account_lifts_the_limit(sandbox):
    key, creds = new_account(sandbox, "amazon")
    other_key, other_creds = new_account(sandbox, "amazon")
    sandbox.admin.set_rate_scale(1_000_000, account=key)
    session = amazon_session(sandbox, creds)
    params = {"MarketplaceIds": creds["marketplace_id"], "CreatedAfter": "2020-01-01T00:00:00Z"}
    for _ in range(25):
        session.get(f"{sandbox.url}/amazon/orders/v0/orders", params=params, timeout=10)
    assert sandbox.admin.count(key, "getOrders")["throttled"] == 0
    other = amazon_session(sandbox, other_creds)
    for _ in range(21):
        other.get(f"{sandbox.url}/amazon/orders/v0/orders", params=params, timeout=10)
    assert sandbox.admin.count(other_key, "getOrders")["throttled"] == 1


def test_mirakl_or11_once_a_minute_with_retry_after(sandbox):
    key, creds = new_account(sandbox, "mirakl", operator="leroymerlin")
    session = mirakl_session(creds)
    url = f"{sandbox.url}/mirakl/leroymerlin/api/orders"
    assert session.get(url, timeout=10).status_code == 200
    second = session.get(url, timeout=10)
    assert second.status_code == 429
    assert second.json() == {"status": 429, "message": "Too Many Requests"}
    assert 1 <= int(second.headers["Retry-After"]) <= 60
    assert session.get(f"{sandbox.url}/mirakl/leroymerlin/api/shipping/carriers", timeout=10).status_code == 200
    sandbox.admin.advance_clock(60)
    assert session.get(url, timeout=10).status_code == 200
    assert sandbox.admin.count(key, "OR11") == {"requests": 3, "throttled": 1}


def test_cdiscount_ten_per_second_with_retry_after(sandbox):
    key, creds = new_account(sandbox, "cdiscount")
    session = cdiscount_session(sandbox, creds)
    sandbox.admin.freeze_clock()  # no refill while the burst is sent
    responses = [session.get(f"{sandbox.url}/octopia/seller/v2/carriers", timeout=10) for _ in range(12)]
    assert [r.status_code for r in responses] == [200] * 10 + [429] * 2
    throttled = responses[10:]
    body = throttled[0].json()
    assert body["status"] == 429 and body["title"] == "Too Many Requests" and throttled[0].headers["Retry-After"] == "1"
    assert sandbox.admin.count(key, "getCarriers") == {"requests": 12, "throttled": 2}
    sandbox.admin.advance_clock(0.2)
    assert session.get(f"{sandbox.url}/octopia/seller/v2/carriers", timeout=10).status_code == 200


def test_ebay_throttle_body_with_an_override(sandbox):
    key, creds = new_account(sandbox, "ebay")
    sandbox.admin.set_rate_limit(key, "getOrders", rate=0.001, burst=2)
    session = ebay_session(sandbox, creds)
    url = f"{sandbox.url}/ebay/sell/fulfillment/v1/order"
    statuses = [session.get(url, timeout=10).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    error = session.get(url, timeout=10).json()["errors"][0]
    assert error["errorId"] == 2001 and error["domain"] == "ACCESS" and error["category"] == "REQUEST"
    sandbox.admin.set_rate_limit(key, "getOrders", rate=None)
    assert session.get(url, timeout=10).status_code == 200


def test_every_request_is_counted_and_logged(sandbox):
    key, creds = new_account(sandbox, "mirakl", operator="fnac")
    session = mirakl_session(creds)
    order = sandbox.admin.generate_orders(key, 1, lines=1)[0]
    session.put(
        f"{sandbox.url}/mirakl/fnac/api/orders/{order['id']}/accept",
        timeout=10,
        json={"order_lines": [{"id": order["lines"][0]["id"], "accepted": True}]},
    )
    requests.get(f"{sandbox.url}/mirakl/fnac/api/orders", headers={"Authorization": "wrong"}, timeout=10)
    log = sandbox.admin.requests(account=key)
    assert [(e["method"], e["operation"], e["status"]) for e in log] == [("PUT", "OR21", 204)]
    assert '"accepted": true' in log[0]["body"]
    anonymous = sandbox.admin.requests(operation="OR11")
    assert anonymous[-1]["account"] is None and anonymous[-1]["status"] == 401
    assert sandbox.admin.count("-", "OR11")["requests"] == 1
