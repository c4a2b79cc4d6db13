"""How each push to a marketplace is sent: the `marketplace.*` outbox kinds, declared once each.

Orders (accept, refuse, cancel, ship, refund) and inventory (stock) name the kinds and
write the messages; a sender here calls the account's connector and turns its errors into
the outbox's: throttling, 5xx and timeouts are retried (honouring Retry-After), a refusal
is a dead letter. Connectors check what the platform already has before re-sending a
write that is not idempotent, so a message retried after its worker died applies once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inventory.actions import STOCK_PUSH, STOCK_REPORT, quantities_to_send, record_stock_push, record_stock_report
from marketplaces.clients import connector_for_account
from marketplaces.connectors import CancelLine, Connector, Package, RefundLine, ShipmentLine
from marketplaces.connectors.errors import MarketplaceError, RateLimited, TransientError
from marketplaces.models import MarketplaceAccount
from marketplaces.push_failures import failure_text
from marketplaces.ratelimit import Throttled
from oms import outbox
from oms.outbox import OutboxMessage
from orders import pushes


@contextmanager
def _outcome_for_the_outbox() -> Iterator[None]:
    try:
        yield
    except (RateLimited, Throttled) as error:
        raise outbox.RetryLater(str(error), retry_after=error.retry_after) from error
    except TransientError as error:
        raise outbox.RetryLater(str(error)) from error
    except MarketplaceError as error:
        raise outbox.Undeliverable(failure_text(error)) from error


def _sender(call: Callable[[Connector, OutboxMessage], None]) -> Callable[[OutboxMessage], None]:
    """A kind's sender: the message's account's connector, its errors told to the outbox."""

    def send(message: OutboxMessage) -> None:
        account = MarketplaceAccount.objects.get(pk=pushes.account_id_of(message.destination))
        with _outcome_for_the_outbox():
            call(connector_for_account(account), message)

    return send


def _accept(connector: Connector, message: OutboxMessage) -> None:
    payload = message.payload
    connector.accept_order(order_id=payload["marketplace_order_id"], line_ids=payload["line_ids"])


def _refuse(connector: Connector, message: OutboxMessage) -> None:
    payload = message.payload
    connector.refuse_order(
        order_id=payload["marketplace_order_id"], line_ids=payload["line_ids"], reason=payload["reason"]
    )


def _cancel(connector: Connector, message: OutboxMessage) -> None:
    payload = message.payload
    lines = [
        CancelLine(line_id=line["line_id"], quantity=line["quantity"], amount=Decimal(line["amount"]))
        for line in payload.get("lines", [])
    ]
    connector.cancel_order(
        order_id=payload["marketplace_order_id"],
        reason=payload["reason"],
        lines=lines or None,
        retry=message.attempts > 1,
    )


def _ship(connector: Connector, message: OutboxMessage) -> None:
    payload = message.payload
    connector.confirm_shipment(
        order_id=payload["marketplace_order_id"],
        carrier=payload["carrier"],
        tracking_number=payload["tracking_number"],
        lines=[ShipmentLine(line_id=line["line_id"], quantity=line["quantity"]) for line in payload["lines"]],
        shipped_at=dt.datetime.fromisoformat(payload["shipped_at"]),
        idempotency_key=message.idempotency_key,
        retry=message.attempts > 1,
        # Every parcel as a package with its lines, where the platform takes them (shipping.fulfilment).
        **({"packages": _packages(payload["packages"])} if payload.get("packages") else {}),
    )


def _packages(packages: list[dict]) -> list[Package]:
    return [
        Package(
            tracking_number=package["tracking_number"],
            lines=tuple(ShipmentLine(line_id=line["line_id"], quantity=line["quantity"]) for line in package["lines"]),
        )
        for package in packages
    ]


def _refund(connector: Connector, message: OutboxMessage) -> None:
    payload = message.payload
    connector.refund(
        order_id=payload["marketplace_order_id"],
        lines=[
            RefundLine(
                line_id=line["line_id"],
                amount=Decimal(line["amount"]),
                quantity=line.get("quantity", 0),
                shipping_amount=Decimal(line.get("shipping_amount", "0")),
                currency=payload["currency"],
            )
            for line in payload["lines"]
        ],
        reason=payload.get("reason_code") or payload["reason"],  # the platform's own code where it takes only its
        idempotency_key=message.idempotency_key,
        refunded_before=Decimal(payload["refunded_before"]) if "refunded_before" in payload else None,
        retry=message.attempts > 1,
    )


def _stock(connector: Connector, message: OutboxMessage) -> None:
    # SKUs a later push superseded, or that the platform already answered, are not sent again.
    quantities = quantities_to_send(message)
    if not quantities:
        return
    result = connector.push_stock(quantities=quantities)
    record_stock_push(message=message, result=result)
    if result.deferred:
        raise outbox.RetryLater(f"stock deferred for {', '.join(result.deferred)}")


def _stock_report(connector: Connector, message: OutboxMessage) -> None:
    # The report of one asynchronous import its STOCK message sent; read again (with the outbox's
    # backoff) while the platform is still working on it.
    payload = message.payload
    result = connector.read_stock_report(submission_id=payload["submission_id"], skus=tuple(payload["skus"]))
    record_stock_report(message=message, result=result)
    if result.deferred:
        raise outbox.RetryLater(f"import {payload['submission_id']} not finished on the platform yet")


outbox.declare(pushes.ACCEPT, label=_("Accept"), send=_sender(_accept))
outbox.declare(pushes.REFUSE, label=_("Refuse"), send=_sender(_refuse))
outbox.declare(pushes.CANCEL, label=_("Cancel"), send=_sender(_cancel))
outbox.declare(pushes.SHIP, label=_("Ship"), send=_sender(_ship))
outbox.declare(pushes.REFUND, label=_("Refund"), send=_sender(_refund))
outbox.declare(STOCK_PUSH, label=_("Stock"), send=_sender(_stock))
outbox.declare(STOCK_REPORT, label=_("Stock import report"), send=_sender(_stock_report))

# For the senders of the apps above (messaging, returns): a connector's errors told to the outbox the same way.
outcome_for_the_outbox = _outcome_for_the_outbox
