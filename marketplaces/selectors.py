"""Read-side queries for the marketplace screens."""

from django.db.models import Count, Q, QuerySet

from marketplaces.models import MarketplaceAccount, OutboxMessage, QuarantinedOrder

S = OutboxMessage.Status


def accounts_with_health() -> QuerySet[MarketplaceAccount]:
    return MarketplaceAccount.objects.annotate(
        outbox_waiting=Count("outbox", filter=Q(outbox__status__in=[S.PENDING, S.SENDING]), distinct=True),
        outbox_dead=Count("outbox", filter=Q(outbox__status=S.DEAD), distinct=True),
        quarantined=Count("quarantined_orders", filter=Q(quarantined_orders__resolved=False), distinct=True),
    ).order_by("platform", "name")


def outbox_messages(*, status: str | None = None) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.select_related("account", "order").order_by("-id")
    return messages.filter(status=status) if status else messages


def open_quarantine() -> QuerySet[QuarantinedOrder]:
    return QuarantinedOrder.objects.filter(resolved=False).select_related("account")
