"""Returns from Amazon (its returns report, through the Reports API of the marketplace sandbox) and eBay
(Post-Order, unverified format), read by polling over real HTTP, each once across polls, with the
platform's deadline where it gives one; Amazon A-to-z claims as incidents."""

import datetime as dt

import pytest

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from oms import outbox
from orders import actions as order_actions
from orders.models import Order
from returns import actions, polling
from returns.models import ReturnReason, ReturnRequest, ReturnStatus
from shipping import actions as shipping_actions

pytestmark = pytest.mark.django_db(transaction=True)


def shipped_on(sandbox, account, key, operator, status):
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, quantity=2, status=status)
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    shipping_actions.ship_order(
        order_id=order.pk,
        actor=order_actions.Actor.of_user(operator),
        carrier="colissimo",
        tracking_number=f"6A{order.pk:011d}",
    )
    assert outbox.drain() == {"sent": 1}
    return Order.objects.get(pk=order.pk)


def test_amazon_returns_come_from_the_returns_report_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("amazon")
    order = shipped_on(sandbox, account, key, operator, "Unshipped")
    first = order.lines.order_by("pk").first()
    remote = sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="DAMAGED_BY_CARRIER", quantity=1)

    assert polling.poll_returns(account_id=account.pk) == 1
    found = ReturnRequest.objects.get(order=order)
    assert (found.kind, found.source, found.marketplace_return_id) == ("return", "marketplace", remote["rma"])
    assert found.marketplace_state == "Pending" and found.status == ReturnStatus.REQUESTED
    assert found.respond_by is not None and found.reason == ReturnReason.DAMAGED
    [line] = found.lines.all()
    assert (line.order_line_id, line.quantity) == (first.pk, 1)

    # The next polls read the report again (the overlap): still one return.
    polling.poll_returns(account_id=account.pk)
    assert ReturnRequest.objects.filter(order=order).count() == 1
    calls = [entry["operation"] for entry in sandbox.admin.requests(limit=200)]
    assert {"createReport", "getReport", "getReportDocument"} <= set(calls)


def test_an_amazon_a_to_z_claim_is_an_incident(sandbox, sandbox_account, operator):
    account, key = sandbox_account("amazon")
    order = shipped_on(sandbox, account, key, operator, "Unshipped")
    sandbox.admin.open_return(key, order.marketplace_order_id, claim=True)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    assert found.kind == "incident" and found.lines.get().quantity == 2


def test_the_report_is_read_from_its_document(sandbox, sandbox_account, operator):
    """The connector alone: createReport → getReport → getReportDocument → the tab-separated document."""
    account, key = sandbox_account("amazon")
    order = shipped_on(sandbox, account, key, operator, "Unshipped")
    remote = sandbox.admin.open_return(key, order.marketplace_order_id, quantity=2)
    page = connector_for_account(account).list_returns(
        since=dt.datetime.now(dt.UTC) - dt.timedelta(days=1), page_token=None
    )
    [data] = [entry for entry in page.returns if entry.return_id == remote["rma"]]
    assert data.order_id == order.marketplace_order_id and data.lines[0].quantity == 2 and data.lines[0].line_id == ""


def test_ebay_post_order_returns_are_read_once_with_their_deadline_and_answered(sandbox, sandbox_account, operator):
    """eBay Post-Order (unverified format): search, then decide and mark_as_received through the outbox."""
    account, key = sandbox_account("ebay")
    order = shipped_on(sandbox, account, key, operator, "NOT_STARTED")
    first = order.lines.order_by("pk").first()
    remote = sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="ARRIVED_DAMAGED", quantity=1)

    assert polling.poll_returns(account_id=account.pk) == 1
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    assert (found.marketplace_return_id, found.marketplace_state, found.reason) == (
        remote["returnId"],
        "RETURN_REQUESTED",
        ReturnReason.DAMAGED,
    )
    due = dt.datetime.fromisoformat(remote["sellerResponseDue"]["respondByDate"]["value"].replace("Z", "+00:00"))
    assert found.respond_by == due
    assert found.lines.get().order_line_id == first.pk

    actor = order_actions.Actor.of_user(operator)
    actions.authorise_return(return_id=found.pk, actor=actor)
    actions.receive_return(return_id=found.pk, scanned=[first.sku], actor=actor)
    assert outbox.drain() == {"sent": 2}
    applied = [a["action"] for a in sandbox.admin.order_actions(key, order.marketplace_order_id)]
    assert applied[-2:] == ["decideReturn", "markReturnReceived"]
    polling.poll_returns(account_id=account.pk)
    found.refresh_from_db()
    assert found.marketplace_state == "ITEM_RECEIVED"


def test_cdiscount_claims_are_returns_or_incidents_once_with_their_deadline(sandbox, sandbox_account, operator):
    """Octopia claims (unverified format): a claim of type Return is a return, the others incidents."""
    account, key = sandbox_account("cdiscount")
    order = shipped_on(sandbox, account, key, operator, "Accepted")
    first = order.lines.order_by("pk").first()
    returned = sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="Return", quantity=1)
    claim = sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="ProductDefective")

    assert polling.poll_returns(account_id=account.pk) == 2
    polling.poll_returns(account_id=account.pk)
    found = {r.marketplace_return_id: r for r in ReturnRequest.objects.filter(order=order)}
    assert set(found) == {returned["claimId"], claim["claimId"]}
    assert found[returned["claimId"]].kind == "return" and found[claim["claimId"]].kind == "incident"
    incident = found[claim["claimId"]]
    due = dt.datetime.fromisoformat(claim["responseDeadline"].replace("Z", "+00:00"))
    assert incident.respond_by == due and incident.reason == ReturnReason.DEFECTIVE
    assert incident.lines.get().order_line_id == first.pk
