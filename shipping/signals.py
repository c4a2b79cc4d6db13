"""What shipping tells the apps above it (webhooks), sent in the transaction of the change."""

from django.dispatch import Signal

# shipment: the Shipment just created (with its lines and parcels).
shipment_created = Signal()
# shipment: the Shipment the carrier just delivered.
shipment_delivered = Signal()
