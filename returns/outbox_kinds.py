"""The returns app's outbox kinds: `carrier.return_label` (a carrier prints a return label, its
return product) and `marketplace.return` (Mirakl hears our answer and the return's steps).

5xx, 429 and timeouts are retried by the outbox; a refusal goes on the return as the carrier's
answer and parks the message. A message a newer request superseded does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _

from marketplaces.clients import connector_for_account as connector_for_marketplace
from marketplaces.connectors.errors import MarketplaceError, RateLimited, TransientError
from marketplaces.models import MarketplaceAccount
from marketplaces.push_failures import failure_text
from marketplaces.ratelimit import Throttled
from oms import outbox
from oms.outbox import OutboxMessage
from orders import pushes
from returns import actions, labels
from returns.marketplace_returns import RETURN_PUSH
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


@contextmanager
def _marketplace_outcome() -> Iterator[None]:
    """The connector's errors, told to the outbox as marketplaces/outbox_kinds.py tells them."""
    try:
        yield
    except (RateLimited, Throttled) as error:
        raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
    except TransientError as error:
        raise outbox.RetryLater(str(error)) from error
    except MarketplaceError as error:
        raise outbox.Undeliverable(failure_text(error)) from error


def send_return_update(message: OutboxMessage) -> None:
    """Mirakl hears the seller's answer and the return's steps: RT21, RT25, RT27, and OR64 for an incident."""
    payload = message.payload
    account = MarketplaceAccount.objects.get(pk=pushes.account_id_of(message.destination))
    connector = connector_for_marketplace(account)
    return_id, step = payload["marketplace_return_id"], payload["step"]
    with _marketplace_outcome():
        if step in ("accept", "refuse"):
            connector.answer_return(return_id=return_id, accepted=step == "accept", reason=payload.get("reason", ""))
        elif step == "receive":
            connector.mark_return_received(return_id=return_id)
        elif step == "resolve_incident":  # OR64 per line; a line already resolved counts as done
            for line_id in payload["line_ids"]:
                connector.resolve_incident(
                    order_id=payload["marketplace_order_id"], line_id=line_id, reason_code=payload["reason_code"]
                )
        else:
            connector.close_return(return_id=return_id)


outbox.declare(labels.RETURN_LABEL, label=_("Carrier return label"), send=send_return_label)
outbox.declare(RETURN_PUSH, label=_("Return"), send=send_return_update)
