"""Return labels from the carrier sandbox (Colissimo's return product), through the outbox, over HTTP."""

import pytest

from oms import outbox
from oms.errors import InvalidInput
from oms.outbox import OutboxMessage
from orders import pushes
from orders.actions import Actor
from orders.models import OrderEvent
from returns import actions, events, return_tracking
from returns.actions import LineReturn
from returns.models import ReturnStatus
from tests.returns.conftest import shipped_order
from tests.shipping.conftest import SENDER, carrier_account, carrier_sandbox, carrier_sandbox_server  # noqa: F401

SYSTEM = Actor.system("test")


def authorised_return():
    order = shipped_order()
    kettle = order.lines.order_by("pk").first()
    found = actions.request_return(order_id=order.pk, lines=[LineReturn(kettle.pk, 1)], actor=SYSTEM)
    OutboxMessage.objects.filter(kind=pushes.SHIP).delete()  # this order's marketplace is not the subject here
    return actions.authorise_return(return_id=found.pk, actor=SYSTEM)


@pytest.mark.django_db
def test_colissimo_prints_a_return_label(carrier_account, client, operator):  # noqa: F811
    account = carrier_account("colissimo")
    found = authorised_return()
    actions.request_return_label(return_id=found.pk, carrier_account_id=account.pk, weight_grams=800, actor=SYSTEM)
    assert outbox.drain() == {"sent": 1}
    found.refresh_from_db()
    assert found.status == ReturnStatus.LABEL_SENT
    assert found.tracking_number.startswith("8R") and len(found.tracking_number) == 13  # CORE, the return product
    assert bytes(found.label_content).startswith(b"%PDF")
    event = OrderEvent.objects.get(order=found.order, kind=events.RETURN_LABEL_SENT)
    assert event.params["tracking_number"] == found.tracking_number
    client.force_login(operator)
    response = client.get(f"/returns/{found.pk}/return-label/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert actions.find_return_by_scan(found.tracking_number) == found


@pytest.mark.django_db
def test_a_refused_return_label_shows_on_the_return(carrier_account):  # noqa: F811
    account = carrier_account("colissimo", sender={**SENDER, "postal_code": ""})
    found = authorised_return()
    actions.request_return_label(return_id=found.pk, carrier_account_id=account.pk, actor=SYSTEM)
    outbox.drain()
    found.refresh_from_db()
    assert found.status == ReturnStatus.AUTHORISED and "code postal" in found.label_error
    ups = carrier_account("ups")
    with pytest.raises(InvalidInput):
        actions.request_return_label(return_id=found.pk, carrier_account_id=ups.pk, actor=SYSTEM)


@pytest.mark.django_db
def test_the_return_parcel_moves_in_transit_then_arrives_from_carrier_tracking(
    carrier_account,  # noqa: F811
    carrier_sandbox,  # noqa: F811
    client,
    operator,
):
    account = carrier_account("colissimo")
    found = authorised_return()
    actions.request_return_label(return_id=found.pk, carrier_account_id=account.pk, actor=SYSTEM)
    outbox.drain()
    assert return_tracking.poll_return_parcels() == 0  # only the label so far: nothing moves
    found.refresh_from_db()
    assert found.status == ReturnStatus.LABEL_SENT

    carrier_sandbox.admin.advance(650)  # the carrier has the parcel
    assert return_tracking.poll_return_parcels() == 1
    found.refresh_from_db()
    assert found.status == ReturnStatus.IN_TRANSIT and found.arrived_at is None
    assert OrderEvent.objects.filter(order=found.order, kind=events.RETURN_IN_TRANSIT).count() == 1

    carrier_sandbox.admin.advance(2100)  # delivered to the warehouse
    assert return_tracking.poll_return_parcels() == 1
    assert return_tracking.poll_return_parcels() == 0  # flagged once
    found.refresh_from_db()
    assert found.status == ReturnStatus.IN_TRANSIT and found.arrived_at is not None
    assert OrderEvent.objects.filter(order=found.order, kind=events.RETURN_ARRIVED).count() == 1
    assert not return_tracking.returns_to_follow().filter(pk=found.pk).exists()
    client.force_login(operator)
    french = client.get(f"/returns/{found.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Colis arrivé" in french
    assert "Arrived" in client.get("/returns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Received as usual once scanned.
    line = found.lines.get()
    actions.receive_return(return_id=found.pk, scanned=[line.order_line.sku], actor=SYSTEM)
    found.refresh_from_db()
    assert found.status == ReturnStatus.RECEIVED
