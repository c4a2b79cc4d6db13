"""Returns and incidents opened by buyers on the marketplaces, read by polling (Mirakl: RT11 for
returns, OR11 `has_incident` for incidents, stored as returns of kind "incident"). An incident still
open here whose line Mirakl no longer shows in incident (OR11 by order id: closed on Mirakl's side)
is closed here at the same poll, with an event.

Each account's returns are read from its cursor (minus an overlap, so nothing on the boundary is
missed) and stored through `actions.request_return`, which recognises a return it already holds
by the platform's id: reading a page twice changes nothing. The other platforms have no returns
reader yet (Amazon's returns report, eBay Post-Order, Octopia claims: unverified specs).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from marketplaces.clients import connector_for_account
from marketplaces.connectors import ReturnData
from marketplaces.connectors.errors import UnsupportedAction
from marketplaces.models import MarketplaceAccount
from oms.errors import DomainError
from orders.actions import Actor
from orders.models import Order
from returns import actions
from returns.marketplace_returns import INCIDENT_RESPONSE_TIME, INCIDENTS_ON, READ_ON
from returns.models import OPEN_STATUSES, ReturnPollCursor, ReturnReason, ReturnRequest

logger = logging.getLogger(__name__)

OVERLAP = dt.timedelta(minutes=5)
FIRST_LOOK_BACK = dt.timedelta(days=60)
MAX_PAGES = 50
# Platforms whose returns we read (the others' connectors raise UnsupportedAction).
READ_RETURNS = READ_ON
# Mirakl reason codes (the operator's list; these are the sandbox's, unverified) → ours.
REASONS = {
    "DAMAGED": ReturnReason.DAMAGED,
    "DEFECTIVE": ReturnReason.DEFECTIVE,
    "NOT_AS_DESCRIBED": ReturnReason.NOT_AS_DESCRIBED,
    "WRONG_ITEM": ReturnReason.WRONG_ITEM,
    "CHANGED_MIND": ReturnReason.NO_LONGER_NEEDED,
    # Amazon's returns report (its reason values: unverified).
    "DAMAGED_BY_CARRIER": ReturnReason.DAMAGED,
    "UNWANTED_ITEM": ReturnReason.NO_LONGER_NEEDED,
    "ORDERED_WRONG_ITEM": ReturnReason.NO_LONGER_NEEDED,
    # eBay's Post-Order reasons (unverified).
    "DEFECTIVE_ITEM": ReturnReason.DEFECTIVE,
    "ARRIVED_DAMAGED": ReturnReason.DAMAGED,
    "NO_LONGER_NEED_ITEM": ReturnReason.NO_LONGER_NEEDED,
    # Cdiscount's claim types (unverified).
    "ProductDefective": ReturnReason.DEFECTIVE,
    "ProductNotAsDescribed": ReturnReason.NOT_AS_DESCRIBED,
}
# Mirakl incident opening reasons (RE11, the spec's example codes; an operator's own list may differ) → ours.
INCIDENT_REASONS = {
    "2": ReturnReason.NOT_AS_DESCRIBED,
    "3": ReturnReason.DEFECTIVE,
    "5": ReturnReason.NOT_AS_DESCRIBED,
    "ProductDefective": ReturnReason.DEFECTIVE,  # Cdiscount claim types (unverified)
    "ProductNotAsDescribed": ReturnReason.NOT_AS_DESCRIBED,
}


def _line_of(line, lines: dict, by_sku: dict, by_product: dict) -> int | None:
    if line.line_id:
        return lines.get(line.line_id)
    return by_sku.get(line.sku) if line.sku else by_product.get(line.product_id) if line.product_id else None


def ingest_return(*, account: MarketplaceAccount, data: ReturnData) -> ReturnRequest | None:
    """Store one return the platform reports (once); None when its order or lines are not ours (yet)."""
    order = Order.objects.filter(account=account, marketplace_order_id=data.order_id).first()
    if order is None:
        return None
    lines = dict(order.lines.values_list("marketplace_line_id", "pk"))
    # A platform naming the SKU only (Amazon's report) or the listing only (eBay's Post-Order itemId).
    by_sku, by_product = {}, {}
    for pk, sku, product_id in order.lines.order_by("-pk").values_list("pk", "sku", "marketplace_product_id"):
        by_sku[sku], by_product[product_id] = pk, pk
    incident = data.kind == ReturnRequest.Kind.INCIDENT
    reasons = INCIDENT_REASONS if incident else REASONS
    respond_by = data.respond_by
    if respond_by is None and incident and account.platform in INCIDENT_RESPONSE_TIME:
        respond_by = data.created_at + INCIDENT_RESPONSE_TIME[account.platform]
    wanted = [
        actions.LineReturn(
            order_line_id=_line_of(line, lines, by_sku, by_product),
            quantity=line.quantity,
            reason=reasons.get(line.reason, ReturnReason.OTHER),
            note=data.reason if incident else line.reason,
        )
        for line in data.lines
        if _line_of(line, lines, by_sku, by_product) and line.quantity > 0
    ]
    try:
        return actions.request_return(
            order_id=order.pk,
            lines=wanted,
            actor=Actor.of_marketplace(account.platform),
            source=ReturnRequest.Source.MARKETPLACE,
            marketplace_return_id=data.return_id,
            marketplace_state=data.state,
            requested_at=data.created_at,
            respond_by=respond_by,
            kind=data.kind,
            reason_text=data.reason,
        )
    except DomainError as error:
        logger.warning("return %s of order %s not stored: %s", data.return_id, order.pk, error.message)
        return None


def poll_returns(*, account_id: int) -> int:
    """Read an account's changed returns, then its incidents in progress, and store them; returns how
    many were read (an incident is read again while its order changes: stored once)."""
    account = MarketplaceAccount.objects.get(pk=account_id)
    connector = connector_for_account(account)
    cursor = ReturnPollCursor.objects.filter(account=account).first()
    now = timezone.now()
    since = cursor.read_until - OVERLAP if cursor else now - FIRST_LOOK_BACK
    newest, read = since, 0
    for reader in (connector.list_returns, connector.list_incidents):
        token = None
        for _page in range(MAX_PAGES):
            try:
                page = reader(since=since, page_token=token)
            except UnsupportedAction:
                break
            for data in page.returns:
                with transaction.atomic():
                    ingest_return(account=account, data=data)
                newest = max(newest, data.updated_at)
                read += 1
            token = page.next_page_token
            if not token:
                break
    ReturnPollCursor.objects.update_or_create(account=account, defaults={"read_until": max(newest, since)})
    if account.platform in INCIDENTS_ON:
        close_incidents_closed_on_platform(account=account, connector=connector)
    return read


INCIDENT_OPEN = "INCIDENT_OPEN"


def close_incidents_closed_on_platform(*, account: MarketplaceAccount, connector) -> int:
    """Our open incidents of the account whose line the platform no longer shows in incident: closed
    here (`actions.close_incident_closed_on_platform`). Returns how many were closed."""
    open_incidents = list(
        ReturnRequest.objects.filter(
            order__account=account,
            kind=ReturnRequest.Kind.INCIDENT,
            source=ReturnRequest.Source.MARKETPLACE,
            status__in=OPEN_STATUSES,
        )
        .select_related("order")
        .order_by("pk")
    )
    if not open_incidents:
        return 0
    states = connector.line_states(order_ids=sorted({found.order.marketplace_order_id for found in open_incidents}))
    closed = 0
    for found in open_incidents:
        lines = states.get(found.order.marketplace_order_id)
        line_id = found.marketplace_return_id.removeprefix("incident:")
        state = (lines or {}).get(line_id)
        if not state or state == INCIDENT_OPEN:  # still open, or not shown: nothing to conclude
            continue
        closed += actions.close_incident_closed_on_platform(return_id=found.pk, marketplace_state=state)
    return closed


def poll_all_returns() -> int:
    """Every enabled account of a platform whose returns we read."""
    total = 0
    for account_id in MarketplaceAccount.objects.filter(enabled=True, platform__in=READ_RETURNS).values_list(
        "pk", flat=True
    ):
        try:
            total += poll_returns(account_id=account_id)
        except Exception:  # one account's outage must not stop the others; the next tick retries
            logger.exception("polling the returns of account %s failed", account_id)
    return total
