"""An operator answers a buyer from the inbox with a template; the reply reaches the platform (the sandbox)."""

import re

import pytest
from playwright.sync_api import expect

from marketplaces import polling as order_polling
from marketplaces.sandbox.testing import running_sandbox
from marketplaces.sandbox_accounts import connect_sandbox_account
from messaging import polling
from messaging.models import Message, Template, Thread
from oms import outbox
from orders.models import Order
from tests.browser.conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox() as server:
        yield server


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_operator_replies_to_a_buyer_with_a_template(live_server, log_in, operator, sandbox, settings, viewport):
    settings.OMS_RATE_LIMIT_SCALE = 1_000_000
    sandbox.admin.set_rate_scale(1_000_000)
    account, key = connect_sandbox_account(sandbox.admin, "mirakl", name=f"Fnac-Darty {viewport}")
    [remote_order] = sandbox.admin.generate_orders(key, 1, status="SHIPPING")
    order_polling.poll_account(account_id=account.pk)
    [remote] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="where_is_my_parcel")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    order = Order.objects.get(account=account)
    # The seeded templates (a data migration) do not survive the flush between transactional tests.
    Template.objects.get_or_create(
        name="Où est mon colis",
        language="en",
        defaults={"body": "Hello {buyer_name},\n\nYour order {order_number} is on its way: {tracking_link}"},
    )

    page = log_in(operator)
    page.goto(f"{live_server.url}/messages/")
    row = page.locator(f'tr[data-thread="{thread.pk}"]')
    expect(row).to_contain_text(remote["customer"]["name"])
    expect(row.locator("time.deadline")).to_be_visible()  # the reply-by countdown
    check_page(page)
    page.keyboard.press("j")  # the keyboard, like the queue: j/k to move, o to open
    expect(row).to_have_class(re.compile("focused"))
    page.keyboard.press("o")
    page.wait_for_url(f"{live_server.url}/messages/{thread.pk}/")

    expect(page.locator(".thread-side")).to_contain_text(order.reference or order.marketplace_order_id)
    page.get_by_label("Template").select_option(label="Où est mon colis (English)")
    expect(page.locator("#reply-body")).to_have_value(re.compile(f"^Hello {re.escape(remote['customer']['name'])},"))
    check_page(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Reply queued")

    assert outbox.drain() == {"sent": 1}
    reply = Message.objects.get(thread=thread, direction="out")
    assert reply.body.startswith(f"Hello {remote['customer']['name']}")
    assert reply.delivery == Message.Delivery.SENT
    shop = [m["body"] for m in sandbox.admin.threads(key)[0]["messages"] if m["from"] == "shop"]
    assert shop == [reply.body]
    page.reload()
    expect(page.locator(f'[data-message="{reply.pk}"]')).to_contain_text("Sent")


INVOICE = b"%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_operator_sends_a_file_with_a_reply(live_server, log_in, operator, sandbox, settings, viewport):
    settings.OMS_RATE_LIMIT_SCALE = 1_000_000
    sandbox.admin.set_rate_scale(1_000_000)
    account, key = connect_sandbox_account(sandbox.admin, "mirakl", name=f"Fnac-Darty files {viewport}")
    [remote_order] = sandbox.admin.generate_orders(key, 1, status="SHIPPING")
    order_polling.poll_account(account_id=account.pk)
    sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="invoice")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)

    page = log_in(operator)
    page.goto(f"{live_server.url}/messages/{thread.pk}/")
    page.locator("#reply-body").fill("Bonjour, voici votre facture.")
    page.get_by_label("Attach a file (PDF, JPEG, PNG or GIF)").set_input_files(
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": INVOICE}
    )
    check_page(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Reply queued")
    assert outbox.drain() == {"sent": 1}
    reply = Message.objects.get(thread=thread, direction="out")
    [ours] = reply.files.all()
    page.reload()
    link = page.locator(f'[data-message="{reply.pk}"] a', has_text="facture.pdf")
    expect(link).to_have_attribute("href", f"/messages/attachments/{ours.pk}/")
    [shop] = [m for m in sandbox.admin.threads(key)[0]["messages"] if m["from"] == "shop"]
    assert [(a["name"], a["size"]) for a in shop["attachments"]] == [("facture.pdf", len(INVOICE))]
