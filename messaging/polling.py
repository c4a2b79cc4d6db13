"""Reading each account's buyer threads: one worker per account at a time, within the platform's pace.

Like the order poll (marketplaces/polling.py), on the account's messaging row: a due account is
dispatched with a conditional UPDATE (one dispatcher wins), claimed with a lease, read page by page
from its cursor minus an overlap, each page stored in one transaction; the cursor moves only when
every page is stored, so a worker killed mid-poll loses nothing (the next poll reads the pages again,
which changes nothing already stored). A failed poll is due again after its backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from marketplaces.connectors.errors import MarketplaceError
from marketplaces.models import MarketplaceAccount
from marketplaces.ratelimit import Throttled
from messaging import actions, channels, policies
from messaging.models import AccountMessaging
from oms.backoff import backoff_seconds

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
MAX_PAGES_PER_POLL = 20


@dataclass
class PollReport:
    account_id: int
    claimed: bool
    pages: int = 0
    new_messages: int = 0
    error: str = ""


def _ensure_rows() -> None:
    missing = MarketplaceAccount.objects.filter(enabled=True, platform__in=policies.POLLED_PLATFORMS, messaging=None)
    AccountMessaging.objects.bulk_create(
        [AccountMessaging(account_id=pk) for pk in missing.values_list("pk", flat=True)], ignore_conflicts=True
    )


def due_accounts(now: dt.datetime | None = None) -> list[int]:
    """Mark due accounts as dispatched (a conditional UPDATE) and return their ids."""
    now = now or timezone.now()
    _ensure_rows()
    due = AccountMessaging.objects.filter(
        account__enabled=True, account__platform__in=policies.POLLED_PLATFORMS
    ).filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    dispatched = []
    for row in due.select_related("account").only("account_id", "next_poll_at", "account__platform"):
        interval = policies.THREAD_POLL_INTERVAL[row.account.platform]
        if AccountMessaging.objects.filter(pk=row.pk, next_poll_at=row.next_poll_at).update(
            next_poll_at=now + interval
        ):
            dispatched.append(row.account_id)
    return dispatched


def claim(account_id: int, now: dt.datetime) -> bool:
    return bool(
        AccountMessaging.objects.filter(pk=account_id)
        .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
        .update(poll_lease_until=now + LEASE)
    )


def poll_threads(*, account_id: int) -> PollReport:
    """Read the threads changed since the account's cursor and store them."""
    started = timezone.now()
    AccountMessaging.objects.get_or_create(account_id=account_id)
    if not claim(account_id, started):
        return PollReport(account_id, claimed=False)
    report = PollReport(account_id, claimed=True)
    row = AccountMessaging.objects.select_related("account").get(pk=account_id)
    account = row.account
    since = (row.threads_cursor or started - policies.FIRST_POLL_LOOKBACK) - policies.POLL_OVERLAP
    watermark = row.threads_cursor
    token = None
    try:
        for _page in range(MAX_PAGES_PER_POLL):
            page = channels.list_threads(account, since=since, page_token=token)
            stored = actions.ingest_threads(account=account, threads=page.threads)
            report.pages += 1
            report.new_messages += stored.new_messages
            for thread in page.threads:
                watermark = max(watermark or thread.updated_at, thread.updated_at)
            AccountMessaging.objects.filter(pk=account_id).update(poll_lease_until=timezone.now() + LEASE)
            token = page.next_page_token
            if not token:
                break
    except (MarketplaceError, Throttled) as error:
        report.error = f"{type(error).__name__}: {error}"
        retry_after = backoff_seconds(1, base=5, cap=600, retry_after=getattr(error, "retry_after", None), jitter=True)
        AccountMessaging.objects.filter(pk=account_id).update(
            poll_lease_until=None,
            last_poll_error=report.error[:2000],
            next_poll_at=timezone.now() + dt.timedelta(seconds=retry_after),
        )
        logger.warning("thread poll of account %s failed: %s", account_id, report.error)
        return report
    fields = {"poll_lease_until": None, "last_poll_error": ""}
    if not token:  # every page stored: the cursor may move
        fields["threads_cursor"] = watermark or started
    else:
        fields["next_poll_at"] = timezone.now()  # more pages: due again at once
    AccountMessaging.objects.filter(pk=account_id).update(**fields)
    try:  # the buyers' files, once their messages are stored: a failure here waits for the next poll
        channels.fetch_attachments(account)
    except (MarketplaceError, Throttled) as error:
        logger.warning("buyer files of account %s not downloaded: %s", account_id, error)
    return report
