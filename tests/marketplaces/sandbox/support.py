"""Accounts and authenticated sessions for the sandbox tests, one helper per platform."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

import requests

from marketplaces.sandbox.demo import AMAZON_FR_MARKETPLACE_ID


def new_account(sandbox, platform: str, *, operator: str = "fnac") -> tuple[str, dict]:
    """Create an account with fresh credentials through the admin API: (key, credentials)."""
    tag = secrets.token_hex(4)
    credentials = {
        "amazon": {
            "client_id": f"amzn1.application-oa2-client.{tag}",
            "client_secret": f"secret-{tag}",
            "refresh_token": f"Atzr|{tag}",
            "seller_id": f"A{tag.upper()}",
            "marketplace_id": AMAZON_FR_MARKETPLACE_ID,
        },
        "ebay": {"client_id": f"Test-{tag}-PRD", "client_secret": f"PRD-{tag}", "refresh_token": f"v^1.1#{tag}"},
        "mirakl": {"api_key": f"key-{tag}", "shop_id": str(1000 + int(tag, 16) % 9000)},
        "cdiscount": {
            "client_id": f"client-{tag}",
            "client_secret": f"secret-{tag}",
            "seller_id": str(int(tag, 16) % 999999),
            "sales_channel_id": "CDISFR",
        },
    }[platform]
    account = sandbox.admin.create_account(
        platform, credentials, key=f"{platform}-{tag}", operator=operator if platform == "mirakl" else None
    )
    return account["key"], credentials


def decoded(response: requests.Response):
    """The JSON body with amounts as Decimal, as connectors must parse it."""
    return json.loads(response.text, parse_float=Decimal)


def amazon_token(sandbox, credentials: dict) -> str:
    response = requests.post(
        f"{sandbox.url}/amazon/auth/o2/token",
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": credentials["refresh_token"],
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def amazon_session(sandbox, credentials: dict) -> requests.Session:
    session = requests.Session()
    session.headers["x-amz-access-token"] = amazon_token(sandbox, credentials)
    return session


def ebay_token(sandbox, credentials: dict, scope: str | None = None) -> str:
    data = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]}
    if scope:
        data["scope"] = scope
    response = requests.post(
        f"{sandbox.url}/ebay/identity/v1/oauth2/token",
        data=data,
        timeout=10,
        auth=(credentials["client_id"], credentials["client_secret"]),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def ebay_session(sandbox, credentials: dict, scope: str | None = None) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ebay_token(sandbox, credentials, scope)}"
    return session


def mirakl_session(credentials: dict) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = credentials["api_key"]
    return session


def cdiscount_token(sandbox, credentials: dict) -> str:
    response = requests.post(
        f"{sandbox.url}/octopia/auth/realms/maas/protocol/openid-connect/token",
        timeout=10,
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def cdiscount_session(sandbox, credentials: dict) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {cdiscount_token(sandbox, credentials)}"
    session.headers["SellerId"] = credentials["seller_id"]
    return session


def unlimited(sandbox, key: str) -> None:
    """Lift the rate limits of one account (tests that call an operation many times)."""
    sandbox.admin.set_rate_scale(1_000_000, account=key)
