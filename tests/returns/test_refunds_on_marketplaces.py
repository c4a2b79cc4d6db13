"""A refund reaches each marketplace sandbox over real HTTP, in its wire format, exactly once;
a refusal reaches the operator on the order page; refunds made on the platform come back as refunds."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from marketplaces import polling
from marketplaces.clients import connector_for_account
from marketplaces.connectors import RefundLine as WireRefundLine
from oms import outbox
from orders import actions, events, pushes
from orders.models import Order, OrderEvent
from returns import actions as returns_actions
from returns import signals
from returns.actions import LineRefund
from returns.models import Refund
from shipping import actions as shipping_actions

pytestmark = pytest.mark.django_db(transaction=True)

TO_SHIP = {"amazon": "Unshipped", "ebay": None, "mirakl": "SHIPPING", "cdiscount": "Accepted"}
REFUND_ACTION = {"amazon": "refund", "ebay": "issueRefund", "mirakl": "OR28", "cdiscount": "createRefund"}


def shipped(sandbox, account, key, operator) -> Order:
    options = {"status": TO_SHIP[account.platform]} if TO_SHIP[account.platform] else {}
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, quantity=2, **options)
    polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    shipping_actions.ship_order(
        order_id=order.pk,
        actor=actions.Actor.of_user(operator),
        carrier="colissimo",
        tracking_number=f"6A{order.pk:011d}",
    )
    assert outbox.drain() == {"sent": 1}
    return Order.objects.get(pk=order.pk)


def refund_actions(sandbox, key, order) -> list[dict]:
    return [
        action
        for action in sandbox.admin.order_actions(key, order.marketplace_order_id)
        if action["action"] == REFUND_ACTION[order.account.platform]
    ]


def D(value) -> Decimal:
    return Decimal(str(value))


@pytest.mark.parametrize("platform", ["amazon", "ebay", "mirakl", "cdiscount"])
def test_a_partial_refund_reaches_the_marketplace_once_in_its_format(sandbox, sandbox_account, operator, platform):
    account, key = sandbox_account(platform)
    order = shipped(sandbox, account, key, operator)
    first, second = order.lines.order_by("pk")
    assert first.quantity == 2
    unit = first.total_amount / 2
    heard = []
    signals.refund_sent.connect(lambda refund, **kwargs: heard.append(refund.pk), weak=False, dispatch_uid="t")
    try:
        refund = returns_actions.refund_order(
            order_id=order.pk,
            actor=actions.Actor.of_user(operator),
            reason="Damaged parcel",
            lines=[
                LineRefund(order_line_id=first.pk, quantity=1, amount=unit),
                LineRefund(order_line_id=second.pk, amount=D("1.50")),  # goodwill, nothing comes back
            ],
        )
        assert outbox.drain() == {"sent": 1}
        assert outbox.drain() == {}
    finally:
        signals.refund_sent.disconnect(dispatch_uid="t")

    [sent] = refund_actions(sandbox, key, order)
    body = sent["body"]
    if platform == "mirakl":  # OR28: one entry per line, quantity and amounts as numbers
        entries = {entry["order_line_id"]: entry for entry in body["refunds"]}
        assert D(entries[first.marketplace_line_id]["amount"]) == unit
        assert entries[first.marketplace_line_id]["quantity"] == 1
        assert D(entries[first.marketplace_line_id]["shipping_amount"]) == 0
        assert D(entries[second.marketplace_line_id]["amount"]) == D("1.50")
        assert entries[second.marketplace_line_id]["quantity"] == 0
    elif platform == "ebay":  # issueRefund: refundItems[{lineItemId, refundAmount {value, currency}}]
        items = {item["lineItemId"]: item["refundAmount"] for item in body["refundItems"]}
        assert items == {
            first.marketplace_line_id: {"value": f"{unit:.2f}", "currency": "EUR"},
            second.marketplace_line_id: {"value": "1.50", "currency": "EUR"},
        }
        assert body["reasonForRefund"] == "OTHER_ADJUSTMENT" and body["comment"] == "Damaged parcel"
    elif platform == "cdiscount":  # Octopia: lines[{lineId, amount}]
        assert {line["lineId"]: D(line["amount"]) for line in body["lines"]} == {
            first.marketplace_line_id: unit,
            second.marketplace_line_id: D("1.50"),
        }
    else:  # Amazon: one payment adjustment feed for the order, its total
        assert D(body["amount"]) == unit + D("1.50")
        refunds = sandbox.admin.order(key, order.marketplace_order_id)["refunds"]
        assert sorted(D(r["amount"]) for r in refunds) == sorted([unit, D("1.50")])
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SENT and heard == [refund.pk]

    # The next poll reads the platform's refunds back: ours are recognised, nothing is counted twice.
    polling.poll_account(account_id=account.pk)
    assert Refund.objects.filter(order=order).count() == 1
    assert len(refund_actions(sandbox, key, order)) == 1
    if platform == "mirakl":  # refunds[] per line, each with its id
        assert all(line.marketplace_refund_id for line in refund.lines.all())
    if platform == "ebay":  # one refundId for both items: each line read back, once, as <refundId>:<line>
        ids = {line.order_line.marketplace_line_id: line.marketplace_refund_id for line in refund.lines.all()}
        [refund_id] = {i.split(":")[0] for i in ids.values()}
        assert ids == {line_id: f"{refund_id}:{line_id}" for line_id in ids}
        polling.poll_account(account_id=account.pk)
        assert Refund.objects.filter(order=order).count() == 1


def test_a_refund_made_on_mirakl_comes_back_as_a_refund(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    order = shipped(sandbox, account, key, operator)
    first = order.lines.order_by("pk").first()
    # The seller refunds in Mirakl's back office (the same OR28, not through us).
    connector_for_account(account).refund(
        order_id=order.marketplace_order_id,
        lines=[WireRefundLine(line_id=first.marketplace_line_id, amount=D("3.00"), quantity=0)],
        reason="Goodwill",
        idempotency_key="back-office",
    )
    polling.poll_account(account_id=account.pk)
    [refund] = Refund.objects.filter(order=order)
    assert refund.source == Refund.Source.MARKETPLACE and refund.status == Refund.Status.RECORDED
    assert refund.total_amount == D("3.00")
    assert [(line.order_line_id, line.amount) for line in refund.lines.all()] == [(first.pk, D("3.00"))]
    polling.poll_account(account_id=account.pk)  # read again: still one
    assert Refund.objects.filter(order=order).count() == 1
    # It counts: what is left to refund on the line went down.
    left = returns_actions.full_refund_lines(Order.objects.get(pk=order.pk))
    assert next(line.amount for line in left if line.order_line_id == first.pk) == first.total_amount - D("3.00")


def test_a_refund_the_marketplace_refuses_is_shown_on_the_order_page(sandbox, sandbox_account, operator, client):
    account, key = sandbox_account("mirakl")
    order = shipped(sandbox, account, key, operator)
    first = order.lines.order_by("pk").first()
    # Refunded in Mirakl's back office, not polled yet: Mirakl refuses a second refund of the line.
    connector_for_account(account).refund(
        order_id=order.marketplace_order_id,
        lines=[WireRefundLine(line_id=first.marketplace_line_id, amount=first.total_amount)],
        reason="Goodwill",
        idempotency_key="back-office",
    )
    refund = returns_actions.refund_order(
        order_id=order.pk,
        actor=actions.Actor.of_user(operator),
        reason="Broken",
        lines=[LineRefund(order_line_id=first.pk, amount=first.total_amount)],
    )
    outbox.drain()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED and refund.error
    order.refresh_from_db()
    assert order.refunded_amount == 0  # nothing was given back
    assert OrderEvent.objects.filter(order=order, kind=events.PUSH_FAILED, params__push="refund").count() == 1
    assert len(refund_actions(sandbox, key, order)) == 1  # the back office's only
    client.force_login(operator)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "push-failure" in page and "Refund" in page
    message = outbox.messages_about(pushes.order_subject(order.pk)).get(kind=pushes.REFUND)
    assert f'data-push="{message.pk}"' in page


def test_a_refund_made_on_ebay_over_two_lines_comes_back_per_line_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("ebay")
    order = shipped(sandbox, account, key, operator)
    first, second = order.lines.order_by("pk")
    # The seller refunds two items at once in eBay's Seller Hub (one issueRefund, one refundId).
    connector_for_account(account).refund(
        order_id=order.marketplace_order_id,
        lines=[
            WireRefundLine(line_id=first.marketplace_line_id, amount=D("3.00")),
            WireRefundLine(line_id=second.marketplace_line_id, amount=D("2.00")),
        ],
        reason="Goodwill",
        idempotency_key="seller-hub",
    )
    polling.poll_account(account_id=account.pk)
    polling.poll_account(account_id=account.pk)  # read again: nothing twice
    refunds = Refund.objects.filter(order=order, source=Refund.Source.MARKETPLACE)
    per_line = sorted((line.order_line_id, line.amount) for refund in refunds for line in refund.lines.all())
    assert per_line == sorted([(first.pk, D("3.00")), (second.pk, D("2.00"))])
    assert sum(refund.total_amount for refund in refunds) == D("5.00")


def back_office_refund(account, order, line, amount):
    """Refunded in Mirakl's back office, not polled yet: Mirakl then refuses the OMS's refund of the line."""
    connector_for_account(account).refund(
        order_id=order.marketplace_order_id,
        lines=[WireRefundLine(line_id=line.marketplace_line_id, amount=amount)],
        reason="Goodwill",
        idempotency_key=f"back-office-{line.pk}",
    )


def test_a_refused_refund_sent_again_is_checked_against_the_refunds_made_since(
    sandbox, sandbox_account, operator, client
):
    account, key = sandbox_account("mirakl")
    actor = actions.Actor.of_user(operator)

    # Sent again while it still fits what the OMS knows: it counts again until Mirakl answers.
    order = shipped(sandbox, account, key, operator)
    line = order.lines.order_by("pk").last()
    back_office_refund(account, order, line, line.total_amount)
    small = returns_actions.refund_order(
        order_id=order.pk, actor=actor, reason="Scratch", lines=[LineRefund(line.pk, amount=D("2.00"))]
    )
    outbox.drain()
    small.refresh_from_db()
    assert small.status == Refund.Status.FAILED
    actions.retry_push(order_id=order.pk, message_id=small.outbox_message_id, actor=actor)
    small.refresh_from_db()
    order.refresh_from_db()
    assert small.status == Refund.Status.SENDING and order.refunded_amount == D("2.00")
    outbox.drain()  # Mirakl refuses it again
    small.refresh_from_db()
    order.refresh_from_db()
    assert small.status == Refund.Status.FAILED and order.refunded_amount == 0

    # Refused, then the back office's refund comes in and the operator refunds what is left of the line.
    order = shipped(sandbox, account, key, operator)
    first = order.lines.order_by("pk").first()
    back_office_refund(account, order, first, D("3.00"))
    whole = returns_actions.refund_order(
        order_id=order.pk, actor=actor, reason="Broken", lines=[LineRefund(first.pk, amount=first.total_amount)]
    )
    outbox.drain()
    whole.refresh_from_db()
    assert whole.status == Refund.Status.FAILED
    polling.poll_account(account_id=account.pk)
    left = first.total_amount - D("3.00")
    returns_actions.refund_order(
        order_id=order.pk, actor=actor, reason="Broken", lines=[LineRefund(first.pk, amount=left)]
    )

    # Sending the whole-line refund again would refund the line twice: refused, nothing changes.
    client.force_login(operator)
    response = client.post(f"/orders/{order.pk}/pushes/{whole.outbox_message_id}/retry/", follow=True)
    assert "more than was paid" in response.content.decode()
    whole.refresh_from_db()
    order.refresh_from_db()
    assert whole.status == Refund.Status.FAILED and order.refunded_amount == left
    message = outbox.messages_about(pushes.order_subject(order.pk)).get(pk=whole.outbox_message_id)
    assert message.status == "dead"
    # The database refuses it too, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.filter(pk=whole.pk).update(status=Refund.Status.SENDING)
