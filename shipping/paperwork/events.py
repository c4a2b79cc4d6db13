"""The order timeline's paperwork and packing events (declared here, above orders; see orders/events.py)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orders.events import declare

PICK_LIST_PRINTED = declare(
    "pick_list_printed",
    label=_("Pick list printed"),
    template=_("On pick list %(pick_list)s."),
)
PACKING_SLIP_PRINTED = declare(
    "packing_slip_printed",
    label=_("Packing slip printed"),
    template=_("Packing slip printed (%(language)s)."),
    formats={"language": lambda code: str(dict(settings.LANGUAGES).get(code, code))},
)
LABEL_PRINTED = declare(
    "label_printed",
    label=_("Label printed"),
    template=_("Label of shipment %(shipment)s printed (%(format)s)."),
)
SHIPMENT_PACKED = declare(
    "shipment_packed",
    label=_("Packed"),
    template=_("Shipment %(shipment)s packed at the station: %(units)s unit(s) checked by scan."),
)
