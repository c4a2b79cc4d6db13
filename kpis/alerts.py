"""Alerts fired once per crossing: a target that moves up the ladder OK → warning → projected
breach → breach opens an alert (closing a milder open one); staying there, or easing without
reaching OK, fires nothing; back to OK closes it. Each alert opened is e-mailed to the admins
(through the outbox) and sent as the `kpi.alert` webhook event (`kpis.signals.alert_fired`).
"""

from __future__ import annotations

import datetime as dt

from kpis import signals
from kpis.models import SEVERITY, Alert, Standing
from oms import outbox

EMAIL_KIND = "kpi.alert_email"  # declared in kpis/outbox_kinds.py


def follow(*, standings: list[Standing], now: dt.datetime) -> list[Alert]:
    """Open, close or keep the alert of each standing; returns the alerts opened."""
    open_alerts = {
        (alert.account_id, alert.target): alert
        for alert in Alert.objects.select_for_update().filter(closed_at__isnull=True)
    }
    opened = []
    for standing in standings:
        current = open_alerts.get((standing.account_id, standing.target))
        severity = SEVERITY[standing.status]
        if current is not None and (severity == 0 or severity > SEVERITY[current.status]):
            current.closed_at = now
            current.save(update_fields=["closed_at"])
        if severity == 0 or (current is not None and severity <= SEVERITY[current.status]):
            continue
        alert = Alert.objects.create(
            account_id=standing.account_id,
            target=standing.target,
            metric=standing.metric,
            status=standing.status,
            window_days=standing.window_days,
            threshold=standing.threshold,
            value=standing.value,
            projected_value=standing.projected_value,
            at_stake=standing.at_stake,
            at_stake_until=standing.at_stake_until,
            opened_at=now,
        )
        opened.append(alert)
        outbox.enqueue(
            kind=EMAIL_KIND, destination="email:admins", payload={"alert": alert.pk}, subject=f"kpi_alert:{alert.pk}"
        )
        signals.alert_fired.send(sender=Alert, alert=alert)
    return opened
