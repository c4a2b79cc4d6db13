"""Turning what happened into events and deliveries: one outbox message per endpoint per event.

The event is built (and its data serialized, as the API shows it) in the transaction of
the change, so the delivery describes the state at that moment and commits with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.utils import timezone

from oms import outbox
from webhooks.models import Endpoint

DELIVER = "webhook.deliver"  # the outbox kind, declared in webhooks/outbox_kinds.py
# The payload's shape; bumped (a new date) only when a field changes meaning or goes away.
VERSION = "2026-11-01"
# Sent by the "send test event" button: not subscribable, goes to the one endpoint asked.
TEST_EVENT = "webhook.test"


def event(*, event_type: str, data: dict) -> dict:
    """An event as receivers get it: a new id (deduplicate on it), its type, the payload version, when, and the data."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": VERSION,
        "occurred_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def deliver(*, endpoint_id: int, event: dict, subject: str = "") -> outbox.OutboxMessage:
    """Write one delivery of an event to an endpoint (in the caller's transaction).

    No ordering key: a receiver that is down or refuses one event must not hold back
    every later event of that endpoint (nor would a dead letter: it blocks its key until a
    person acts), and deliveries to one receiver go out in parallel batches. Receivers
    order by `occurred_at` (and the resource's `updated_at`) and deduplicate on `id`.
    """
    return outbox.enqueue(kind=DELIVER, destination=f"webhook:{endpoint_id}", payload={"event": event}, subject=subject)


def publish(*, event_type: str, occurrences: Callable[[], list[tuple[str, dict]]]) -> int:
    """Deliver an event per occurrence to every active endpoint subscribed to `event_type`;
    `occurrences` is only called when one is. Returns the number of deliveries written."""
    endpoint_ids = list(
        Endpoint.objects.filter(active=True, events__contains=[event_type]).order_by("pk").values_list("pk", flat=True)
    )
    if not endpoint_ids:
        return 0
    written = 0
    for subject, data in occurrences():
        body = event(event_type=event_type, data=data)
        for endpoint_id in endpoint_ids:
            deliver(endpoint_id=endpoint_id, event=body, subject=subject)
            written += 1
    return written
