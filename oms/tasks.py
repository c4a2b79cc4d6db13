from celery import shared_task

from oms import heartbeat


@shared_task(name=heartbeat.HEARTBEAT_TASK, ignore_result=True)
def record_worker_heartbeat() -> None:
    """Marks the worker alive; beat schedules it (see CELERY_BEAT_SCHEDULE)."""
    heartbeat.mark(heartbeat.WORKER_KEY)
