"""What the KPIs tell the layers above without importing them (webhooks send `kpi.alert` on it)."""

from django.dispatch import Signal

# Sent in the transaction that opens an alert: `alert` (a kpis.models.Alert).
alert_fired = Signal()
