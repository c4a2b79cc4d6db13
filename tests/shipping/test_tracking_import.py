"""Tracking numbers imported from a third-party warehouse's CSV: checked per row with a report, all or
nothing on request, from the page and the API; nothing changes for a refused row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms import outbox
from oms.access.models import AccountScope
from orders.actions import Actor
from orders.models import Order
from shipping import tracking_import
from shipping.models import Shipment
from tests.factories import MarketplaceAccountFactory, OrderLineDataFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(db):
    ebay = MarketplaceAccountFactory(platform="ebay")
    two_lines = make_order(
        account=ebay,
        lines=[OrderLineDataFactory(quantity=2, sku="KETTLE"), OrderLineDataFactory(quantity=1, sku="TEAPOT")],
    )
    one_line = make_order(account=ebay, lines=[OrderLineDataFactory(quantity=1, sku="MUG")])
    return two_lines, one_line


def test_each_row_ships_its_order_and_a_bad_row_is_reported(orders, operator):
    two_lines, one_line = orders
    text = (
        "order,carrier,tracking,lines\n"
        f"{two_lines.number},colissimo,6A12345678901,KETTLE:1\n"
        f"{one_line.marketplace_order_id},ups,1Z999AA10123456784,\n"
        f"{two_lines.number},ups,1Z1,TEAPOT:1\n"
        "NOPE-404,colissimo,6A12345678902,\n"
    )
    report = tracking_import.import_tracking(text=text, actor=Actor.of_user(operator), user=operator)

    assert report.applied and (report.imported, report.failed) == (2, 2)
    assert [(row.row, bool(row.shipment), row.error) for row in report.rows] == [
        (2, True, ""),
        (3, True, ""),
        (4, False, "1Z1 does not look like a UPS tracking number."),
        (5, False, "No order NOPE-404."),
    ]
    two_lines.refresh_from_db()
    one_line.refresh_from_db()
    assert (two_lines.status, one_line.status) == ("partially_shipped", "shipped")
    assert Shipment.objects.filter(origin=Shipment.Origin.IMPORTED).count() == 2
    assert [line.quantity_shipped for line in two_lines.lines.order_by("sku")] == [1, 0]


def test_all_or_nothing_imports_nothing_when_a_row_fails(orders, operator):
    two_lines, one_line = orders
    text = (
        "order;carrier;tracking\n"  # semicolons, no lines column
        f"{two_lines.number};colissimo;6A12345678901\n"
        f"{one_line.number};colissimo;not-a-number\n"
    )
    report = tracking_import.import_tracking(
        text=text, actor=Actor.of_user(operator), user=operator, all_or_nothing=True
    )

    assert not report.applied and (report.imported, report.failed) == (0, 1)
    assert report.rows[0].error == "" and report.rows[1].error.startswith("not-a-number does not look like")
    assert not Shipment.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"accepted"}
    assert outbox.drain() == {}


def test_the_page_takes_a_file_and_shows_the_report_in_french(orders, operator, client):
    two_lines, _one_line = orders
    client.force_login(operator)
    upload = SimpleUploadedFile(
        "suivi.csv", f"order,carrier,tracking\n{two_lines.number},colissimo,6A12345678901\n".encode()
    )
    page = client.post(reverse("orders:tracking_import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 ligne(s) importée(s), 0 refusée(s)." in page
    assert Order.objects.get(pk=two_lines.pk).status == "shipped"

    missing = client.post(reverse("orders:tracking_import"), {"text": "order,tracking\nX,Y\n"}).content.decode()
    assert "The file needs the columns order, carrier, tracking, lines (missing: carrier)." in missing


def test_the_api_answers_the_report_and_400_when_all_or_nothing_fails(orders, operator_api, viewer_api):
    two_lines, one_line = orders
    body = {
        "csv": f"order,carrier,tracking\n{two_lines.number},colissimo,6A12345678901\n{one_line.number},gls,1\n",
        "all_or_nothing": True,
    }
    refused = operator_api.post("/api/v1/shipments/tracking-import/", body, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["message"] == "1 of 2 row(s) refused: nothing was imported."
    assert [row["error"] == "" for row in error["details"]["rows"]] == [True, False]
    assert not Shipment.objects.exists()

    assert viewer_api.post("/api/v1/shipments/tracking-import/", body, format="json").status_code == 403
    body["all_or_nothing"] = False
    done = operator_api.post("/api/v1/shipments/tracking-import/", body, format="json", HTTP_IDEMPOTENCY_KEY="imp-1")
    assert done.status_code == 200 and (done.json()["imported"], done.json()["failed"]) == (1, 1)
    again = operator_api.post("/api/v1/shipments/tracking-import/", body, format="json", HTTP_IDEMPOTENCY_KEY="imp-1")
    assert again["Idempotent-Replayed"] == "true" and Shipment.objects.count() == 1


def test_orders_outside_the_users_accounts_are_not_found(orders, operator):
    other = make_order(account=MarketplaceAccountFactory(platform="amazon"))
    scope = AccountScope.objects.create(user=operator)
    scope.accounts.add(orders[0].account)
    report = tracking_import.import_tracking(
        text=f"order,carrier,tracking\n{other.number},colissimo,6A12345678901\n",
        actor=Actor.of_user(operator),
        user=operator,
    )
    assert report.rows[0].error == f"No order {other.number}."
    assert not Shipment.objects.exists()
