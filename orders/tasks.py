"""Celery tasks of the orders app: thin, idempotent, safe to run twice."""

from celery import shared_task

from orders import bulk


@shared_task(name="orders.run_bulk_job", ignore_result=True)
def run_bulk_job(job_id: int) -> dict:
    """Calls bulk.run_job: works through what is still pending of one bulk job."""
    job = bulk.run_job(job_id=job_id)
    return {"job": job.pk, "succeeded": job.succeeded, "failed": job.failed}
