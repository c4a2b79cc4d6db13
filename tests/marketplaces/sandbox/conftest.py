"""Fixtures of the sandbox tests: a fresh sandbox per test (real HTTP on 127.0.0.1)."""

import pytest

from marketplaces.sandbox.testing import running_sandbox


@pytest.fixture
def sandbox():
    with running_sandbox() as running:
        yield running
