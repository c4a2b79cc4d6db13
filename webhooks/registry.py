"""The event types an endpoint may subscribe to, each declared once in `webhooks.events`.

An event type listens to a signal of the app where the thing happens; when it fires and
some active endpoint subscribes, `occurrences(**signal kwargs)` says what happened, as
(subject, data) pairs, and one delivery per endpoint per occurrence is written to the
outbox in the signal's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from webhooks.publishing import publish


@dataclass(frozen=True)
class EventType:
    name: str  # "<resource>.<what happened>", e.g. "order.created"
    label: Any  # shown when choosing events (a lazy translation)
    signal: Signal
    sender: type | None
    occurrences: Callable[..., list[tuple[str, dict]]]


_TYPES: dict[str, EventType] = {}


def declare(name: str, *, label, signal: Signal, sender: type | None, occurrences) -> EventType:
    """Declare an event type, once, and connect it to its signal."""
    if name in _TYPES:
        raise ValueError(f"webhook event type {name!r} is already declared")
    event_type = EventType(name=name, label=label, signal=signal, sender=sender, occurrences=occurrences)
    _TYPES[name] = event_type

    def receiver(sender, **kwargs) -> None:
        publish(event_type=name, occurrences=lambda: occurrences(**kwargs))

    signal.connect(receiver, sender=sender, weak=False, dispatch_uid=f"webhooks.{name}")
    return event_type


def event_types() -> list[EventType]:
    return sorted(_TYPES.values(), key=lambda event_type: event_type.name)


def choices() -> list[tuple[str, Any]]:
    return [(event_type.name, event_type.label) for event_type in event_types()]
