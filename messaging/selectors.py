"""Reads for the inbox, the thread page, the API, the order pages and the KPI app."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet

from marketplaces.models import MarketplaceAccount
from messaging import delay, delay_rules, policies, solicitations
from messaging.models import Attachment, Message, Template, Thread
from oms.access.selectors import within_scope
from orders.models import Order


def thread_list() -> QuerySet[Thread]:
    """The inbox: most urgent reply-by first, then the latest message."""
    return (
        Thread.objects.select_related("account", "order", "assignee")
        .defer("order__raw_payload", "order__billing_address", "order__search_document")
        .order_by(F("reply_by").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "pk")
    )


def message_files() -> QuerySet[Attachment]:
    """Messages' files without their bytes (`has_content` read from the `kept` annotation), to prefetch."""
    return (
        Attachment.objects.defer("content")
        .annotate(kept=ExpressionWrapper(Q(content__isnull=False), output_field=BooleanField()))
        .order_by("pk")
    )


def thread_detail() -> QuerySet[Thread]:
    files = message_files()
    return Thread.objects.select_related("account", "order", "assignee").prefetch_related(
        Prefetch("messages", queryset=Message.objects.select_related("author").order_by("created_at", "pk")),
        Prefetch("messages__files", queryset=files),
        "order__lines",
    )


def attachment_for(user, pk: int) -> Attachment | None:
    """A kept file of a thread of an account the user may see (None otherwise)."""
    return (
        within_scope(Attachment.objects.filter(content__isnull=False), user=user, field="message__thread__account")
        .filter(pk=pk)
        .first()
    )


def threads_of_order(order_id: int) -> QuerySet[Thread]:
    """The order's threads; `maybe_sent`: one of our messages may be on Amazon already and waits for the
    operator's decision (actions.MAYBE_SENT)."""
    undecided = Message.objects.filter(
        thread=OuterRef("pk"), delivery=Message.Delivery.FAILED, send_started_at__isnull=False
    )
    return (
        Thread.objects.filter(order_id=order_id)
        .select_related("assignee")
        .annotate(maybe_sent=Exists(undecided))
        .order_by("-last_message_at", "-pk")
    )


def buyer_waiting() -> Exists:
    """An order annotation: a buyer waits for our reply on one of its threads (the queue's badge and filter)."""
    return Exists(Thread.objects.filter(order=OuterRef("pk"), status=Thread.Status.NEEDS_REPLY))


def templates_for(language: str | None = None) -> QuerySet[Template]:
    templates = Template.objects.all()
    return templates.filter(language=language) if language else templates


def no_reply_needed_allowed(thread: Thread) -> bool:
    return policies.NO_REPLY_NEEDED_ALLOWED.get(thread.account.platform, False)


@dataclass(frozen=True)
class ReplyTimes:
    """How fast an account answered buyers between two instants (replies sent in that window)."""

    replies: int
    median_seconds: float | None
    within_deadline_share: float | None  # 0..1, of the replies that had a deadline


def reply_times(account: MarketplaceAccount | int, since: dt.datetime, until: dt.datetime) -> ReplyTimes:
    """The KPI app reads this: median response time and share answered within the deadline."""
    account_id = account.pk if isinstance(account, MarketplaceAccount) else account
    rows = list(
        Message.objects.filter(
            thread__account_id=account_id,
            direction=Message.Direction.OUTBOUND,
            created_at__gte=since,
            created_at__lt=until,
            response_seconds__isnull=False,
        ).values_list("response_seconds", "within_deadline")
    )
    if not rows:
        return ReplyTimes(replies=0, median_seconds=None, within_deadline_share=None)
    judged = [within for _, within in rows if within is not None]
    return ReplyTimes(
        replies=len(rows),
        median_seconds=float(statistics.median(seconds for seconds, _ in rows)),
        within_deadline_share=(sum(judged) / len(judged)) if judged else None,
    )


DELAY_HINTS = 10  # orders named on the inbox's hint


def delay_proposals(user) -> dict:
    """The inbox's hint: orders at risk of shipping late whose buyer the operator may tell (not the ones sent
    automatically), the most urgent first."""
    orders = within_scope(delay.at_risk(mode=delay.Mode.PROPOSE), user=user).order_by("ship_by", "pk")
    listed = list(orders.only("pk", "reference", "marketplace_order_id", "ship_by")[: DELAY_HINTS + 1])
    return {"orders": listed[:DELAY_HINTS], "more": len(listed) > DELAY_HINTS}


def delay_proposal(order: Order) -> dict | None:
    """The order page's card: the delay notice to propose for this order, or None; `rule`: the delay rule
    that will send it by itself."""
    proposal = delay.proposal(order)
    if proposal is not None:
        proposal["rule"] = delay_rules.rule_that_would_send(order)
    return proposal


def review_request(order: Order) -> dict | None:
    """The order page's card: Amazon's review request for this order, offered or made, or None (no query for an
    order that is not a delivered Amazon order)."""
    return solicitations.offer(order)
