"""Polling: each due account is polled by exactly one worker at a time.

A poll claims the account with a lease (a conditional UPDATE: one winner), reads
the changed orders page by page from the stored cursor minus an overlap, stores
each page in one transaction (each order in its own savepoint, new ones in bulk),
quarantines what cannot be stored, and only when every page is stored moves the
cursor forward. After each stored page it
records where it is (`resume_*`): a poll stopped by the platform's quota, an
error or its page budget goes on from there next time instead of starting over
(at peak, Mirakl's one OR11 call a minute would otherwise never get past page
one). A worker killed mid-page leaves cursor and resume point where they were:
the lease expires and the next poll reads that page again, which changes
nothing already stored.

The lease is short and renewed at each page: a dead worker's account is free
again within `LEASE` of its last stored page. Each page's transaction renews it
first, so the account row is the first row it locks (orders/locks.py); a worker
that finds its lease gone (a call slower than the lease) stops without storing.
A failed poll is due again after its backoff, whatever the account's interval.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from marketplaces.clients import connector_for_account
from marketplaces.connectors.errors import InvalidRequest, MarketplaceError, RejectedByMarketplace
from marketplaces.models import MarketplaceAccount, QuarantinedOrder
from marketplaces.ratelimit import Throttled
from oms.backoff import backoff_seconds
from oms.errors import DomainError
from orders.actions import ingest_orders
from orders.platforms import CAPABILITIES

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
FIRST_POLL_LOOKBACK = dt.timedelta(days=30)
MAX_BACKOFF = dt.timedelta(minutes=30)
MAX_PAGES_PER_POLL = 50  # then the poll hands over to the next one, due at once


@dataclass
class PollReport:
    account_id: int
    claimed: bool
    pages: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    error: str = ""


def interval_for(account: MarketplaceAccount) -> dt.timedelta:
    """The account's interval, never shorter than its platform allows."""
    return max(dt.timedelta(seconds=account.poll_interval_seconds), CAPABILITIES[account.platform].min_poll_interval)


def due_accounts(now: dt.datetime | None = None) -> list[int]:
    """Mark due accounts as dispatched (a conditional UPDATE) and return their ids.

    Two dispatchers running at once never both dispatch an account: the row
    update moves `next_poll_at` forward, so the second one finds it not due.
    """
    now = now or timezone.now()
    dispatched = []
    due = MarketplaceAccount.objects.filter(enabled=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )
    for account in due.only("id", "platform", "poll_interval_seconds", "next_poll_at"):
        claimed = MarketplaceAccount.objects.filter(pk=account.pk, next_poll_at=account.next_poll_at).update(
            next_poll_at=now + interval_for(account)
        )
        if claimed:
            dispatched.append(account.pk)
    return dispatched


def claim(account_id: int, owner: str, now: dt.datetime) -> bool:
    return bool(
        MarketplaceAccount.objects.filter(pk=account_id, enabled=True)
        .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
        .update(poll_lease_owner=owner, poll_lease_until=now + LEASE, last_poll_started_at=now)
    )


def _renew(account, owner: str) -> None:
    """Extend this worker's lease (locking the account row until commit); raise if it was lost."""
    renewed = MarketplaceAccount.objects.filter(pk=account.pk, poll_lease_owner=owner).update(
        poll_lease_until=timezone.now() + LEASE
    )
    if not renewed:
        raise MarketplaceError("poll lease lost to another worker", platform=account.platform)


def quarantine(*, account: MarketplaceAccount, marketplace_order_id: str, reason: str, raw) -> None:
    """Keep a payload we could not store; the same open problem is counted, not duplicated."""
    raw_json, raw_text = (raw, "") if isinstance(raw, (dict, list)) else (None, str(raw)[:100_000])
    updated = QuarantinedOrder.objects.filter(
        account=account, marketplace_order_id=marketplace_order_id, reason=reason[:2000], resolved=False
    ).update(occurrences=F("occurrences") + 1, raw=raw_json, raw_text=raw_text, last_seen_at=timezone.now())
    if not updated:
        try:
            with transaction.atomic():
                QuarantinedOrder.objects.create(
                    account=account,
                    marketplace_order_id=marketplace_order_id,
                    reason=reason[:2000],
                    raw=raw_json,
                    raw_text=raw_text,
                )
        except IntegrityError:
            pass  # another poll quarantined it at the same moment
    logger.warning("quarantined %s order %s: %s", account.platform, marketplace_order_id, reason)


