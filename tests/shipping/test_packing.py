"""The packing station over HTTP: an order scanned opens a session (its shipment created with the
default service and its label asked of the carrier sandbox), items counted, a wrong or surplus item
refused and blocking, the shipment packed when every unit is scanned and labelled; pick lists; roles;
two stations on the same order."""

import re
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from inventory.models import Warehouse
from oms import outbox
from orders.actions import Actor
from orders.models import OrderEvent
from shipping import packing
from shipping.models import PackingSession, PickList, Shipment
from tests.oms.test_french_pages import catalogue, english_on
from tests.shipping.paperwork import order_of, seeded_carriers, stock_in  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def floor(db, carrier_account):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    stock_in(lyon, "KETTLE", 20, bin_location="A-1", ean="3760000000017")
    stock_in(lyon, "TEAPOT", 20, bin_location="A-2", ean="3760000000024")
    carrier_account("colissimo")
    return lyon


def scan(client, code: str):
    response = client.post(reverse("shipping:pack_scan"), {"code": code}, **HTMX)
    assert response.status_code == 200
    return response


def test_an_order_scanned_then_its_items_is_packed_and_its_label_offered(client, operator, account, floor):
    order = order_of(account, ("KETTLE", 2), ("TEAPOT", 1))
    client.force_login(operator)

    opened = scan(client, order.number)

    session = PackingSession.objects.get()
    shipment = session.shipment
    assert (shipment.service.carrier.code, shipment.status) == ("colissimo", Shipment.Status.LABEL_REQUESTED)
    assert sorted(session.expected.values()) == [1, 2]
    assert opened.context["outcome"] == "opened" and "KETTLE" in opened.content.decode()
    assert outbox.drain() == {"sent": 1}  # the carrier sandbox labels it while the items are scanned

    assert scan(client, "3760000000017").context["outcome"] == "counted"  # the EAN
    assert scan(client, "kettle").context["outcome"] == "counted"  # the SKU, as typed
    last = scan(client, "TEAPOT")

    assert last.context["outcome"] == "packed"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PACKED
    page = last.content.decode()
    parcel = shipment.parcels.get()
    assert reverse("shipping:parcel_label", args=[parcel.pk, "pdf"]) + "?size=10x15" in page.replace("&amp;", "&")
    assert parcel.tracking_number in page
    packed = OrderEvent.objects.get(order=order, kind="shipment_packed")
    assert packed.params == {"shipment": shipment.pk, "units": 3} and packed.actor_user == operator


def test_a_wrong_item_and_a_surplus_are_refused_and_block_until_put_aside(client, operator, account, floor):
    order = order_of(account, ("KETTLE", 1), ("TEAPOT", 1))
    client.force_login(operator)
    scan(client, order.number)
    outbox.drain()

    wrong = scan(client, "4006381333931")
    assert wrong.context["outcome"] == "refused"
    assert "4006381333931 is not in this order" in wrong.content.decode() and 'role="alert"' in wrong.content.decode()
    blocked = scan(client, "KETTLE")  # even a right item waits until the wrong one is out
    assert blocked.context["outcome"] == "refused" and "Put 4006381333931 aside first" in blocked.content.decode()
    session = PackingSession.objects.get()
    assert session.scanned == {} and session.blocked_by == "4006381333931"

    client.post(reverse("shipping:pack_put_aside", args=[session.pk]), **HTMX)
    assert scan(client, "KETTLE").context["outcome"] == "counted"
    surplus = scan(client, "KETTLE")
    assert surplus.context["outcome"] == "refused" and "One KETTLE too many" in surplus.content.decode()
    client.post(reverse("shipping:pack_put_aside", args=[session.pk]), **HTMX)
    assert scan(client, "TEAPOT").context["outcome"] == "packed"
    session.refresh_from_db()
    assert session.scanned == {str(line.pk): 1 for line in order.lines.all()}


def test_every_unit_scanned_before_the_label_waits_for_it_then_packs(client, operator, account, floor):
    order = order_of(account, ("KETTLE", 1))
    client.force_login(operator)
    scan(client, order.number)

    waiting = scan(client, "KETTLE")

    assert waiting.context["outcome"] == "waiting_label" and waiting.context["waiting"]
    session = PackingSession.objects.get()
    assert session.finished_at is None
    outbox.drain()
    done = client.post(reverse("shipping:pack_finish", args=[session.pk]), **HTMX)
    assert done.context["outcome"] == "packed"
    assert Shipment.objects.get().status == Shipment.Status.PACKED


