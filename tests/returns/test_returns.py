"""A return from the buyer's request to inspection, restock, the refund and closing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from inventory.models import OrderAllocation, StockLevel, StockMovement
from oms import outbox
from oms.errors import IllegalTransition, InvalidInput, NotFound
from orders import pushes
from orders.actions import Actor, ingest_order
from orders.events import describe
from orders.models import OrderEvent
from returns import actions, events
from returns.actions import LineReturn, UnitGrade
from returns.models import Grade, ReturnRequest, ReturnStatus, ReturnUnit
from tests.factories import MarketplaceAccountFactory, OrderDataFactory, OrderLineDataFactory
from tests.inventory.conftest import put_stock
from tests.returns.conftest import shipped_order

from .test_refunds import run_together


def level(sku, warehouse):
    return StockLevel.objects.get(product__sku=sku, warehouse=warehouse)


@pytest.mark.django_db
def test_a_return_from_request_to_refund(operator, lyon):
    put_stock("KETTLE", 5, lyon)
    put_stock("TOASTER", 5, lyon)
    order = shipped_order()
    kettle, toaster = order.lines.order_by("pk")
    on_hand = level("KETTLE", lyon).on_hand
    actor = Actor.of_user(operator)

    found = actions.request_return(
        order_id=order.pk,
        lines=[LineReturn(order_line_id=kettle.pk, quantity=2, reason="damaged", note="Boîte écrasée")],
        actor=actor,
    )
    assert found.status == ReturnStatus.REQUESTED and found.warehouse == lyon and not found.late_request
    assert found.respond_by == found.requested_at + actions.DEFAULT_RESPONSE_TIME
    with pytest.raises(IllegalTransition):
        actions.receive_return(return_id=found.pk, scanned=["KETTLE"], actor=actor)
    actions.authorise_return(return_id=found.pk, actor=actor)
    actions.record_return_label(return_id=found.pk, carrier="colissimo", tracking_number="8R00000000001", actor=actor)
    actions.mark_return_in_transit(return_id=found.pk, actor=actor)

    # At the warehouse: the label is scanned, then the items.
    assert actions.find_return_by_scan("8R00000000001") == found
    assert actions.find_return_by_scan(order.number) == found
    with pytest.raises(InvalidInput, match="TOASTER"):
        actions.receive_return(return_id=found.pk, scanned=["KETTLE", "TOASTER"], actor=actor)
    with pytest.raises(InvalidInput):
        actions.receive_return(return_id=found.pk, scanned=["KETTLE"] * 3, actor=actor)
    actions.receive_return(return_id=found.pk, scanned=["KETTLE", "KETTLE"], actor=actor)
    line = found.lines.get()
    assert line.quantity_received == 2

    with pytest.raises(InvalidInput, match="2 unit"):
        actions.inspect_return(return_id=found.pk, grades=[UnitGrade(line.pk, Grade.SELLABLE)], actor=actor)
    actions.inspect_return(
        return_id=found.pk,
        grades=[UnitGrade(line.pk, Grade.SELLABLE), UnitGrade(line.pk, Grade.DAMAGED, "Verseuse fêlée")],
        actor=actor,
    )
    assert level("KETTLE", lyon).on_hand == on_hand + 1  # exactly one unit back
    back = StockMovement.objects.get(reason=StockMovement.Reason.RETURNED)
    assert (back.on_hand_change, back.order_id) == (1, order.pk)
    lost = StockMovement.objects.get(reason=StockMovement.Reason.WRITTEN_OFF)
    assert lost.on_hand_change == 0 and "Verseuse fêlée" in lost.note
    assert sorted(ReturnUnit.objects.values_list("grade", flat=True)) == ["damaged", "sellable"]

    with translation.override("fr"):  # an operator working in French
        refund = actions.refund_return(return_id=found.pk, actor=actor)
    assert refund.total_amount == Decimal("40.00") and refund.return_request_id == found.pk
    # The reason is the return's code (what a platform's reason mapping reads), shown in each reader's language.
    assert refund.reason == "damaged"
    refunded = OrderEvent.objects.get(order=order, kind="refunded")
    with translation.override("en"):
        assert refund.reason_label == "Arrived damaged" and "Reason: Arrived damaged" in describe(refunded)
    with translation.override("fr"):
        assert "Abîmé à l’arrivée" in describe(refunded)
    assert [(line.quantity, line.amount) for line in refund.lines.all()] == [(2, Decimal("40.00"))]
    found.refresh_from_db()
    assert found.status == ReturnStatus.CLOSED
    assert outbox.messages_about(pushes.order_subject(order.pk)).filter(kind=pushes.REFUND).count() == 1
    kinds = list(OrderEvent.objects.filter(order=order, kind__startswith="return_").values_list("kind", flat=True))
    assert kinds == [
        events.RETURN_REQUESTED,
        events.RETURN_AUTHORISED,
        events.RETURN_LABEL_SENT,
        events.RETURN_IN_TRANSIT,
        events.RETURN_RECEIVED,
        events.RETURN_INSPECTED,
        events.RETURN_CLOSED,
    ]
    inspected = OrderEvent.objects.get(order=order, kind=events.RETURN_INSPECTED)
    assert inspected.params["sellable"] == 1 and inspected.params["written_off"] == 1
    with pytest.raises(NotFound):
        actions.find_return_by_scan("8R00000000001")  # closed: nothing to receive


@pytest.mark.django_db
def test_never_more_units_back_than_shipped_and_refusal_needs_a_reason(operator, lyon):
    order = shipped_order()
    kettle, toaster = order.lines.order_by("pk")
    actor = Actor.of_user(operator)
    with pytest.raises(InvalidInput, match="2 unit"):
        actions.request_return(order_id=order.pk, lines=[LineReturn(kettle.pk, 3)], actor=actor)
    first = actions.request_return(order_id=order.pk, lines=[LineReturn(kettle.pk, 2)], actor=actor)
    with pytest.raises(InvalidInput, match="0 unit"):
        actions.request_return(order_id=order.pk, lines=[LineReturn(kettle.pk, 1)], actor=actor)
    with pytest.raises(InvalidInput):
        actions.refuse_return(return_id=first.pk, reason="", actor=actor)
    actions.refuse_return(return_id=first.pk, reason="Hors délai", actor=actor)
    first.refresh_from_db()
    assert first.status == ReturnStatus.REFUSED and first.refusal_reason == "Hors délai"
    # Refused: its units may be asked again.
    actions.request_return(order_id=order.pk, lines=[LineReturn(kettle.pk, 1), LineReturn(toaster.pk, 1)], actor=actor)
    not_shipped = ingest_order(
        account=order.account, data=OrderDataFactory(status="accepted", lines=(OrderLineDataFactory(quantity=1),))
    ).order
    with pytest.raises(IllegalTransition):
        actions.request_return(order_id=not_shipped.pk, lines=[LineReturn(not_shipped.lines.get().pk, 1)], actor=actor)


@pytest.mark.django_db
def test_a_late_request_is_flagged_not_refused_and_a_marketplace_return_comes_once(operator, lyon):
    order = shipped_order(account=MarketplaceAccountFactory(platform="cdiscount"))
    kettle = order.lines.order_by("pk").first()
    later = timezone.now() + dt.timedelta(days=20)  # the window is 14 days on Cdiscount (unverified)
    deadline = later + dt.timedelta(days=2)
    found = actions.request_return(
        order_id=order.pk,
        lines=[LineReturn(kettle.pk, 1, reason="no_longer_needed")],
        actor=Actor.of_marketplace("cdiscount"),
        source=ReturnRequest.Source.MARKETPLACE,
        marketplace_return_id="CLAIM-1",
        marketplace_state="Open",
        requested_at=later,
        respond_by=deadline,
    )
    assert found.late_request and found.status == ReturnStatus.REQUESTED and found.respond_by == deadline
    late = OrderEvent.objects.get(order=order, kind=events.RETURN_REQUESTED_LATE)
    assert late.params["window"] == 14 and late.params["days"] >= 19
    again = actions.request_return(
        order_id=order.pk,
        lines=[LineReturn(kettle.pk, 1)],
        actor=Actor.of_marketplace("cdiscount"),
        marketplace_return_id="CLAIM-1",
        marketplace_state="Accepted",
    )
    assert again.pk == found.pk and ReturnRequest.objects.count() == 1
    again.refresh_from_db()
    assert again.marketplace_state == "Accepted"


@pytest.mark.django_db(transaction=True)
def test_restock_under_concurrent_reservations_keeps_available_right(operator, lyon):
    """Returned units go back on hand while other orders reserve the same SKU: nothing lost, nothing oversold."""
    put_stock("KETTLE", 6, lyon)
    account = MarketplaceAccountFactory(platform="mirakl")
    actor = Actor.of_user(operator)
    returns = []
    for index in range(4):
        order = shipped_order(account=account, lines=(("KETTLE", 1, "20.00"),), tag=f"R{index}")
        found = actions.request_return(order_id=order.pk, lines=[LineReturn(order.lines.get().pk, 1)], actor=actor)
        actions.authorise_return(return_id=found.pk, actor=actor)
        actions.receive_return(return_id=found.pk, scanned=["KETTLE"], actor=actor)
        returns.append(found)
    start = level("KETTLE", lyon)
    new_orders = [
        OrderDataFactory(
            platform="mirakl",
            marketplace_order_id=f"NEW-{index}",
            status="accepted",
            lines=(OrderLineDataFactory(marketplace_line_id=f"NEW-{index}-1", sku="KETTLE", quantity=1),),
        )
        for index in range(8)
    ]

    def work(item):
        kind, value = item
        if kind == "inspect":
            line = value.lines.get()
            return actions.inspect_return(return_id=value.pk, grades=[UnitGrade(line.pk, Grade.SELLABLE)], actor=actor)
        return ingest_order(account=account, data=value)

    outcomes = run_together(work, [("inspect", r) for r in returns] + [("order", o) for o in new_orders])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    after = level("KETTLE", lyon)
    assert after.on_hand == start.on_hand + 4  # every returned unit, once
    reserved = OrderAllocation.objects.filter(order__marketplace_order_id__startswith="NEW-", status="reserved")
    assert after.reserved == start.reserved + reserved.count()
    assert sum(r.quantity for r in after.reservations.all()) == after.reserved <= after.on_hand
    assert reserved.count() >= start.on_hand - start.reserved  # what was free before the returns, at least
    assert StockMovement.objects.filter(level=after, reason=StockMovement.Reason.RETURNED).count() == 4
