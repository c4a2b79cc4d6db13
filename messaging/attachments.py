"""Files on messages: the order's packing slip an operator attaches to a reply, and the buyer's files.

A packing slip is offered where shipping made one (the order's slip was printed: its timeline says
`packing_slip_printed`) and the platform takes files with a reply (`policies.ATTACHMENTS_ALLOWED`). It is
rendered when the reply is written and stored with it, so the outbox sends the very file the operator chose.
Shipping makes no invoice: none is offered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging import policies
from messaging.models import Attachment, Message, Thread
from oms.errors import InvalidInput
from orders.models import OrderEvent
from shipping.paperwork import events as paperwork_events
from shipping.paperwork import packing_slip
from shipping.paperwork.selectors import packing_slips_data

PACKING_SLIP = "packing_slip"
PDF = "application/pdf"


def allowed(thread: Thread) -> bool:
    return policies.ATTACHMENTS_ALLOWED.get(thread.account.platform, False)


def packing_slip_available(thread: Thread) -> bool:
    return (
        thread.order_id is not None
        and allowed(thread)
        and OrderEvent.objects.filter(order_id=thread.order_id, kind=paperwork_events.PACKING_SLIP_PRINTED).exists()
    )


def attach_packing_slip(*, thread: Thread, message: Message, user) -> Attachment:
    """The order's packing slip as a PDF on our reply; InvalidInput where the platform or the order has none."""
    if not allowed(thread):
        raise InvalidInput(
            _("This marketplace takes no attachment with a reply."), details={"attach": ["not_supported"]}
        )
    if not packing_slip_available(thread):
        raise InvalidInput(
            _("This order has no packing slip to attach: print it first."), details={"attach": ["no_document"]}
        )
    slips = packing_slips_data([thread.order_id], user=user)
    if not slips:
        raise InvalidInput(_("This order has no packing slip to attach: print it first."))
    content = packing_slip.build(slips)
    number = slips[0].reference or str(thread.order_id)
    return Attachment.objects.create(
        message=message,
        name=f"bon-de-livraison-{number}.pdf",
        content_type=PDF,
        size=len(content),
        content=content,
    )


def files_to_send(message: Message) -> list[tuple[str, bytes, str]]:
    """(name, content, content type) of our message's files, for the channel."""
    return [(f.name, bytes(f.content), f.content_type) for f in message.files.all() if f.content is not None]
