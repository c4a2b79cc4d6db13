"""Celery tasks of the marketplaces app: thin, idempotent, safe to run twice."""

from celery import shared_task

from marketplaces import polling


@shared_task(name="marketplaces.dispatch_polls", ignore_result=True)
def dispatch_polls() -> int:
    """Beat's tick: queue a poll for every due account (polling.due_accounts)."""
    account_ids = polling.due_accounts()
    for account_id in account_ids:
        poll_account.delay(account_id)
    return len(account_ids)


@shared_task(name="marketplaces.poll_account", ignore_result=True)
def poll_account(account_id: int) -> dict:
    """Calls polling.poll_account; a second copy finds the lease taken and does nothing."""
    report = polling.poll_account(account_id=account_id)
    return {"claimed": report.claimed, "pages": report.pages, "error": report.error}
