"""Errors every connector raises, whatever the platform.

Callers (the outbox drainer, the poller) decide what to do from the class and
`retryable` alone; the platform's own error body stays on `body` for the
operator and the logs.

- `RateLimited`: 429; wait `retry_after` seconds (None: back off on your own).
- `AuthenticationFailed`: credentials or token refused even after one refresh.
- `TransientError`: 5xx, timeouts, connection errors, malformed JSON. Retry later;
  when `outcome_unknown` is true the request may have been applied (a write that
  timed out), so check the platform before sending it again.
- `RejectedByMarketplace`: a 4xx business refusal; sending it again changes nothing.
- `InvalidRequest`: refused before sending (bad tracking number, unknown carrier):
  the platform would reject it.
- `UnsupportedAction`: the platform has no such operation (accepting an Amazon order).
"""

from __future__ import annotations

from typing import Any


class MarketplaceError(Exception):
    """Base class: a call to a marketplace did not do what was asked."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        status: int | None = None,
        code: str = "",
        body: Any = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status = status
        self.code = code
        self.body = body
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        parts = [self.platform or "marketplace"]
        if self.status is not None:
            parts.append(str(self.status))
        if self.code:
            parts.append(self.code)
        return f"[{' '.join(parts)}] {self.message}"


class RateLimited(MarketplaceError):
    """429: the platform throttled this account or application."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuthenticationFailed(MarketplaceError):
    """401/403 after a token refresh, or the token endpoint refused the credentials."""


class TransientError(MarketplaceError):
    """Server error, timeout, connection failure or unreadable response: try again later."""

    retryable = True

    def __init__(self, message: str, *, outcome_unknown: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.outcome_unknown = outcome_unknown


class RejectedByMarketplace(MarketplaceError):
    """4xx business error: the platform understood the request and said no."""


class InvalidRequest(MarketplaceError):
    """Refused locally before any HTTP call, because the platform would reject it."""


class UnsupportedAction(MarketplaceError):
    """The platform has no such operation for sellers (see the connector's capability flags)."""


def error_for_status(
    status: int,
    message: str,
    *,
    platform: str,
    code: str = "",
    body: Any = None,
    retry_after: float | None = None,
) -> MarketplaceError:
    """Pick the error class for an HTTP status once the platform's body is parsed."""
    common = {"platform": platform, "status": status, "code": code, "body": body}
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **common)
    if status in (401, 403):
        return AuthenticationFailed(message, **common)
    if status >= 500:
        return TransientError(message, **common)
    return RejectedByMarketplace(message, **common)


def parse_retry_after(value: str | None) -> float | None:
    """Read a `Retry-After` header given in seconds; None when absent or not a number."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)
