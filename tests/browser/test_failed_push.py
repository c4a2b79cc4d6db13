"""An operator sees that Mirakl did not take an acceptance, opens the order, reads why and sends it again."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplaces import polling
from marketplaces.sandbox.testing import running_sandbox
from marketplaces.sandbox_accounts import connect_sandbox_account
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions, pushes
from orders.models import Order, SavedView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox() as server:
        yield server


def test_operator_sees_the_failed_badge_opens_the_order_and_sends_again(
    live_server, log_in, operator, sandbox, settings
):
    settings.OMS_RATE_LIMIT_SCALE = 1_000_000
    sandbox.admin.set_rate_scale(1_000_000)
    account, key = connect_sandbox_account(sandbox.admin, "mirakl", name="Fnac-Darty", settings={"http_retries": 0})
    [remote] = sandbox.admin.generate_orders(key, 1, lines=1, status="WAITING_ACCEPTANCE")
    polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    SavedView.objects.get_or_create(name="Push failed", shared=True, defaults={"query": "push_failed=true"})

    # Mirakl answers 503 to every acceptance until the outbox gives up.
    sandbox.admin.inject_fault(key, "http_error", operation="OR21", status=503, count=100)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    messages = outbox.messages_about(pushes.order_subject(order.pk))
    for _ in range(outbox.MAX_ATTEMPTS):
        messages.filter(status=OutboxMessage.Status.PENDING).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        outbox.drain()
    assert messages.get().status == OutboxMessage.Status.DEAD

    page = log_in(operator)
    row = page.locator(f'tr[data-order="{order.pk}"]')
    expect(row.locator(".badge.push-failed")).to_have_text("Push failed")
    expect(page.locator(".saved-views a", has_text="Push failed").locator(".view-count")).to_have_text("1")
    page.locator(".saved-views a", has_text="Push failed").click()
    expect(page).to_have_url(re.compile(r"push_failed=true"))

    page.get_by_role("link", name=order.reference).click()
    banner = page.locator(".push-failure")
    expect(banner).to_contain_text("Mirakl did not take “Accept”")
    expect(banner.locator(".platform-message")).to_have_text("Service Unavailable")
    expect(page.locator("h1 .badge.push-failed")).to_be_visible()

    sandbox.admin.clear_faults()  # Mirakl is back
    banner.get_by_role("button", name="Send again").click()
    expect(page.locator(".messages")).to_contain_text("The push will be sent again.")
    expect(page.locator(".push-failure")).to_have_count(0)
    assert outbox.drain() == {"sent": 1}  # the worker's turn
    assert [action["action"] for action in sandbox.admin.order_actions(key, order.marketplace_order_id)] == ["OR21"]

    page.reload()
    expect(page.locator(".timeline")).to_contain_text("Push sent again")
    expect(page.locator(".timeline")).to_contain_text(re.compile(r"Sent to .+: acceptance\."))