def poll_account(*, account_id: int) -> PollReport:
    """Poll one account if no other worker is; see the module docstring for the contract."""
    owner, started = uuid.uuid4().hex, timezone.now()
    report = PollReport(account_id=account_id, claimed=claim(account_id, owner, started))
    if not report.claimed:
        return report
    account = MarketplaceAccount.objects.get(pk=account_id)
    try:
        finished = _read_pages(account=account, owner=owner, started=started, report=report)
    except (RejectedByMarketplace, InvalidRequest) as error:
        # A stale resume point (an expired page token...) is dropped: the next poll starts over.
        _finish(account, owner, error=error, forget_resume=True)
        report.error = str(error)
        return report
    except (MarketplaceError, Throttled) as error:
        _finish(account, owner, error=error)
        report.error = str(error)
        return report
    except Exception as error:
        _finish(account, owner, error=error)
        raise
    _finish(account, owner, finished=finished, started=started)
    return report


def _read_pages(*, account, owner, started, report) -> bool:
    """Ingest pages from the resume point or the cursor; True when the last page was read."""
    connector = connector_for_account(account)
    if account.resume_page_token:
        since, page_token = account.resume_since, account.resume_page_token
        watermark = max(filter(None, [account.cursor, account.resume_watermark]), default=None)
    else:
        # Read again what changed shortly before the cursor: platforms publish late.
        since = (account.cursor or started - FIRST_POLL_LOOKBACK) - CAPABILITIES[account.platform].poll_overlap
        page_token, watermark = None, account.cursor
    while report.pages < MAX_PAGES_PER_POLL:
        page = connector.list_changed_orders(since=since, page_token=page_token)  # HTTP: no transaction open
        report.pages += 1
        if page.high_watermark and (watermark is None or page.high_watermark > watermark):
            watermark = page.high_watermark
        page_token = page.next_page_token
        progress = {"resume_since": since, "resume_page_token": page_token or "", "resume_watermark": watermark}
        if not page_token:
            # A platform clock ahead of ours must not push the cursor into our future.
            progress["cursor"] = min(watermark, started) if watermark else account.cursor
            progress.update(resume_since=None, resume_watermark=None)
        # One transaction per page: its orders (each in a savepoint, so one bad order
        # is quarantined alone) and the progress marker commit together, with one flush
        # to disk instead of one per order.
        with transaction.atomic():
            _renew(account, owner)
            _ingest_page(account=account, page=page, report=report)
            MarketplaceAccount.objects.filter(pk=account.pk, poll_lease_owner=owner).update(**progress)
        if not page_token:
            return True
    return False


def _ingest_page(*, account, page, report) -> None:
    for data, result in zip(page.orders, ingest_orders(account=account, orders=page.orders), strict=True):
        if isinstance(result, Exception):
            # This order is not stored; the others of the page still are.
            reason = result.message if isinstance(result, DomainError) else f"cannot be stored: {result}"
            quarantine(account=account, marketplace_order_id=data.marketplace_order_id, reason=reason, raw=data.raw)
            report.quarantined += 1
        else:
            report.outcomes[result.outcome.value] = report.outcomes.get(result.outcome.value, 0) + 1
    for rejected in page.rejected:
        quarantine(
            account=account,
            marketplace_order_id=rejected.marketplace_order_id,
            reason=rejected.reason,
            raw=rejected.raw,
        )
        report.quarantined += 1


def _finish(account, owner, *, finished=False, started=None, error=None, forget_resume=False) -> None:
    now = timezone.now()
    fields = {"poll_lease_owner": "", "poll_lease_until": None}
    if error is None:
        fields.update(last_poll_succeeded_at=now, last_poll_error="", consecutive_failures=0)
        if not finished:  # the page budget ran out: the rest is due at once
            fields["next_poll_at"] = now
    else:
        failures = account.consecutive_failures + 1
        retry_after = getattr(error, "retry_after", None)
        backoff = dt.timedelta(
            seconds=backoff_seconds(failures, base=60, cap=MAX_BACKOFF.total_seconds(), retry_after=retry_after or None)
        )
        fields.update(
            last_poll_error=f"{error.__class__.__name__}: {error}"[:2000],
            consecutive_failures=failures,
            next_poll_at=now + backoff,
        )
        if forget_resume:
            fields.update(resume_since=None, resume_page_token="", resume_watermark=None)
        logger.warning("poll of %s failed (%s in a row): %s", account, failures, error)
    MarketplaceAccount.objects.filter(pk=account.pk, poll_lease_owner=owner).update(**fields)
