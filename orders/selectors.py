"""Read-side queries for the order screens and the API (query count fixed here)."""

from django.db.models import Prefetch, QuerySet

from marketplaces.models import OutboxMessage
from orders.models import Order, OrderEvent, OrderLine


def order_list() -> QuerySet[Order]:
    return (
        Order.objects.select_related("account")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-purchased_at", "-id")
    )


def order_detail() -> QuerySet[Order]:
    return Order.objects.select_related("account").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor_user").order_by("created_at", "id")),
        Prefetch("outbox", queryset=OutboxMessage.objects.order_by("id")),
    )
