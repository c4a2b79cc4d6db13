"""Read-side queries for the order screens and the API (query count fixed here)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from oms import outbox
from orders import events, pushes
from orders.models import BulkJob, BulkJobItem, Order, OrderEvent, OrderLine, SavedView
from rules import selectors as rules_selectors


def _rule_history() -> Prefetch:
    """What the rules did to each order, newest first, as `order.rule_history`."""
    return Prefetch("rule_decisions", queryset=rules_selectors.latest_decisions(), to_attr="rule_history")


def order_list() -> QuerySet[Order]:
    """The queue and the API list: one query for the page (with its stock allocation), one for
    its lines, one for its rule decisions."""
    return (
        Order.objects.select_related("account", "assignee", "allocation")
        .defer("raw_payload", "billing_address", "search_document")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")), _rule_history())
        .order_by("-purchased_at", "-id")
    )


def order_detail() -> QuerySet[Order]:
    return Order.objects.select_related("account", "assignee", "allocation").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor_user").order_by("created_at", "id")),
        _rule_history(),
    )


def timeline(order: Order) -> list[dict]:
    """Every event and every outbox message about an order, oldest first (events prefetched by order_detail).

    Events come with their heading, sentence and status change in the active language.
    """
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
    for message in outbox.messages_about(pushes.order_subject(order.pk)):
        kind = outbox.kind_named(message.kind)
        message.kind_label = kind.label if kind else message.kind
        entries.append({"at": message.created_at, "push": message})
    entries += [{"at": decision.created_at, "decision": decision} for decision in order.rule_history]
    return sorted(entries, key=lambda entry: entry["at"])


def saved_views_for(user) -> list[SavedView]:
    return list(SavedView.objects.filter(Q(shared=True) | Q(owner=user)))


def assignable_users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True, groups__name__in=("admin", "operator")).distinct().order_by("username")


def bulk_job(*, job_id: int, user) -> BulkJob:
    return BulkJob.objects.get(pk=job_id, created_by=user)


def bulk_job_failures(job: BulkJob, *, limit: int = 200) -> QuerySet[BulkJobItem]:
    return (
        BulkJobItem.objects.filter(job=job, outcome=BulkJobItem.Outcome.FAILED)
        .select_related("order")
        .only("id", "message", "order__id", "order__reference", "order__marketplace_order_id")
        .order_by("id")[:limit]
    )


def bulk_job_items(job: BulkJob, *, limit: int = 500) -> QuerySet[BulkJobItem]:
    """Every order of a job with its outcome, for the job's own page."""
    return (
        BulkJobItem.objects.filter(job=job)
        .select_related("order")
        .only("id", "outcome", "message", "finished_at", "order__id", "order__reference", "order__marketplace_order_id", "order__status")
        .order_by("id")[:limit]
    )
