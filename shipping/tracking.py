"""Carrier tracking, polled in workers: each carrier account by one worker at a time, within limits.

Beat ticks `shipping.dispatch_tracking`; every enabled account with parcels on their way and
whose last poll is older than `OMS_TRACKING_INTERVAL` seconds is claimed with a lease (a
conditional UPDATE: one winner, free again when a worker dies), then at most
`OMS_TRACKING_BATCH` of its parcels are asked about, those asked least recently first. An
outage (5xx, 429, timeout) ends the poll early: the next one goes on where it stopped. What
the carrier says about the batch is applied at once by `shipping.actions.record_tracking_batch`
(near-constant queries per batch).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from shipping import actions
from shipping.carriers import CarrierRefused, CarrierUnavailable
from shipping.clients import CONNECTORS, connector_for_account
from shipping.models import TRACKED, CarrierAccount, Parcel, Shipment

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
# Labelled or packed shipments are asked about too: the carrier's first scan means they left.
FOLLOWED = frozenset({*TRACKED, Shipment.Status.LABELLED, Shipment.Status.PACKED})


@dataclass
class TrackingReport:
    claimed: bool = False
    asked: int = 0
    moved: int = 0
    error: str = ""


def interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OMS_TRACKING_INTERVAL)


def parcels_to_follow(account_id: int):
    return Parcel.objects.filter(shipment__carrier_account_id=account_id, shipment__status__in=FOLLOWED).exclude(
        tracking_number=""
    )


def due_accounts(now: dt.datetime | None = None) -> list[int]:
    """Enabled accounts with parcels on their way, not polled for an interval and not being polled."""
    now = now or timezone.now()
    return list(
        CarrierAccount.objects.filter(enabled=True, carrier__code__in=list(CONNECTORS))
        .filter(Q(tracking_polled_at__isnull=True) | Q(tracking_polled_at__lte=now - interval()))
        .filter(Q(tracking_lease_until__isnull=True) | Q(tracking_lease_until__lt=now))
        .filter(shipments__status__in=FOLLOWED)
        .distinct()
        .order_by(F("tracking_polled_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def claim(account_id: int, now: dt.datetime) -> dt.datetime | None:
    """The lease's end (this worker's token) when this worker won the account, else None."""
    until = now + LEASE
    won = (
        CarrierAccount.objects.filter(pk=account_id, enabled=True)
        .filter(Q(tracking_lease_until__isnull=True) | Q(tracking_lease_until__lt=now))
        .update(tracking_lease_until=until)
    )
    return until if won else None


def poll_account(*, account_id: int) -> TrackingReport:
    """Ask the carrier about up to OMS_TRACKING_BATCH parcels of the account; a second worker finds the lease taken."""
    report = TrackingReport()
    started = timezone.now()
    lease = claim(account_id, started)
    if lease is None:
        return report
    report.claimed = True
    try:
        account = CarrierAccount.objects.select_related("carrier").get(pk=account_id)
        connector = connector_for_account(account)
        parcels = parcels_to_follow(account_id).order_by(F("tracking_checked_at").asc(nulls_first=True), "pk")
        answers: list[actions.ParcelTracking] = []
        try:
            for parcel_id, number in parcels.values_list("pk", "tracking_number")[: settings.OMS_TRACKING_BATCH]:
                if timezone.now() >= lease:
                    break  # slower than the lease: another worker may have the account now
                try:
                    seen = connector.track(number)
                except CarrierRefused as error:  # unknown to the carrier (yet): asked again next time
                    seen = []
                    logger.info("tracking %s refused by %s: %s", number, account, error)
                report.asked += 1
                answers.append(actions.ParcelTracking(parcel_id, seen, timezone.now()))
        finally:
            # What was heard before an outage counts: applied in one transaction, in near-constant queries.
            if answers:
                moves = actions.record_tracking_batch(answers)
                report.moved = sum(before != after for before, after in moves.values())
    except CarrierUnavailable as error:
        report.error = str(error)
        logger.warning("tracking poll of carrier account %s stopped: %s", account_id, error)
    finally:
        CarrierAccount.objects.filter(pk=account_id, tracking_lease_until=lease).update(
            tracking_lease_until=None, tracking_polled_at=started
        )
    return report
