"""Celery tasks of the order queue (bulk jobs): thin, idempotent, safe to run twice.

Their names keep the `orders.` prefix they were queued under (beat and queued messages use it).
"""

from celery import shared_task

from order_queue import bulk


@shared_task(name="orders.run_bulk_job", ignore_result=True)
def run_bulk_job(job_id: int) -> dict:
    """Calls bulk.run_job: works through what is still pending of one bulk job."""
    job = bulk.run_job(job_id=job_id)
    return {"job": job.pk, "succeeded": job.succeeded, "failed": job.failed}


@shared_task(name="orders.resume_bulk_jobs", ignore_result=True)
def resume_bulk_jobs() -> int:
    """Beat's tick: queue again the bulk jobs whose task was lost (bulk.stalled_job_ids)."""
    job_ids = bulk.stalled_job_ids()
    for job_id in job_ids:
        run_bulk_job.delay(job_id)
    return len(job_ids)
