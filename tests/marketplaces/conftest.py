"""A real sandbox marketplace server on a loopback port, and accounts that point at it."""

import pytest

from marketplaces.sandbox.testing import running_sandbox
from marketplaces.sandbox_accounts import connect_sandbox_account

FAST = 1_000_000


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
    """`sandbox_account("mirakl", **MarketplaceAccount fields)` → (MarketplaceAccount, sandbox account key)."""

    def create(platform: str, **account_fields):
        return connect_sandbox_account(sandbox.admin, platform, **account_fields)

    return create
