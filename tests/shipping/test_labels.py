"""Labels through the outbox over real HTTP against the carrier sandbox: each carrier's label,
a 5xx retried, a refusal shown on the shipment, a void that reaches the carrier."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from oms import outbox
from oms.outbox import OutboxMessage
from orders import carriers
from orders.models import OrderEvent
from shipping import actions, selectors
from shipping.clients import connector_for_account
from shipping.models import Shipment
from tests.shipping.conftest import SYSTEM
from tests.shipping.test_actions import make_shipment

CARRIERS = ["colissimo", "ups", "dhl_parcel"]
S = OutboxMessage.Status


@pytest.fixture
def labelled_shipment(shippable_order, warehouse, carrier_account):
    """`labelled_shipment(code)`: a two-parcel shipment of the whole order whose label was requested."""

    def create(code: str, **account_fields):
        account = carrier_account(code, **account_fields)
        shipment = make_shipment(
            shippable_order,
            warehouse,
            account,
            {line.pk: line.quantity for line in shippable_order.lines.all()},
            code=code,
            parcels=[{"weight_grams": 1500}, {"weight_grams": 700}],
        )
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
        return shipment

    return create


def label_text(parcel) -> str:
    content = bytes(parcel.label)
    if parcel.label_format == "PDF":
        assert content.startswith(b"%PDF-")
        return PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert content.startswith(b"^XA")
    return content.decode()


@pytest.mark.parametrize("code", CARRIERS)
def test_the_carrier_labels_every_parcel(code, labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment(code)

    assert outbox.drain() == {"sent": 1}

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    parcels = list(shipment.parcels.order_by("pk"))
    numbers = [parcel.tracking_number for parcel in parcels]
    assert len(set(numbers)) == 2
    for parcel in parcels:
        assert carriers.tracking_matches(code, parcel.tracking_number)
        text = label_text(parcel)
        assert parcel.tracking_number in text
        assert shipment.order.ship_city in text
    assert {p["tracking_number"] for p in carrier_sandbox.admin.parcels()} == set(numbers)
    event = OrderEvent.objects.get(order=shipment.order, kind="label_created")
    assert event.params["tracking_numbers"] == ", ".join(numbers)


@pytest.mark.parametrize("code", CARRIERS)
def test_a_server_error_is_retried_by_the_outbox(code, labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment(code)
    carrier_sandbox.admin.add_fault(code, 500, operation="label")

    assert outbox.drain() == {"retry": 1}
    message = OutboxMessage.objects.get(kind="carrier.label")
    assert message.status == S.PENDING and "HTTP 500" in message.last_error
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.LABEL_REQUESTED

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"sent": 1}
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.LABELLED


@pytest.mark.parametrize("code", CARRIERS)
def test_a_refusal_goes_back_on_the_shipment_with_the_carriers_message(
    code, labelled_shipment, carrier_sandbox, carrier_account
):
    shipment = labelled_shipment(code)
    carrier_sandbox.admin.add_fault(code, 400, operation="label")

    assert outbox.drain() == {"dead": 1}

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DRAFT
    assert shipment.label_error.startswith("HTTP 400:") and "Injected fault" in shipment.label_error
    assert OutboxMessage.objects.get(kind="carrier.label").last_error == shipment.label_error
    assert OrderEvent.objects.get(order=shipment.order, kind="label_refused").params["error"] == shipment.label_error

    actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)  # fixed: asked again
    assert outbox.drain() == {"sent": 1}
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.LABELLED


def test_a_superseded_label_request_does_nothing(labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment("colissimo")
    carrier_sandbox.admin.add_fault("colissimo", 400, operation="label")
    outbox.drain()
    dead = OutboxMessage.objects.get(kind="carrier.label")
    actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    outbox.drain()

    outbox.retry_dead(message_id=dead.pk)
    assert outbox.drain() == {"sent": 1}
    assert len(carrier_sandbox.admin.parcels()) == 2  # the retried old request printed nothing more


def test_wrong_credentials_are_a_refusal(labelled_shipment):
    shipment = labelled_shipment("colissimo", credentials={"api_key": "not-the-key", "tracking_api_key": "x"})

    assert outbox.drain() == {"dead": 1}
    shipment.refresh_from_db()
    assert shipment.label_error == "HTTP 403: 30000 Token KO or Unauthorized access"


@pytest.mark.parametrize("code", ["ups", "dhl_parcel"])
def test_voiding_a_labelled_shipment_voids_each_label_at_the_carrier(code, labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment(code)
    outbox.drain()

    actions.void_shipment(shipment_id=shipment.pk, actor=SYSTEM)

    assert OutboxMessage.objects.filter(kind="carrier.void").count() == 2
    assert outbox.drain() == {"sent": 2}
    assert all(parcel["voided"] for parcel in carrier_sandbox.admin.parcels())


@pytest.mark.parametrize("code", ["ups", "dhl_parcel"])
def test_a_label_already_on_its_way_cannot_be_voided(code, labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment(code)
    outbox.drain()
    carrier_sandbox.admin.advance(700)  # the carrier has scanned the parcels

    actions.void_shipment(shipment_id=shipment.pk, actor=SYSTEM)

    assert outbox.drain() == {"dead": 2}
    assert all("HTTP 400" in message.last_error for message in OutboxMessage.objects.filter(kind="carrier.void"))
    assert not any(parcel["voided"] for parcel in carrier_sandbox.admin.parcels())


def test_a_colissimo_label_has_nothing_to_void_at_the_carrier(labelled_shipment):
    shipment = labelled_shipment("colissimo")
    outbox.drain()

    actions.void_shipment(shipment_id=shipment.pk, actor=SYSTEM)

    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.VOIDED
    assert not OutboxMessage.objects.filter(kind="carrier.void").exists()


@pytest.mark.parametrize("code", CARRIERS)
def test_a_retry_after_a_worker_died_gets_the_labels_already_made(code, labelled_shipment, carrier_sandbox):
    shipment = labelled_shipment(code)
    message = OutboxMessage.objects.get(kind="carrier.label")
    # A first worker got the carrier's labels, then died before storing them: the message is retried.
    request = selectors.label_request(shipment.pk, request_key=message.payload["request_key"])
    made = connector_for_account(shipment.carrier_account).create_labels(request)

    assert outbox.drain() == {"sent": 1}

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.LABELLED
    assert [parcel.tracking_number for parcel in shipment.parcels.order_by("pk")] == [
        label.tracking_number for label in made
    ]
    assert len(carrier_sandbox.admin.parcels()) == 2  # one per parcel: no second, billed label
    replays = [r for r in carrier_sandbox.server.world.requests if r["operation"] == "label.replay"]
    assert len(replays) == (2 if code == "colissimo" else 1)  # Colissimo: one call per parcel
