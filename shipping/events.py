"""The order timeline's shipping events (declared here, above orders; see orders/events.py)."""

from django.utils.translation import gettext_lazy as _

from orders.events import declare
from shipping.models import Shipment

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
SHIPMENT_SHIPPED = declare(
    "shipment_shipped",
    label=_("Shipment left"),
    template=_("Shipment %(shipment)s left with %(carrier)s: %(units)s unit(s), tracking %(tracking_numbers)s."),
)
MARKETPLACE_TOLD_AT_THE_END = declare(
    "ship_push_waits",
    label=_("Marketplace told when the order is complete"),
    template=_("%(platform)s takes whole orders only: it will be told when the last unit ships."),
)


def _not_told_reason(value: str) -> str:
    reasons = {
        "one_tracking_number": _("it takes one tracking number per order"),
        "one_per_shipment": _("it takes one tracking number per shipment (unverified)"),
        "contents_unknown": _(
            "it takes one package per parcel with the lines it holds, and what each parcel holds was not given"
        ),
    }
    return str(reasons.get(value, value))


PARCELS_NOT_TOLD = declare(
    "parcels_not_told",
    label=_("Parcels not told to the marketplace"),
    template=_("%(platform)s is told tracking %(told)s only: %(reason)s. Not told: %(not_told)s."),
    formats={"reason": _not_told_reason},
)


def _shipment_status(value: str) -> str:
    return str(Shipment.Status(value).label) if value in Shipment.Status.values else value


SHIPMENT_TRACKED = declare(
    "shipment_tracked",
    label=_("Carrier tracking"),
    template=_("Shipment %(shipment)s is now “%(shipment_status)s” at %(carrier)s: %(description)s"),
    formats={"shipment_status": _shipment_status},
)
SHIPMENT_DELIVERED = declare(
    "shipment_delivered",
    label=_("Shipment delivered"),
    template=_("%(carrier)s delivered shipment %(shipment)s."),
)
