"""Read-side queries for the marketplace screens."""

from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from marketplaces.models import MarketplaceAccount, QuarantinedOrder
from oms import outbox
from oms.outbox import OutboxMessage
from orders import pushes
from orders.models import Order

S = OutboxMessage.Status


def _outbox_count(*statuses: str, kinds=(), other_kinds=()) -> Coalesce:
    """Messages to the account in these statuses: of `kinds` when given, or of any kind but `other_kinds`."""
    destination = Concat(Value(pushes.MARKETPLACE_PREFIX), Cast(OuterRef("pk"), CharField()))
    messages = OutboxMessage.objects.filter(destination=destination, status__in=statuses)
    if kinds:
        messages = messages.filter(kind__in=kinds)
    counted = (
        messages.exclude(kind__in=other_kinds)
        .order_by()
        .values("destination")
        .annotate(count=Count("id"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def accounts_with_health() -> QuerySet[MarketplaceAccount]:
    return MarketplaceAccount.objects.annotate(
        outbox_waiting=_outbox_count(S.PENDING, S.SENDING),
        # An order's failed push is the operator's (the queue's "Push failed" filter); the rest (stock) an admin's.
        pushes_failed=_outbox_count(S.DEAD, kinds=pushes.KINDS),
        other_failed=_outbox_count(S.DEAD, other_kinds=pushes.KINDS),
        quarantined=Count("quarantined_orders", filter=Q(quarantined_orders__resolved=False), distinct=True),
    ).order_by("platform", "name")


def destination_labels() -> dict[str, str]:
    """Every destination the outbox has a message for → what the page calls it (an account's name)."""
    names = {
        pushes.marketplace_destination(pk): name for pk, name in MarketplaceAccount.objects.values_list("pk", "name")
    }
    return {destination: names.get(destination, destination) for destination in outbox.destinations()}


def with_subjects(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Attach `order` to the messages about an order (one query for the page)."""
    order_ids = {pushes.order_id_of(message.subject) for message in messages} - {None}
    orders = Order.objects.only("pk", "reference", "marketplace_order_id").in_bulk(order_ids)
    for message in messages:
        message.order = orders.get(pushes.order_id_of(message.subject))
    return messages


def open_quarantine() -> QuerySet[QuarantinedOrder]:
    return QuarantinedOrder.objects.filter(resolved=False).select_related("account")
