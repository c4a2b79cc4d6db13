"""A shipment of several parcels told to each marketplace sandbox over real HTTP: eBay
(createShippingFulfillment "for each package") and Amazon (confirmShipment, one packageDetail per
call) hear every parcel with the lines it holds; Mirakl (OR23: one tracking number per order) and
Cdiscount (one per shipment, unverified) hear the first, and the order page says which parcels
they do not hear of, and why. A parcel's lines must add up to the shipment's."""

import pytest
from django.urls import reverse

from inventory.models import Warehouse
from oms import outbox
from oms.errors import InvalidInput
from orders.models import OrderEvent
from shipping import actions, events
from shipping.models import Parcel, Shipment
from tests.marketplaces.test_capabilities_first import order_to_ship, sandbox_actions
from tests.shipping.conftest import SERVICES, SYSTEM, service_of
from tests.shipping.test_partial_shipments import shipped_lines


def ship_in_two_parcels(order, carrier_account, *, contents: bool) -> Shipment:
    """The whole order in one Colissimo shipment of two parcels (one line each, if `contents`), labelled
    by the carrier sandbox and handed over."""
    first, second = order.lines.order_by("pk")
    parcels = [
        {"weight_grams": 900, **({"lines": {first.pk: first.quantity}} if contents else {})},
        {"weight_grams": 400, **({"lines": {second.pk: second.quantity}} if contents else {})},
    ]
    shipment = actions.create_shipment(
        order_id=order.pk,
        warehouse_id=Warehouse.objects.get(code="lyon").pk,
        service_id=service_of("colissimo").pk,
        carrier_account_id=carrier_account("colissimo").pk,
        lines={first.pk: first.quantity, second.pk: second.quantity},
        parcels=parcels,
        label_format=SERVICES["colissimo"][1],
        actor=SYSTEM,
    )
    actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    assert outbox.drain() == {"sent": 1}
    actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
    return shipment


def numbers(shipment) -> list[str]:
    return list(Parcel.objects.filter(shipment=shipment).order_by("pk").values_list("tracking_number", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["ebay", "amazon"])
def test_every_parcel_is_a_package_with_its_lines(
    sandbox, sandbox_account, stocked, operator, carrier_account, platform
):
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)
    first, second = order.lines.order_by("pk")

    shipment = ship_in_two_parcels(order, carrier_account, contents=True)
    assert outbox.drain() == {"sent": 1}  # one push, two packages

    remote = sandbox.admin.order(key, order.marketplace_order_id)
    assert shipped_lines(remote) == [
        [(first.marketplace_line_id, first.quantity)],
        [(second.marketplace_line_id, second.quantity)],
    ]
    assert [package["tracking_number"] for package in remote["shipments"]] == numbers(shipment)
    verb = {"ebay": "createShippingFulfillment", "amazon": "confirmShipment"}[platform]
    assert sandbox_actions(sandbox, key, order)[-2:] == [verb, verb]
    assert not OrderEvent.objects.filter(order=order, kind=events.PARCELS_NOT_TOLD).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("platform", "reason"),
    [
        ("mirakl", "it takes one tracking number per order"),
        ("cdiscount", "it takes one tracking number per shipment (unverified)"),
        ("ebay", "it takes one package per parcel with the lines it holds, and what each parcel holds was not given"),
    ],
)
def test_a_platform_that_hears_one_tracking_number_gets_the_first_and_the_page_says_so(
    sandbox, sandbox_account, stocked, operator, carrier_account, client, platform, reason
):
    account, key = sandbox_account(platform)
    order = order_to_ship(sandbox, account, key, operator)

    # eBay without the parcels' contents: one package of every line under the first number.
    shipment = ship_in_two_parcels(order, carrier_account, contents=platform != "ebay")
    outbox.drain()

    told, not_told = numbers(shipment)
    remote = sandbox.admin.order(key, order.marketplace_order_id)
    if platform == "mirakl":
        assert remote["tracking"]["tracking_number"] == told
    else:
        assert [package["tracking_number"] for package in remote["shipments"]] == [told]
        assert sorted(shipped_lines(remote)[0]) == sorted(
            (line.marketplace_line_id, line.quantity) for line in order.lines.all()
        )
    event = OrderEvent.objects.get(order=order, kind=events.PARCELS_NOT_TOLD)
    assert (event.params["told"], event.params["not_told"]) == (told, not_told)
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f"is told tracking {told} only: {reason}. Not told: {not_told}." in page
    french = client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Non transmis : {not_told}" in french


def test_parcel_lines_must_add_up_to_the_shipment(shippable_order, warehouse, carrier_account, operator_api):
    account = carrier_account("colissimo")
    kettle, teapot = shippable_order.lines.order_by("sku")
    base = {
        "order_id": shippable_order.pk,
        "warehouse_id": warehouse.pk,
        "service_id": service_of("colissimo").pk,
        "carrier_account_id": account.pk,
        "lines": {kettle.pk: 2, teapot.pk: 1},
        "actor": SYSTEM,
    }
    wrong = [
        [{"weight_grams": 500, "lines": {kettle.pk: 2}}, {"weight_grams": 500, "lines": {teapot.pk: 2}}],
        [{"weight_grams": 500, "lines": {kettle.pk: 2, teapot.pk: 1}}, {"weight_grams": 500}],
        [{"weight_grams": 500, "lines": {kettle.pk: 2}}, {"weight_grams": 500, "lines": {999_999: 1}}],
    ]
    for parcels in wrong:
        with pytest.raises(InvalidInput):
            actions.create_shipment(parcels=parcels, **base)
    assert not Shipment.objects.exists()

    response = operator_api.post(
        "/api/v1/shipments/",
        {
            "order": shippable_order.pk,
            "warehouse": warehouse.pk,
            "service": service_of("colissimo").pk,
            "carrier_account": account.pk,
            "lines": [{"order_line": kettle.pk, "quantity": 2}, {"order_line": teapot.pk, "quantity": 1}],
            "parcels": [
                {"weight_grams": 900, "lines": [{"order_line": kettle.pk, "quantity": 2}]},
                {"weight_grams": 300, "lines": [{"order_line": teapot.pk, "quantity": 1}]},
            ],
            "request_label": False,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="two-parcels",
    )
    assert response.status_code == 201, response.content
    shipment = Shipment.objects.get()
    assert list(shipment.parcels.order_by("pk").values_list("contents", flat=True)) == [
        {str(kettle.pk): 2},
        {str(teapot.pk): 1},
    ]
