"""Writing messages (in the caller's transaction) and a person's answer to a dead letter."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from oms import tasks
from oms.outbox.models import OutboxMessage
from oms.outbox.registry import kind_named

logger = logging.getLogger(__name__)
S = OutboxMessage.Status


def enqueue(*, kind: str, destination: str, payload: dict, ordering_key: str = "", subject: str = "") -> OutboxMessage:
    """Write a message in the caller's transaction (it commits with the change, or neither does);
    a worker is woken after commit. Raises ValueError for a kind nobody declared."""
    if kind_named(kind) is None:
        raise ValueError(f"undeclared outbox kind {kind!r}")
    message = OutboxMessage.objects.create(
        kind=kind,
        destination=destination,
        ordering_key=ordering_key,
        subject=subject,
        payload=payload,
        idempotency_key=uuid.uuid4().hex,
    )
    transaction.on_commit(wake_drainer)
    return message


def wake_drainer() -> None:
    try:
        tasks.drain_outbox.delay()
    except Exception:  # the beat-driven drain picks it up anyway
        logger.warning("could not wake the outbox drainer", exc_info=True)


@transaction.atomic
def retry_dead(*, message_id: int) -> bool:
    """Send a dead letter again (fresh attempts, same idempotency key); False if it is not dead."""
    retried = OutboxMessage.objects.filter(pk=message_id, status=S.DEAD).update(
        status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if retried:
        transaction.on_commit(wake_drainer)
    return bool(retried)


@transaction.atomic
def discard_dead(*, message_id: int) -> bool:
    """Give up on a dead letter: later messages with its ordering key may go; False if it is not dead."""
    return _settle_dead(message_id, S.DISCARDED)


@transaction.atomic
def mark_done(*, message_id: int) -> bool:
    """A person did by hand what a dead letter asked (e.g. in the platform's portal): it counts as
    done, later messages with its ordering key may go; False if it is not dead."""
    return _settle_dead(message_id, S.DONE_BY_HAND)


def _settle_dead(message_id: int, status: str) -> bool:
    settled = OutboxMessage.objects.filter(pk=message_id, status=S.DEAD).update(status=status)
    if settled:
        transaction.on_commit(wake_drainer)  # the messages it held back are due now
    return bool(settled)
