"""Read-side queries over the outbox, for the pages of the apps that show messages."""

from __future__ import annotations

from django.db.models import QuerySet

from oms.outbox.models import OutboxMessage


def messages(*, destination: str = "", kind: str = "", status: str = "") -> QuerySet[OutboxMessage]:
    """Newest first, narrowed by whichever of destination, kind and status is given."""
    filters = {"destination": destination, "kind": kind, "status": status}
    return OutboxMessage.objects.filter(**{name: value for name, value in filters.items() if value}).order_by("-id")


def messages_about(subject: str) -> QuerySet[OutboxMessage]:
    """Every message about one thing (e.g. "order:42"), oldest first."""
    return OutboxMessage.objects.filter(subject=subject).order_by("id")


def destinations() -> list[str]:
    return list(OutboxMessage.objects.order_by("destination").values_list("destination", flat=True).distinct())
