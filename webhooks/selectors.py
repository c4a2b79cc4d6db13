"""Read-side queries for the endpoint pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from oms.outbox import OutboxMessage
from webhooks.models import DeliveryAttempt, Endpoint
from webhooks.publishing import DELIVER


def endpoint_list() -> QuerySet[Endpoint]:
    return Endpoint.objects.order_by("id")


def deliveries(*, endpoint_id: int) -> QuerySet[OutboxMessage]:
    """An endpoint's deliveries (outbox messages), newest first, each with its attempts (newest first)."""
    return (
        OutboxMessage.objects.filter(kind=DELIVER, destination=f"webhook:{endpoint_id}")
        .prefetch_related(
            Prefetch("webhook_attempts", queryset=DeliveryAttempt.objects.order_by("-attempted_at", "-id"))
        )
        .order_by("-id")
    )
