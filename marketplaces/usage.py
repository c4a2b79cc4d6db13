"""Calls made to each marketplace, per account and operation, against the platform's limits.

Every call a connector makes passes through `CallGate.before_call(operation)`:
it waits for a token of the platform's shared bucket (RedisRateLimiter) and
counts the call per minute and per day in Redis, so the account page can show
calls used against the limit.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from marketplaces.connectors import CONNECTORS
from marketplaces.operations import operation_label
from marketplaces.ratelimit import RedisRateLimiter, redis_client

# Share of the published rate we allow ourselves. Amazon advises planning on about 80 %;
# Mirakl's "at most once a minute" is a rule we meet exactly (polls are a minute apart).
SAFETY_MARGIN = {"amazon": 0.8}
PER_OPERATION = "per_operation"
MINUTE_TTL = 2 * 3600
DAY_TTL = 3 * 86400


def _minute_key(account_id: int, moment: dt.datetime) -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:usage:{account_id}:m:{moment:%Y%m%d%H%M}"


def _day_key(account_id: int, moment: dt.datetime) -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:usage:{account_id}:d:{moment:%Y%m%d}"


def record_call(account_id: int, operation: str, *, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.UTC)
    pipe = redis_client().pipeline(transaction=False)
    for key, ttl in ((_minute_key(account_id, now), MINUTE_TTL), (_day_key(account_id, now), DAY_TTL)):
        pipe.hincrby(key, operation, 1)
        pipe.expire(key, ttl)
    pipe.execute()


def calls(account_id: int, *, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """{operation: {"last_hour": n, "today": n}}."""
    now = now or dt.datetime.now(dt.UTC)
    pipe = redis_client().pipeline(transaction=False)
    for minutes_ago in range(60):
        pipe.hgetall(_minute_key(account_id, now - dt.timedelta(minutes=minutes_ago)))
    pipe.hgetall(_day_key(account_id, now))
    *minutes, today = pipe.execute()
    result: dict[str, dict[str, int]] = {}
    for bucket in minutes:
        for operation, count in bucket.items():
            row = result.setdefault(operation.decode(), {"last_hour": 0, "today": 0})
            row["last_hour"] += int(count)
    for operation, count in today.items():
        result.setdefault(operation.decode(), {"last_hour": 0, "today": 0})["today"] = int(count)
    return result


def calls_vs_limits(account) -> list[dict]:
    """Rows for the account page: operation, calls in the last hour and today, and the limits."""
    limits = CONNECTORS[account.platform].rate_limits
    used = calls(account.pk)
    rows = []
    for operation in sorted(set(used) | set(limits) - {PER_OPERATION}):
        rate, burst = limits.get(operation) or limits.get(PER_OPERATION) or (None, None)
        counts = used.get(operation, {"last_hour": 0, "today": 0})
        rows.append(
            {
                "operation": operation,
                "label": operation_label(operation),
                "last_hour": counts["last_hour"],
                "today": counts["today"],
                "hourly_limit": int(rate * 3600 + burst) if rate else None,
                "daily_limit": int(rate * 86400 + burst) if rate else None,
            }
        )
    return rows


class CallGate:
    """Before each call of one account: wait for the shared bucket, then count the call."""

    def __init__(self, *, account_id: int, platform: str, scope: str, limiter: RedisRateLimiter | None = None):
        self.account_id = account_id
        self.limits = CONNECTORS[platform].rate_limits
        self.margin = SAFETY_MARGIN.get(platform, 1.0)
        self.scope = scope  # whose quota: the seller (Amazon, Mirakl shop) or the app (eBay)
        self.limiter = limiter or RedisRateLimiter()

    def before_call(self, operation: str) -> None:
        limit = self._limit_for(operation)
        if limit is not None:
            bucket, (rate, burst) = limit
            rate *= self.margin * settings.OMS_RATE_LIMIT_SCALE
            self.limiter.acquire(f"{self.scope}:{bucket}", rate=rate, burst=burst)
        record_call(self.account_id, operation)

    def _limit_for(self, operation: str):
        """(bucket, (rate, burst)) for this operation, or None when the platform sets none."""
        if operation in self.limits:
            return operation, self.limits[operation]
        if PER_OPERATION in self.limits:  # one limit that every operation has on its own (Octopia)
            return operation, self.limits[PER_OPERATION]
        # A budget that every call spends (eBay's daily application quota).
        shared = [name for name in self.limits if name.startswith("daily_")]
        return (shared[0], self.limits[shared[0]]) if shared else None
