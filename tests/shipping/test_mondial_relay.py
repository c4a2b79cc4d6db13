"""Mondial Relay (a relay-point network; format UNVERIFIED: no spec stored) over real HTTP against
the carrier sandbox: a relay-point label naming the buyer's relay point, tracking to delivered, a
24R label refused without a relay point; a relay-point order keeps its network in carrier choice."""

import pytest

from oms import outbox
from orders.models import Order
from shipping import actions, carrier_choice, tracking
from shipping.models import CarrierRule, CarrierService, Shipment
from tests.factories import AddressDataFactory, MarketplaceAccountFactory, OrderLineDataFactory, make_order
from tests.shipping.conftest import SYSTEM
from tests.shipping.paperwork import pdf_text


def relay_order(relay_point_id: str = "012345", shipping_method: str = "Mondial Relay - Point Relais L"):
    return make_order(
        account=MarketplaceAccountFactory(platform="amazon"),
        shipping_method=shipping_method,
        shipping_address=AddressDataFactory(
            name="Jeanne Martin",
            line1="3 rue des Lilas",
            postal_code="75011",
            city="Paris",
            country_code="FR",
            relay_point_id=relay_point_id,
        ),
        lines=[OrderLineDataFactory(quantity=1, sku="KETTLE")],
    )


def mondial_relay(product: str) -> CarrierService:
    return CarrierService.objects.get(carrier__code="mondial_relay", product_code=product)


def labelled(order, warehouse, account, product="24R") -> Shipment:
    shipment = actions.create_shipment(
        order_id=order.pk,
        warehouse_id=warehouse.pk,
        service_id=mondial_relay(product).pk,
        carrier_account_id=account.pk,
        lines={line.pk: line.quantity for line in order.lines.all()},
        parcels=[{"weight_grams": 800}],
        actor=SYSTEM,
    )
    actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    outbox.drain()
    shipment.refresh_from_db()
    return shipment


@pytest.mark.django_db
def test_a_relay_point_label_then_tracking_to_delivered(warehouse, carrier_account, carrier_sandbox):
    order = relay_order()
    account = carrier_account("mondial_relay")

    shipment = labelled(order, warehouse, account)

    assert shipment.status == Shipment.Status.LABELLED, shipment.label_error
    parcel = shipment.parcels.get()
    assert len(parcel.tracking_number) == 8 and parcel.tracking_number.isdigit()
    text = pdf_text(bytes(parcel.label))
    assert "Mondial Relay" in text and "Point Relais FR-012345" in text and parcel.tracking_number in text

    actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
    carrier_sandbox.admin.advance(2750)
    report = tracking.poll_account(account_id=account.pk)
    assert report.asked == 1 and report.moved == 1
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert shipment.parcels.get().tracking_description == "Colis livré au destinataire"


@pytest.mark.django_db
def test_a_relay_point_label_without_a_relay_point_is_refused_with_the_reason(
    warehouse, carrier_account, carrier_sandbox
):
    order = relay_order(relay_point_id="")  # to the buyer's home
    shipment = labelled(order, warehouse, carrier_account("mondial_relay"))

    assert shipment.status == Shipment.Status.DRAFT
    assert "relay point" in shipment.label_error
    # Home delivery from the same network prints.
    actions.void_shipment(shipment_id=shipment.pk, actor=SYSTEM)
    home = labelled(order, warehouse, carrier_account("mondial_relay"), product="HOM")
    assert home.status == Shipment.Status.LABELLED


@pytest.mark.django_db
def test_a_relay_point_order_keeps_its_network():
    colissimo_relay = CarrierService.objects.get(carrier__code="colissimo", product_code="A2P")
    CarrierRule.objects.create(name="Relay by Colissimo", position=10, service=colissimo_relay)
    CarrierRule.objects.create(name="Relay by Mondial Relay", position=20, service=mondial_relay("24R"))

    choice = carrier_choice.choose(relay_order())
    assert choice.rule.name == "Relay by Mondial Relay"
    refused = carrier_choice.choose(relay_order(), [CarrierRule.objects.get(name="Relay by Colissimo")])
    assert refused.rule is None
    assert "the buyer chose a Mondial Relay relay point: only Mondial Relay keeps it" in refused.reasons[0].text
    # A relay point without a named network: any relay-point service keeps it.
    assert carrier_choice.choose(relay_order(shipping_method="Standard")).rule.name == "Relay by Colissimo"
