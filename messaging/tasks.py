"""Celery tasks of the messaging app: thin, idempotent, safe to run twice."""

from celery import shared_task

from messaging import delay_rules, mail, polling, solicitations


@shared_task(name="messaging.dispatch_thread_polls", ignore_result=True)
def dispatch_thread_polls() -> int:
    """Beat's tick: queue a thread poll for every due account."""
    account_ids = polling.due_accounts()
    for account_id in account_ids:
        poll_threads.delay(account_id)
    return len(account_ids)


@shared_task(name="messaging.poll_threads", ignore_result=True)
def poll_threads(account_id: int) -> dict:
    """Calls polling.poll_threads; a second copy finds the lease taken and does nothing."""
    report = polling.poll_threads(account_id=account_id)
    return {
        "claimed": report.claimed,
        "pages": report.pages,
        "new_messages": report.new_messages,
        "error": report.error,
    }


@shared_task(name="messaging.import_mail", ignore_result=True)
def import_mail() -> int:
    """Beat's tick: relayed buyer mail (Amazon) from the Maildir into threads."""
    return mail.import_maildir()


@shared_task(name="messaging.send_delay_notices", ignore_result=True)
def send_delay_notices() -> int:
    """Beat's tick: orders at risk of shipping late, through the delay rules, then their accounts' setting."""
    return delay_rules.send_automatic()


@shared_task(name="messaging.request_reviews", ignore_result=True)
def request_reviews() -> int:
    """Beat's tick: Amazon review requests of delivered orders now due, on accounts that ask for them."""
    return solicitations.send_automatic()
