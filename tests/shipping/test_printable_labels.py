"""The carrier's label printable from the order page: PDF on 10×15 and on A4, ZPL for thermal
printers (the carrier's own ZPL, or its PDF drawn as a ZPL bitmap); an operator's print is on the timeline."""

import re

import pytest
from django.urls import reverse

from oms import outbox
from orders.models import OrderEvent
from shipping import actions
from tests.shipping.conftest import SYSTEM
from tests.shipping.paperwork import pdf_pages, pdf_text
from tests.shipping.test_actions import make_shipment

MM = 72 / 25.4


@pytest.fixture
def labelled(shippable_order, warehouse, carrier_account, carrier_sandbox):
    """`labelled(code)`: the parcel of a shipment of the whole order, labelled by the carrier sandbox."""

    def create(code: str):
        account = carrier_account(code)
        shipment = make_shipment(
            shippable_order,
            warehouse,
            account,
            {line.pk: line.quantity for line in shippable_order.lines.all()},
            code=code,
        )
        actions.request_label(shipment_id=shipment.pk, actor=SYSTEM)
        assert outbox.drain() == {"sent": 1}
        return shipment.parcels.get()

    return create


def test_a_pdf_label_on_10x15_and_on_a4_keeps_the_carriers_page(client, operator, labelled):
    parcel = labelled("colissimo")
    client.force_login(operator)

    page = client.get(reverse("orders:detail", args=[parcel.shipment.order_id])).content.decode()
    small_url = reverse("shipping:parcel_label", args=[parcel.pk, "pdf"]) + "?size=10x15"
    a4_url = reverse("shipping:parcel_label", args=[parcel.pk, "pdf"]) + "?size=a4"
    assert small_url.replace("&", "&amp;") in page and a4_url in page and parcel.tracking_number in page

    small, a4 = client.get(small_url), client.get(a4_url)

    assert small["Content-Type"] == a4["Content-Type"] == "application/pdf"
    (small_page,), (a4_page,) = pdf_pages(small.content), pdf_pages(a4.content)
    assert (round(float(small_page.mediabox.width) / MM), round(float(small_page.mediabox.height) / MM)) == (100, 150)
    assert (round(float(a4_page.mediabox.width) / MM), round(float(a4_page.mediabox.height) / MM)) == (210, 297)
    for content in (small.content, a4.content):
        assert parcel.tracking_number in pdf_text(content)  # the carrier's own text, under its barcode
    assert list(
        OrderEvent.objects.filter(kind="label_printed").order_by("pk").values_list("params__format", flat=True)
    ) == ["PDF 10×15", "PDF A4"]


def test_a_pdf_label_as_zpl_is_a_bitmap_of_a_4x6_label(client, viewer, labelled):
    parcel = labelled("colissimo")
    client.force_login(viewer)

    response = client.get(reverse("shipping:parcel_label", args=[parcel.pk, "zpl"]))

    zpl = response.content.decode()
    assert response["Content-Type"].startswith("application/x-zpl")
    match = re.fullmatch(r"\^XA\^PW812\^LL1218\^FO0,0\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS\^XZ\n", zpl)
    assert match, zpl[:200]
    total, row_bytes, data = int(match[1]), int(match[3]), match[4]
    assert len(data) == 2 * total and total % row_bytes == 0
    assert 0 < data.count("F") < len(data)  # some black, not all
    assert not OrderEvent.objects.filter(kind="label_printed").exists()  # a viewer downloads, does not print


def test_a_zpl_label_is_given_as_the_carrier_printed_it_and_has_no_pdf(client, operator, labelled):
    parcel = labelled("ups")
    client.force_login(operator)

    zpl = client.get(reverse("shipping:parcel_label", args=[parcel.pk, "zpl"])).content.decode()
    refused = client.get(reverse("shipping:parcel_label", args=[parcel.pk, "pdf"]))

    assert zpl == bytes(parcel.label).decode() and parcel.tracking_number in zpl
    assert refused.status_code == 400 and "ZPL" in refused.content.decode()


def test_nobody_without_a_role_gets_a_label(client, outsider, labelled):
    parcel = labelled("colissimo")
    client.force_login(outsider)
    assert client.get(reverse("shipping:parcel_label", args=[parcel.pk, "pdf"])).status_code == 403
    client.logout()
    assert client.get(reverse("shipping:parcel_label", args=[parcel.pk, "zpl"])).status_code == 302
