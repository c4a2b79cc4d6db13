"""Access tokens: where they are kept and when they are refreshed.

A `TokenStore` is shared by every connector for the same account (the lead plugs
in one backed by Redis so all Celery workers reuse one token); the default keeps
tokens in this process. `CachedToken` returns a token that is still valid for at
least `refresh_margin`, fetching a new one through the platform's token call
otherwise, and `refresh()` forces a new one after a 401.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Protocol

# Refresh this long before the platform's `expires_in` runs out, so a request
# never starts with a token that dies in flight.
REFRESH_MARGIN = dt.timedelta(seconds=120)


class TokenStore(Protocol):
    """Where access tokens live between calls (per account key)."""

    def get(self, key: str) -> tuple[str, dt.datetime] | None:
        """Return (token, expires_at as aware UTC datetime) or None when nothing is stored."""

    def set(self, key: str, token: str, expires_at: dt.datetime) -> None:
        """Store a token until `expires_at` (aware UTC); overwrites any previous one."""


class InMemoryTokenStore:
    """Process-local `TokenStore`; thread-safe."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, dt.datetime]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[str, dt.datetime] | None:
        with self._lock:
            return self._tokens.get(key)

    def set(self, key: str, token: str, expires_at: dt.datetime) -> None:
        with self._lock:
            self._tokens[key] = (token, expires_at)


# Shared by every connector of this process that is given no store, so connectors
# built per task in one worker reuse their account's token.
PROCESS_TOKEN_STORE = InMemoryTokenStore()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# fetch() returns (access_token, expires_in seconds) from the platform's token endpoint.
TokenFetcher = Callable[[], tuple[str, float]]


class CachedToken:
    """A token for one account, read from the store and refreshed when needed."""

    def __init__(
        self,
        *,
        key: str,
        store: TokenStore,
        fetch: TokenFetcher,
        refresh_margin: dt.timedelta = REFRESH_MARGIN,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.key = key
        self.store = store
        self.fetch = fetch
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._lock = threading.Lock()

    def get(self) -> str:
        """Return a token valid for at least the refresh margin; fetch one if needed.

        Raises whatever `fetch` raises (AuthenticationFailed, TransientError...).
        """
        stored = self.store.get(self.key)
        if stored and self._still_fresh(stored[1]):
            return stored[0]
        with self._lock:
            # Another thread may have refreshed while we waited for the lock.
            stored = self.store.get(self.key)
            if stored and self._still_fresh(stored[1]):
                return stored[0]
            return self._fetch_and_store()

    def refresh(self, rejected_token: str | None = None) -> str:
        """Fetch a new token after the platform refused `rejected_token` (a 401).

        If the store already holds a different, fresh token (another worker
        refreshed in the meantime) that one is returned without a new fetch.
        """
        with self._lock:
            stored = self.store.get(self.key)
            if stored and stored[0] != rejected_token and self._still_fresh(stored[1]):
                return stored[0]
            return self._fetch_and_store()

    def _still_fresh(self, expires_at: dt.datetime) -> bool:
        return self.clock() + self.refresh_margin < expires_at

    def _fetch_and_store(self) -> str:
        token, expires_in = self.fetch()
        expires_at = self.clock() + dt.timedelta(seconds=float(expires_in))
        self.store.set(self.key, token, expires_at)
        return token
