"""Every platform's pagination returns each order exactly once across pages."""

from .support import amazon_session, cdiscount_session, decoded, ebay_session, mirakl_session, new_account, unlimited

ORDERS = 23


def test_amazon_next_token_pages(sandbox):
    key, creds = new_account(sandbox, "amazon")
    expected = {o["id"] for o in sandbox.admin.generate_orders(key, ORDERS)}
    session = amazon_session(sandbox, creds)
    url = f"{sandbox.url}/amazon/orders/v0/orders"
    params = {"MarketplaceIds": creds["marketplace_id"], "CreatedAfter": "2020-01-01T00:00:00Z", "MaxResultsPerPage": 5}
    seen, pages = [], 0
    while True:
        body = session.get(url, params=params, timeout=10).json()["payload"]
        pages += 1
        seen += [o["AmazonOrderId"] for o in body["Orders"]]
        if "NextToken" not in body:
            break
        params = {"MarketplaceIds": creds["marketplace_id"], "NextToken": body["NextToken"]}
    assert pages == 5
    assert len(seen) == len(set(seen)) == ORDERS
    assert set(seen) == expected


def test_amazon_next_token_can_be_retried_and_unknown_is_rejected(sandbox):
    key, creds = new_account(sandbox, "amazon")
    sandbox.admin.generate_orders(key, 3)
    session = amazon_session(sandbox, creds)
    url = f"{sandbox.url}/amazon/orders/v0/orders"
    first = session.get(
        url,
        params={
            "MarketplaceIds": creds["marketplace_id"],
            "CreatedAfter": "2020-01-01T00:00:00Z",
            "MaxResultsPerPage": 1,
        },
        timeout=10,
    ).json()["payload"]
    token = first["NextToken"]
    page = session.get(url, params={"MarketplaceIds": creds["marketplace_id"], "NextToken": token}, timeout=10)
    retry = session.get(url, params={"MarketplaceIds": creds["marketplace_id"], "NextToken": token}, timeout=10)
    assert retry.status_code == 200 and retry.json()["payload"]["Orders"] == page.json()["payload"]["Orders"]
    unknown = session.get(url, params={"MarketplaceIds": creds["marketplace_id"], "NextToken": "bogus"}, timeout=10)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "InvalidInput"


def test_ebay_limit_offset_and_next_href(sandbox):
    key, creds = new_account(sandbox, "ebay")
    unlimited(sandbox, key)
    expected = {o["id"] for o in sandbox.admin.generate_orders(key, ORDERS)}
    session = ebay_session(sandbox, creds)
    url = f"{sandbox.url}/ebay/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2020-01-01T00:00:00.000Z..%5D&limit=10"
    seen, offsets = [], []
    while url:
        body = session.get(url, timeout=10).json()
        assert body["total"] == ORDERS and body["limit"] == 10
        offsets.append(body["offset"])
        seen += [o["orderId"] for o in body["orders"]]
        url = body.get("next")
    assert offsets == [0, 10, 20]
    assert len(seen) == len(set(seen)) == ORDERS and set(seen) == expected
    too_big = session.get(f"{sandbox.url}/ebay/sell/fulfillment/v1/order?limit=201", timeout=10)
    assert too_big.status_code == 400


def test_mirakl_max_offset_total_count(sandbox):
    key, creds = new_account(sandbox, "mirakl", operator="boulanger")
    unlimited(sandbox, key)
    expected = {o["id"] for o in sandbox.admin.generate_orders(key, ORDERS)}
    session = mirakl_session(creds)
    seen, offset = [], 0
    while True:
        body = decoded(
            session.get(f"{sandbox.url}/mirakl/boulanger/api/orders", params={"max": 7, "offset": offset}, timeout=10)
        )
        assert body["total_count"] == ORDERS
        seen += [o["order_id"] for o in body["orders"]]
        offset += 7
        if offset >= body["total_count"]:
            break
    assert len(seen) == len(set(seen)) == ORDERS and set(seen) == expected
    default_page = decoded(session.get(f"{sandbox.url}/mirakl/boulanger/api/orders", timeout=10))
    assert len(default_page["orders"]) == 10


def test_cdiscount_page_index_page_size(sandbox):
    key, creds = new_account(sandbox, "cdiscount")
    unlimited(sandbox, key)
    expected = {o["id"] for o in sandbox.admin.generate_orders(key, ORDERS)}
    session = cdiscount_session(sandbox, creds)
    seen, index = [], 1
    while True:
        body = decoded(
            session.get(
                f"{sandbox.url}/octopia/seller/v2/orders",
                params={"pageSize": 10, "pageIndex": index, "updatedAtMin": "2020-01-01T00:00:00Z"},
                timeout=10,
            )
        )
        assert body["totalItems"] == ORDERS and body["itemsPerPage"] == 10 and body["pageIndex"] == index
        seen += [o["orderId"] for o in body["items"]]
        if index * 10 >= body["totalItems"]:
            break
        index += 1
    assert index == 3
    assert len(seen) == len(set(seen)) == ORDERS and set(seen) == expected
    bad = session.get(f"{sandbox.url}/octopia/seller/v2/orders", params={"pageSize": 101}, timeout=10)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "pageSize"
