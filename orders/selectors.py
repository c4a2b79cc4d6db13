"""Read-side queries for the order screens and the API (query count fixed here)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from marketplaces.models import OutboxMessage
from orders import events
from orders.filters import RULE_FLAGS, optional_model
from orders.models import BulkJob, BulkJobItem, Order, OrderEvent, OrderLine, SavedView


def _with_other_apps(queryset: QuerySet[Order], *, decisions: str) -> QuerySet[Order]:
    """Stock allocation (inventory) and rule decisions (rules), once those apps define them."""
    if optional_model("inventory", "OrderAllocation") is not None:
        queryset = queryset.select_related("allocation")
    decision = optional_model("order_rules", "RuleDecision")
    if decision is not None:
        acted = decision.objects.filter(dry_run=False).exclude(outcome="no_match").order_by("-created_at", "-id")
        if decisions == "acted":
            acted = acted.filter(outcome__in=("accept", *RULE_FLAGS, "failed"))
        queryset = queryset.prefetch_related(Prefetch("rule_decisions", queryset=acted, to_attr="rule_history"))
    return queryset


def order_list() -> QuerySet[Order]:
    """The queue and the API list: one query for the page, one for its lines, one per other app."""
    queryset = (
        Order.objects.select_related("account", "assignee")
        .defer("raw_payload", "billing_address", "search_document")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-purchased_at", "-id")
    )
    return _with_other_apps(queryset, decisions="acted")


def order_detail() -> QuerySet[Order]:
    queryset = Order.objects.select_related("account", "assignee").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor_user").order_by("created_at", "id")),
        Prefetch("outbox", queryset=OutboxMessage.objects.order_by("id")),
    )
    return _with_other_apps(queryset, decisions="all")


def timeline(order: Order) -> list[dict]:
    """Every event and every push to the marketplace of an order, oldest first (prefetched by order_detail).

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
    entries += [{"at": message.created_at, "push": message} for message in order.outbox.all()]
    entries += [{"at": decision.created_at, "decision": decision} for decision in getattr(order, "rule_history", [])]
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
