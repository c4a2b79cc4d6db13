"""Token flows and 401s of each platform, including expiry on the sandbox clock."""

import base64

import requests

from .support import amazon_token, cdiscount_session, cdiscount_token, ebay_token, new_account

LIST_AMAZON = "/amazon/orders/v0/orders?MarketplaceIds=A13V1IB3VIYZZH&CreatedAfter=2020-01-01T00:00:00Z"


def test_amazon_lwa_token_then_401_when_expired(sandbox):
    key, creds = new_account(sandbox, "amazon")
    token = amazon_token(sandbox, creds)
    assert token.startswith("Atza|")
    ok = requests.get(sandbox.url + LIST_AMAZON, headers={"x-amz-access-token": token}, timeout=10)
    assert ok.status_code == 200
    sandbox.admin.advance_clock(3601)
    expired = requests.get(sandbox.url + LIST_AMAZON, headers={"x-amz-access-token": token}, timeout=10)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["code"] == "Unauthorized"
    assert "expired" in expired.json()["errors"][0]["details"]
    fresh = amazon_token(sandbox, creds)
    assert requests.get(sandbox.url + LIST_AMAZON, headers={"x-amz-access-token": fresh}, timeout=10).status_code == 200


def test_amazon_lwa_rejects_wrong_secret_and_wrong_refresh_token(sandbox):
    key, creds = new_account(sandbox, "amazon")
    bad_secret = requests.post(
        f"{sandbox.url}/amazon/auth/o2/token",
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"],
            "client_id": creds["client_id"],
            "client_secret": "nope",
        },
    )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    bad_grant = requests.post(
        f"{sandbox.url}/amazon/auth/o2/token",
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|unknown",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
    )
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_grant"
    no_token = requests.get(sandbox.url + LIST_AMAZON, timeout=10)
    assert no_token.status_code == 401 and "errors" in no_token.json()


def test_ebay_refresh_grant_needs_basic_auth_and_expires(sandbox):
    key, creds = new_account(sandbox, "ebay")
    token = ebay_token(sandbox, creds)
    url = f"{sandbox.url}/ebay/sell/fulfillment/v1/order"
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200
    wrong = requests.post(
        f"{sandbox.url}/ebay/identity/v1/oauth2/token",
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]},
        headers={"Authorization": "Basic " + base64.b64encode(b"x:y").decode()},
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    sandbox.admin.advance_clock(7201)
    expired = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["errorId"] == 1001


def test_mirakl_api_key_is_checked_per_operator_and_shop(sandbox):
    key, creds = new_account(sandbox, "mirakl", operator="conforama")
    good = requests.get(
        f"{sandbox.url}/mirakl/conforama/api/shipping/carriers", headers={"Authorization": creds["api_key"]}, timeout=10
    )
    assert good.status_code == 200
    other_operator = requests.get(
        f"{sandbox.url}/mirakl/fnac/api/shipping/carriers", headers={"Authorization": creds["api_key"]}, timeout=10
    )
    assert other_operator.status_code == 401
    assert other_operator.json() == {"status": 401, "message": "Unauthorized"}
    bearer = requests.get(
        f"{sandbox.url}/mirakl/conforama/api/shipping/carriers",
        headers={"Authorization": "Bearer " + creds["api_key"]},
        timeout=10,
    )
    assert bearer.status_code == 401
    wrong_shop = requests.get(
        f"{sandbox.url}/mirakl/conforama/api/shipping/carriers?shop_id=999999",
        headers={"Authorization": creds["api_key"]},
        timeout=10,
    )
    assert wrong_shop.status_code == 403


def test_cdiscount_client_credentials_seller_header_and_expiry(sandbox):
    key, creds = new_account(sandbox, "cdiscount")
    session = cdiscount_session(sandbox, creds)
    url = f"{sandbox.url}/octopia/seller/v2/orders"
    assert session.get(url, timeout=10).status_code == 200
    no_seller = requests.get(url, headers={"Authorization": session.headers["Authorization"]}, timeout=10)
    assert no_seller.status_code == 403 and no_seller.json()["title"] == "Forbidden"
    bad = requests.post(
        f"{sandbox.url}/octopia/auth/realms/maas/protocol/openid-connect/token",
        timeout=10,
        data={"grant_type": "client_credentials", "client_id": creds["client_id"], "client_secret": "x"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    sandbox.admin.advance_clock(7201)
    expired = session.get(url, timeout=10)
    assert expired.status_code == 401
    body = expired.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["type"] and body["detail"]
    assert expired.headers["Content-Type"].startswith("application/problem+json")
    session.headers["Authorization"] = f"Bearer {cdiscount_token(sandbox, creds)}"
    assert session.get(url, timeout=10).status_code == 200


def test_admin_expire_tokens_forces_a_refresh(sandbox):
    key, creds = new_account(sandbox, "ebay")
    token = ebay_token(sandbox, creds)
    assert sandbox.admin.expire_tokens(key) == 1
    response = requests.get(
        f"{sandbox.url}/ebay/sell/fulfillment/v1/order", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401
