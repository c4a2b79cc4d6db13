"""A real sandbox marketplace server on a loopback port, and accounts that point at it."""

import itertools

import pytest

from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.testing import running_sandbox

_numbers = itertools.count(1)
FAST = 1_000_000
MIRAKL_OPERATORS = ("fnac", "conforama", "boulanger", "leroymerlin")


def credentials_for(platform: str, n: int) -> dict:
    if platform == "amazon":
        return {
            "client_id": f"amzn1.application-oa2-client.test{n}",
            "client_secret": f"amazon-secret-{n}",
            "refresh_token": f"Atzr|test-refresh-{n}",
            "seller_id": f"A2TESTSELLER{n}",
            "marketplace_id": "A13V1IB3VIYZZH",
        }
    if platform == "ebay":
        return {"client_id": f"Test-OMS-PRD-{n}", "client_secret": f"PRD-secret-{n}", "refresh_token": f"v^1.1#test-{n}"}
    if platform == "mirakl":
        return {"api_key": f"test-mirakl-key-{n}-0c7f1e2a5b6d", "shop_id": str(2000 + n)}
    return {"client_id": f"test-octopia-{n}", "client_secret": f"octopia-secret-{n}", "seller_id": str(100000 + n), "sales_channel_id": "CDISFR"}


@pytest.fixture(scope="session")
def sandbox_server():
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(sandbox_server, settings):
    """A clean sandbox.

    Rate limits, the sandbox's and ours, are scaled up so that tests about something
    else run fast; a test about rate limits sets both scales back to 1.
    """
    sandbox_server.admin.reset()
    sandbox_server.admin.set_rate_scale(FAST)
    settings.OMS_RATE_LIMIT_SCALE = FAST
    yield sandbox_server
    sandbox_server.admin.clear_faults()


@pytest.fixture
def sandbox_account(sandbox, db):
    """`sandbox_account("mirakl")` → (MarketplaceAccount, sandbox account key)."""

    def create(platform: str, **account_fields):
        n = next(_numbers)
        operator = MIRAKL_OPERATORS[n % len(MIRAKL_OPERATORS)] if platform == "mirakl" else None
        remote = sandbox.admin.create_account(
            platform, credentials_for(platform, n), key=f"{platform}-{n}", name=f"{platform} {n}", operator=operator
        )
        urls = sandbox.admin.account_urls(remote)
        account = MarketplaceAccount(
            platform=platform, name=f"{platform} test {n}", api_base_url=urls["api_base_url"], auth_url=urls["auth_url"], **account_fields
        )
        account.credentials = remote["credentials"]
        account.save()
        return account, remote["key"]

    return create
