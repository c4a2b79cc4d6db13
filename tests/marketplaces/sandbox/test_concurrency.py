"""Concurrent clients: the world lock makes each action apply exactly once."""

from concurrent.futures import ThreadPoolExecutor

import requests

from .support import cdiscount_session, mirakl_session, new_account, unlimited


def test_parallel_accepts_of_one_order_apply_once(sandbox):
    key, creds = new_account(sandbox, "mirakl")
    unlimited(sandbox, key)
    order = sandbox.admin.generate_orders(key, 1, lines=1)[0]
    body = {"order_lines": [{"id": order["lines"][0]["id"], "accepted": True}]}
    url = f"{sandbox.url}/mirakl/fnac/api/orders/{order['id']}/accept"

    def accept(_):
        return mirakl_session(creds).put(url, json=body, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(accept, range(16)))
    assert sorted(statuses) == [204] + [400] * 15
    assert [a["action"] for a in sandbox.admin.order_actions(key, order["id"])] == ["OR21"]


def test_parallel_shipments_never_ship_more_than_ordered(sandbox):
    key, creds = new_account(sandbox, "cdiscount")
    unlimited(sandbox, key)
    order = sandbox.admin.generate_orders(key, 1, lines=1, quantity=3, status="Accepted")[0]
    line_id = order["lines"][0]["id"]
    session_headers = dict(cdiscount_session(sandbox, creds).headers)
    url = f"{sandbox.url}/octopia/seller/v2/orders/{order['id']}/shipments"

    def ship(index):
        return requests.post(
            url,
            headers=session_headers,
            timeout=30,
            json={
                "carrierCode": "COLISSIMO",
                "trackingNumber": f"6A1234567890{index % 10}",
                "lines": [{"lineId": line_id, "quantity": 1}],
            },
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(ship, range(12)))
    assert statuses.count(201) == 3
    state = sandbox.admin.order(key, order["id"])
    assert state["lines"][0]["quantity_shipped"] == 3 and state["status"] == "Shipped"
    assert len(state["shipments"]) == 3
