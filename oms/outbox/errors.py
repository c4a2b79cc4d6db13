"""What a kind's `send` raises to tell the outbox how the attempt ended (returning means sent)."""

from __future__ import annotations


class RetryLater(Exception):
    """Not sent this time (throttled, 5xx, timeout, not ready): try again after a backoff or `retry_after`."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Undeliverable(Exception):
    """Refused for good (sending it again changes nothing): parked as a dead letter for a person."""
