"""The outbox: every effect that leaves the system, written with the change, sent by workers.

An action calls `enqueue` inside its transaction, so the change and the message commit
together (or not at all). Workers (`drain`, the `oms.drain_outbox` task) claim due messages
with SELECT … FOR UPDATE SKIP LOCKED and a lease, send them outside any transaction through
their kind's sender, retry with `oms.backoff` (honouring a Retry-After) and park what is
refused, or fails `MAX_ATTEMPTS` times, as a dead letter a person retries, marks as done
by hand (`mark_done`: they did it on the other side) or discards.
Messages with the same `ordering_key` go out in order. This package imports no app.

Declaring a kind is one call, made by the app that owns the kind from its AppConfig.ready
(or a module imported there)::

    from oms import outbox

    def send_label(message):  # returns when done, or raises
        try:
            carrier_api.create_label(message.payload["parcel"], key=message.idempotency_key)
        except CarrierBusy as error:
            raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
        except CarrierRefused as error:
            raise outbox.Undeliverable(f"CarrierRefused: {error}") from error

    outbox.declare("carrier.label", label=_("Carrier label"), send=send_label)

and the app that decides writes one, in its transaction::

    outbox.enqueue(kind="carrier.label", destination="carrier:colissimo",
                   ordering_key=f"order:{order.pk}", subject=f"order:{order.pk}", payload={...})

Any other exception from a sender is retried like RetryLater, then parked. Outcomes are
told through the signals `outbox_message_sent` and `outbox_message_failed` (a dead letter).
"""

from oms.outbox.actions import discard_dead, enqueue, mark_done, retry_dead
from oms.outbox.errors import RetryLater, Undeliverable
from oms.outbox.models import OutboxMessage
from oms.outbox.registry import OutboxKind, declare, declared_kinds, kind_named
from oms.outbox.selectors import destinations, messages, messages_about
from oms.outbox.sending import MAX_ATTEMPTS, claim, drain, send
from oms.outbox.signals import outbox_message_failed, outbox_message_sent

__all__ = [
    "MAX_ATTEMPTS",
    "OutboxKind",
    "OutboxMessage",
    "RetryLater",
    "Undeliverable",
    "claim",
    "declare",
    "declared_kinds",
    "destinations",
    "discard_dead",
    "drain",
    "enqueue",
    "kind_named",
    "mark_done",
    "messages",
    "messages_about",
    "outbox_message_failed",
    "outbox_message_sent",
    "retry_dead",
    "send",
]
