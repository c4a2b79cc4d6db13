"""How each request to a carrier is sent: the `carrier.*` outbox kinds, declared once each.

`carrier.label` asks the shipment's carrier account for its labels and stores them (the
shipment becomes labelled); a refusal (4xx) goes back on the shipment as its label error and
parks the message; 5xx, 429 and timeouts are retried by the outbox. A message that a newer
request superseded (a retried dead letter) does nothing. Every attempt of one request sends the
same request key (`Idempotency-Key`): a retry after a worker died between the carrier's answer
and our commit gets the labels already made, not a second set. `carrier.void` cancels one label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms import outbox
from oms.outbox import OutboxMessage
from shipping import actions, selectors
from shipping.carriers import CarrierRefused, CarrierUnavailable
from shipping.clients import connector_for_account
from shipping.models import CarrierAccount, Shipment
from shipping.outbox_names import CARRIER_LABEL, CARRIER_VOID


def send_label(message: OutboxMessage) -> None:
    payload = message.payload
    shipment = Shipment.objects.select_related("carrier_account__carrier").get(pk=payload["shipment_id"])
    if shipment.status != Shipment.Status.LABEL_REQUESTED or shipment.label_request_key != payload["request_key"]:
        return
    connector = connector_for_account(shipment.carrier_account)
    try:
        # The request key makes a retry (after a worker died mid-call) get the labels already made.
        labels = connector.create_labels(selectors.label_request(shipment.pk, request_key=payload["request_key"]))
    except CarrierUnavailable as error:
        raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
    except CarrierRefused as error:
        actions.record_label_refusal(shipment_id=shipment.pk, request_key=payload["request_key"], error=str(error))
        raise outbox.Undeliverable(str(error)) from error
    actions.store_labels(shipment_id=shipment.pk, request_key=payload["request_key"], labels=labels)


def send_void(message: OutboxMessage) -> None:
    account = CarrierAccount.objects.select_related("carrier").get(pk=message.payload["carrier_account_id"])
    try:
        connector_for_account(account).void(message.payload["tracking_number"])
    except CarrierUnavailable as error:
        raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
    except CarrierRefused as error:
        raise outbox.Undeliverable(str(error)) from error


outbox.declare(CARRIER_LABEL, label=_("Carrier label"), send=send_label)
outbox.declare(CARRIER_VOID, label=_("Void a carrier label"), send=send_void)
