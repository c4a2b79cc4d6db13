"""Liveness of the Celery worker and beat, as seen by /healthz.

Beat publishes `oms.heartbeat` every few seconds: the publish itself marks beat
alive (a signal in the publishing process); the worker running it marks the
worker alive. Both are timestamps in Redis, so any web process can read them.
"""

import time

from celery.signals import before_task_publish
from django.core.cache import cache

HEARTBEAT_TASK = "oms.heartbeat"
WORKER_KEY = "heartbeat:worker"
BEAT_KEY = "heartbeat:beat"


def mark(key: str) -> None:
    cache.set(key, time.time(), timeout=3600)


def age_seconds(key: str) -> float | None:
    seen = cache.get(key)
    return None if seen is None else max(0.0, time.time() - float(seen))


def _on_publish(sender=None, **kwargs) -> None:
    if sender == HEARTBEAT_TASK:
        mark(BEAT_KEY)


def connect_beat_signal() -> None:
    before_task_publish.connect(_on_publish, weak=False, dispatch_uid="oms-beat-heartbeat")
