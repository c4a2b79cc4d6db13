"""A return from the buyer's request on Mirakl to the refund Mirakl receives, worked in the browser."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import StockLevel, Warehouse
from marketplaces import polling
from marketplaces.sandbox.testing import running_sandbox
from marketplaces.sandbox_accounts import connect_sandbox_account
from oms import outbox
from orders import actions
from orders.models import Order
from returns import polling as return_polling
from returns.models import Refund, ReturnRequest, ReturnStatus
from shipping import actions as shipping_actions
from tests.browser.conftest import check_page
from tests.inventory.conftest import put_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox() as server:
        yield server


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_a_return_from_request_to_refund(live_server, log_in, operator, sandbox, settings, viewport):
    settings.OMS_RATE_LIMIT_SCALE = 1_000_000
    sandbox.admin.set_rate_scale(1_000_000)
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    account, key = connect_sandbox_account(sandbox.admin, "mirakl", name="Fnac-Darty")
    [remote] = sandbox.admin.generate_orders(key, 1, lines=1, quantity=2, status="SHIPPING")
    polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    line = order.lines.get()
    sku = line.sku
    put_stock(sku, 5, lyon)
    shipping_actions.ship_order(
        order_id=order.pk, actor=actions.Actor.of_user(operator), carrier="colissimo", tracking_number="6A12345678901"
    )
    outbox.drain()
    on_hand = StockLevel.objects.get(product__sku=sku, warehouse=lyon).on_hand

    # The buyer asks Mirakl to send both units back; the next poll brings the return in.
    sandbox.admin.open_return(key, order.marketplace_order_id, reason_code="DAMAGED")
    assert return_polling.poll_returns(account_id=account.pk) == 1
    found = ReturnRequest.objects.get(order=order)

    page = log_in(operator)
    page.goto(f"{live_server.url}/returns/")
    check_page(page)
    row = page.locator("table.returns tbody tr", has_text=found.number)
    expect(row).to_contain_text("Arrived damaged")
    row.get_by_role("link", name=found.number).click()
    expect(page.locator("h1")).to_contain_text("Requested")
    check_page(page)

    page.get_by_role("button", name="Authorise").click()
    expect(page.locator(".messages")).to_contain_text("Return authorised.")
    page.get_by_label("Return tracking number").fill("8R00000000042")
    page.get_by_role("button", name="Record the return label").click()
    page.get_by_role("button", name="Parcel on its way").click()
    expect(page.locator("h1")).to_contain_text("In transit")

    # At the warehouse: scan the label, then the two units.
    page.goto(f"{live_server.url}/returns/")
    page.get_by_placeholder("Scan the return label or the order number").fill("8R00000000042")
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_url(re.compile(rf"/returns/{found.pk}/#receive$"))
    page.locator("#id_scanned").fill(f"{sku}\n{sku}")
    page.locator("#receive").get_by_role("button", name="Receive").click()
    expect(page.locator("h1")).to_contain_text("Received")

    selects = page.locator("#inspect select")
    selects.nth(0).select_option("sellable")
    selects.nth(1).select_option("damaged")
    page.locator("#inspect input").nth(1).fill("Verseuse fêlée")
    page.get_by_role("button", name="Save the inspection").click()
    expect(page.locator(".messages")).to_contain_text("stock updated")
    assert StockLevel.objects.get(product__sku=sku, warehouse=lyon).on_hand == on_hand + 1
    check_page(page)

    refund = page.locator("#refund")
    expect(refund).to_contain_text("What the marketplace will receive")
    refund.get_by_role("button", name="Refund").click()
    expect(page.locator("#confirm-dialog h2")).to_have_text("Refund this return?")
    page.locator("#confirm-button").click()
    expect(page.locator(".messages")).to_contain_text("Refund sent to the marketplace.")
    expect(page.locator("h1")).to_contain_text("Closed")
    assert outbox.drain() == {"sent": 4}  # Mirakl hears RT21, RT25, OR28 and RT27, in that order
    [or28] = [a for a in sandbox.admin.order_actions(key, order.marketplace_order_id) if a["action"] == "OR28"]
    [entry] = or28["body"]["refunds"]
    assert (entry["order_line_id"], entry["quantity"]) == (line.marketplace_line_id, 2)
    assert str(entry["amount"]) in (str(line.total_amount), f"{line.total_amount:.2f}")
    assert Refund.objects.get(order=order).status == Refund.Status.SENT
    assert ReturnRequest.objects.get(pk=found.pk).status == ReturnStatus.CLOSED

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text(f"Return {found.number} inspected: 1 unit(s) back in stock, 1 written off.")
    expect(timeline).to_contain_text("Refunded")
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.reload()
    expect(page.locator(".timeline")).to_contain_text(f"Retour {found.number} inspecté")
