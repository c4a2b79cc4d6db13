"""The marketplace sandbox on a loopback port, as for the marketplaces tests."""

from tests.marketplaces.conftest import sandbox, sandbox_account, sandbox_server  # noqa: F401