def test_a_pick_list_opens_its_orders_one_after_the_other(client, operator, account, floor):
    first = order_of(account, ("KETTLE", 1))
    second = order_of(account, ("TEAPOT", 1))
    pick_list = PickList.objects.create(order_ids=[first.pk, second.pk], created_by=operator)
    client.force_login(operator)

    scan(client, pick_list.code)
    assert PackingSession.objects.get().order_id == first.pk
    outbox.drain()
    assert scan(client, "KETTLE").context["outcome"] == "packed"
    scan(client, "")  # Enter: the next order of the pick list

    assert PackingSession.objects.get(finished_at__isnull=True).order_id == second.pk


def test_bad_codes_are_refused_and_change_nothing(client, operator, account, floor):
    shipped = order_of(account, ("KETTLE", 1), status="shipped")
    client.force_login(operator)

    assert "No order NOPE" in scan(client, "NOPE").content.decode()
    assert "nothing to pack" in scan(client, shipped.number).content.decode()
    assert not PackingSession.objects.exists() and not Shipment.objects.exists()


def test_only_operators_pack(client, viewer, outsider, account, floor):
    order = order_of(account, ("KETTLE", 1))
    for person in (viewer, outsider):
        client.force_login(person)
        assert client.get(reverse("shipping:pack")).status_code == 403
        assert client.post(reverse("shipping:pack_scan"), {"code": order.number}).status_code == 403
    client.logout()
    assert client.get(reverse("shipping:pack")).status_code == 302
    assert not PackingSession.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_carriers")
def test_two_stations_scanning_the_same_order_count_each_unit_once_and_pack_once(
    operator, admin_user, account, floor, carrier_sandbox
):
    order = order_of(account, ("KETTLE", 3))
    stations = [Client(), Client()]
    stations[0].force_login(operator)
    stations[1].force_login(admin_user)
    for station in stations:
        scan(station, order.number)  # both join the one session
    assert PackingSession.objects.count() == 1
    outbox.drain()
    scan(stations[0], "KETTLE")

    outcomes = []
    barrier = threading.Barrier(len(stations) * 2)

    def work(station):
        try:
            barrier.wait(timeout=30)
            page = station.post(reverse("shipping:pack_scan"), {"code": "KETTLE"}, **HTMX).content.decode()
            outcomes.append(re.search(r'data-outcome="(\w*)"', page)[1])  # the test client's context is not per thread
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(station,)) for station in stations * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    # 1 unit counted before, 2 left, 4 scans at once: two count (one of them packs), two are refused.
    assert sorted(outcomes) == ["counted", "packed", "refused", "refused"]
    session = PackingSession.objects.get()
    assert session.scanned == {str(order.lines.get().pk): 3} and session.finished_at is not None
    assert Shipment.objects.get().status == Shipment.Status.PACKED
    assert OrderEvent.objects.filter(order=order, kind="shipment_packed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_carriers")
def test_two_stations_opening_the_same_order_at_once_make_one_session_and_one_shipment(account, floor, operator):
    order = order_of(account, ("KETTLE", 1))
    barrier = threading.Barrier(4)
    errors = []

    def work(_):
        try:
            barrier.wait(timeout=30)
            packing.open_session(order_id=order.pk, actor=Actor.of_user(operator))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    assert errors == []
    assert PackingSession.objects.count() == 1 and Shipment.objects.count() == 1


def test_an_item_scan_is_a_handful_of_queries(client, operator, account, floor, django_assert_num_queries):
    order = order_of(account, ("KETTLE", 2))
    client.force_login(operator)
    scan(client, order.number)

    # Session, user, permissions (2), account scope, the current packing session; the transaction
    # (savepoints in tests) with the order's lock, the session's lock and its update; the lines shown.
    with django_assert_num_queries(12):
        assert scan(client, "KETTLE").context["outcome"] == "counted"


def test_starting_an_order_over_forgets_the_counts_not_the_shipment(client, operator, account, floor):
    order = order_of(account, ("KETTLE", 2))
    client.force_login(operator)
    scan(client, order.number)
    scan(client, "KETTLE")
    session = PackingSession.objects.get()

    client.post(reverse("shipping:pack_abandon", args=[session.pk]), **HTMX)
    reopened = scan(client, order.number)

    assert PackingSession.objects.get().scanned == {} and reopened.context["session"].pk != session.pk
    assert Shipment.objects.count() == 1  # the same shipment and label request


def test_the_station_speaks_french(client, operator, account, floor):
    order = order_of(account, ("KETTLE", 1), ("TEAPOT", 1))
    client.force_login(operator)
    client.post(reverse("shipping:pack_scan"), {"code": order.number}, HTTP_ACCEPT_LANGUAGE="fr")
    outbox.drain()

    refused = client.post(reverse("shipping:pack_scan"), {"code": "NOPE"}, HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get(reverse("shipping:pack"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "NOPE n’est pas dans cette commande" in refused.content.decode()
    assert english_on(refused.content.decode(), catalogue()) == []
    assert "Scannez un article (EAN ou SKU)" in page and english_on(page, catalogue()) == []
