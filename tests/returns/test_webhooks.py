"""return.created, return.closed and refund.sent reach a real receiver, through the outbox."""

import pytest

from oms import outbox
from orders.actions import Actor
from returns import actions
from returns.actions import LineReturn
from tests.returns.test_refunds_on_marketplaces import shipped
from tests.webhooks.conftest import add_endpoint, receiver  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_return_and_refund_events_are_delivered(sandbox, sandbox_account, operator, receiver):  # noqa: F811
    account, key = sandbox_account("mirakl")
    order = shipped(sandbox, account, key, operator)
    add_endpoint(url=receiver.url, events=["return.created", "return.closed", "refund.sent"])
    actor = Actor.of_user(operator)
    first = order.lines.order_by("pk").first()

    found = actions.request_return(order_id=order.pk, lines=[LineReturn(first.pk, 1)], actor=actor)
    actions.refuse_return(return_id=found.pk, reason="Hors délai", actor=actor)
    actions.close_return(return_id=found.pk, actor=actor)
    refund = actions.refund_order(order_id=order.pk, actor=actor, reason="Geste")
    outbox.drain()
    outbox.drain()  # the refund went first; its refund.sent event is delivered next

    [created] = receiver.events_of("return.created")
    assert created["data"]["return"]["number"] == found.number and created["data"]["return"]["status"] == "requested"
    [closed] = receiver.events_of("return.closed")
    assert closed["data"]["return"]["status"] == "closed"
    [sent] = receiver.events_of("refund.sent")
    assert sent["data"]["refund"]["id"] == refund.pk
    assert sent["data"]["refund"]["total_amount"] == str(refund.total_amount)
    assert sent["data"]["order"]["refunded_amount"] == str(refund.total_amount)
