"""Bulk actions on many orders: a job, one item per order, run in the background.

`start_job` records the selection (explicit ids, or every order matching the
queue's filters at that moment) and queues `orders.run_bulk_job` after commit.
The same `key` twice (a double click, a retried POST) returns the first job and
queues nothing new. `run_job` works through the pending items in small batches,
each order in its own transaction with its item's outcome, through the usual
actions (`orders.actions`, `orders.triage`): an order that cannot take the
action (already accepted, fulfilled by the marketplace…) is a failed item with
the action's own message, and the others go on. Running a job twice (a worker
killed and the task redelivered) only finishes what is still pending. Each order
is acted on in its own transaction (the lock order of orders/locks.py), so jobs,
polls and operators working on the same orders never deadlock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone

from oms.access.selectors import within_scope
from oms.errors import DomainError, IllegalTransition
from order_queue.filters import OrderFilter
from orders import actions, triage
from orders.models import BulkJob, BulkJobItem, Order
from shipping import packing

BATCH = 50
MAX_ORDERS = 100_000
REASON_ACTIONS = (BulkJob.Action.REFUSE, BulkJob.Action.CANCEL)


def _validate_params(action: str, params: dict) -> dict:
    if action not in BulkJob.Action.values:
        raise DomainError(f"Unknown bulk action {action!r}.", details={"action": action})
    if action in REASON_ACTIONS:
        reason = (params.get("reason") or "").strip()
        if not reason:
            raise DomainError("A reason is required.", details={"reason": "required"})
        return {"reason": reason[:500]}
    if action == BulkJob.Action.TAG:
        tag = (params.get("tag") or "").strip()
        if not triage.TAG_PATTERN.match(tag):
            raise DomainError(
                "A tag is 1 to 50 letters, digits, spaces, dots, dashes or underscores.", details={"tag": tag}
            )
        return {"tag": tag}
    if action == BulkJob.Action.ASSIGN:
        assignee = params.get("assignee")
        if assignee in (None, "", "none"):
            return {"assignee": None}
        user = (
            get_user_model()
            .objects.filter(
                Q(username=str(assignee).strip()) | Q(pk=int(assignee) if str(assignee).isdigit() else None),
                is_active=True,
            )
            .first()
        )
        if user is None:
            raise DomainError(f"No active user {assignee!r} to assign the orders to.", details={"assignee": assignee})
        return {"assignee": user.pk}
    return {}


def selected_order_ids(*, user, order_ids=None, query: str | None = None, request=None) -> list[int]:
    """The orders a bulk action covers: the ids ticked, or all matching the queue's filters; only
    those of the accounts `user` may see (an order of another account is never acted on)."""
    visible = within_scope(Order.objects.all(), user=user)
    if query is not None:
        filterset = OrderFilter(QueryDict(query.lstrip("?")), queryset=visible, request=request)
        ids = sorted(filterset.qs.order_by().values_list("pk", flat=True)[: MAX_ORDERS + 1])
    else:
        wanted = sorted({int(pk) for pk in order_ids or []})
        ids = list(visible.filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True))
    if len(ids) > MAX_ORDERS:
        raise DomainError(
            f"A bulk action covers at most {MAX_ORDERS} orders: narrow the filters.", details={"limit": MAX_ORDERS}
        )
    return ids


@transaction.atomic
def start_job(*, user, key: str, action: str, order_ids: list[int], params: dict | None = None) -> BulkJob:
    """Record a bulk job over `order_ids` and queue it; the same (user, key) returns the first job.

    Raises DomainError for an unknown action, missing reason/tag or an empty selection.
    """
    key = (key or "").strip()[:64]
    if not key:
        raise DomainError("The form is missing its job key; reload the page.", details={"key": "required"})
    existing = BulkJob.objects.filter(created_by=user, key=key).first()
    if existing is not None:
        return existing
    params = _validate_params(action, params or {})
    if not order_ids:
        raise DomainError("No order selected.", details={"orders": "required"})
    job, created = BulkJob.objects.get_or_create(
        created_by=user, key=key, defaults={"action": action, "params": params, "total": len(order_ids)}
    )
    if not created:  # the same key committed by a concurrent request
        return job
    BulkJobItem.objects.bulk_create((BulkJobItem(job=job, order_id=pk) for pk in order_ids), batch_size=2000)
    from order_queue.tasks import run_bulk_job

    transaction.on_commit(lambda: run_bulk_job.delay(job.pk))
    return job


def run_job(*, job_id: int) -> BulkJob:
    """Work through the job's pending items; safe to run twice or concurrently."""
    job = BulkJob.objects.select_related("created_by").get(pk=job_id)
    BulkJob.objects.filter(pk=job.pk, started_at__isnull=True).update(
        status=BulkJob.Status.RUNNING, started_at=timezone.now()
    )
    if job.action == BulkJob.Action.EXPORT:
        _export(job)
    else:
        actor = actions.Actor.of_user(job.created_by)
        while _run_batch(job, actor):
            pass
    _finish_if_done(job.pk)
    job.refresh_from_db()
    return job


