"""Tests: a carrier sandbox running in-process for a `with` block, and a small admin client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from .server import CarrierSandbox


@dataclass
class CarrierSandboxAdmin:
    url: str

    def _call(self, method: str, path: str, **json) -> dict:
        response = requests.request(method, f"{self.url}/_sandbox{path}", json=json or None, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def reset(self) -> None:
        self._call("POST", "/reset")

    def advance(self, seconds: float) -> None:
        self._call("POST", "/clock", advance_seconds=seconds)

    def add_fault(self, carrier: str, status: int, *, count: int = 1, operation: str | None = None) -> dict:
        return self._call("POST", "/faults", carrier=carrier, status=status, count=count, operation=operation)

    def parcels(self) -> list[dict]:
        return self._call("GET", "/parcels")["parcels"]

    def parcel(self, tracking_number: str) -> dict:
        return next(parcel for parcel in self.parcels() if parcel["tracking_number"] == tracking_number)

    def make_exception(self, tracking_number: str) -> None:
        self._call("POST", f"/parcels/{tracking_number}/exception")

    def make_return(self, tracking_number: str) -> None:
        self._call("POST", f"/parcels/{tracking_number}/return")

    def set_incidents(self, enabled: bool) -> None:
        """The occasional delivery problem and return to sender, on (the default) or off."""
        self._call("POST", "/incidents", enabled=enabled)


@dataclass
class RunningCarrierSandbox:
    server: CarrierSandbox
    admin: CarrierSandboxAdmin

    @property
    def url(self) -> str:
        return self.server.url


@contextlib.contextmanager
def running_carrier_sandbox() -> Iterator[RunningCarrierSandbox]:
    server = CarrierSandbox(port=0).start()
    try:
        yield RunningCarrierSandbox(server=server, admin=CarrierSandboxAdmin(server.url))
    finally:
        server.stop()
