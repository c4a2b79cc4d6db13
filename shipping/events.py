"""The order timeline's shipping events (declared here, above orders; see orders/events.py)."""

from django.utils.translation import gettext_lazy as _

from orders.events import declare

SHIPMENT_CREATED = declare(
    "shipment_created",
    label=_("Shipment created"),
    template=_("Shipment %(shipment)s created: %(units)s unit(s), %(parcels)s parcel(s), %(service)s."),
)
LABEL_REQUESTED = declare(
    "label_requested",
    label=_("Label requested"),
    template=_("Label of shipment %(shipment)s requested from %(carrier)s."),
)
LABEL_CREATED = declare(
    "label_created",
    label=_("Label created"),
    template=_("%(carrier)s created the label of shipment %(shipment)s: %(tracking_numbers)s."),
)
LABEL_REFUSED = declare(
    "label_refused",
    label=_("Label refused"),
    template=_("%(carrier)s refused the label of shipment %(shipment)s: %(error)s"),
)
SHIPMENT_VOIDED = declare(
    "shipment_voided",
    label=_("Shipment voided"),
    template=_("Shipment %(shipment)s voided; its units can ship again."),
)