def _run_batch(job: BulkJob, actor: actions.Actor) -> int:
    """Run up to BATCH pending items, each in its own transaction; returns how many this run did.

    One order per transaction (orders/locks.py): a transaction holding many orders would
    lock stock between two of them, out of the lock order.
    """
    pending = BulkJobItem.objects.filter(job=job, outcome=BulkJobItem.Outcome.PENDING)
    done = 0
    for item_id in list(pending.order_by("id").values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # Another run of the job may hold it (SKIP LOCKED) or have finished it.
            item = pending.select_for_update(skip_locked=True).filter(pk=item_id).first()
            if item is not None:
                _run_item(job, item, actor)
                done += 1
    return done


def _run_item(job: BulkJob, item: BulkJobItem, actor: actions.Actor) -> None:
    params = {}
    try:
        with transaction.atomic():
            code = _perform(job, item.order_id, actor)
    except DomainError as error:
        code, params = _failure(error)
    except Order.DoesNotExist:
        code = "order_missing"
    except DatabaseError as error:  # this order only (its savepoint is rolled back); the others go on
        code, params = "database_error", {"error": str(error)}
    succeeded = code in SUCCESS_CODES
    item.outcome = BulkJobItem.Outcome.SUCCEEDED if succeeded else BulkJobItem.Outcome.FAILED
    item.code, item.params, item.finished_at = code, params, timezone.now()
    item.save(update_fields=["outcome", "code", "params", "finished_at"])
    counter = "succeeded" if succeeded else "failed"
    BulkJob.objects.filter(pk=job.pk).update(**{counter: F(counter) + 1})


def _failure(error: DomainError) -> tuple[str, dict]:
    if isinstance(error, IllegalTransition) and "requested" in error.details:
        return "illegal_transition", {"status": error.details["status"], "requested": error.details["requested"]}
    return error.code, {"message": error.message}


SUCCESS_CODES = frozenset(
    {"accepted", "refused", "cancelled", "assigned", "tagged", "exported", "label_requested", "labelled"}
)


def _perform(job: BulkJob, order_id: int, actor: actions.Actor) -> str:
    """Apply the job's action to one order; the code of what was done (`BulkJobItem.MESSAGES`)."""
    params = job.params
    if job.action == BulkJob.Action.ACCEPT:
        actions.accept_order(order_id=order_id, actor=actor)
        return "accepted"
    if job.action == BulkJob.Action.REFUSE:
        actions.refuse_order(order_id=order_id, actor=actor, reason=params["reason"])
        return "refused"
    if job.action == BulkJob.Action.CANCEL:
        actions.cancel_order(order_id=order_id, actor=actor, reason=params["reason"])
        return "cancelled"
    if job.action == BulkJob.Action.ASSIGN:
        triage.assign_order(order_id=order_id, actor=actor, assignee_id=params["assignee"])
        return "assigned"
    if job.action == BulkJob.Action.TAG:
        triage.tag_order(order_id=order_id, actor=actor, tag=params["tag"])
        return "tagged"
    if job.action == BulkJob.Action.LABELS:
        return packing.prepare_label(order_id=order_id, actor=actor)
    raise DomainError(f"Unknown bulk action {job.action!r}.")


EXPORT_COLUMNS = (
    "number",
    "platform",
    "account",
    "marketplace_order_id",
    "reference",
    "status",
    "purchased_at",
    "acceptance_deadline",
    "ship_by",
    "buyer_name",
    "buyer_email",
    "ship_country",
    "ship_postal_code",
    "ship_city",
    "total_amount",
    "currency",
    "carrier",
    "tracking_number",
    "items",
)


def _export(job: BulkJob) -> None:
    """Write the CSV of the selected orders (read-only: every item succeeds)."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(EXPORT_COLUMNS)
    order_ids = job.items.order_by("id").values_list("order_id", flat=True)
    orders = (
        Order.objects.select_related("account").prefetch_related("lines").defer("raw_payload").in_bulk(list(order_ids))
    )
    for pk in order_ids:
        order = orders.get(pk)
        if order is None:
            continue
        items = "; ".join(f"{line.quantity} x {line.sku}" for line in order.lines.all())
        writer.writerow(
            [
                order.number,
                order.account.platform,
                order.account.name,
                order.marketplace_order_id,
                order.reference,
                order.status,
                order.purchased_at.isoformat(),
                order.acceptance_deadline.isoformat() if order.acceptance_deadline else "",
                order.ship_by.isoformat() if order.ship_by else "",
                order.buyer_name,
                order.buyer_email,
                order.ship_country,
                order.ship_postal_code,
                order.ship_city,
                order.total_amount,
                order.currency,
                order.carrier,
                order.tracking_number,
                items,
            ]
        )
    with transaction.atomic():
        updated = job.items.filter(outcome=BulkJobItem.Outcome.PENDING).update(
            outcome=BulkJobItem.Outcome.SUCCEEDED, code="exported", finished_at=timezone.now()
        )
        BulkJob.objects.filter(pk=job.pk).update(export_csv=output.getvalue(), succeeded=F("succeeded") + updated)


RESUME_AFTER = dt.timedelta(minutes=2)


def stalled_job_ids() -> list[int]:
    """Unfinished jobs with no progress for RESUME_AFTER: their task was lost (a broker
    restarted, a worker died before acking). Running them again is safe."""
    quiet_since = timezone.now() - RESUME_AFTER
    recent_progress = BulkJobItem.objects.filter(job=OuterRef("pk"), finished_at__gte=quiet_since)
    return list(
        BulkJob.objects.exclude(status=BulkJob.Status.DONE)
        .filter(created_at__lt=quiet_since)
        .exclude(Exists(recent_progress))
        .values_list("pk", flat=True)[:100]
    )


def _finish_if_done(job_id: int) -> None:
    pending = BulkJobItem.objects.filter(job_id=job_id, outcome=BulkJobItem.Outcome.PENDING).exists()
    if not pending:
        BulkJob.objects.filter(pk=job_id).exclude(status=BulkJob.Status.DONE).update(
            status=BulkJob.Status.DONE, finished_at=timezone.now()
        )
