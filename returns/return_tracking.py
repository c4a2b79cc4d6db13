"""Return parcels followed through their carrier's tracking: a return whose label the carrier printed
(`carrier_account`, its tracking number) is asked about while it is "label sent" or "in transit".

The first carrier event past the label moves the return to "in transit"; a "delivered" event flags its
arrival at the warehouse (`arrived_at`, an event on the timeline: scan it to receive). Carrier tracking is
read through shipping's connectors (`shipping.clients`), the same calls as the shipments' tracking polls
(`shipping/tracking.py`), which this module leaves alone. Run with the returns poll (`returns.poll_returns`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from orders.actions import Actor
from returns import actions
from returns.models import ReturnRequest, ReturnStatus
from shipping.carriers import CarrierRefused, CarrierUnavailable
from shipping.clients import connector_for_account

logger = logging.getLogger(__name__)

FOLLOWED = (ReturnStatus.LABEL_SENT, ReturnStatus.IN_TRANSIT)


def returns_to_follow():
    return (
        ReturnRequest.objects.filter(status__in=FOLLOWED, arrived_at__isnull=True, carrier_account__isnull=False)
        .exclude(tracking_number="")
        .order_by(F("updated_at").asc(), "pk")
    )


def poll_return_parcels(*, limit: int | None = None) -> int:
    """Ask the carriers about the return parcels on their way; returns how many returns changed.
    A carrier's outage stops its parcels for this round (the next poll goes on)."""
    limit = limit or settings.OMS_TRACKING_BATCH
    changed, unavailable = 0, set()
    rows = returns_to_follow().select_related("carrier_account__carrier").defer("label_content")[:limit]
    connectors = {}
    for found in rows:
        account = found.carrier_account
        if account.pk in unavailable or not account.enabled:
            continue
        try:
            connector = connectors.get(account.pk) or connectors.setdefault(account.pk, connector_for_account(account))
            seen = connector.track(found.tracking_number)
        except CarrierRefused as error:  # not scanned yet: asked again next time
            logger.info("return parcel %s unknown to %s: %s", found.tracking_number, account, error)
            continue
        except CarrierUnavailable as error:
            unavailable.add(account.pk)
            logger.warning("tracking of return parcels at %s stopped: %s", account, error)
            continue
        changed += actions.record_return_tracking(
            return_id=found.pk, events_seen=seen, actor=Actor.system(account.carrier.name), checked_at=timezone.now()
        )
    return changed
