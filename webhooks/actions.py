"""Every change to webhook endpoints, and the deliveries a person asks for (test, replay).

Each function runs in one transaction, takes the acting user, and raises `DomainError`
(changing nothing) when refused: `InvalidInput` for what was asked, a conflict for the
endpoint's state (a rotation already under way, or none). Deliveries are outbox messages written in that
transaction: no HTTP here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from oms.errors import DomainError, InvalidInput
from oms.outbox import OutboxMessage
from webhooks import publishing, registry, selectors, signing
from webhooks.models import Endpoint


@dataclass(frozen=True)
class EndpointDefinition:
    url: str
    events: tuple[str, ...]
    description: str = ""
    active: bool = True


def _check(definition: EndpointDefinition) -> None:
    known = {event_type.name for event_type in registry.event_types()}
    unknown = sorted(set(definition.events) - known)
    if unknown:
        raise InvalidInput(f"Unknown event types: {', '.join(unknown)}.", details={"events": unknown})
    if not definition.events:
        raise InvalidInput("Choose at least one event.", details={"events": []})


@transaction.atomic
def create_endpoint(*, definition: EndpointDefinition, created_by) -> tuple[Endpoint, str]:
    """A new endpoint with a new signing secret; returns it and the secret (shown once)."""
    _check(definition)
    secret = signing.new_secret()
    endpoint = Endpoint(
        url=definition.url,
        events=sorted(set(definition.events)),
        description=definition.description,
        active=definition.active,
        created_by=created_by,
    )
    endpoint.secrets = [secret]
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def update_endpoint(*, endpoint_id: int, definition: EndpointDefinition) -> Endpoint:
    _check(definition)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.url, endpoint.events = definition.url, sorted(set(definition.events))
    endpoint.description, endpoint.active = definition.description, definition.active
    endpoint.save(update_fields=["url", "events", "description", "active", "updated_at"])
    return endpoint


@transaction.atomic
def delete_endpoint(*, endpoint_id: int) -> None:
    """Delete an endpoint and its log; deliveries still queued for it are dropped when their turn comes."""
    Endpoint.objects.filter(pk=endpoint_id).delete()


@transaction.atomic
def rotate_secret(*, endpoint_id: int) -> tuple[Endpoint, str]:
    """Start a rotation: a new secret signs first, the current one still signs too (receivers
    accept either) until `finish_rotation`. Returns the endpoint and the new secret (shown once).
    Refused while a rotation is under way."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    current = endpoint.secrets
    if len(current) > 1:
        raise DomainError("A rotation is already under way: finish it first.", details={"endpoint": endpoint.pk})
    secret = signing.new_secret()
    endpoint.secrets = [secret, *current]
    endpoint.save(update_fields=["secrets_encrypted", "updated_at"])
    return endpoint, secret


@transaction.atomic
def finish_rotation(*, endpoint_id: int) -> Endpoint:
    """Stop signing with the previous secret (receivers have switched to the new one)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    current = endpoint.secrets
    if len(current) < 2:
        raise DomainError("No rotation is under way.", details={"endpoint": endpoint.pk})
    endpoint.secrets = current[:1]
    endpoint.save(update_fields=["secrets_encrypted", "updated_at"])
    return endpoint


@transaction.atomic
def send_test_event(*, endpoint_id: int, sent_by) -> OutboxMessage:
    """Queue a `webhook.test` event to this endpoint (whatever it subscribes to)."""
    endpoint = Endpoint.objects.get(pk=endpoint_id)
    data = {"endpoint": endpoint.pk, "sent_by": sent_by.get_username() if sent_by else ""}
    return publishing.deliver(
        endpoint_id=endpoint.pk,
        event=publishing.event(event_type=publishing.TEST_EVENT, data=data),
        subject=f"webhook:{endpoint.pk}",
    )


@transaction.atomic
def replay_delivery(*, endpoint_id: int, delivery_id: int) -> OutboxMessage:
    """Deliver an event again, the same event (same id: receivers that already have it ignore it)."""
    original = selectors.deliveries(endpoint_id=endpoint_id).filter(pk=delivery_id).first()
    if original is None:
        raise InvalidInput("This endpoint has no such delivery.", details={"delivery": delivery_id})
    return publishing.deliver(endpoint_id=endpoint_id, event=original.payload["event"], subject=original.subject)


@transaction.atomic
def replay_since(*, endpoint_id: int, since: dt.datetime) -> int:
    """Deliver again every event delivered (or attempted) to this endpoint since `since`, once
    each, oldest first; returns how many."""
    Endpoint.objects.get(pk=endpoint_id)
    events, subjects = {}, {}
    for message in selectors.deliveries(endpoint_id=endpoint_id).filter(created_at__gte=since).order_by("id"):
        event = message.payload["event"]
        events.setdefault(event["id"], event)
        subjects.setdefault(event["id"], message.subject)
    for event_id, event in events.items():
        publishing.deliver(endpoint_id=endpoint_id, event=event, subject=subjects[event_id])
    return len(events)
