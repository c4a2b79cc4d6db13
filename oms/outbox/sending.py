"""Workers send what is due: claim with SKIP LOCKED and a lease, send outside any transaction, store the outcome.

A message whose lease expired (its worker died mid-send) is claimed again with the
same idempotency key; the kind's sender checks what the other side already has
before re-sending a write that is not idempotent. Messages with the same ordering key
go out in id order: a later one waits while an earlier one is pending, sending or dead.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from oms.backoff import backoff_seconds
from oms.outbox.errors import RetryLater, Undeliverable
from oms.outbox.models import OutboxMessage
from oms.outbox.registry import kind_named
from oms.outbox.signals import outbox_message_failed, outbox_message_sent

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
MAX_ATTEMPTS = 8
BATCH = 20
RETRY_BASE_SECONDS = 2
RETRY_CAP_SECONDS = 600
S = OutboxMessage.Status


def claim(*, limit: int = BATCH, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Lease due messages to this worker; concurrent drainers get disjoint sets."""
    now = now or timezone.now()
    earlier_unsent = OutboxMessage.objects.filter(
        ordering_key=OuterRef("ordering_key"), id__lt=OuterRef("id"), status__in=[S.PENDING, S.SENDING, S.DEAD]
    )
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(Q(status=S.PENDING, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now))
            .filter(Q(ordering_key="") | ~Exists(earlier_unsent))
            .order_by("id")[:limit]
        )
        for message in due:
            message.status, message.lease_until, message.attempts = S.SENDING, now + LEASE, message.attempts + 1
        OutboxMessage.objects.bulk_update(due, ["status", "lease_until", "attempts"])
    return due


def drain(*, limit: int = BATCH, rounds: int = 50) -> dict[str, int]:
    """Send what is due, batch after batch (a sent message may free the next with its ordering key)."""
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
    """One attempt at a claimed message through its kind's sender: "sent", "retry" or "dead"."""
    kind = kind_named(message.kind)
    try:
        if kind is None:
            raise Undeliverable(f"no sender is declared for the outbox kind {message.kind!r}")
        kind.send(message)
    except RetryLater as error:
        return _retry(message, str(error), retry_after=error.retry_after)
    except Undeliverable as error:
        return _dead(message, str(error))
    except Exception as error:  # a bug or an outage of ours: retried, then parked, never lost
        logger.exception("outbox message %s failed unexpectedly", message.pk)
        return _retry(message, f"{error.__class__.__name__}: {error}", retry_after=None)
    if _mark(message, status=S.SENT, sent_at=timezone.now(), last_error=""):
        _tell(outbox_message_sent, message=message)
    return "sent"


def _retry(message: OutboxMessage, error: str, *, retry_after: float | None) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _dead(message, error)
    delay = backoff_seconds(
        message.attempts, base=RETRY_BASE_SECONDS, cap=RETRY_CAP_SECONDS, retry_after=retry_after, jitter=True
    )
    _mark(
        message, status=S.PENDING, next_attempt_at=timezone.now() + dt.timedelta(seconds=delay), last_error=error[:4000]
    )
    return "retry"


def _dead(message: OutboxMessage, error: str) -> str:
    if _mark(message, status=S.DEAD, last_error=error[:4000]):
        _tell(outbox_message_failed, message=message, error=error)
    return "dead"


def _mark(message: OutboxMessage, **fields) -> bool:
    """Store an outcome; False when this worker no longer holds the lease (a slow worker whose lease expired)."""
    fields["lease_until"] = None
    stored = OutboxMessage.objects.filter(pk=message.pk, status=S.SENDING, attempts=message.attempts).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)
    return bool(stored)


def _tell(signal, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=OutboxMessage, **kwargs):
        if isinstance(result, Exception):
            logger.error("outbox receiver %s failed", receiver, exc_info=result)
