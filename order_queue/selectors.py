"""Read-side queries for the order screens and the API (query count fixed here)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, Substr

from inventory import selectors as inventory_selectors
from marketplaces.push_failures import explain
from messaging import selectors as messaging_selectors
from oms import outbox
from orders import events, pushes
from orders.models import BulkJob, BulkJobItem, Order, OrderEvent, OrderLine, SavedView
from rules import selectors as rules_selectors
from shipping import selectors as shipping_selectors


def _rule_history() -> Prefetch:
    """What the rules did to each order, newest first, as `order.rule_history`."""
    return Prefetch("rule_decisions", queryset=rules_selectors.latest_decisions(), to_attr="rule_history")


# Pushes that failed: dead letters about orders, read from the outbox itself (the one truth; no
# copy on the order to keep in step). Dead letters are few, and the outbox indexes them by status
# and by subject, so both reads stay index lookups however many orders and messages there are.


def _failed_pushes() -> QuerySet:
    return outbox.messages(status=outbox.OutboxMessage.Status.DEAD).filter(kind__in=pushes.KINDS).order_by()


def orders_with_failed_pushes() -> QuerySet:
    """Ids of the orders with a push that failed and waits for a person: PostgreSQL starts from the
    dead letters (the status index) and fetches the orders by primary key."""
    order_id = Cast(Substr("subject", len(pushes.ORDER_PREFIX) + 1), BigIntegerField())
    return _failed_pushes().filter(subject__startswith=pushes.ORDER_PREFIX).values(order_id=order_id)


def has_failed_push() -> Exists:
    """Per order (the queue's badge): one probe of the outbox's subject index, only for the rows shown."""
    subject = Concat(Value(pushes.ORDER_PREFIX), Cast(OuterRef("pk"), CharField()))
    return Exists(_failed_pushes().filter(subject=subject).exclude(subject=""))


def order_list() -> QuerySet[Order]:
    """The queue and the API list: one query for the page (with whether the order waits for stock, a push
    failed, a buyer waits, a delivery went wrong: one index probe each, only for the rows shown), one for
    its lines, one for its rule decisions."""
    return (
        Order.objects.select_related("account", "assignee")
        .defer("raw_payload", "billing_address", "search_document")
        .annotate(
            push_failed=has_failed_push(),
            backordered=Exists(inventory_selectors.backorders().filter(order=OuterRef("pk"))),
            buyer_waiting=messaging_selectors.buyer_waiting(),
            delivery_problem=shipping_selectors.has_delivery_problem(),
        )
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")), _rule_history())
        .order_by("-purchased_at", "-id")
    )


def order_detail() -> QuerySet[Order]:
    return (
        Order.objects.select_related("account", "assignee", "allocation")
        .annotate(push_failed=has_failed_push(), delivery_problem=shipping_selectors.has_delivery_problem())
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor_user").order_by("created_at", "id")),
            _rule_history(),
        )
    )


def order_pushes(order: Order) -> list:
    """Every push of an order, oldest first, with `kind_label`, and `failure` (our reason, the
    platform's words) on those that failed."""
    pushes_of_order = list(outbox.messages_about(pushes.order_subject(order.pk)))
    for message in pushes_of_order:
        kind = outbox.kind_named(message.kind)
        message.kind_label = kind.label if kind else message.kind
        message.failure = explain(message.last_error) if message.status == outbox.OutboxMessage.Status.DEAD else None
    return pushes_of_order


def timeline(order: Order, messages: list) -> list[dict]:
    """Every event, push (`messages`, from order_pushes) and rule decision of an order, oldest first
    (events prefetched by order_detail). Events come with their heading, sentence and status change
    in the active language."""
    entries = [
        {
            "at": event.created_at,
            "event": event,
            "label": events.label(event.kind),
            "text": events.describe(event),
            "transition": events.transition(event),
        }
        for event in order.events.all()
    ]
    entries += [{"at": message.created_at, "push": message} for message in messages]
    entries += [{"at": decision.created_at, "decision": decision} for decision in order.rule_history]
    return sorted(entries, key=lambda entry: entry["at"])


def saved_views_for(user) -> list[SavedView]:
    return list(SavedView.objects.filter(Q(shared=True) | Q(owner=user)))


def assignable_users() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=("admin", "operator"))
        .distinct()
        .order_by("username")
    )


def bulk_job(*, job_id: int, user) -> BulkJob:
    return BulkJob.objects.get(pk=job_id, created_by=user)


def bulk_job_failures(job: BulkJob, *, limit: int = 200) -> QuerySet[BulkJobItem]:
    return (
        BulkJobItem.objects.filter(job=job, outcome=BulkJobItem.Outcome.FAILED)
        .select_related("order")
        .only("id", "code", "params", "message", "order__id", "order__reference", "order__marketplace_order_id")
        .order_by("id")[:limit]
    )


def bulk_job_items(job: BulkJob, *, limit: int = 500) -> QuerySet[BulkJobItem]:
    """Every order of a job with its outcome, for the job's own page."""
    return (
        BulkJobItem.objects.filter(job=job)
        .select_related("order")
        .only(
            "id",
            "outcome",
            "code",
            "params",
            "message",
            "finished_at",
            "order__id",
            "order__reference",
            "order__marketplace_order_id",
            "order__status",
        )
        .order_by("id")[:limit]
    )
