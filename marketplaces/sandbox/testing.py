"""Helpers for tests: a sandbox running in-process for the duration of a `with` block.

    with running_sandbox() as sandbox:
        sandbox.url          # http://127.0.0.1:<free port>
        sandbox.admin        # SandboxAdmin bound to it
        sandbox.server.world # the state, for white-box assertions

The lead wires this into the global conftest as a fixture.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from .client import SandboxAdmin
from .server import SandboxServer


@dataclass
class RunningSandbox:
    server: SandboxServer
    admin: SandboxAdmin

    @property
    def url(self) -> str:
        return self.server.url


@contextlib.contextmanager
def running_sandbox(
    *, rate_scale: float = 1.0, demo: bool = False, state_path: str | None = None
) -> Iterator[RunningSandbox]:
    """Start a sandbox on a free loopback port (no order generation unless `demo`), stop it after."""
    server = SandboxServer(port=0, rate_scale=rate_scale, demo=demo, state_path=state_path).start()
    try:
        yield RunningSandbox(server=server, admin=SandboxAdmin(server.url))
    finally:
        server.stop()
