"""Carrier tracking polled in workers, over real HTTP against the carrier sandbox: shipments follow
their parcels (in transit, delivered, a problem, returned), the order becomes delivered from the
carrier's own event, problems show as a queue filter and a badge; one worker per carrier account,
at most a batch of parcels per poll, an outage changes nothing."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from oms import outbox
from orders.models import Order, OrderEvent
from shipping import actions, events, tasks, tracking
from shipping.models import CarrierAccount, Shipment
from tests.shipping.conftest import SYSTEM
from tests.shipping.test_actions import make_shipment
from tests.webhooks.conftest import add_endpoint

CARRIERS = ["colissimo", "ups", "dhl_parcel"]


@pytest.fixture
def handed_over(shippable_order, warehouse, carrier_account, carrier_sandbox):
    """`handed_over(code)`: the whole order in one shipment, labelled by the sandbox and handed over."""

    def create(code: str, *, hand_over: bool = True):
        account = carrier_account(code)
        shipment = make_shipment(
            shippable_order,
            warehouse,
            account,
            {line.pk: line.quantity for line in shippable_order.lines.all()},
            code=code,
        )
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
        assert outbox.drain()["sent"] >= 1
        assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.LABELLED
        if hand_over:
            actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
        shipment.refresh_from_db()
        return shipment

    return create


def status_of(shipment) -> tuple[str, str]:
    shipment.refresh_from_db()
    return shipment.status, Order.objects.get(pk=shipment.order_id).status


@pytest.mark.parametrize("code", CARRIERS)
def test_the_carrier_moves_the_shipment_and_its_delivery_delivers_the_order(code, handed_over, carrier_sandbox):
    shipment = handed_over(code)
    assert status_of(shipment) == ("handed_over", "shipped")

    report = tracking.poll_account(account_id=shipment.carrier_account_id)
    assert (report.claimed, report.asked, report.moved) == (True, 1, 0)

    carrier_sandbox.admin.advance(650)
    tracking.poll_account(account_id=shipment.carrier_account_id)
    assert status_of(shipment) == ("in_transit", "shipped")

    carrier_sandbox.admin.advance(2100)
    report = tracking.poll_account(account_id=shipment.carrier_account_id)
    assert report.moved == 1
    assert status_of(shipment) == ("delivered", "delivered")
    parcel = shipment.parcels.get()
    assert parcel.tracking_status == "delivered" and parcel.tracking_event_at is not None
    delivered = OrderEvent.objects.get(order=shipment.order, kind=events.SHIPMENT_DELIVERED)
    assert (delivered.from_status, delivered.to_status, delivered.actor_type) == ("shipped", "delivered", "system")
    # Delivered: nothing left to ask the carrier about.
    assert tracking.due_accounts() == []


def test_a_labelled_shipment_the_carrier_scans_has_left_and_ships_the_order(handed_over, carrier_sandbox):
    shipment = handed_over("colissimo", hand_over=False)
    assert status_of(shipment) == ("labelled", "accepted")

    carrier_sandbox.admin.advance(650)
    tracking.poll_account(account_id=shipment.carrier_account_id)

    assert status_of(shipment) == ("in_transit", "shipped")
    assert OrderEvent.objects.filter(order=shipment.order, kind=events.SHIPMENT_SHIPPED).count() == 1


def test_a_problem_and_a_return_show_as_a_filter_and_a_badge(handed_over, carrier_sandbox, client, operator):
    shipment = handed_over("ups")
    number = shipment.parcels.get().tracking_number
    carrier_sandbox.admin.make_return(number)
    client.force_login(operator)

    carrier_sandbox.admin.advance(2000)
    tracking.poll_account(account_id=shipment.carrier_account_id)
    assert status_of(shipment) == ("exception", "shipped")
    queue = client.get(reverse("orders:list"), {"delivery_problem": "true"}).content.decode()
    assert shipment.order.number in queue and 'class="badge delivery-problem"' in queue
    assert (
        shipment.order.number not in client.get(reverse("orders:list"), {"delivery_problem": "false"}).content.decode()
    )
    page = client.get(reverse("orders:detail", args=[shipment.order_id]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Incident de livraison" in page

    carrier_sandbox.admin.advance(90_000)
    tracking.poll_account(account_id=shipment.carrier_account_id)
    assert status_of(shipment) == ("returned", "shipped")
    tracked = OrderEvent.objects.filter(order=shipment.order, kind=events.SHIPMENT_TRACKED).order_by("pk")
    assert [event.params["shipment_status"] for event in tracked] == ["exception", "returned"]


def test_an_outage_stops_the_poll_and_changes_nothing(handed_over, carrier_sandbox):
    shipment = handed_over("dhl_parcel")
    carrier_sandbox.admin.advance(650)
    carrier_sandbox.admin.add_fault("dhl_parcel", 503, operation="track")

    report = tracking.poll_account(account_id=shipment.carrier_account_id)

    assert report.claimed and report.asked == 0 and "503" in report.error
    assert status_of(shipment) == ("handed_over", "shipped")
    account = CarrierAccount.objects.get(pk=shipment.carrier_account_id)
    assert account.tracking_lease_until is None  # free for the next poll
    tracking.poll_account(account_id=shipment.carrier_account_id)
    assert status_of(shipment) == ("in_transit", "shipped")


def test_a_poll_asks_at_most_a_batch_least_recently_asked_first(
    shippable_order, warehouse, carrier_account, carrier_sandbox, settings
):
    settings.OMS_TRACKING_BATCH = 1
    account = carrier_account("colissimo")
    kettle, teapot = shippable_order.lines.order_by("sku")
    shipments = [
        make_shipment(shippable_order, warehouse, account, {kettle.pk: kettle.quantity}),
        make_shipment(shippable_order, warehouse, account, {teapot.pk: teapot.quantity}),
    ]
    for shipment in shipments:
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
    assert outbox.drain() == {"sent": 2}
    for shipment in shipments:
        actions.hand_over_shipment(shipment_id=shipment.pk, actor=SYSTEM)
    carrier_sandbox.admin.advance(650)

    assert tracking.poll_account(account_id=account.pk).asked == 1
    assert sorted(status_of(shipment)[0] for shipment in shipments) == ["handed_over", "in_transit"]
    assert tracking.poll_account(account_id=account.pk).asked == 1
    assert [status_of(shipment)[0] for shipment in shipments] == ["in_transit", "in_transit"]


def test_the_dispatcher_queues_due_accounts_only(handed_over, settings):
    shipment = handed_over("colissimo")
    assert tracking.due_accounts() == [shipment.carrier_account_id]
    assert tasks.dispatch_tracking() == 1  # queued for a worker (not run here)

    tracking.poll_account(account_id=shipment.carrier_account_id)
    assert tracking.due_accounts() == []  # polled less than an interval ago
    settings.OMS_TRACKING_INTERVAL = 0
    assert tracking.due_accounts() == [shipment.carrier_account_id]


@pytest.mark.django_db(transaction=True)
def test_one_worker_at_a_time_per_carrier_account(carrier_account, carrier_sandbox):
    account = carrier_account("colissimo")
    start = threading.Barrier(4)
    leases = []

    def worker():
        try:
            start.wait()
            leases.append(tracking.claim(account.pk, timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(lease is not None for lease in leases) == 1
    # While that worker holds the account, another poll does nothing.
    assert tracking.poll_account(account_id=account.pk).claimed is False
    # A dead worker's lease runs out: the account is free again.
    CarrierAccount.objects.filter(pk=account.pk).update(tracking_lease_until=timezone.now() - tracking.LEASE)
    assert tracking.poll_account(account_id=account.pk).claimed is True
    assert CarrierAccount.objects.get(pk=account.pk).tracking_lease_until is None


def test_webhooks_tell_an_erp_a_shipment_was_created_and_delivered(handed_over, carrier_sandbox, receiver):
    add_endpoint(url=receiver.url, events=["shipment.created", "shipment.delivered"])
    shipment = handed_over("colissimo")
    carrier_sandbox.admin.advance(2750)
    tracking.poll_account(account_id=shipment.carrier_account_id)
    outbox.drain()

    [created] = receiver.events_of("shipment.created")
    [delivered] = receiver.events_of("shipment.delivered")
    assert created["data"]["shipment"]["id"] == delivered["data"]["shipment"]["id"] == shipment.pk
    assert created["data"]["shipment"]["status"] == "draft"
    assert delivered["data"]["shipment"]["status"] == "delivered"
    assert delivered["data"]["shipment"]["parcels"][0]["tracking_number"] == shipment.parcels.get().tracking_number
    assert [line["quantity"] for line in delivered["data"]["shipment"]["lines"]] == [2, 1]


def test_the_order_page_hands_a_labelled_shipment_over_or_voids_it(handed_over, client, operator, viewer):
    shipment = handed_over("ups", hand_over=False)
    page_url = reverse("orders:detail", args=[shipment.order_id])
    hand_over_url = reverse("orders:shipment_hand_over", args=[shipment.order_id, shipment.pk])
    client.force_login(viewer)
    assert hand_over_url not in client.get(page_url).content.decode()
    assert client.post(hand_over_url).status_code == 403

    client.force_login(operator)
    page = client.get(page_url).content.decode()
    assert hand_over_url in page and reverse("orders:shipment_void", args=[shipment.order_id, shipment.pk]) in page
    assert "Shipment handed to the carrier." in client.post(hand_over_url, follow=True).content.decode()
    assert status_of(shipment) == ("handed_over", "shipped")
    # Gone with the carrier: it can no longer be voided.
    refused = client.post(reverse("orders:shipment_void", args=[shipment.order_id, shipment.pk]), follow=True)
    assert "cannot become Voided" in refused.content.decode()
    assert status_of(shipment) == ("handed_over", "shipped")


def test_a_labelled_shipment_first_seen_delivered_is_shipped_then_delivered(handed_over, carrier_sandbox):
    shipment = handed_over("dhl_parcel", hand_over=False)
    carrier_sandbox.admin.advance(2750)  # no poll while it travelled

    tracking.poll_account(account_id=shipment.carrier_account_id)

    assert status_of(shipment) == ("delivered", "delivered")
    kinds = list(OrderEvent.objects.filter(order=shipment.order).order_by("pk").values_list("kind", flat=True))
    assert kinds.index(events.SHIPMENT_SHIPPED) < kinds.index(events.SHIPMENT_DELIVERED)
