"""The KPIs' periodic task: thin, idempotent, safe to run twice (one at a time by a database lock)."""

import logging

from celery import shared_task

from kpis import actions, reported
from marketplaces.connectors.errors import MarketplaceError
from marketplaces.models import MarketplaceAccount

logger = logging.getLogger(__name__)


@shared_task(name="kpis.refresh")
def refresh_kpis() -> dict:
    """Recount what changed since the last refresh, then standings and alerts (`kpis.actions.refresh_kpis`)."""
    return actions.refresh_kpis()


@shared_task(name="kpis.read_platform_figures")
def read_platform_figures() -> int:
    """Each enabled account's own figures from its platform, once a day (`kpis.actions.read_platform_figures`)."""
    written = 0
    accounts = MarketplaceAccount.objects.filter(enabled=True, platform__in=reported.READABLE).order_by("pk")
    for account_id in accounts.values_list("pk", flat=True):
        try:
            written += actions.read_platform_figures(account_id=account_id)
        except MarketplaceError as error:
            logger.warning("KPI figures of account %s not read: %s", account_id, error)
    return written
