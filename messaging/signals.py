"""What the messaging app tells the apps above it (webhooks, KPIs) without importing them."""

from django.dispatch import Signal

# Sent in the storing transaction with `message_ids`: buyer messages just stored.
messages_received = Signal()
