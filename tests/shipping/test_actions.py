"""Shipments: lines within the ordered units (action and database), labels asked through the outbox, voiding."""

import pytest
from django.db import IntegrityError, transaction

from oms.errors import IllegalTransition, InvalidInput
from oms.outbox import OutboxMessage
from orders.models import OrderEvent
from shipping import actions
from shipping.models import Shipment, ShipmentLine
from tests.shipping.conftest import SERVICES, SYSTEM, service_of


def make_shipment(order, warehouse, account, lines, *, code="colissimo", parcels=({"weight_grams": 1200},)):
    return actions.create_shipment(
        order_id=order.pk,
        warehouse_id=warehouse.pk,
        service_id=service_of(code).pk,
        carrier_account_id=account.pk,
        lines=lines,
        parcels=list(parcels),
        label_format=SERVICES[code][1],
        actor=SYSTEM,
    )


def test_a_shipment_takes_some_units_and_the_rest_can_ship_in_another(shippable_order, warehouse, carrier_account):
    account = carrier_account("colissimo")
    kettle, teapot = shippable_order.lines.order_by("sku")[0], shippable_order.lines.order_by("sku")[1]
    first = make_shipment(shippable_order, warehouse, account, {kettle.pk: 1})
    second = make_shipment(
        shippable_order,
        warehouse,
        account,
        {kettle.pk: 1, teapot.pk: 1},
        parcels=[{"weight_grams": 800}, {"weight_grams": 400}],
    )

    assert first.status == second.status == Shipment.Status.DRAFT
    assert [(line.order_line.sku, line.quantity) for line in second.lines.select_related("order_line")] == [
        ("KETTLE", 1),
        ("TEAPOT", 1),
    ]
    assert second.parcels.count() == 2
    assert OrderEvent.objects.filter(order=shippable_order, kind="shipment_created").count() == 2


def test_more_units_than_ordered_are_refused_by_the_action(shippable_order, warehouse, carrier_account):
    account = carrier_account("colissimo")
    kettle = shippable_order.lines.get(sku="KETTLE")
    make_shipment(shippable_order, warehouse, account, {kettle.pk: 2})

    with pytest.raises(InvalidInput, match="0 unit"):
        make_shipment(shippable_order, warehouse, account, {kettle.pk: 1})
    assert Shipment.objects.filter(order=shippable_order).count() == 1


def test_the_database_refuses_lines_beyond_the_ordered_units(shippable_order, warehouse, carrier_account):
    account = carrier_account("colissimo")
    kettle = shippable_order.lines.get(sku="KETTLE")
    shipment = make_shipment(shippable_order, warehouse, account, {kettle.pk: 2})
    other = Shipment.objects.create(
        order=shippable_order,
        carrier=account.carrier,
        warehouse=warehouse,
        service=shipment.service,
        carrier_account=account,
    )

    with pytest.raises(IntegrityError, match="already in shipments"), transaction.atomic():
        ShipmentLine.objects.create(shipment=other, order_line=kettle, quantity=1)
    with pytest.raises(IntegrityError, match="already in shipments"), transaction.atomic():
        ShipmentLine.objects.filter(shipment=shipment).update(quantity=3)


def test_voiding_gives_the_units_back(shippable_order, warehouse, carrier_account):
    account = carrier_account("colissimo")
    kettle = shippable_order.lines.get(sku="KETTLE")
    shipment = make_shipment(shippable_order, warehouse, account, {kettle.pk: 2})

    actions.void_shipment(shipment_id=shipment.pk, actor=SYSTEM)

    again = make_shipment(shippable_order, warehouse, account, {kettle.pk: 2})
    assert again.lines.get().quantity == 2
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.VOIDED


def test_requesting_a_label_writes_one_carrier_label_message(shippable_order, warehouse, carrier_account):
    account = carrier_account("colissimo")
    shipment = make_shipment(shippable_order, warehouse, account, {shippable_order.lines.get(sku="TEAPOT").pk: 1})

    actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABEL_REQUESTED
    message = OutboxMessage.objects.get(kind="carrier.label")
    assert message.payload == {"shipment_id": shipment.pk, "request_key": shipment.label_request_key}
    assert message.destination == f"carrier:{account.pk}"
    with pytest.raises(IllegalTransition):
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    assert OutboxMessage.objects.filter(kind="carrier.label").count() == 1


def test_a_service_of_another_carrier_or_a_format_it_does_not_print_is_refused(
    shippable_order, warehouse, carrier_account
):
    teapot = shippable_order.lines.get(sku="TEAPOT")
    with pytest.raises(InvalidInput, match="not a"):
        make_shipment(shippable_order, warehouse, carrier_account("ups"), {teapot.pk: 1}, code="colissimo")
    with pytest.raises(InvalidInput, match="PDF"):
        actions.create_shipment(
            order_id=shippable_order.pk,
            warehouse_id=warehouse.pk,
            service_id=service_of("ups").pk,
            carrier_account_id=carrier_account("ups").pk,
            lines={teapot.pk: 1},
            parcels=[{"weight_grams": 500}],
            label_format="PDF",
            actor=SYSTEM,
        )
    assert not Shipment.objects.exists()
