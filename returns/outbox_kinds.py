"""The `carrier.return_label` outbox kind: a carrier prints a return label (its return product).

5xx, 429 and timeouts are retried by the outbox; a refusal goes on the return as the carrier's
answer and parks the message. A message a newer request superseded does nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms import outbox
from oms.outbox import OutboxMessage
from returns import actions, labels
from returns.models import ReturnRequest
from shipping.carriers import CarrierRefused, CarrierUnavailable
from shipping.clients import connector_for_account


def send_return_label(message: OutboxMessage) -> None:
    payload = message.payload
    found = ReturnRequest.objects.select_related("order", "carrier_account__carrier").get(pk=payload["return_id"])
    if found.label_request_key != payload["request_key"] or found.label_content:
        return
    request = labels.return_label_request(found, weight_grams=payload["weight_grams"])
    try:
        [label] = connector_for_account(found.carrier_account).create_labels(request)
    except CarrierUnavailable as error:
        raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
    except CarrierRefused as error:
        actions.record_return_label_refusal(return_id=found.pk, request_key=payload["request_key"], error=str(error))
        raise outbox.Undeliverable(str(error)) from error
    actions.store_return_label(return_id=found.pk, request_key=payload["request_key"], label=label)


outbox.declare(labels.RETURN_LABEL, label=_("Carrier return label"), send=send_return_label)
