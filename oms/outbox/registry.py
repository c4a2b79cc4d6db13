"""The kinds of outbox message, each declared once by the app that owns it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutboxKind:
    name: str  # "<destination family>.<what>", e.g. "marketplace.accept"
    label: Any  # shown on the outbox pages (a lazy translation)
    send: Callable[[Any], None]  # send(message): returns when done, raises RetryLater / Undeliverable


_KINDS: dict[str, OutboxKind] = {}


def declare(name: str, *, label, send: Callable[[Any], None]) -> OutboxKind:
    """Declare a kind, once (in a module the owning app's AppConfig.ready imports): how a message of it is sent."""
    if name in _KINDS:
        raise ValueError(f"outbox kind {name!r} is already declared (by {_KINDS[name].send.__module__})")
    _KINDS[name] = OutboxKind(name=name, label=label, send=send)
    return _KINDS[name]


def kind_named(name: str) -> OutboxKind | None:
    return _KINDS.get(name)


def declared_kinds() -> list[OutboxKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)
