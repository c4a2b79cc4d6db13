"""Bulk labels for a selection of the queue: a background job (the queue's bulk jobs) that makes each
order's shipment with the default service and asks the carrier; the labels' progress as the carrier
sandbox answers, then one file of them all (PDF 10×15 or A4, ZPL)."""

import re

import pytest
from django.urls import reverse

from inventory.models import Warehouse
from oms import outbox
from order_queue import bulk
from orders.models import BulkJob, BulkJobItem, OrderEvent
from shipping.models import Shipment
from tests.shipping.paperwork import order_of, pdf_pages, stock_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(account, carrier_account, carrier_sandbox):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    stock_in(lyon, "KETTLE", 10)
    carrier_account("colissimo")
    return [
        order_of(account, ("KETTLE", 1)),
        order_of(account, ("KETTLE", 2)),
        order_of(account, ("KETTLE", 1), status="shipped"),
    ]


def test_bulk_labels_make_shipments_ask_the_carrier_and_give_one_file(client, operator, orders):
    client.force_login(operator)
    client.post(
        reverse("orders:bulk_start"), {"action": "labels", "key": "k-1", "order": [order.pk for order in orders]}
    )
    job = BulkJob.objects.get(action=BulkJob.Action.LABELS)

    bulk.run_job(job_id=job.pk)  # what the worker runs

    outcomes = dict(job.items.values_list("order_id", "code"))
    assert outcomes[orders[0].pk] == outcomes[orders[1].pk] == "label_requested"
    assert job.items.get(order=orders[2]).outcome == BulkJobItem.Outcome.FAILED
    assert Shipment.objects.filter(status=Shipment.Status.LABEL_REQUESTED).count() == 2
    waiting = client.get(reverse("shipping:label_job", args=[job.pk])).content.decode()
    assert "Labels ready: 0 of 2." in waiting and 'hx-trigger="every 2s"' in waiting

    assert outbox.drain() == {"sent": 2}
    ready = client.get(reverse("shipping:label_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Labels ready: 2 of 2." in ready and "hx-trigger" not in ready

    tracking = sorted(Shipment.objects.values_list("parcels__tracking_number", flat=True))
    pdf = client.get(reverse("shipping:label_job_file", args=[job.pk, "pdf"]) + "?size=a4")
    pages = pdf_pages(pdf.content)
    assert (
        len(pages) == 2
        and sorted(next(number for number in tracking if number in page.extract_text()) for page in pages) == tracking
    )
    zpl = client.get(reverse("shipping:label_job_file", args=[job.pk, "zpl"])).content.decode()
    assert len(re.findall(r"\^XA", zpl)) == 2
    assert OrderEvent.objects.filter(kind="label_printed").count() == 4  # two labels, printed twice


def test_running_the_job_again_asks_for_no_second_label(client, operator, orders):
    job = bulk.start_job(user=operator, key="k-2", action="labels", order_ids=[orders[0].pk])
    bulk.run_job(job_id=job.pk)
    BulkJobItem.objects.filter(job=job).update(outcome=BulkJobItem.Outcome.PENDING)

    bulk.run_job(job_id=job.pk)

    assert Shipment.objects.count() == 1
    assert outbox.drain() == {"sent": 1}


def test_only_the_operator_who_started_it_sees_the_label_job(client, operator, viewer, admin_user, orders):
    job = bulk.start_job(user=operator, key="k-3", action="labels", order_ids=[orders[0].pk])
    client.force_login(viewer)
    assert client.get(reverse("shipping:label_job", args=[job.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("shipping:label_job", args=[job.pk])).status_code == 404
