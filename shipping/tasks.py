"""Celery tasks of the shipping app: thin, idempotent, safe to run twice."""

from celery import shared_task

from shipping import tracking


@shared_task(name="shipping.dispatch_tracking", ignore_result=True)
def dispatch_tracking() -> int:
    """Beat's tick: queue a tracking poll for every due carrier account (tracking.due_accounts)."""
    account_ids = tracking.due_accounts()
    for account_id in account_ids:
        poll_tracking.delay(account_id)
    return len(account_ids)


@shared_task(name="shipping.poll_tracking", ignore_result=True)
def poll_tracking(account_id: int) -> dict:
    """Calls tracking.poll_account; a second copy finds the lease taken and does nothing."""
    report = tracking.poll_account(account_id=account_id)
    return {"claimed": report.claimed, "asked": report.asked, "moved": report.moved, "error": report.error}
