from celery import shared_task

from oms import heartbeat
from oms.outbox import sending


@shared_task(name=heartbeat.HEARTBEAT_TASK, ignore_result=True)
def record_worker_heartbeat() -> None:
    """Marks the worker alive; beat schedules it (see CELERY_BEAT_SCHEDULE)."""
    heartbeat.mark(heartbeat.WORKER_KEY)


@shared_task(name="oms.drain_outbox", ignore_result=True)
def drain_outbox() -> dict:
    """Calls outbox.drain: sends every kind of message that is due."""
    return sending.drain()
