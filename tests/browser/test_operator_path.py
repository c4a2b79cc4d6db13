"""An operator's main path in a real browser: log in, filter, open an order, accept it, switch to French."""

import re

import pytest
from playwright.sync_api import expect

from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_filters_opens_accepts_and_switches_to_french(live_server, log_in, operator):
    account = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    waiting = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE, buyer_name="Amélie Poulain")
    make_order(account=account, status=OrderStatus.SHIPPED, buyer_name="Jean Valjean")

    page = log_in(operator)
    expect(page.locator("table.orders")).to_contain_text("Amélie Poulain")
    expect(page.locator("table.orders")).to_contain_text("Jean Valjean")

    # Filtering swaps the table through HTMX, without a full reload.
    page.locator("label.chip", has_text="To accept").locator("input").check()
    expect(page.locator("table.orders")).not_to_contain_text("Jean Valjean")
    expect(page).to_have_url(re.compile(r"status=pending_acceptance"))
    expect(page.locator("time[data-deadline]").first).to_have_text(re.compile(r"^(in|late by) "))

    page.get_by_role("link", name=waiting.reference).click()
    expect(page.locator("h1")).to_contain_text("To accept")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".messages")).to_contain_text("Order accepted.")
    expect(page.locator(".timeline")).to_contain_text(operator.username)
    expect(page.locator("h1")).to_contain_text("To ship")

    page.select_option("#language", "fr")
    expect(page.locator("h1")).to_contain_text("À expédier")
    expect(page.locator(".timeline")).to_contain_text("Changement de statut")
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.ACCEPTED


def test_viewer_is_offered_no_action(live_server, log_in, viewer):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    page = log_in(viewer)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator(".timeline")).to_be_visible()
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
