"""How long to wait before trying again: one formula for the whole project.

Exponential (`base`, doubled after each failure) up to `cap`; a `Retry-After` the other
side gave wins over the formula. `jitter` spreads many waiters over the second half of
the delay, so a burst of failures (an outage ending) does not retry in one burst again.
"""

from __future__ import annotations

import random


def backoff_seconds(
    failures: int, *, base: float, cap: float | None = None, retry_after: float | None = None, jitter: bool = False
) -> float:
    """Seconds to wait after the `failures`-th failure in a row (1 for the first): base, 2×base, 4×base…"""
    if retry_after is not None:
        return max(retry_after, 0.0)
    delay = base * 2 ** max(failures - 1, 0)
    if cap is not None:
        delay = min(delay, cap)
    if jitter:
        delay = delay / 2 + random.uniform(0, delay / 2)
    return delay
