"""Amazon buyers asked for a product review and seller feedback (the Solicitations API), once per order.

Per account (`AccountMessaging.request_amazon_reviews`, off by default): the beat task
`messaging.request_reviews` asks for every delivered Amazon order `review_request_days` (default 7) after its
delivery. The operator may ask for one on the order page ("Request a review") while the order is in Amazon's
window, whatever the setting. Both write a `ReviewRequest` (one per order: a unique order) and its
`messaging.solicit_review` outbox message in one transaction.

The window: Amazon's public documentation says 5 to 30 days after the delivery date (not in the spec:
unverified, `REVIEW_WINDOW_DAYS`). Our delivery date is the first timeline event that moved the order to
delivered (the carrier's tracking or the operator), so only orders we saw delivered are asked for.

The sender (outbox_kinds.send_review_request) reads getSolicitationActionsForOrder before creating: Amazon
lists no sent solicitation, but stops offering the action once one was sent, so an attempt that finds it no
longer offered after our earlier create call (whose answer was lost) counts the request as done, recorded as
`PRESUMED`, never sent a second time; never attempted and not offered is `NOT_OFFERED`.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging import events, outbox_names
from messaging.models import REVIEW_WINDOW_DAYS, ReviewRequest
from oms import outbox
from oms.errors import DomainError
from orders import platforms, pushes
from orders.actions import Actor, record_event
from orders.locks import lock_order
from orders.models import Order, OrderEvent
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus

BATCH = 500  # orders asked for per beat tick; the rest at the next tick
Status = ReviewRequest.Status
DONE = (Status.REQUESTED, Status.PRESUMED, Status.NOT_OFFERED)
OPENS, CLOSES = (dt.timedelta(days=days) for days in REVIEW_WINDOW_DAYS)


def _delivered_at() -> Subquery:
    first = OrderEvent.objects.filter(order=OuterRef("pk"), to_status=OrderStatus.DELIVERED).order_by("created_at")
    return Subquery(first.values("created_at")[:1], output_field=DateTimeField())


def delivered_at(order: Order) -> dt.datetime | None:
    """When the order was delivered, as its timeline says (None: not seen delivered)."""
    event = order.events.filter(to_status=OrderStatus.DELIVERED).order_by("created_at").first()
    return event.created_at if event else None


def due(*, now: dt.datetime | None = None) -> QuerySet[Order]:
    """Delivered Amazon orders of accounts that ask for reviews, their delay after delivery passed, still in
    Amazon's window, never asked for from our side."""
    now = now or timezone.now()
    delay = ExpressionWrapper(
        F("account__messaging__review_request_days") * dt.timedelta(days=1), output_field=DurationField()
    )
    asked = ReviewRequest.objects.filter(order=OuterRef("pk"))
    return (
        Order.objects.filter(
            account__platform=platforms.AMAZON,
            account__messaging__request_amazon_reviews=True,
            status=OrderStatus.DELIVERED,
        )
        .exclude(Exists(asked))
        .annotate(review_delivered_at=_delivered_at())
        .annotate(review_due_at=ExpressionWrapper(F("review_delivered_at") + delay, output_field=DateTimeField()))
        .filter(review_due_at__lte=now, review_delivered_at__gte=now - CLOSES)
    )


def offer(order: Order, *, now: dt.datetime | None = None) -> dict | None:
    """What the order page offers: {"until"} when an operator may ask for a review now (an Amazon order
    delivered 5 to 30 days ago, never asked for), or the request made ({"request"}); None otherwise. No query
    for an order that is not a delivered Amazon order, two otherwise."""
    if order.account.platform != platforms.AMAZON or order.status != OrderStatus.DELIVERED:
        return None
    request = ReviewRequest.objects.filter(order=order).first()
    if request is not None:
        return {"request": request}
    delivered = delivered_at(order)
    now = now or timezone.now()
    if delivered is None or not delivered + OPENS <= now <= delivered + CLOSES:
        return None
    return {"request": None, "until": delivered + CLOSES}


