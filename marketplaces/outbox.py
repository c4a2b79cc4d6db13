"""The outbox: every push to a marketplace, written with the decision, sent by workers.

`enqueue` is called inside the action's transaction, so the decision and the
message commit together (or not at all). `drain` claims due messages with
SELECT … FOR UPDATE SKIP LOCKED and a lease, sends them outside any
transaction, and records the outcome: sent; retried with backoff on throttling,
5xx and timeouts (honouring Retry-After); parked as a dead letter when the
platform refuses or the attempts run out. A message whose lease expired (its
worker died mid-push) is retried with the same idempotency key, and the
connectors check what the platform already has before re-sending a write that
is not idempotent. Messages of one order go out in order: a later one waits
while an earlier one is unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from marketplaces.clients import connector_for_account
from marketplaces.connectors import CancelLine, RefundLine, ShipmentLine
from marketplaces.connectors.errors import MarketplaceError, RateLimited, TransientError
from marketplaces.models import OutboxMessage
from marketplaces.ratelimit import Throttled

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
MAX_ATTEMPTS = 8
BATCH = 20
S = OutboxMessage.Status


def enqueue(*, account, kind: str, payload: dict, order=None) -> OutboxMessage:
    """Write a push in the caller's transaction; a worker is woken after commit."""
    message = OutboxMessage.objects.create(
        account=account, order=order, kind=kind, payload=payload, idempotency_key=uuid.uuid4().hex
    )
    transaction.on_commit(_wake_drainer)
    return message


def _wake_drainer() -> None:
    from marketplaces.tasks import drain_outbox

    try:
        drain_outbox.delay()
    except Exception:  # the beat-driven drain picks it up anyway
        logger.warning("could not wake the outbox drainer", exc_info=True)


def claim(*, limit: int = BATCH, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Lease due messages to this worker; concurrent drainers get disjoint sets."""
    now = now or timezone.now()
    earlier_unsent = OutboxMessage.objects.filter(
        order=OuterRef("order"), id__lt=OuterRef("id"), status__in=[S.PENDING, S.SENDING, S.DEAD]
    )
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(Q(status=S.PENDING, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now))
            .filter(Q(order__isnull=True) | ~Exists(earlier_unsent))
            .order_by("id")[:limit]
        )
        for message in due:
            message.status, message.lease_until, message.attempts = S.SENDING, now + LEASE, message.attempts + 1
        OutboxMessage.objects.bulk_update(due, ["status", "lease_until", "attempts"])
    return due


def drain(*, limit: int = BATCH, rounds: int = 50) -> dict[str, int]:
    """Send what is due, batch after batch (a sent message may free the next of its order)."""
    counts: dict[str, int] = {}
    for _ in range(rounds):
        batch = claim(limit=limit)
        if not batch:
            break
        for message in batch:
            outcome = send(message)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def send(message: OutboxMessage) -> str:
    try:
        _deliver(message)
    except (RateLimited, Throttled) as error:
        return _retry(message, error, retry_after=error.retry_after)
    except TransientError as error:
        return _retry(message, error, retry_after=None)
    except MarketplaceError as error:
        return _dead(message, error)
    except Exception as error:  # a bug or an outage of ours: retried, then parked, never lost
        logger.exception("outbox message %s failed unexpectedly", message.pk)
        return _retry(message, error, retry_after=None)
    _mark(message, status=S.SENT, sent_at=timezone.now(), last_error="")
    _record_on_order(message, "sent")
    return "sent"


def _retry(message: OutboxMessage, error: Exception, *, retry_after: float | None) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _dead(message, error)
    delay = retry_after if retry_after is not None else min(600, 2 ** message.attempts)
    _mark(message, status=S.PENDING, next_attempt_at=timezone.now() + dt.timedelta(seconds=delay), last_error=str(error)[:2000])
    return "retry"


def _dead(message: OutboxMessage, error: Exception) -> str:
    _mark(message, status=S.DEAD, last_error=f"{error.__class__.__name__}: {error}"[:4000])
    _record_on_order(message, "failed", error=str(error))
    return "dead"


def _mark(message: OutboxMessage, **fields) -> None:
    fields["lease_until"] = None
    # Only the holder of the lease writes the outcome (a slow worker whose lease expired does not).
    OutboxMessage.objects.filter(pk=message.pk, status=S.SENDING, attempts=message.attempts).update(**fields)


def _record_on_order(message: OutboxMessage, outcome: str, error: str = "") -> None:
    if message.order_id is None:
        return
    from orders.actions import record_marketplace_push

    record_marketplace_push(order_id=message.order_id, kind=message.kind, outcome=outcome, error=error)


def _deliver(message: OutboxMessage) -> None:
    connector = connector_for_account(message.account)
    payload = message.payload
    order_id = payload.get("marketplace_order_id", "")
    if message.kind == OutboxMessage.Kind.ACCEPT:
        connector.accept_order(order_id=order_id, line_ids=payload["line_ids"])
    elif message.kind == OutboxMessage.Kind.REFUSE:
        connector.refuse_order(order_id=order_id, line_ids=payload["line_ids"], reason=payload["reason"])
    elif message.kind == OutboxMessage.Kind.CANCEL:
        lines = [CancelLine(line_id=line["line_id"], quantity=line["quantity"], amount=Decimal(line["amount"])) for line in payload.get("lines", [])]
        connector.cancel_order(
            order_id=order_id, reason=payload["reason"], lines=lines or None, retry=message.attempts > 1
        )
    elif message.kind == OutboxMessage.Kind.SHIP:
        connector.confirm_shipment(
            order_id=order_id,
            carrier=payload["carrier"],
            tracking_number=payload["tracking_number"],
            lines=[ShipmentLine(line_id=line["line_id"], quantity=line["quantity"]) for line in payload["lines"]],
            shipped_at=dt.datetime.fromisoformat(payload["shipped_at"]),
            idempotency_key=message.idempotency_key,
            retry=message.attempts > 1,
        )
    elif message.kind == OutboxMessage.Kind.REFUND:
        connector.refund(
            order_id=order_id,
            lines=[
                RefundLine(line_id=line["line_id"], amount=Decimal(line["amount"]), quantity=line.get("quantity", 0), currency=payload["currency"])
                for line in payload["lines"]
            ],
            reason=payload["reason"],
            idempotency_key=message.idempotency_key,
            refunded_before=Decimal(payload["refunded_before"]) if "refunded_before" in payload else None,
            retry=message.attempts > 1,
        )
    elif message.kind == OutboxMessage.Kind.STOCK:
        from inventory.actions import quantities_to_send, record_stock_push

        # SKUs a later push superseded, or that the platform already answered, are not sent again.
        quantities = quantities_to_send(message)
        if not quantities:
            return
        result = connector.push_stock(quantities=quantities)
        record_stock_push(message=message, result=result)
        if result.deferred:
            raise TransientError(f"stock deferred for {', '.join(result.deferred)}", platform=message.account.platform)
    else:
        raise MarketplaceError(f"unknown outbox kind {message.kind!r}", platform=message.account.platform)


@transaction.atomic
def retry_dead(*, message_id: int) -> None:
    """An admin sends a dead letter again (fresh attempts, same idempotency key)."""
    OutboxMessage.objects.filter(pk=message_id, status=S.DEAD).update(
        status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(_wake_drainer)


@transaction.atomic
def discard_dead(*, message_id: int) -> None:
    """An admin gives up on a dead letter: later messages of its order may go."""
    OutboxMessage.objects.filter(pk=message_id, status=S.DEAD).update(status=S.DISCARDED)
