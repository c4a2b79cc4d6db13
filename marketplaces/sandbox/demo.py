"""The demo accounts: the sandbox loads them with `--demo`, the OMS's demo data mirrors them.

Each entry is `{"platform", "name", "key", "credentials", "operator"}`; `operator` is only
set for Mirakl accounts (it is part of their base URL). `demo_account_urls` gives the
base URLs a `MarketplaceAccount` needs to talk to this sandbox, following the agreed table
(switching to the real platform changes only these URLs and the credentials).
"""

from __future__ import annotations

AMAZON_FR_MARKETPLACE_ID = "A13V1IB3VIYZZH"
AMAZON_DE_MARKETPLACE_ID = "A1PA6795UKMFR9"

DEMO_ACCOUNTS: list[dict] = [
    {
        "platform": "amazon",
        "name": "Amazon.fr",
        "key": "amazon-fr",
        "operator": None,
        "credentials": {
            "client_id": "amzn1.application-oa2-client.demo0fr0001",
            "client_secret": "demo-amazon-fr-secret",
            "refresh_token": "Atzr|demo-amazon-fr-refresh",
            "seller_id": "A2DEMOFRSELLER",
            "marketplace_id": AMAZON_FR_MARKETPLACE_ID,
        },
    },
    {
        "platform": "amazon",
        "name": "Amazon.de",
        "key": "amazon-de",
        "operator": None,
        "credentials": {
            "client_id": "amzn1.application-oa2-client.demo0de0001",
            "client_secret": "demo-amazon-de-secret",
            "refresh_token": "Atzr|demo-amazon-de-refresh",
            "seller_id": "A2DEMODESELLER",
            "marketplace_id": AMAZON_DE_MARKETPLACE_ID,
        },
    },
    {
        "platform": "ebay",
        "name": "eBay France",
        "key": "ebay-fr",
        "operator": None,
        "credentials": {
            "client_id": "DemoSell-OMS-PRD-0a1b2c3d4-fr000001",
            "client_secret": "PRD-demo-ebay-fr-secret",
            "refresh_token": "v^1.1#i^1#demo-ebay-fr-refresh",
        },
    },
    {
        "platform": "ebay",
        "name": "eBay France (outlet)",
        "key": "ebay-outlet",
        "operator": None,
        "credentials": {
            "client_id": "DemoSell-OMS-PRD-0a1b2c3d4-out00001",
            "client_secret": "PRD-demo-ebay-outlet-secret",
            "refresh_token": "v^1.1#i^1#demo-ebay-outlet-refresh",
        },
    },
    {
        "platform": "mirakl",
        "name": "Fnac-Darty",
        "key": "mirakl-fnac",
        "operator": "fnac",
        "credentials": {"api_key": "demo-fnac-0c7f1e2a-5b6d-4e8f-9a01-b2c3d4e5f601", "shop_id": "2001"},
    },
    {
        "platform": "mirakl",
        "name": "Conforama",
        "key": "mirakl-conforama",
        "operator": "conforama",
        "credentials": {"api_key": "demo-conforama-1d8e2f3a-6c7e-4f90-8b12-c3d4e5f6a702", "shop_id": "3001"},
    },
    {
        "platform": "mirakl",
        "name": "Boulanger",
        "key": "mirakl-boulanger",
        "operator": "boulanger",
        "credentials": {"api_key": "demo-boulanger-2e9f3a4b-7d8f-4a01-9c23-d4e5f6a7b803", "shop_id": "4001"},
    },
    {
        "platform": "mirakl",
        "name": "Leroy Merlin",
        "key": "mirakl-leroymerlin",
        "operator": "leroymerlin",
        "credentials": {"api_key": "demo-leroymerlin-3f0a4b5c-8e9a-4b12-8d34-e5f6a7b8c904", "shop_id": "5001"},
    },
    {
        "platform": "cdiscount",
        "name": "Cdiscount",
        "key": "cdiscount",
        "operator": None,
        "credentials": {
            "client_id": "demo-octopia-client",
            "client_secret": "demo-octopia-secret",
            "seller_id": "123456",
            "sales_channel_id": "CDISFR",
        },
    },
]


def demo_account_urls(base_url: str, account: dict) -> dict[str, str]:
    """`{"api_base_url", "auth_url"}` of `account` on the sandbox at `base_url`.

    `auth_url` is "" for Mirakl (API key, no token endpoint).
    """
    base = base_url.rstrip("/")
    platform = account["platform"]
    if platform == "amazon":
        return {"api_base_url": f"{base}/amazon", "auth_url": f"{base}/amazon/auth/o2/token"}
    if platform == "ebay":
        return {"api_base_url": f"{base}/ebay", "auth_url": f"{base}/ebay/identity/v1/oauth2/token"}
    if platform == "mirakl":
        return {"api_base_url": f"{base}/mirakl/{account['operator']}", "auth_url": ""}
    if platform == "cdiscount":
        return {
            "api_base_url": f"{base}/octopia",
            "auth_url": f"{base}/octopia/auth/realms/maas/protocol/openid-connect/token",
        }
    raise ValueError(f"unknown platform {platform!r}")
