"""The packing station in a real browser, keyboard only, as a USB scanner types: an order's number,
a wrong item refused loudly and put aside with Esc, each item counted, the shipment packed and its
carrier label offered; the station fits a phone."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import Warehouse
from oms import outbox
from shipping.models import Shipment
from tests.browser.conftest import check_page
from tests.shipping.conftest import carrier_account, carrier_sandbox, carrier_sandbox_server  # noqa: F401
from tests.shipping.paperwork import order_of, seeded_carriers, stock_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order_to_pack(seeded_carriers, account, carrier_account):  # noqa: F811  (fixtures imported above)
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    stock_in(lyon, "KETTLE", 10, bin_location="A-1", ean="3760000000017")
    stock_in(lyon, "TEAPOT", 10, bin_location="A-2", ean="3760000000024")
    carrier_account("colissimo")
    return order_of(account, ("KETTLE", 2, "3760000000017"), ("TEAPOT", 1, "3760000000024"))


def scanner(page, code: str):
    """What a USB scanner does: types the code into the focused field and presses Enter (once the
    station has answered the last scan, as a person takes the next item)."""
    expect(page.locator("#scan-code")).to_have_value("")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_an_operator_packs_an_order_by_scanning_it_keyboard_only(live_server, log_in, operator, order_to_pack):
    page = log_in(operator)
    page.goto(f"{live_server.url}/shipping/pack/")
    expect(page.locator("#scan-code")).to_be_focused()

    scanner(page, order_to_pack.number)
    lines = page.locator("table.pack-lines")
    expect(lines).to_contain_text("KETTLE")
    expect(page.locator(".pack-progress")).to_contain_text("0 / 3")
    assert outbox.drain() == {"sent": 1}  # the carrier sandbox labels the new shipment meanwhile

    expect(page.locator("#scan-code")).to_be_focused()
    scanner(page, "4006381333931")  # not in this order
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("4006381333931 is not in this order")
    expect(page.locator("#station")).to_have_class(re.compile("outcome-refused"))
    scanner(page, "3760000000017")  # refused too until the wrong one is put aside
    expect(alert).to_contain_text("Put 4006381333931 aside first")
    expect(page.locator(".pack-progress")).to_contain_text("0 / 3")
    page.keyboard.press("Escape")
    expect(page.locator("#put-aside")).to_have_count(0)
    expect(page.locator("#scan-code")).to_be_focused()

    scanner(page, "3760000000017")
    expect(page.locator('tr:has-text("KETTLE") .count')).to_have_text("1 / 2")
    scanner(page, "3760000000017")
    expect(page.locator('tr:has-text("KETTLE") .count')).to_have_text("2 / 2")
    scanner(page, "3760000000017")  # a third kettle: surplus
    expect(alert).to_contain_text("One 3760000000017 too many")
    page.keyboard.press("Escape")
    expect(page.locator("#put-aside")).to_have_count(0)
    expect(page.locator("#scan-code")).to_be_focused()
    scanner(page, "3760000000024")

    expect(page.locator(".packed-title")).to_contain_text("Packed")
    label = page.locator("a.print-label")
    expect(label).to_be_focused()  # Enter prints it
    shipment = Shipment.objects.get(order=order_to_pack)
    parcel = shipment.parcels.get()
    expect(label).to_contain_text(parcel.tracking_number)
    download = page.request.get(live_server.url + label.get_attribute("href"))
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    assert shipment.status == Shipment.Status.PACKED

    page.keyboard.type("OMS-0")  # the scanner's characters go back to the scan field, even from the link
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("No order OMS-0")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_station_fits_a_phone(live_server, log_in, operator, order_to_pack):
    page = log_in(operator)
    page.goto(f"{live_server.url}/shipping/pack/?code={order_to_pack.number}")
    page.locator("#scan-code").press("Enter")
    expect(page.locator("table.pack-lines")).to_contain_text("TEAPOT")
    check_page(page)
