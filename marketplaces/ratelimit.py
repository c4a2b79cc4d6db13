"""One token bucket per platform limit, shared by every worker through Redis.

`RedisRateLimiter.acquire(bucket, rate, burst)` takes one token or says how long
to wait for it; the check-and-take is one Lua script, so concurrent workers on
any machine never exceed the platform's rate together.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings

# KEYS[1] bucket; ARGV: rate (tokens/s), burst, now (s), cost. Returns wait in ms (0 = taken).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 60000)
return wait
"""


class Throttled(Exception):
    """No token within the wait allowed: try again after `retry_after` seconds."""

    def __init__(self, *, bucket: str, retry_after: float):
        super().__init__(f"{bucket}: retry after {retry_after:.1f}s")
        self.bucket = bucket
        self.retry_after = retry_after


_client = None


def redis_client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


class RedisRateLimiter:
    """Acquire before each platform call; waits up to `max_wait` seconds, else raises Throttled."""

    def __init__(self, *, prefix: str = "", max_wait: float = 5.0, client: redis.Redis | None = None):
        self.prefix = prefix or f"{settings.CACHES['default']['KEY_PREFIX']}:ratelimit"
        self.max_wait = max_wait
        self.client = client or redis_client()
        self._take = self.client.register_script(_TAKE)

    def try_acquire(self, bucket: str, *, rate: float, burst: int, cost: int = 1) -> float:
        """Take `cost` tokens now if possible; return 0, or the seconds to wait (nothing taken)."""
        # Redis' own clock, so that machines with skewed clocks share one timeline.
        seconds, micros = self.client.time()
        wait_ms = self._take(keys=[f"{self.prefix}:{bucket}"], args=[rate, burst, seconds + micros / 1e6, cost])
        return int(wait_ms) / 1000.0

    def acquire(self, bucket: str, *, rate: float, burst: int) -> None:
        deadline = time.monotonic() + self.max_wait
        while True:
            wait = self.try_acquire(bucket, rate=rate, burst=burst)
            if wait == 0:
                return
            if time.monotonic() + wait > deadline:
                raise Throttled(bucket=bucket, retry_after=wait)
            time.sleep(wait)
