"""The order timeline's return and refund events (declared here, above orders; see orders/events.py).

Every return event carries `return` (its number), so the return's own page shows the same lines.
A refund decided here is written with `orders.events.REFUNDED`.
"""

from django.utils.translation import gettext_lazy as _

from orders.events import declare, declare_reasons
from returns.models import ReturnReason

RETURN_REQUESTED = declare(
    "return_requested",
    label=_("Return requested"),
    template=_("Return %(return)s requested: %(units)s unit(s)."),
)
RETURN_REQUESTED_LATE = declare(
    "return_requested_late",
    label=_("Return requested after the window"),
    template=_("Return %(return)s requested %(days)s day(s) after delivery, past the %(window)s-day window: decide."),
)
RETURN_AUTHORISED = declare(
    "return_authorised", label=_("Return authorised"), template=_("Return %(return)s authorised.")
)
RETURN_REFUSED = declare("return_refused", label=_("Return refused"), template=_("Return %(return)s refused."))
RETURN_LABEL_SENT = declare(
    "return_label_sent",
    label=_("Return label sent"),
    template=_("Return label for %(return)s sent: %(carrier)s %(tracking_number)s."),
)
RETURN_IN_TRANSIT = declare(
    "return_in_transit", label=_("Return in transit"), template=_("The parcel of return %(return)s is on its way.")
)
RETURN_RECEIVED = declare(
    "return_received",
    label=_("Return received"),
    template=_("Return %(return)s received at the warehouse: %(units)s unit(s)."),
)
RETURN_INSPECTED = declare(
    "return_inspected",
    label=_("Return inspected"),
    template=_("Return %(return)s inspected: %(sellable)s unit(s) back in stock, %(written_off)s written off."),
)
RETURN_CLOSED = declare("return_closed", label=_("Return closed"), template=_("Return %(return)s closed."))
INCIDENT_OPENED = declare(
    "incident_opened",
    label=_("Incident opened"),
    template=_("The buyer opened incident %(return)s on the marketplace: %(reason)s."),
)
INCIDENT_RESOLVED = declare(
    "incident_resolved",
    label=_("Incident resolved"),
    template=_("Resolved incident %(return)s (%(reason)s): %(refunded)s refunded."),
    money=("refunded",),
)
INCIDENT_CLOSED_ON_PLATFORM = declare(
    "incident_closed_on_platform",
    label=_("Incident closed on the marketplace"),
    template=_("The marketplace closed incident %(return)s without a resolution from us."),
)
RETURN_ARRIVED = declare(
    "return_arrived",
    label=_("Return parcel arrived"),
    template=_("The carrier delivered the parcel of return %(return)s to the warehouse: scan it to receive it."),
)

# Refunds and incidents of a return carry its reason code.
declare_reasons(ReturnReason.choices)
