"""Outcomes of outbox messages, for the apps that care (sent outside any transaction, after the outcome is stored).

- `outbox_message_sent(sender=OutboxMessage, message)`
- `outbox_message_failed(sender=OutboxMessage, message, error)`: it became a dead letter.

Receivers filter on `message.kind` or `message.subject`; an exception in one is logged,
never undoes the outcome.
"""

from django.dispatch import Signal

outbox_message_sent = Signal()
outbox_message_failed = Signal()