def request_review(*, order_id: int, user=None, automatic: bool = False) -> ReviewRequest:
    """Ask Amazon to send the buyer its review request: once per order (DomainError otherwise), for a delivered
    Amazon order inside Amazon's window (DomainError otherwise). Sent by the outbox after commit."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.account.platform != platforms.AMAZON:
            raise DomainError(_("Only Amazon orders can have a review requested through the marketplace."))
        if ReviewRequest.objects.filter(order=order).exists():
            raise DomainError(_("A review was already requested for this order."))
        delivered = delivered_at(order) if order.status == OrderStatus.DELIVERED else None
        now = timezone.now()
        if delivered is None or not delivered + OPENS <= now <= delivered + CLOSES:
            raise DomainError(_("Amazon takes a review request from 5 to 30 days after delivery only."))
        try:
            with transaction.atomic():
                record = ReviewRequest.objects.create(order=order, automatic=automatic, requested_by=user)
        except IntegrityError:
            raise DomainError(_("A review was already requested for this order.")) from None
        outbox.enqueue(
            kind=outbox_names.SOLICIT_REVIEW,
            destination=pushes.marketplace_destination(order.account_id),
            subject=pushes.order_subject(order.pk),
            payload={"request_id": record.pk, "order_id": order.pk, "marketplace_order_id": order.marketplace_order_id},
        )
    return record


def send_automatic(*, now: dt.datetime | None = None) -> int:
    """The beat task: every due order of an account that asks for reviews."""
    queued = 0
    for order_id in due(now=now).values_list("pk", flat=True)[:BATCH]:
        try:
            request_review(order_id=order_id, automatic=True)
        except DomainError:
            continue  # asked for meanwhile
        queued += 1
    return queued


# The sender's records (outbox_kinds.send_review_request) --------------------------------------------------


def begin_attempt(*, request_id: int) -> bool:
    """Committed before the create call: from now on a lost answer may mean Amazon has it. False when the
    request is settled already."""
    return bool(
        ReviewRequest.objects.filter(pk=request_id).exclude(status__in=DONE).update(attempted_at=timezone.now())
    )


def attempt_failed(*, request_id: int) -> None:
    """The create call surely left Amazon without the request (refused, never connected): not ours if the
    action disappears later."""
    ReviewRequest.objects.filter(pk=request_id).exclude(status__in=DONE).update(attempted_at=None)


def record_requested(*, request_id: int, amazon_request_id: str) -> None:
    with transaction.atomic():
        record = (
            ReviewRequest.objects.select_for_update(of=("self",)).select_related("order__account").get(pk=request_id)
        )
        if record.status in DONE:
            return
        record.status, record.requested_at, record.error = Status.REQUESTED, timezone.now(), ""
        record.amazon_request_id = amazon_request_id[:100]
        record.save(update_fields=["status", "requested_at", "amazon_request_id", "error"])
        _timeline(record)


def record_not_offered(*, request_id: int) -> ReviewRequest:
    """Amazon does not offer the request: after our own create call, that call took (PRESUMED: counted as done
    and on the timeline); never attempted, Amazon will not take it (NOT_OFFERED: out of its window, or sent
    from Seller Central)."""
    with transaction.atomic():
        record = (
            ReviewRequest.objects.select_for_update(of=("self",)).select_related("order__account").get(pk=request_id)
        )
        if record.status in DONE:
            return record
        record.status = Status.PRESUMED if record.attempted_at else Status.NOT_OFFERED
        record.save(update_fields=["status"])
        if record.status == Status.PRESUMED:
            _timeline(record)
    return record


def record_failed(*, request_id: int, error: str) -> None:
    ReviewRequest.objects.filter(pk=request_id).exclude(status__in=DONE).update(
        status=Status.FAILED, error=error[:2000]
    )


def _timeline(record: ReviewRequest) -> None:
    platform = CAPABILITIES[record.order.account.platform].display_name
    record_event(
        order=record.order, kind=events.REVIEW_REQUESTED, actor=Actor.system("outbox"), params={"platform": platform}
    )
