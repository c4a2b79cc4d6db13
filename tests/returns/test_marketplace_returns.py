"""Returns buyers open on Mirakl come in by polling (RT11), once, over real HTTP."""

import pytest

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from oms import outbox
from orders import actions as order_actions
from orders.models import Order
from returns import actions, polling
from returns.models import ReturnPollCursor, ReturnReason, ReturnRequest, ReturnStatus
from shipping import actions as shipping_actions

pytestmark = pytest.mark.django_db(transaction=True)


def shipped_on_mirakl(sandbox, account, key, operator, **options):
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, quantity=2, status="SHIPPING", **options)
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    shipping_actions.ship_order(
        order_id=order.pk,
        actor=order_actions.Actor.of_user(operator),
        carrier="colissimo",
        tracking_number="6A12345678901",
    )
    assert outbox.drain() == {"sent": 1}
    return Order.objects.get(pk=order.pk)


def test_a_return_opened_on_mirakl_is_read_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    order = shipped_on_mirakl(sandbox, account, key, operator)
    remote = sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="DEFECTIVE", quantity=1)

    assert polling.poll_returns(account_id=account.pk) == 1
    found = ReturnRequest.objects.get(order=order)
    assert (found.source, found.marketplace_return_id, found.marketplace_state) == (
        ReturnRequest.Source.MARKETPLACE,
        remote["id"],
        "WAITING_ACCEPTANCE",
    )
    assert found.status == ReturnStatus.REQUESTED and found.respond_by is not None
    [line] = found.lines.all()
    first = order.lines.order_by("pk").first()
    assert (line.order_line_id, line.quantity, line.reason) == (first.pk, 1, ReturnReason.DEFECTIVE)

    # Polled again (the overlap reads it again): still one return.
    polling.poll_returns(account_id=account.pk)
    assert ReturnRequest.objects.filter(order=order).count() == 1
    assert ReturnPollCursor.objects.get(account=account).read_until is not None

    # The seller's answer reaches Mirakl (RT21) and the next poll sees the new state.
    connector_for_account(account).answer_return(return_id=remote["id"], accepted=True)
    polling.poll_returns(account_id=account.pk)
    found.refresh_from_db()
    assert found.marketplace_state == "IN_PROGRESS"


def test_the_sandbox_opens_returns_on_delivered_orders(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    order = shipped_on_mirakl(sandbox, account, key, operator, returns=True)
    sandbox.admin.advance_clock(4 * 24 * 3600)  # delivered after three days, and the buyer asks
    assert polling.poll_returns(account_id=account.pk) == 1
    found = ReturnRequest.objects.get(order=order)
    assert found.lines.get().quantity == 2


def test_mirakl_hears_each_step_of_the_return_and_the_refund(sandbox, sandbox_account, operator, lyon):
    account, key = sandbox_account("mirakl")
    order = shipped_on_mirakl(sandbox, account, key, operator)
    remote = sandbox.admin.open_return(key, order.marketplace_order_id, quantity=1)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    actor = order_actions.Actor.of_user(operator)
    line = found.lines.get()

    actions.authorise_return(return_id=found.pk, actor=actor)
    actions.receive_return(return_id=found.pk, scanned=[line.order_line.sku], actor=actor)
    actions.inspect_return(return_id=found.pk, grades=[actions.UnitGrade(line.pk, "sellable")], actor=actor)
    actions.refund_return(return_id=found.pk, actor=actor)
    assert outbox.drain() == {"sent": 4}  # RT21, RT25, OR28, RT27, in that order

    applied = [a["action"] for a in sandbox.admin.order_actions(key, order.marketplace_order_id)]
    assert applied[-4:] == ["RT21", "RT25", "OR28", "RT27"]
    [or28] = [a for a in sandbox.admin.order_actions(key, order.marketplace_order_id) if a["action"] == "OR28"]
    [entry] = or28["body"]["refunds"]
    assert entry["quantity"] == 1 and str(entry["amount"]) == str(line.order_line.total_amount / 2)
    polling.poll_returns(account_id=account.pk)
    found.refresh_from_db()
    assert found.marketplace_state == "CLOSED" and found.status == ReturnStatus.CLOSED
    assert remote["id"] == found.marketplace_return_id
