"""Accounts on a running sandbox, mirrored as MarketplaceAccount rows (tests, benchmarks)."""

from __future__ import annotations

import itertools
import uuid

from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.client import SandboxAdmin

MIRAKL_OPERATORS = ("fnac", "conforama", "boulanger", "leroymerlin")
# A Mirakl account as its admin left it after mapping our refund reasons to the sandbox's RE01 REFUND
# reasons (returns' "Reason codes" page); `settings={"reason_codes": {}}` gives one not mapped yet.
MIRAKL_REASON_CODES = {
    "damaged": "12",
    "defective": "13",
    "not_as_described": "14",
    "wrong_item": "16",
    "no_longer_needed": "17",
    "other": "18",
}
_numbers = itertools.count(1)


def credentials_for(platform: str, n: int) -> dict:
    tag = f"{n}-{uuid.uuid4().hex[:6]}"
    if platform == "amazon":
        return {
            "client_id": f"amzn1.application-oa2-client.test{tag}",
            "client_secret": f"amazon-secret-{tag}",
            "refresh_token": f"Atzr|test-refresh-{tag}",
            "seller_id": f"A2TESTSELLER{tag}",
            "marketplace_id": "A13V1IB3VIYZZH",
        }
    if platform == "ebay":
        return {
            "client_id": f"Test-OMS-PRD-{tag}",
            "client_secret": f"PRD-secret-{tag}",
            "refresh_token": f"v^1.1#test-{tag}",
        }
    if platform == "mirakl":
        return {"api_key": f"test-mirakl-key-{tag}", "shop_id": str(2000 + n)}
    return {
        "client_id": f"test-octopia-{tag}",
        "client_secret": f"octopia-secret-{tag}",
        "seller_id": str(100000 + n),
        "sales_channel_id": "CDISFR",
    }


def connect_sandbox_account(admin: SandboxAdmin, platform: str, **account_fields) -> tuple[MarketplaceAccount, str]:
    """Create an account on the sandbox and its MarketplaceAccount; returns (account, sandbox key)."""
    n = next(_numbers)
    key = f"{platform}-{n}-{uuid.uuid4().hex[:6]}"
    operator = MIRAKL_OPERATORS[n % len(MIRAKL_OPERATORS)] if platform == "mirakl" else None
    remote = admin.create_account(
        platform, credentials_for(platform, n), key=key, name=f"{platform} {n}", operator=operator
    )
    urls = admin.account_urls(remote)
    if platform == "mirakl":
        account_fields["settings"] = {"reason_codes": dict(MIRAKL_REASON_CODES), **account_fields.get("settings", {})}
    if platform == "ebay":  # the seller's eBay user name tells its messages from the buyer's (Message API)
        account_fields["settings"] = {"ebay_username": f"seller-{remote['key']}", **account_fields.get("settings", {})}
    account = MarketplaceAccount(
        platform=platform,
        name=account_fields.pop("name", f"{platform} {key}"),
        api_base_url=urls["api_base_url"],
        auth_url=urls["auth_url"],
        **account_fields,
    )
    account.credentials = remote["credentials"]
    account.save()
    return account, remote["key"]
