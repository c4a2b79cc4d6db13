"""The KPIs' periodic task: thin, idempotent, safe to run twice (one at a time by a database lock)."""

from celery import shared_task

from kpis import actions


@shared_task(name="kpis.refresh")
def refresh_kpis() -> dict:
    """Recount what changed since the last refresh, then standings and alerts (`kpis.actions.refresh_kpis`)."""
    return actions.refresh_kpis()
